"""Writing posts, series, runs and errors into the archive."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.errors import ArchiveError
from archive.publish import default_snapshot_path
from archive.store import Archive, series_slug
from crawler.items import CrawlError, SeriesListing
from pipeline.records import Link, PostRecord, SeriesMembership

SITE = "https://lab.example.gov"


class Clock:
    """A clock that moves one second per reading, so timestamps show which write did what."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> str:
        self.ticks += 1
        return f"2025-01-01T00:{self.ticks // 60:02d}:{self.ticks % 60:02d}Z"


def post(slug: str, **fields: Any) -> PostRecord:
    defaults: dict[str, Any] = {
        "url": f"{SITE}/{slug}/",
        "title": slug.replace("-", " ").title(),
        "text": f"Body of {slug} about procurement reform.",
        "source": "citylab",
        "fetched_url": f"{SITE}/{slug}/",
        "fetched_at": "2025-01-01T00:00:00Z",
        "site": "City Innovation Lab",
        "published": "2024-03-01",
    }
    defaults.update(fields)
    return PostRecord(**defaults)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "data" / "archive.db", clock=Clock()) as opened:
        yield opened


def rows(archive: Archive, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in archive.db.execute(sql, params or []).fetchall()]


def search(archive: Archive, word: str) -> list[str]:
    return [
        r[0]
        for r in rows(
            archive,
            "SELECT posts.url FROM posts JOIN posts_fts ON posts_fts.rowid = posts.rowid"
            " WHERE posts_fts MATCH ? ORDER BY posts.url",
            [word],
        )
    ]


def test_open_creates_folder_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "new" / "dir" / "a.db") as archive:
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert archive.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_open_on_a_file_that_is_not_sqlite_names_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("this is not a database, just some notes " * 20)
    with pytest.raises(ArchiveError, match=r"notes\.db") as info:
        Archive.open(bad)
    assert info.value.path == bad


def test_store_post_reports_new_then_unchanged_then_updated(archive: Archive) -> None:
    run = archive.start_run({})
    record = post("open-data")
    assert archive.store_post(record, run) == "new"
    assert archive.store_post(post("open-data", fetched_at="2025-02-02T00:00:00Z"), run) == (
        "unchanged"
    )
    assert archive.store_post(post("open-data", text="Rewritten body."), run) == "updated"
    stored = archive.db["posts"].get(record.url)
    assert stored["text"] == "Rewritten body."
    assert stored["word_count"] == 2
    assert stored["first_seen_at"] < stored["last_changed_at"]
    assert stored["tags"] == "[]"


def test_unchanged_post_leaves_every_posts_row_byte_identical(archive: Archive) -> None:
    first = archive.start_run({})
    for slug in ("a-post", "b-post"):
        archive.store_post(post(slug, links=[Link("https://x.test/", "x")]), first)
    snapshot = "SELECT * FROM posts ORDER BY url"
    before = rows(archive, snapshot)
    before_links = rows(archive, "SELECT * FROM links ORDER BY post_url, position")
    second = archive.start_run({})
    outcomes = [
        archive.store_post(post(slug, links=[Link("https://x.test/", "x")]), second)
        for slug in ("a-post", "b-post")
    ]
    assert outcomes == ["unchanged", "unchanged"]
    assert rows(archive, snapshot) == before
    assert rows(archive, "SELECT * FROM links ORDER BY post_url, position") == before_links
    # The sighting is recorded beside the post, not in it.
    assert rows(archive, "SELECT runs_seen FROM post_last_seen") == [(2,), (2,)]


def test_links_are_replaced_whole_when_a_post_changes(archive: Archive) -> None:
    run = archive.start_run({})
    links = [Link("https://a.test/", "first"), Link("https://b.test/", "second")]
    archive.store_post(post("linked", links=links), run)
    archive.store_post(post("linked", links=[Link("https://c.test/", "only")]), run)
    assert rows(archive, "SELECT position, url, text FROM links") == [
        (1, "https://c.test/", "only")
    ]


def test_search_finds_a_word_of_the_text_and_follows_updates(archive: Archive) -> None:
    run = archive.start_run({})
    record = post("parking", text="The parking permits register moved online.")
    archive.store_post(record, run)
    assert search(archive, "permits") == [record.url]
    archive.store_post(post("parking", text="Bus lanes were repainted."), run)
    assert search(archive, "permits") == []
    assert search(archive, "repainted") == [record.url]


def test_series_positions_follow_stated_part_numbers(archive: Archive) -> None:
    run = archive.start_run({})
    # Stored out of order, and part 2 was published before part 1.
    for slug, part, published in (
        ("p3", 3, "2024-01-01"),
        ("p1", 1, "2024-02-01"),
        ("p2", 2, "2023-12-01"),
    ):
        membership = SeriesMembership("Open Data", position=part, total=3, signal="title-part")
        archive.store_post(post(slug, series=[membership], published=published), run)
    assert rows(archive, "SELECT post_url, position FROM series_posts ORDER BY position") == [
        (f"{SITE}/p1/", 1),
        (f"{SITE}/p2/", 2),
        (f"{SITE}/p3/", 3),
    ]
    assert rows(
        archive,
        "SELECT name, slug, declared_total, parts_held, first_published, last_published"
        " FROM series",
    ) == [("Open Data", "open-data", 3, 3, "2023-12-01", "2024-02-01")]


def test_series_positions_without_part_numbers_follow_publication(archive: Archive) -> None:
    run = archive.start_run({})
    for slug, published in (
        ("late", "2024-05-01"),
        ("early", "2024-01-01"),
        ("middle", "2024-03-01"),
    ):
        membership = SeriesMembership("Street Design", signal="series-box")
        archive.store_post(post(slug, series=[membership], published=published), run)
    assert rows(archive, "SELECT post_url FROM series_posts ORDER BY position") == [
        (f"{SITE}/early/",),
        (f"{SITE}/middle/",),
        (f"{SITE}/late/",),
    ]
    # A changed date re-orders the whole series.
    archive.store_post(
        post("early", series=[SeriesMembership("Street Design")], published="2024-06-01"), run
    )
    assert rows(archive, "SELECT post_url FROM series_posts ORDER BY position") == [
        (f"{SITE}/middle/",),
        (f"{SITE}/late/",),
        (f"{SITE}/early/",),
    ]


def test_same_series_name_on_two_sites_is_one_series_and_reruns_add_no_rows(
    archive: Archive,
) -> None:
    for _ in range(2):
        run = archive.start_run({})
        archive.store_post(post("a", series=[SeriesMembership("Open Data", 1)]), run)
        archive.store_post(
            post(
                "b", url="https://other.example.org/b/", series=[SeriesMembership("open data", 2)]
            ),
            run,
        )
    assert rows(archive, "SELECT count(*) FROM series") == [(1,)]
    assert rows(archive, "SELECT count(*) FROM series_posts") == [(2,)]
    assert rows(archive, "SELECT count(*) FROM sites") == [(2,)]
    assert series_slug("Open  Data!") == series_slug("open-data")


def test_series_listing_links_posts_stored_before_and_after_it(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(post("first"), run)
    listing = SeriesListing(
        name="Data Week",
        url=f"{SITE}/series/data-week/",
        source="citylab",
        post_urls=[f"{SITE}/first/", f"{SITE}/second/?utm_source=feed"],
        description="Five days of data.",
    )
    series_id = archive.store_series_listing(listing, run)
    assert rows(archive, "SELECT post_url FROM series_posts") == [(f"{SITE}/first/",)]
    # The second post arrives in a later run, under its canonical URL.
    later = archive.start_run({})
    archive.store_post(post("second", published="2024-04-01"), later)
    assert rows(
        archive,
        "SELECT post_url, position, signal, evidence FROM series_posts ORDER BY position",
    ) == [
        (f"{SITE}/first/", 1, "series-page", listing.url),
        (f"{SITE}/second/", 2, "series-page", listing.url),
    ]
    series = archive.db["series"].get(series_id)
    assert (series["url"], series["description"], series["parts_held"]) == (
        listing.url,
        "Five days of data.",
        2,
    )
    # Storing the listing again adds nothing.
    archive.store_series_listing(listing, later)
    assert rows(archive, "SELECT count(*) FROM series_listings") == [(2,)]
    assert rows(archive, "SELECT count(*) FROM series_posts") == [(2,)]


def test_record_error_and_finish_run_counts_what_the_run_stored(archive: Archive) -> None:
    archive.store_post(post("old"), archive.start_run({}))
    run = archive.start_run({"sources": ["citylab"], "limit": 5})
    archive.store_post(post("old"), run)
    archive.store_post(post("fresh"), run)
    archive.store_post(post("fresh", text="changed"), run)  # still "new" for this run
    error_id = archive.record_error(
        CrawlError(f"{SITE}/broken/", "fetch", "HTTP 500", "citylab"), run
    )
    finished = archive.finish_run(run, pages_fetched=7)
    assert archive.db["errors"].get(error_id)["message"] == "HTTP 500"
    assert {k: finished[k] for k in finished if k not in ("started_at", "finished_at")} == {
        "id": run,
        "status": "finished",
        "pages_fetched": 7,
        "posts_new": 1,
        "posts_updated": 0,
        "posts_unchanged": 1,
        "posts_gone": 0,
        "errors": 1,
        "posts_duplicate": 0,
        "args": '{"limit": 5, "sources": ["citylab"]}',
        "pid": os.getpid(),
        "reason": "finished",
    }
    assert finished["finished_at"] > finished["started_at"]
    with pytest.raises(ArchiveError, match="status"):
        archive.finish_run(run, pages_fetched=0, status="done")


def test_an_archived_post_that_answers_404_is_gone_not_an_error(archive: Archive) -> None:
    archive.store_post(post("deleted"), archive.start_run({}))
    run = archive.start_run({})
    deleted = CrawlError(f"{SITE}/deleted/", "fetch", "HTTP 404", "citylab")
    never_stored = CrawlError(f"{SITE}/typo/", "fetch", "HTTP 404", "citylab")
    assert archive.record_error(deleted, run) is None
    assert archive.record_error(never_stored, run) is not None
    finished = archive.finish_run(run, pages_fetched=2)
    assert (finished["posts_gone"], finished["errors"]) == (1, 1)
    assert rows(archive, "SELECT url FROM errors") == [(f"{SITE}/typo/",)]


def test_failure_midway_through_store_post_leaves_no_partial_post(archive: Archive) -> None:
    run = archive.start_run({})
    good = Link("https://a.test/", "fine")
    # A link without a URL breaks links.url NOT NULL: the post row is already written then.
    broken = post(
        "broken",
        links=[good, Link(None, "no target")],  # type: ignore[arg-type]
        series=[SeriesMembership("Lost Series", 1)],
    )
    with pytest.raises(ArchiveError, match="store post") as info:
        archive.store_post(broken, run)
    assert info.value.url == broken.url
    assert isinstance(info.value.__cause__, sqlite3.Error)
    for table in ("posts", "links", "series", "series_posts", "sites", "run_posts"):
        assert archive.db[table].count == 0, table
    assert search(archive, "procurement") == []
    # The archive is still usable afterwards.
    assert archive.store_post(post("broken", links=[good]), run) == "new"


def test_publish_writes_an_immutable_readable_copy_atomically(
    archive: Archive, tmp_path: Path
) -> None:
    run = archive.start_run({})
    archive.store_post(post("published"), run)
    target = default_snapshot_path(archive.path)
    assert target == archive.path.parent / "published" / "archive.db"
    target.parent.mkdir()
    target.write_bytes(b"old snapshot being served")
    assert archive.publish(target) == target
    assert sorted(p.name for p in target.parent.iterdir()) == ["archive.db"]
    conn = sqlite3.connect(f"file:{target}?immutable=1", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1
        assert (
            conn.execute(
                "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'procurement'"
            ).fetchone()[0]
            == 1
        )
    finally:
        conn.close()


def test_failed_publish_keeps_the_previous_snapshot(archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "published" / "archive.db"
    target.mkdir(parents=True)  # a directory cannot be replaced by a file
    with pytest.raises(ArchiveError, match="publish"):
        archive.publish(target)
    assert target.is_dir()
    assert [p.name for p in target.parent.iterdir()] == ["archive.db"]


def test_publish_removes_copies_left_by_a_killed_publisher(archive: Archive) -> None:
    target = default_snapshot_path(archive.path)
    target.parent.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    orphan = target.with_name(f".archive.db.{int(dead.stdout)}.tmp")
    busy = target.with_name(f".archive.db.{os.getppid()}.tmp")  # a live process's copy
    orphan.write_bytes(b"half a database")
    busy.write_bytes(b"being written")
    archive.publish(target)
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["archive.db", busy.name])


def test_every_page_a_post_came_from_finds_it_stored_not_only_the_last(
    archive: Archive,
) -> None:
    from archive.history import ArchiveHistory

    run = archive.start_run({})
    page = f"{SITE}/budget-notes/"
    variant = f"{SITE}/budget-notes/?showComment=12"  # the same post, a comment's link to it
    archive.store_post(post("budget-notes", fetched_url=page), run)
    assert archive.store_post(post("budget-notes", fetched_url=variant), run) == "unchanged"
    index = ArchiveHistory(archive.path)
    try:
        # A re-crawl that gets either page's payload again knows its post is stored, so it
        # does not extract it again (crawler.capture_middleware: its "yields" are all stored).
        assert index.stored_posts(variant) == {variant: page}
        assert index.stored_posts(page) == {page: page}
        # Without post_fetches only the post's own last page would be known.
        archive.db.execute("DELETE FROM post_fetches")
        archive.db.conn.commit()
        index.close()
        assert index.stored_posts(variant) == {}
        assert index.stored_posts(page) == {page: page}
    finally:
        index.close()
