"""Schema migrations: a fresh archive, and an old (v1) archive upgraded in place."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

import crawler.urls
import pipeline.markdown
from archive import backfills
from archive.migrations import allow_values, migrate, migrations, transform_keeping_triggers
from archive.store import Archive
from crawler.items import CrawlError
from pipeline.markdown import html_to_markdown
from pipeline.records import PostRecord, SeriesMembership

V1_SQL = Path(__file__).parent / "fixtures" / "schema" / "v1.sql"
FTS_TRIGGERS = {"posts_ai", "posts_ad", "posts_au"}


def search(db: sqlite_utils.Database, word: str) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT posts.url FROM posts JOIN posts_fts ON posts_fts.rowid = posts.rowid"
            " WHERE posts_fts MATCH ? ORDER BY posts.url",
            [word],
        )
    ]


def load_v1(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL.read_text())
    conn.close()
    return sqlite_utils.Database(path)


def test_fresh_database_gets_every_table_view_and_fts_trigger(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "a.db")
    applied = migrate(db)
    assert applied == [m.name for m in migrations._migrations]
    assert {
        "posts",
        "sites",
        "links",
        "series",
        "series_posts",
        "series_listings",
        "crawl_runs",
        "run_posts",
        "errors",
        "posts_fts",
        "snapshot",
    } <= set(db.table_names())
    assert {"post_series", "post_last_seen"} <= set(db.view_names())
    assert set(db.triggers_dict) >= FTS_TRIGGERS
    assert {"site_id", "word_count"} <= set(db["posts"].columns_dict)
    assert migrate(db) == []


def test_migrations_keep_indexes_and_foreign_keys_of_posts(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "a.db")
    migrate(db)
    index_names = {index.name for index in db["posts"].indexes}
    assert {"idx_posts_published", "idx_posts_fetched_url", "idx_posts_site_id"} <= index_names
    # The facets' columns (m014): Datasette counts them on every page of the posts table.
    assert {"idx_posts_site_author", "idx_posts_author", "idx_posts_language"} <= index_names
    assert "idx_posts_tags" in index_names
    # A site's or an author's posts by date (m016): the posts table's order, filtered.
    assert {"idx_posts_site_published", "idx_posts_author_published"} <= index_names
    for column in ("site", "author"):
        plan = " ".join(
            row[3]
            for row in db.execute(
                f"explain query plan select * from posts where {column} = ?"
                " order by published desc, rowid desc limit 101",
                ["x"],
            )
        )
        assert f"idx_posts_{column}_published" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort of every post of the site
        # ... and its language and tag facets counted from an index (m017)
        for facet in ("language", "tags"):
            plan = " ".join(
                row[3]
                for row in db.execute(
                    f"explain query plan select {facet}, count(*) from"
                    f" (select * from posts where {column} = ?) group by {facet}",
                    ["x"],
                )
            )
            assert "COVERING INDEX" in plan, plan
    assert {(fk.column, fk.other_table) for fk in db["posts"].foreign_keys} == {
        ("site_id", "sites"),
        ("first_run_id", "crawl_runs"),
        ("last_run_id", "crawl_runs"),
    }
    links_fk = db["links"].foreign_keys[0]
    assert (links_fk.other_table, links_fk.on_delete) == ("posts", "CASCADE")


def test_v1_archive_upgrades_keeping_rows_and_search(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    before = {t: old[t].count for t in ("posts", "links", "series_posts", "errors", "run_posts")}
    assert search(old, "catalogue") == ["https://lab.example.gov/2024/03/open-data-part-2/"]
    old.close()

    with Archive.open(path) as archive:
        db = archive.db
        assert [m.name for m in migrations.applied(db)] == [m.name for m in migrations._migrations]
        # m005: an old archive has no captures yet; its next crawl fetches every page whole.
        assert db["captures"].count == 0
        assert {"url", "etag", "last_modified", "warc_file", "warc_offset", "run_id"} <= set(
            db["captures"].columns_dict
        )
        assert {t: db[t].count for t in before} == before
        assert set(db.triggers_dict) >= FTS_TRIGGERS
        assert search(db, "catalogue") == ["https://lab.example.gov/2024/03/open-data-part-2/"]
        part2 = db["posts"].get("https://lab.example.gov/2024/03/open-data-part-2/")
        assert part2["site_id"] == 1
        assert part2["word_count"] == 14
        assert db["sites"].get(1)["post_count"] == 2
        # The triggers work after the upgrade: an update re-indexes the post.
        run_id = archive.start_run({})
        record = PostRecord(
            url="https://lab.example.gov/2024/03/open-data-part-2/",
            title="Open data, part 2: how",
            text="The register now lives in a spreadsheet portal.",
            site="City Innovation Lab",
            source="citylab",
        )
        assert archive.store_post(record, run_id) == "updated"
        assert search(db, "catalogue") == []
        assert search(db, "portal") == [record.url]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_transform_keeping_triggers_keeps_fts_in_sync(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "a.db")
    migrate(db)
    db.execute(
        "INSERT INTO posts (url, title, text, content_hash, first_seen_at, last_seen_at,"
        " last_changed_at) VALUES ('https://x.test/a', 'A', 'alpha words', 'h', 't', 't', 't')"
    )
    with db.atomic():
        transform_keeping_triggers(db, "posts", column_order=["text", "url"])
    assert set(db.triggers_dict) >= FTS_TRIGGERS
    db.execute("UPDATE posts SET text = 'beta words' WHERE url = 'https://x.test/a'")
    assert search(db, "beta") == ["https://x.test/a"]
    assert search(db, "alpha") == []


def test_plain_transform_loses_fts_triggers(tmp_path: Path) -> None:
    """The mechanism off: sqlite-utils' transform alone drops the sync triggers."""
    db = sqlite_utils.Database(tmp_path / "a.db")
    migrate(db)
    db["posts"].transform(column_order=["text", "url"])
    assert not FTS_TRIGGERS & set(db.triggers_dict)


def test_v1_archive_upgrade_keeps_its_series_as_evidence_and_reports_gaps(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    load_v1(path).close()
    part1 = "https://lab.example.gov/2024/03/open-data-part-1/"
    part2 = "https://lab.example.gov/2024/03/open-data-part-2/"
    with Archive.open(path) as archive:
        db = archive.db
        assert [
            (r["post_url"], r["position"], r["stated_part"], r["signal"])
            for r in db.query("SELECT * FROM series_posts ORDER BY position")
        ] == [(part1, 1, 1, "title-part"), (part2, 2, 2, "title-part")]
        assert [
            (r["post_url"], r["signal"], r["name"], r["stated_part"], r["evidence"])
            for r in db.query("SELECT * FROM series_evidence ORDER BY post_url")
        ] == [
            (part1, "title-part", "Open data", 1, "Open data, part 1: why"),
            (part2, "title-part", "Open data", 2, "Open data, part 2: how"),
        ]
        assert db["series"].get(1)["sites"] == '["City Innovation Lab"]'
        assert list(db.query("SELECT * FROM series_gaps")) == []
        # Part 4 of 4 arrives: parts 3 is missing, and the old rows still count.
        record = PostRecord(
            url="https://lab.example.gov/2024/04/open-data-part-4/",
            title="Open data, part 4: next",
            text="What comes next.",
            site="City Innovation Lab",
            published="2024-04-01",
            series=[SeriesMembership("Open data", 4, 4, signal="title-part", evidence="t")],
        )
        archive.store_post(record, archive.start_run({}))
        assert [
            (r["series_name"], r["missing_part"], r["parts_stated"], r["parts_held"])
            for r in db.query("SELECT * FROM series_gaps")
        ] == [("Open data", 3, 4, 3)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


PART_1_URL = "https://lab.example.gov/2024/03/open-data-part-1/"
# content_hash() of the v1 fixture's first post as blogarchive 0.1.0 computed it, before posts
# had a Markdown rendering: the value archives written then hold.
PART_1_HASH_V010 = "99abcbe7cc67216f721396023ac3db57cdbb3b79ccb06d57dbd00cb6b16a2226"


def part_1_as_extracted_now() -> PostRecord:
    """Return the fixture's first post as today's pipeline makes it (Markdown included)."""
    html = (
        "<p>Councils publish spreadsheets nobody can find. Part one explains the procurement"
        " problem.</p>"
    )
    return PostRecord(
        url=PART_1_URL,
        title="Open data, part 1: why",
        author="Ana Ruiz",
        published="2024-03-01",
        text="Councils publish spreadsheets nobody can find. Part one explains the procurement"
        " problem.",
        site="City Innovation Lab",
        source="citylab",
        language="en",
        tags=["open data", "procurement"],
        html=html,
        markdown=html_to_markdown(html),
        fetched_url=PART_1_URL,
    )


def test_markdown_migration_backfills_and_leaves_unchanged_posts_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    with old.conn:
        old.execute(
            "UPDATE posts SET content_hash = ? WHERE url = ?", [PART_1_HASH_V010, PART_1_URL]
        )
    old.close()

    with Archive.open(path) as archive:
        db = archive.db
        assert "m004_posts_markdown" in {m.name for m in migrations.applied(db)}
        rows = {row["url"]: row for row in db["posts"].rows}
        assert rows[PART_1_URL]["markdown"] == (
            "Councils publish spreadsheets nobody can find. Part one explains the procurement"
            " problem."
        )
        assert all(row["markdown"] == html_to_markdown(row["html"]) for row in rows.values())

        # Re-crawled with no textual change, the post stays as it was: the new rendering
        # does not count as an edit.
        record = part_1_as_extracted_now()
        assert record.markdown == rows[PART_1_URL]["markdown"]
        run_id = archive.start_run({})
        assert archive.store_post(record, run_id) == "unchanged"
        assert db["posts"].get(PART_1_URL)["last_changed_at"] == "2024-05-01T10:00:00Z"
        edited = PostRecord(**{**record.__dict__, "text": record.text + " Part two follows."})
        assert archive.store_post(edited, run_id) == "updated"


def test_v1_archive_upgrades_to_revisions_and_interrupted_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    runs_before = old.execute("SELECT * FROM crawl_runs ORDER BY id").fetchall()
    seen_before = old.execute("SELECT * FROM run_posts ORDER BY run_id, post_url").fetchall()
    old.execute(
        "INSERT INTO crawl_runs (started_at, status) VALUES ('2024-05-01T00:00:00Z', 'running')"
    )
    old.conn.commit()
    old.close()

    with Archive.open(path) as archive:
        db = archive.db
        names = [m.name for m in migrations.applied(db)]
        after_captures = names[names.index("m005_captures") + 1 :]
        assert after_captures[:2] == ["m006_post_revisions", "m007_crawl_runs_interrupted"]
        # Every old row and column is kept; the new columns have their defaults.
        width = len(runs_before[0])
        assert [r[:width] for r in db.execute("SELECT * FROM crawl_runs ORDER BY id")][
            : len(runs_before)
        ] == runs_before
        assert db.execute("SELECT * FROM run_posts ORDER BY run_id, post_url").fetchall() == (
            seen_before
        )
        assert {r["posts_gone"] for r in db["crawl_runs"].rows} == {0}
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {"post_series", "post_last_seen", "post_changes"} <= set(db.view_names())
        assert db["post_last_seen"].count == len({r[1] for r in seen_before})
        # The new CHECK values are accepted, unknown ones still refused.
        (stale,) = archive.close_interrupted_runs()
        assert db["crawl_runs"].get(stale)["status"] == "interrupted"
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE crawl_runs SET status = 'paused' WHERE id = ?", [stale])
        url = "https://lab.example.gov/2024/03/open-data-part-2/"
        run_id = archive.start_run({})
        archive.record_error(CrawlError(url, "fetch", "HTTP 410", "citylab"), run_id)
        assert db.execute(
            "SELECT outcome FROM run_posts WHERE run_id = ? AND post_url = ?", [run_id, url]
        ).fetchall() == [("gone",)]
        # A post of the old archive keeps its old version when it changes.
        record = PostRecord(url=url, title="Open data, part 2: how", text="New text.")
        assert archive.store_post(record, run_id) == "updated"
        revision = db["post_revisions"].get((url, 1))
        assert "catalogue" in revision["text"]
        assert revision["run_id"] == run_id


def test_allow_values_extends_a_check_keeping_other_values_columns_and_views(
    tmp_path: Path,
) -> None:
    db = sqlite_utils.Database(tmp_path / "a.db")
    migrate(db)
    db["run_posts"].add_column("note", str)  # as another migration might
    with db.atomic():
        allow_values(db, "run_posts", "outcome", ["duplicate", "gone"])
    with db.atomic():
        allow_values(db, "run_posts", "outcome", ["duplicate"])  # already there: no rebuild
    sql = db["run_posts"].schema
    assert "'unchanged', 'gone', 'duplicate')" in sql
    assert sql.count("'duplicate'") == 1
    assert "note" in db["run_posts"].columns_dict
    assert {"post_changes", "post_last_seen"} <= set(db.view_names())
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO run_posts VALUES (1, 'u', 'lost', 't', NULL)")


def test_v1_archive_upgrades_through_post_duplicates_keeping_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    load_v1(path).close()
    part_1 = "https://lab.example.gov/2024/03/open-data-part-1/"
    with Archive.open(path) as archive:
        db = archive.db
        # Old runs keep their outcomes and counts; the run_posts rebuild kept its view and index.
        assert [tuple(r) for r in db.execute("SELECT run_id, outcome FROM run_posts")] == [
            (1, "new"),
            (1, "new"),
        ]
        assert db["crawl_runs"].get(1)["posts_duplicate"] == 0
        assert (
            db.execute(
                "SELECT runs_seen FROM post_last_seen WHERE post_url = ?", [part_1]
            ).fetchone()[0]
            == 1
        )
        assert "idx_run_posts_post_url" in {i.name for i in db["run_posts"].indexes}
        assert db["posts"].get(part_1)["url_key"] == "lab.example.gov/2024/03/open-data-part-1"
        assert {"post_signatures", "post_signature_bands", "post_duplicates"} <= set(
            db.table_names()
        )
        assert "duplicate_pairs" in db.view_names()
        # A new run over the old archive: the old post, fingerprinted on its first sighting,
        # and a copy of it on another site, which the new CHECK accepts as a duplicate.
        text = " ".join(
            f"Councils publish spreadsheet number {i} nobody can find." for i in range(12)
        )
        run = archive.start_run({})
        old = PostRecord(
            url=part_1, title="Open data, part 1: why", text=text, published="2024-03-01"
        )
        assert archive.store_post(old, run) == "updated"
        copy = PostRecord(
            url="https://mag.example.com/open-data/",
            title="Open data",
            text=text,
            published="2024-04-01",
        )
        assert archive.store_post(copy, run) == "duplicate"
        assert archive.finish_run(run, pages_fetched=2)["posts_duplicate"] == 1
        assert db.execute("SELECT original_url FROM post_duplicates").fetchall() == [(part_1,)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_run_posts_rebuild_keeps_columns_other_migrations_added(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    old.execute("ALTER TABLE run_posts ADD COLUMN note TEXT")
    old.execute("UPDATE run_posts SET note = 'kept'")
    old.conn.commit()
    old.close()
    with Archive.open(path) as archive:
        db = archive.db
        assert [r[0] for r in db.execute("SELECT note FROM run_posts")] == ["kept", "kept"]
        url = "https://lab.example.gov/2024/03/open-data-part-1/"
        with db.atomic():
            db.execute("UPDATE run_posts SET outcome = 'duplicate' WHERE post_url = ?", [url])
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"), db.atomic():
            db.execute("UPDATE run_posts SET outcome = 'bogus' WHERE post_url = ?", [url])


def test_page_links_migration_upgrades_an_archive_with_captures(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    migrations.apply(old, stop_before="m009_page_links")
    with old.conn:
        old.execute(
            "INSERT INTO captures (run_id, url, fetched_at, status, content_length,"
            " payload_digest, warc_file, warc_offset, warc_length, warc_record_id)"
            " VALUES (NULL, ?, '2024-03-02T00:00:00Z', 200, 10, 'sha1:AAAA', 'warc/a.warc.gz',"
            " 0, 100, '<urn:uuid:1>')",
            [PART_1_URL],
        )
    old.close()

    with Archive.open(path) as archive:
        db = archive.db
        assert "m009_page_links" in {m.name for m in migrations.applied(db)}
        # The captures stay; no page has known links yet, so the next run parses each once.
        assert db["captures"].count == 1
        assert db["page_links"].count == 0
        assert set(db["page_links"].pks) == {"url", "payload_digest", "links_key"}


def test_v1_archive_upgrades_to_run_reasons_and_partial_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = load_v1(path)
    old.execute(
        "INSERT INTO crawl_runs (started_at, status) VALUES ('2024-05-02T00:00:00Z', 'running')"
    )
    old.conn.commit()
    old.close()

    with Archive.open(path) as archive:
        db = archive.db
        assert "m010_crawl_runs_reason" in [m.name for m in migrations.applied(db)]
        # Old runs keep their status; no reason is made up for them.
        assert db.execute("SELECT id, status, reason FROM crawl_runs ORDER BY id").fetchall() == [
            (1, "finished", None),
            (2, "running", None),
        ]
        (stale,) = archive.close_interrupted_runs()
        assert db["crawl_runs"].get(stale)["reason"] == "its process died before it ended"
        run_id = archive.start_run({})
        row = archive.finish_run(
            run_id, pages_fetched=3, status="partial", reason="a: max_pages=3 reached"
        )
        assert (row["status"], row["reason"]) == ("partial", "a: max_pages=3 reached")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE crawl_runs SET status = 'paused' WHERE id = ?", [run_id])


class _LaterConverter:
    """A converter a later version might use: different Markdown for the same HTML."""

    def convert(self, html: str) -> str:
        return "LATER " + html


def test_upgrade_backfills_the_values_of_its_time_whatever_the_live_code_says_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A later version keys URLs and renders Markdown differently (live code changed).
    live_canonicalize = crawler.urls.canonicalize_url
    monkeypatch.setattr(
        crawler.urls, "canonicalize_url", lambda url, **kw: live_canonicalize(url, **kw).upper()
    )
    monkeypatch.setattr(pipeline.markdown, "_PostConverter", _LaterConverter)
    later_key = crawler.urls.url_key(PART_1_URL, keep_fragment=True)
    assert later_key != "lab.example.gov/2024/03/open-data-part-1"
    assert html_to_markdown("<p>a</p>") == "LATER <p>a</p>"

    path = tmp_path / "old.db"
    load_v1(path).close()
    with Archive.open(path) as archive:
        part_1 = archive.db["posts"].get(PART_1_URL)
        # What m004 and m008 gave when they shipped, not what the live functions give now.
        assert part_1["url_key"] == "lab.example.gov/2024/03/open-data-part-1"
        assert part_1["markdown"] == (
            "Councils publish spreadsheets nobody can find. Part one explains the procurement"
            " problem."
        )
        assert (part_1["site_id"], part_1["word_count"]) == (1, 12)


def test_backfills_run_again_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    load_v1(path).close()
    with Archive.open(path) as archive:
        db = archive.db
        before = db.execute("SELECT * FROM posts ORDER BY url").fetchall()
        sites = db.execute("SELECT * FROM sites ORDER BY id").fetchall()
        with db.atomic():
            backfills.posts_site_id_and_word_count_v1(db)
            backfills.posts_markdown_v1(db)
            backfills.posts_url_key_v1(db)
        assert db.execute("SELECT * FROM posts ORDER BY url").fetchall() == before
        assert db.execute("SELECT * FROM sites ORDER BY id").fetchall() == sites


def test_migrations_import_no_live_project_code() -> None:
    """A shipped migration must not change when crawler or pipeline code does."""
    for module in (Path(backfills.__file__), Path(backfills.__file__).with_name("migrations.py")):
        imports = [
            line
            for line in module.read_text().splitlines()
            if line.startswith(("import ", "from ")) and (" crawler" in line or " pipeline" in line)
        ]
        assert imports == [], f"{module.name} imports live code: {imports}"


# A process that upgrades an old archive and is killed in the middle of m004's backfill, after
# the migration has added its column.
KILLED_MID_MIGRATION = """
import os, signal, sys
from archive import backfills
from archive.store import Archive

def killed(db):
    os.kill(os.getpid(), signal.SIGKILL)

backfills.posts_markdown_v1 = killed
if sys.argv[2:] == ["outside-transactions"]:
    from archive.migrations import migrations
    for migration in migrations._migrations:
        migration.transactional = False
Archive.open(sys.argv[1])
"""


def kill_mid_migration(path: Path, *how: str) -> sqlite_utils.Database:
    """Upgrade the archive at ``path`` in a process killed during m004; return the archive."""
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_MIGRATION, str(path), *how],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    return sqlite_utils.Database(path)


def test_a_process_killed_mid_migration_leaves_the_archive_as_it_was_before_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    load_v1(path).close()
    db = kill_mid_migration(path)
    applied = [row["name"] for row in db["_sqlite_migrations"].rows]
    # Each migration commits with its record: m001 to m003 are in, m004 and its column are not.
    assert applied == [m.name for m in migrations._migrations[:3]]
    assert applied[-1].startswith("m003")
    assert "markdown" not in db["posts"].columns_dict
    db.close()
    with Archive.open(path) as archive:
        assert "markdown" in archive.db["posts"].columns_dict
        assert (
            archive.db.execute("SELECT count(*) FROM posts WHERE markdown IS NULL").fetchone()[0]
            == archive.db.execute("SELECT count(*) FROM posts WHERE html IS NULL").fetchone()[0]
        )


def test_run_outside_transactions_a_killed_migration_leaves_its_column_without_its_record(
    tmp_path: Path,
) -> None:
    # The mechanism off: what each migration changed is committed before its record is.
    path = tmp_path / "old.db"
    load_v1(path).close()
    db = kill_mid_migration(path, "outside-transactions")
    applied = [row["name"] for row in db["_sqlite_migrations"].rows]
    assert applied[-1].startswith("m003")
    assert "markdown" in db["posts"].columns_dict


def test_a_title_affix_is_matched_in_the_title_index_not_in_every_post_of_the_site(
    tmp_path: Path,
) -> None:
    """m019: storing a post titled "...: Part 2 of 4" looks for the site's titles sharing
    the affix. The old statement read every post of the site from the table (18 ms of CPU
    a post at 5,000 posts a site); now the titles come from the index, the rows of the
    matches alone from the table."""
    from archive.series.evidence import TITLE_SIBLINGS

    old = (
        "SELECT url, title, tags FROM posts WHERE site_id IS ? AND (title LIKE ? ESCAPE '\\'"
        " OR title LIKE ? ESCAPE '\\')"
    )
    with Archive.open(tmp_path / "archive.db") as archive:

        def plan(sql: str) -> str:
            rows = archive.db.execute(f"EXPLAIN QUERY PLAN {sql}", [1, "a%", "%a"]).fetchall()
            return " | ".join(row[3] for row in rows)

        assert "COVERING INDEX idx_posts_site_title" in plan(TITLE_SIBLINGS)
        assert "COVERING" not in plan(old)  # the table's row read for every post of the site
        archive.db.execute("DROP INDEX idx_posts_site_title")  # the migration off
        assert "COVERING" not in plan(TITLE_SIBLINGS)
