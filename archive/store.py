"""Write crawl results into the archive: one SQLite file, every write one transaction."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from archive.access import describe_sqlite_error, writing
from archive.duplicates import DuplicateIndex
from archive.errors import ArchiveError
from archive.migrations import migrate
from archive.publish import publish, space_problem
from archive.revisions import changed_fields, mark_gone, save_revision
from archive.runs import RunLog
from archive.search_index import index_pending_posts
from archive.series.memberships import relink_copies, store_listing, store_post_series
from crawler.items import CrawlError, SeriesListing, utc_now
from crawler.outcome import STATUSES as RUN_STATUSES
from crawler.urls import netloc, url_key
from pipeline.records import PostRecord
from pipeline.series.detect import series_key

logger = logging.getLogger(__name__)

# "duplicate": a post new to the archive whose text is already archived under another URL.
Outcome = Literal["new", "updated", "unchanged", "duplicate"]


def word_count(text: str | None) -> int:
    """Count whitespace-separated words, the measure the archive shows for a post's length."""
    return len(text.split()) if text else 0


# The key that joins spellings of one series name, under the name the archive has used.
series_slug = series_key


def insert_row(db: sqlite_utils.Database, table: str, values: dict[str, Any]) -> int:
    """INSERT one row of plain values (no JSON to make); return its rowid.

    What ``db.table(table).insert(values)`` does for such a row, without sqlite-utils' two
    schema queries and statement building per row (0.12 ms of CPU a row).
    """
    cursor = db.conn.execute(_insert_sql(table, tuple(values)), list(values.values()))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f"[{c}]" for c in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' for _ in columns)})"


class Archive:
    """The archive database: open it with :meth:`Archive.open`, then write a run's results."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        path: Path,
        *,
        clock: Callable[[], str] = utc_now,
        dedup: bool = True,
    ) -> None:
        self.db = db
        self.path = path
        self._now = clock
        self.runs = RunLog(db, path, clock=clock)
        # dedup=False stores every post as its own, unlinked (to measure what dedup does).
        self.duplicates = DuplicateIndex(db) if dedup else None

    @classmethod
    def open(
        cls, path: Path | str, *, clock: Callable[[], str] = utc_now, dedup: bool = True
    ) -> Archive:
        """Open (creating if needed) the archive at ``path`` in WAL mode and migrate it."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA busy_timeout = 5000")
            db.enable_wal()
            db.execute("PRAGMA foreign_keys = ON")
            migrate(db)
            with db.atomic():  # a writer that committed posts without indexing them
                index_pending_posts(db)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(path, f"cannot open archive: {describe_sqlite_error(exc)}") from exc
        except ArchiveError as exc:
            raise ArchiveError(path, exc.message) from exc
        return cls(db, path, clock=clock, dedup=dedup)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL into the main file)."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Runs (archive.runs.RunLog) and errors

    def start_run(self, args: dict[str, Any]) -> int:
        """Record the start of a crawl run and return its id."""
        return self.runs.start(args)

    def run_status(self, run_id: int) -> str | None:
        """Return run ``run_id``'s status, or None if there is no such run."""
        return self.runs.status(run_id)

    def queue_position(self, queue: str) -> tuple[int, int]:
        """Return the last entry of Redis stream ``queue`` applied here, (0, 0) if none."""
        return self.runs.queue_position(queue)

    def save_queue_position(self, queue: str, position: tuple[int, int]) -> None:
        """Record the last entry of ``queue`` applied, in the caller's transaction."""
        self.runs.save_queue_position(queue, position)

    def close_interrupted_runs(self) -> list[int]:
        """Close every run left 'running' as 'interrupted'; return their ids (see
        :meth:`archive.runs.RunLog.close_interrupted`: only under the run lock)."""
        return self.runs.close_interrupted()

    def record_error(self, err: CrawlError, run_id: int | None) -> int | None:
        """Store a page that could not be fetched or used; return the error's id.

        An archived post that answers 404 or 410 is not an error but an outcome of the
        run: it is recorded as gone in the run (see :func:`archive.revisions.mark_gone`)
        and None is returned, so the run does not count one deletion twice.
        """
        now = self._now()
        with self._writing("record error", url=err.url):
            if (
                run_id is not None
                and err.stage == "fetch"
                and mark_gone(self.db, err.url, err.message, run_id=run_id, now=now)
            ):
                return None
            cursor = self.db.execute(
                "INSERT INTO errors (run_id, url, stage, message, source, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, err.url, err.stage, err.message, err.source or None, now],
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        *,
        pages_fetched: int,
        status: str = "finished",
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Close a run with its status, why (``reason``, default the status) and its counts.

        The counts are taken from what the run stored; the run's row is returned.
        """
        if status not in RUN_STATUSES:
            raise ArchiveError(self.path, f"run status must be one of {RUN_STATUSES}: {status!r}")
        with self._writing("finish run"):
            # Copies found during the run (issue 5) become the part they copy.
            relink_copies(self.db)
            self.runs.close(run_id, status, pages_fetched, self._now(), reason or status)
        return dict(self.db.table("crawl_runs").get(run_id))

    # Posts

    def store_post(self, record: PostRecord, run_id: int) -> Outcome:
        """Store one post with its links and series memberships, all or nothing.

        A post whose content hash is unchanged is left byte for byte as it was; that the
        run saw it is recorded in ``run_posts`` instead. A post that says something new keeps
        the version it replaces in ``post_revisions`` (:mod:`archive.revisions`). Another
        spelling of a stored post's URL (same :func:`crawler.urls.url_key`) updates that post's
        row. A new post whose text is already archived is linked to it and reported as
        ``duplicate`` (:class:`archive.duplicates.DuplicateIndex`).
        """
        now = self._now()
        with self._writing("store post", url=record.url):
            record, stored_hash = self._under_stored_url(record)
            content_hash = record.content_hash()
            outcome: Outcome
            written = stored_hash != content_hash
            if not written:
                outcome = "unchanged"
            else:
                outcome = "new" if stored_hash is None else "updated"
                site_id = self._upsert_site(record)
                values = {
                    "title": record.title,
                    "site": record.site,
                    "site_id": site_id,
                    "author": record.author,
                    "published": record.published,
                    "updated": record.updated,
                    "word_count": word_count(record.text),
                    "description": record.description,
                    "tags": json.dumps(list(record.tags), ensure_ascii=False),
                    "language": record.language,
                    "text": record.text,
                    "source": record.source or None,
                    "html": record.html,
                    "markdown": record.markdown,
                    "fetched_url": record.fetched_url or None,
                    "content_hash": content_hash,
                    "last_seen_at": now,
                    "last_changed_at": now,
                    "last_run_id": run_id,
                }
                if stored_hash is None:
                    values |= {"url": record.url, "first_seen_at": now, "first_run_id": run_id}
                    values["url_key"] = url_key(record.url, keep_fragment=True)
                    insert_row(self.db, "posts", values)
                    # Posts are never deleted nor moved between sites: a count kept, not made.
                    self.db.execute(
                        "UPDATE sites SET post_count = post_count + 1 WHERE id = ?", [site_id]
                    )
                else:
                    links = [[link.url, link.text] for link in record.links]
                    changed = changed_fields(self.db, record.url, values, links)
                    if changed:
                        save_revision(self.db, record.url, run_id=run_id, now=now, changed=changed)
                    else:
                        # Same content, new hash (the hash's recipe, or memberships learnt
                        # from other pages, changed): refresh the row, keep its history.
                        outcome = "unchanged"
                        del values["last_changed_at"]
                    # UPDATE, not INSERT OR REPLACE: a replace deletes the row first, which
                    # would cascade away its links and series memberships.
                    self.db.table("posts").update(record.url, values)
            # Before the series memberships: a copy of a series part is that part.
            if self.duplicates is not None and self.duplicates.index_post(
                record.url,
                record.text,
                declared_original=record.declared_original,
                outcome=outcome,
                run_id=run_id,
                now=now,
                fingerprint=record.fingerprint,
            ):
                outcome = "duplicate"
            if written:
                self._replace_links(record)
                self._replace_memberships(record)
            self.db.execute(
                "INSERT OR IGNORE INTO run_posts (run_id, post_url, outcome, seen_at)"
                " VALUES (?, ?, ?, ?)",
                [run_id, record.url, outcome, now],
            )
            if record.fetched_url:
                # Which page yielded the post, whatever its URL: a re-crawl that gets that
                # page's payload again knows the post is stored (archive.captures).
                self.db.execute(
                    "INSERT OR REPLACE INTO post_fetches (fetched_url, post_url) VALUES (?, ?)",
                    [record.fetched_url, record.url],
                )
        logger.debug("%s post %s", outcome, record.url)
        return outcome

    def record_unchanged(self, post_urls: Iterable[str], run_id: int) -> int:
        """Record, in one transaction, that the run saw stored posts unchanged (pages 304'd).

        Posts no longer stored are skipped; return how many were recorded.
        """
        now = self._now()
        with self._writing("record unchanged posts"):
            cursor = self.db.conn.executemany(
                "INSERT OR IGNORE INTO run_posts (run_id, post_url, outcome, seen_at)"
                " SELECT ?, url, 'unchanged', ? FROM posts WHERE url = ?",
                [(run_id, now, url) for url in post_urls],
            )
        return max(cursor.rowcount, 0)

    def index_duplicates(self) -> list[dict[str, Any]]:
        """Fingerprint posts no run has fingerprinted yet, link copies; return every pair."""
        if self.duplicates is None:
            raise ArchiveError(self.path, "duplicate detection is off for this archive")
        with self._writing("index duplicates"):
            indexed = self.duplicates.index_stored(self._now())
            # Copies of series parts become those parts (archive.series.memberships).
            relink_copies(self.db)
        logger.info("fingerprinted %d posts", indexed)
        return list(self.db.query("SELECT * FROM duplicate_pairs ORDER BY original_url, post_url"))

    def _under_stored_url(self, record: PostRecord) -> tuple[PostRecord, str | None]:
        """Return ``record`` under the URL its post is stored under, with the stored hash.

        The hash is None when the post is not stored yet.
        """
        row = self.db.execute(
            "SELECT url, content_hash FROM posts WHERE url = ? OR url_key = ?"
            " ORDER BY url = ? DESC LIMIT 1",
            [record.url, url_key(record.url, keep_fragment=True), record.url],
        ).fetchone()
        if row is None:
            return record, None
        if row[0] != record.url:
            logger.debug("%s is stored as %s", record.url, row[0])
            record = dataclasses.replace(record, url=row[0])
        return record, row[1]

    def _upsert_site(self, record: PostRecord) -> int:
        host = netloc(record.url)
        found = self.db.execute("SELECT id, name FROM sites WHERE host = ?", [host]).fetchone()
        name = record.site or record.source or host
        if found is None:
            scheme = record.url.split(":", 1)[0].lower()
            cursor = self.db.execute(
                "INSERT INTO sites (name, host, url, source) VALUES (?, ?, ?, ?)",
                [name, host, f"{scheme}://{host}/", record.source or None],
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid
        site_id, current = found
        if record.site and current in (host, record.source) and current != record.site:
            # A site first seen without its own name gets one as soon as a post states it.
            self.db.execute("UPDATE sites SET name = ? WHERE id = ?", [record.site, site_id])
        return int(site_id)

    def _replace_links(self, record: PostRecord) -> None:
        self.db.execute("DELETE FROM links WHERE post_url = ?", [record.url])
        self.db.conn.executemany(
            "INSERT INTO links (post_url, position, url, text) VALUES (?, ?, ?, ?)",
            [(record.url, i, link.url, link.text) for i, link in enumerate(record.links, 1)],
        )

    def _replace_memberships(self, record: PostRecord) -> None:
        store_post_series(self.db, record)

    # Series

    def store_series_listing(self, listing: SeriesListing, run_id: int) -> int:
        """Store a series page's list of posts and link those already archived; return its id.

        Listed posts not archived yet are remembered in ``series_listings`` and joined to
        the series when :meth:`store_post` stores them, in this run or a later one.
        """
        with self._writing("store series listing", url=listing.url):
            return store_listing(self.db, listing, run_id)

    # Publishing (archive.publish)

    def publish_space_problem(self, snapshot_path: Path | str) -> str | None:
        """Say why there is not enough disk space to publish, or return None."""
        return space_problem(self.path, snapshot_path)

    def publish(self, snapshot_path: Path | str) -> Path:
        """Write a compacted, self-contained copy of the archive to ``snapshot_path``."""
        return publish(self.db, self.path, snapshot_path, now=self._now())

    def _writing(self, what: str, *, url: str | None = None) -> AbstractContextManager[None]:
        """Run one transaction; turn a SQLite failure inside it into an ArchiveError."""
        return writing(self.db, self.path, what, url=url)
