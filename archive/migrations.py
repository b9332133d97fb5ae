"""The archive's schema, as an ordered list of sqlite-utils migrations.

Never edit a migration that has shipped: add a new one. A migration is frozen SQL (the
statements as they ran when it shipped, search indexes and added columns included) and
imports no live project code, so what it does cannot drift. Two rebuilds stay code, because
they must keep whatever columns an archive has: m002's column reorder (sqlite-utils'
``transform``) and :func:`allow_values`. A column filled from Python (a URL's key, a Markdown
rendering) is filled by a frozen, versioned backfill in :mod:`archive.backfills`.
``tests/fixtures/schema/v1.sql`` is the database migration 1 made, kept so that upgrading an
old archive stays tested.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlite_utils
from sqlite_utils.db import Database

from archive import backfills
from archive.errors import ArchiveError

logger = logging.getLogger(__name__)

migrations = sqlite_utils.Migrations("blogarchive")

_V1_TABLES = """
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'finished', 'failed')),
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    posts_new INTEGER NOT NULL DEFAULT 0,
    posts_updated INTEGER NOT NULL DEFAULT 0,
    posts_unchanged INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    args TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    host TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    source TEXT,
    post_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE posts (
    url TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    author TEXT,
    published TEXT,
    updated TEXT,
    text TEXT NOT NULL,
    site TEXT,
    source TEXT,
    description TEXT,
    language TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    html TEXT,
    fetched_url TEXT,
    content_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    last_changed_at TEXT NOT NULL,
    first_run_id INTEGER REFERENCES crawl_runs(id),
    last_run_id INTEGER REFERENCES crawl_runs(id)
);
CREATE INDEX idx_posts_published ON posts (published);
CREATE INDEX idx_posts_fetched_url ON posts (fetched_url);
CREATE TABLE links (
    post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (post_url, position)
);
CREATE INDEX idx_links_url ON links (url);
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    url TEXT,
    site TEXT,
    description TEXT,
    declared_total INTEGER,
    first_published TEXT,
    last_published TEXT,
    parts_held INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE series_posts (
    series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    position INTEGER,
    stated_part INTEGER,
    stated_total INTEGER,
    signal TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (series_id, post_url)
);
CREATE INDEX idx_series_posts_post_url ON series_posts (post_url);
CREATE TABLE series_listings (
    series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    post_url TEXT NOT NULL,
    listed_position INTEGER NOT NULL,
    listing_url TEXT NOT NULL,
    first_run_id INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (series_id, post_url)
);
CREATE INDEX idx_series_listings_post_url ON series_listings (post_url);
CREATE TABLE run_posts (
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('new', 'updated', 'unchanged')),
    seen_at TEXT NOT NULL,
    PRIMARY KEY (run_id, post_url)
);
CREATE INDEX idx_run_posts_post_url ON run_posts (post_url);
CREATE TABLE errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    stage TEXT NOT NULL,
    message TEXT NOT NULL,
    source TEXT,
    at TEXT NOT NULL
);
CREATE INDEX idx_errors_run_id ON errors (run_id);
"""

# Full-text search over posts' title and text, kept in sync by triggers: the SQL sqlite-utils'
# enable_fts wrote when this shipped, frozen so that a sqlite-utils upgrade cannot change it.
_V1_FTS = """
CREATE VIRTUAL TABLE "posts_fts" USING FTS5 (
    "title", "text",
    content="posts"
);
INSERT INTO "posts_fts" (rowid, "title", "text")
    SELECT rowid, "title", "text" FROM "posts";
CREATE TRIGGER "posts_ai" AFTER INSERT ON "posts" BEGIN
  INSERT INTO "posts_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TRIGGER "posts_ad" AFTER DELETE ON "posts" BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
END;
CREATE TRIGGER "posts_au" AFTER UPDATE ON "posts" BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
  INSERT INTO "posts_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
"""  # noqa: E501

_V1_VIEWS = """
CREATE VIEW post_series AS
SELECT
    posts.url AS post_url,
    posts.title,
    posts.site,
    posts.author,
    posts.published,
    series.name AS series_name,
    series.slug AS series_slug,
    series_posts.position,
    series_posts.stated_part,
    series.parts_held,
    series.declared_total,
    series_posts.signal
FROM series_posts
JOIN posts ON posts.url = series_posts.post_url
JOIN series ON series.id = series_posts.series_id;
CREATE VIEW post_last_seen AS
SELECT
    run_posts.post_url,
    max(run_posts.seen_at) AS last_seen_at,
    max(run_posts.run_id) AS last_run_id,
    count(*) AS runs_seen
FROM run_posts
GROUP BY run_posts.post_url;
"""


@migrations()
def m001_initial(db: Database) -> None:
    """Create posts, links, sites, series, crawl runs and errors, with FTS on posts."""
    db.executescript(_V1_TABLES)
    db.executescript(_V1_FTS)
    db.executescript(_V1_VIEWS)


@migrations()
def m002_posts_site_id_word_count(db: Database) -> None:
    """Give posts a site_id foreign key and a word count, both backfilled, in reading order."""
    db.execute('ALTER TABLE "posts" ADD COLUMN "site_id" INTEGER')
    db.execute('ALTER TABLE "posts" ADD COLUMN "word_count" INTEGER NOT NULL DEFAULT 0')
    transform_keeping_triggers(
        db,
        "posts",
        add_foreign_keys=[("site_id", "sites", "id")],
        column_order=[
            "url",
            "title",
            "site",
            "site_id",
            "author",
            "published",
            "updated",
            "word_count",
            "description",
            "tags",
            "language",
            "text",
        ],
    )
    backfills.posts_site_id_and_word_count_v1(db)
    db.execute("CREATE INDEX idx_posts_site_id ON posts (site_id)")


_SERIES_EVIDENCE = """
CREATE TABLE series_evidence (
    id INTEGER PRIMARY KEY,
    post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    series_id INTEGER REFERENCES series(id) ON DELETE SET NULL,
    signal TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    stated_part INTEGER,
    stated_total INTEGER,
    url TEXT,
    evidence TEXT NOT NULL DEFAULT '',
    neighbours TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX idx_series_evidence_post_url ON series_evidence (post_url);
CREATE INDEX idx_series_evidence_series_id ON series_evidence (series_id);
-- Unnamed signals (previous/next links) wait for their neighbours: found on every resolve.
CREATE INDEX idx_series_evidence_unnamed ON series_evidence (post_url) WHERE name = '';
"""

# Parts a series states (its declared length, or its highest stated part) that no archived
# post states to be; a copy of a part on another site counts as the part.
_SERIES_GAPS = """
CREATE VIEW series_gaps AS
WITH RECURSIVE expected AS (
    SELECT series.id AS series_id,
        min(200, max(coalesce(series.declared_total, 0), coalesce(
            (SELECT max(stated_part) FROM series_posts WHERE series_id = series.id), 0
        ))) AS parts_stated
    FROM series
),
numbers (series_id, part, parts_stated) AS (
    SELECT series_id, 1, parts_stated FROM expected WHERE parts_stated >= 1
    UNION ALL
    SELECT series_id, part + 1, parts_stated FROM numbers WHERE part < parts_stated
)
SELECT
    series.id AS series_id,
    series.name AS series_name,
    numbers.part AS missing_part,
    numbers.parts_stated,
    series.parts_held,
    (SELECT count(*) FROM series_posts WHERE series_id = series.id
        AND stated_part IS NULL) AS unnumbered_parts_held,
    series.url AS series_url,
    series.sites
FROM numbers JOIN series ON series.id = numbers.series_id
WHERE NOT EXISTS (
    SELECT 1 FROM series_posts
    WHERE series_posts.series_id = numbers.series_id AND series_posts.stated_part = numbers.part
)
ORDER BY series.name, numbers.part;
"""


@migrations()
def m003_series_evidence_and_gaps(db: Database) -> None:
    """Keep every series signal as evidence, record conflicts and copies, list missing parts.

    Existing memberships become evidence rows (their signal and text as stored), so an
    upgraded archive keeps its series; ``series.sites`` is filled from the posts held.
    """
    db.executescript(_SERIES_EVIDENCE)
    db.execute('ALTER TABLE "series_posts" ADD COLUMN "conflict" TEXT')
    db.execute('ALTER TABLE "series_posts" ADD COLUMN "copy_of" TEXT')
    db.execute("""ALTER TABLE "series" ADD COLUMN "sites" TEXT NOT NULL DEFAULT '[]'""")
    db.execute(
        "INSERT INTO series_evidence (post_url, series_id, signal, name, stated_part,"
        " stated_total, url, evidence)"
        " SELECT sp.post_url, sp.series_id, coalesce(nullif(sp.signal, ''), 'unknown'),"
        " series.name, sp.stated_part, sp.stated_total, series.url, sp.evidence"
        " FROM series_posts AS sp JOIN series ON series.id = sp.series_id"
    )
    db.execute(
        "UPDATE series SET sites = (SELECT json_group_array(DISTINCT coalesce(p.site, p.source))"
        " FROM series_posts sp JOIN posts p ON p.url = sp.post_url"
        " WHERE sp.series_id = series.id AND coalesce(p.site, p.source) IS NOT NULL)"
    )
    db.executescript(_SERIES_GAPS)


@migrations()
def m004_posts_markdown(db: Database) -> None:
    """Give posts a Markdown rendering, backfilled from the stored sanitised HTML.

    The backfill uses the converter options extraction used when this shipped, so a post
    re-crawled unchanged (same content hash, left as it is) has the Markdown a fresh
    extraction gave it then.
    """
    db.execute('ALTER TABLE "posts" ADD COLUMN "markdown" TEXT')
    backfills.posts_markdown_v1(db)


@migrations()
def m005_captures(db: Database) -> None:
    """Index the raw HTTP captures kept in WARC files beside the archive."""
    db.executescript(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES crawl_runs(id),
            url TEXT NOT NULL,
            method TEXT NOT NULL DEFAULT 'GET',
            fetched_at TEXT NOT NULL,
            status INTEGER NOT NULL,
            content_type TEXT,
            content_length INTEGER NOT NULL,
            payload_digest TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            source TEXT,
            warc_file TEXT NOT NULL,
            warc_offset INTEGER NOT NULL,
            warc_length INTEGER NOT NULL,
            warc_record_id TEXT NOT NULL,
            revisit_of INTEGER REFERENCES captures(id)
        );
        CREATE INDEX idx_captures_url ON captures (url, id);
        CREATE INDEX idx_captures_run_id ON captures (run_id);
        CREATE INDEX idx_captures_warc_file ON captures (warc_file);
        """
    )


_POST_REVISIONS = """
CREATE TABLE post_revisions (
    post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    from_run_id INTEGER REFERENCES crawl_runs(id),
    run_id INTEGER REFERENCES crawl_runs(id),
    content_hash TEXT NOT NULL,
    changed TEXT NOT NULL DEFAULT '[]',
    title TEXT NOT NULL,
    site TEXT,
    site_id INTEGER,
    author TEXT,
    published TEXT,
    updated TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    text TEXT NOT NULL,
    source TEXT,
    html TEXT,
    markdown TEXT,
    fetched_url TEXT,
    links TEXT NOT NULL DEFAULT '[]',
    series TEXT NOT NULL DEFAULT '[]',
    stored_at TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (post_url, revision)
);
CREATE INDEX idx_post_revisions_run_id ON post_revisions (run_id);
CREATE VIEW post_changes AS
SELECT
    run_posts.run_id,
    run_posts.post_url,
    run_posts.outcome,
    posts.title,
    posts.site,
    post_revisions.revision AS replaced_revision,
    post_revisions.changed,
    run_posts.seen_at
FROM run_posts
JOIN posts ON posts.url = run_posts.post_url
LEFT JOIN post_revisions
    ON post_revisions.post_url = run_posts.post_url AND post_revisions.run_id = run_posts.run_id
WHERE run_posts.outcome IN ('new', 'updated', 'gone');
"""


@migrations()
def m006_post_revisions(db: Database) -> None:
    """Keep earlier versions of changed posts; let a run record a post as gone (404/410)."""
    allow_values(db, "run_posts", "outcome", ["gone"])
    db.executescript(_POST_REVISIONS)


@migrations()
def m007_crawl_runs_interrupted(db: Database) -> None:
    """Let a run be closed as interrupted; record each run's process and posts found gone."""
    allow_values(db, "crawl_runs", "status", ["interrupted"])
    db.execute('ALTER TABLE "crawl_runs" ADD COLUMN "posts_gone" INTEGER NOT NULL DEFAULT 0')
    db.execute('ALTER TABLE "crawl_runs" ADD COLUMN "pid" INTEGER')


def allow_values(db: Database, table: str, column: str, values: list[str]) -> None:
    """Add ``values`` to the ``CHECK (column IN (...))`` list of ``table``, keeping every row.

    SQLite cannot alter a constraint; this is its documented rebuild (create, copy, drop,
    rename), made from the table's own CREATE statement, so columns and values that other
    migrations added survive. Views are dropped and recreated around it, because a rename
    fails while a view names a table that is briefly missing.
    """
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
    pattern = re.compile(rf"(CHECK\s*\(\s*\[?{column}\]?\s+IN\s*\()([^)]*)(\))", re.I)
    check = pattern.search(sql)
    if check is None:
        raise ArchiveError(None, f"cannot extend {table}.{column}: no CHECK (... IN ...) in {sql}")
    missing = [v for v in values if f"'{v}'" not in check.group(2)]
    if not missing:
        return
    listed = check.group(2).rstrip() + "".join(f", '{v}'" for v in missing)
    rebuilt = f"{table}_rebuilt"
    create = sql[: check.start(2)] + listed + sql[check.end(2) :]
    create = re.sub(r"^CREATE TABLE\s+\S+", f"CREATE TABLE [{rebuilt}]", create, count=1)
    extras = db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL",
        [table],
    ).fetchall()
    views = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall()
    for name, _ in views:
        db.execute(f"DROP VIEW [{name}]")
    db.execute(create)
    db.execute(f"INSERT INTO [{rebuilt}] SELECT * FROM [{table}]")
    db.execute(f"DROP TABLE [{table}]")
    db.execute(f"ALTER TABLE [{rebuilt}] RENAME TO [{table}]")
    for (extra,) in extras:
        db.execute(extra)
    for _, view_sql in views:
        db.execute(view_sql)
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise ArchiveError(None, f"rebuilding {table} broke foreign keys: {violations[:5]}")


_M008_TABLES = """
CREATE TABLE post_signatures (
    id INTEGER PRIMARY KEY,
    post_url TEXT NOT NULL UNIQUE REFERENCES posts(url) ON DELETE CASCADE,
    scheme TEXT NOT NULL,
    signature BLOB,
    declared_original_key TEXT,
    computed_at TEXT NOT NULL
);
CREATE INDEX idx_post_signatures_declared ON post_signatures (declared_original_key);
CREATE TABLE post_signature_bands (
    band_key INTEGER NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES post_signatures(id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, signature_id)
) WITHOUT ROWID;
CREATE INDEX idx_post_signature_bands_signature_id ON post_signature_bands (signature_id);
CREATE TABLE post_duplicates (
    post_url TEXT PRIMARY KEY REFERENCES posts(url) ON DELETE CASCADE,
    original_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE,
    similarity REAL,
    method TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    run_id INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL,
    CHECK (post_url != original_url)
);
CREATE INDEX idx_post_duplicates_original_url ON post_duplicates (original_url);
CREATE VIEW duplicate_pairs AS
SELECT
    copy.url AS post_url,
    copy.title AS post_title,
    copy.site AS post_site,
    copy.published AS post_published,
    original.url AS original_url,
    original.title AS original_title,
    original.site AS original_site,
    original.published AS original_published,
    round(post_duplicates.similarity, 3) AS similarity,
    post_duplicates.method,
    post_duplicates.detected_at,
    post_duplicates.run_id
FROM post_duplicates
JOIN posts AS copy ON copy.url = post_duplicates.post_url
JOIN posts AS original ON original.url = post_duplicates.original_url;
"""


@migrations()
def m008_post_duplicates(db: Database) -> None:
    """Link near-duplicate posts; count a copy as 'duplicate', not 'new'; key posts' URLs."""
    db.executescript(_M008_TABLES)
    db.execute('ALTER TABLE "crawl_runs" ADD COLUMN "posts_duplicate" INTEGER NOT NULL DEFAULT 0')
    allow_values(db, "run_posts", "outcome", ["duplicate"])
    # The identity of each post's URL (crawler.urls.url_key as it was then), so that another
    # spelling of a stored post's URL updates that row instead of adding a second one.
    db.execute('ALTER TABLE "posts" ADD COLUMN "url_key" TEXT')
    backfills.posts_url_key_v1(db)
    db.execute("CREATE INDEX idx_posts_url_key ON posts (url_key)")
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise ArchiveError(None, f"m008 broke foreign keys: {violations[:5]}")


@migrations()
def m009_page_links(db: Database) -> None:
    """Keep what each captured HTML page is and links to, so an unchanged page is not re-parsed.

    Keyed by the page's URL, its payload digest (as in ``captures``) and the crawler's
    classifier key (its code and the source's patterns): any change misses and re-parses.
    """
    db.executescript(
        """
        CREATE TABLE page_links (
            url TEXT NOT NULL,
            payload_digest TEXT NOT NULL,
            links_key TEXT NOT NULL,
            page TEXT NOT NULL,
            run_id INTEGER REFERENCES crawl_runs(id),
            PRIMARY KEY (url, payload_digest, links_key)
        );
        """
    )


@migrations()
def m010_crawl_runs_reason(db: Database) -> None:
    """Say why each run ended (``reason``); a run stopped at a limit is 'partial'.

    Runs recorded before keep a NULL reason: their status was not always true (a crawl that
    fetched nothing was 'finished'), so no reason is made up for them.
    """
    allow_values(db, "crawl_runs", "status", ["partial"])
    db.execute('ALTER TABLE "crawl_runs" ADD COLUMN "reason" TEXT')


# Porter stemming over unicode61: "councils" finds "council", "budgeting" finds "budget".
_M011_FTS = """
DROP TABLE IF EXISTS "posts_fts";
DROP TRIGGER IF EXISTS "posts_ai";
DROP TRIGGER IF EXISTS "posts_ad";
DROP TRIGGER IF EXISTS "posts_au";
CREATE VIRTUAL TABLE "posts_fts" USING FTS5 (
    "title", "text",
    tokenize='porter unicode61 remove_diacritics 2',
    content="posts"
);
INSERT INTO "posts_fts" (rowid, "title", "text")
    SELECT rowid, "title", "text" FROM "posts";
CREATE TRIGGER "posts_ai" AFTER INSERT ON "posts" BEGIN
  INSERT INTO "posts_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TRIGGER "posts_ad" AFTER DELETE ON "posts" BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
END;
CREATE TRIGGER "posts_au" AFTER UPDATE ON "posts" BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
  INSERT INTO "posts_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE VIRTUAL TABLE "series_fts" USING FTS5 (
    "name", "description",
    tokenize='porter unicode61 remove_diacritics 2',
    content="series"
);
INSERT INTO "series_fts" (rowid, "name", "description")
    SELECT rowid, "name", "description" FROM "series";
CREATE TRIGGER "series_ai" AFTER INSERT ON "series" BEGIN
  INSERT INTO "series_fts" (rowid, "name", "description") VALUES (new.rowid, new."name", new."description");
END;
CREATE TRIGGER "series_ad" AFTER DELETE ON "series" BEGIN
  INSERT INTO "series_fts" ("series_fts", rowid, "name", "description") VALUES('delete', old.rowid, old."name", old."description");
END;
CREATE TRIGGER "series_au" AFTER UPDATE ON "series" BEGIN
  INSERT INTO "series_fts" ("series_fts", rowid, "name", "description") VALUES('delete', old.rowid, old."name", old."description");
  INSERT INTO "series_fts" (rowid, "name", "description") VALUES (new.rowid, new."name", new."description");
END;
"""  # noqa: E501


@migrations()
def m011_search_stemmed(db: Database) -> None:
    """Rebuild the posts' search index with Porter stemming, and index series names too.

    The new index is filled from its table, so every archived post is searchable the
    stemmed way as soon as the migration commits.
    """
    db.executescript(_M011_FTS)


@migrations()
def m012_snapshot(db: Database) -> None:
    """Add the table that says when a published copy was made and after which run.

    It stays empty in the working archive; :meth:`archive.store.Archive.publish` fills its
    one row in each published copy, so a downloaded copy says how current it is.
    """
    db.executescript(
        """
        CREATE TABLE snapshot (
            published_at TEXT NOT NULL,
            run_id INTEGER,
            run_finished_at TEXT,
            posts INTEGER NOT NULL
        );
        """
    )


@migrations()
def m013_post_fetches(db: Database) -> None:
    """Remember every page URL each stored post was extracted from, not only the last one.

    A page such as ``/a-post/?showComment=12`` or ``/a-post/?m=1`` yields the post stored
    under its canonical URL, and ``posts.fetched_url`` names one page only. Without the
    others, a re-crawl finds no stored post for such a page and extracts its unchanged
    payload again, on every run. Filled from ``posts.fetched_url`` for archived posts.
    Like every migration it runs in one transaction with its record (sqlite-utils runs
    ``executescript`` statement by statement inside one), so a process killed during the fill
    leaves neither; ``IF NOT EXISTS`` and ``OR IGNORE`` are belt and braces.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS post_fetches (
            fetched_url TEXT PRIMARY KEY,
            post_url TEXT NOT NULL REFERENCES posts(url) ON DELETE CASCADE
        );
        CREATE INDEX IF NOT EXISTS idx_post_fetches_post_url ON post_fetches (post_url);
        INSERT OR IGNORE INTO post_fetches (fetched_url, post_url)
            SELECT fetched_url, url FROM posts WHERE fetched_url IS NOT NULL;
        """
    )


@migrations()
def m014_posts_facet_indexes(db: Database) -> None:
    """Index the posts' facet columns, so a facet counts from an index, not the whole table.

    Datasette counts the site, author, language and tag facets on every page of the posts
    table; without an index each count reads every post's row (its text and HTML beside
    it), a second or more on 100,000 posts. (site, author) also serves a site's page
    faceted by author. (``IF NOT EXISTS``: see m013.)
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_posts_site_author ON posts (site, author);
        CREATE INDEX IF NOT EXISTS idx_posts_author ON posts (author);
        CREATE INDEX IF NOT EXISTS idx_posts_language ON posts (language);
        CREATE INDEX IF NOT EXISTS idx_posts_tags ON posts (tags);
        """
    )


@migrations()
def m015_queue_positions(db: Database) -> None:
    """Record the last entry of a Redis stream the archive applied (archive/writer.py).

    Written in the same transaction as the records it covers, so a writer restarted after a
    kill skips the entries it had applied but not yet acknowledged.
    """
    db.executescript(
        """
        CREATE TABLE queue_positions (
            queue TEXT PRIMARY KEY,
            last_id TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m016_posts_site_author_by_date(db: Database) -> None:
    """Index a site's and an author's posts by date, the order the posts table is shown in.

    A site's page of the posts table (``?site=``, newest first) otherwise reads every post of
    the site from the table to sort them: 12,500 rows for a site of a 100,000-post archive
    to show 100. (``IF NOT EXISTS``: see m013.)
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_posts_site_published ON posts (site, published);
        CREATE INDEX IF NOT EXISTS idx_posts_author_published ON posts (author, published);
        """
    )


@migrations()
def m017_posts_facets_within_site_and_author(db: Database) -> None:
    """Index the language and tags facets within a site and within an author.

    A site's page of the posts table counts the language and tag facets over the site's
    posts; without these each count reads every post of the site from the table (10 ms each
    for a site of 8,000 posts). (``IF NOT EXISTS``: see m013.)
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_posts_site_language_tags ON posts (site, language, tags);
        CREATE INDEX IF NOT EXISTS idx_posts_author_language_tags
            ON posts (author, language, tags);
        """
    )


# The full-text index learns a stored post at its transaction's commit, not at its insert
# (archive/search_index.py): the insert trigger only remembers the rowid; the update and delete
# triggers leave a post still pending to the commit, which indexes its values then.
_M018_FTS_TRIGGERS = """
CREATE TABLE IF NOT EXISTS posts_fts_pending (post_rowid INTEGER PRIMARY KEY);
DROP TRIGGER IF EXISTS "posts_ai";
DROP TRIGGER IF EXISTS "posts_ad";
DROP TRIGGER IF EXISTS "posts_au";
CREATE TRIGGER "posts_ai" AFTER INSERT ON "posts" BEGIN
  INSERT INTO posts_fts_pending (post_rowid) VALUES (new.rowid);
END;
CREATE TRIGGER "posts_ad" AFTER DELETE ON "posts" BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text")
    SELECT 'delete', old.rowid, old."title", old."text"
    WHERE NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_rowid = old.rowid);
  DELETE FROM posts_fts_pending WHERE post_rowid = old.rowid;
END;
CREATE TRIGGER "posts_au" AFTER UPDATE ON "posts"
  WHEN NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_rowid = old.rowid) BEGIN
  INSERT INTO "posts_fts" ("posts_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
  INSERT INTO "posts_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
"""  # noqa: E501


@migrations()
def m018_posts_indexed_for_search_at_commit(db: Database) -> None:
    """Index stored posts for search once a transaction instead of once a post.

    FTS5 turns what it has pending into a new index segment at every savepoint, and every
    write in a batch is one, so a trigger indexing each post made a segment a post and FTS5
    merged them again and again: 1.9 ms of the 5.7 ms of CPU a post stored into a
    100,000-post archive. Posts already stored are indexed already: nothing is pending.
    """
    db.executescript(_M018_FTS_TRIGGERS)


@migrations()
def m019_posts_titles_within_site(db: Database) -> None:
    """Index posts' titles within their site.

    Storing a post whose title has a series affix ("...: Part 2 of 4") looks for the site's
    other titles with the same affix; without this index that read every post of the site
    from the table (18 ms of CPU for a site of 5,000 posts, the store's cost growing with
    the archive). (``IF NOT EXISTS``: see m013.)
    """
    db.execute("CREATE INDEX IF NOT EXISTS idx_posts_site_title ON posts (site_id, title)")


_M020_RECENT_BANDS = (
    """CREATE TABLE post_signature_bands_recent (
    band_key INTEGER NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES post_signatures(id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, signature_id)
) WITHOUT ROWID""",
    "CREATE INDEX idx_post_signature_bands_recent_signature_id"
    " ON post_signature_bands_recent (signature_id)",
)


@migrations()
def m020_recent_signature_bands(db: Database) -> None:
    """Keep new posts' LSH band keys in a small table, merged into the large one in key order.

    Each post has 32 band keys, hashes: inserted into the band table they land on 32 random
    leaves of a B-tree of millions of rows, 35 of the 69 pages a post wrote at 100,000 posts.
    New keys now go to ``post_signature_bands_recent``, whose few pages a commit rewrites,
    and :func:`archive.duplicates.merge_recent_bands` moves them into
    ``post_signature_bands`` thousands at a time, in key order; candidates are read from
    both. The bands stored so far stay where they are.
    """
    for statement in _M020_RECENT_BANDS:
        db.execute(statement)


def transform_keeping_triggers(db: Database, table: str, **transform: Any) -> None:
    """Run ``Table.transform`` and put back the triggers it drops.

    sqlite-utils rebuilds the table under a new name and drops the old one, which drops every
    trigger on it, the FTS sync triggers included. The rowid is copied across, but the FTS
    index is rebuilt all the same so it cannot drift from the content table.
    """
    triggers = [t.sql for t in db.triggers if t.table == table]
    db.table(table).transform(**transform)
    for sql in triggers:
        db.execute(sql)
    if db.table(table).detect_fts():
        db.table(table).rebuild_fts()
        if table == "posts" and db.table("posts_fts_pending").exists():
            db.execute("DELETE FROM posts_fts_pending")  # indexed by the rebuild
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise ArchiveError(None, f"transforming {table} broke foreign keys: {violations[:5]}")


def migrate(db: Database) -> list[str]:
    """Apply pending migrations and return their names.

    Foreign keys are switched off while migrating, because ``transform`` cannot rebuild a
    table that other tables reference with ON DELETE CASCADE inside a transaction with
    them on; each migration checks its own foreign keys before it commits.
    """
    if db.conn.in_transaction:
        raise ArchiveError(None, "cannot migrate inside an open transaction")
    pending = [m.name for m in migrations.pending(db)]
    if not pending:
        return []
    fk_was_on = bool(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        migrations.apply(db)
    finally:
        if fk_was_on:
            db.execute("PRAGMA foreign_keys = ON")
    logger.info("applied migrations: %s", ", ".join(pending))
    return pending
