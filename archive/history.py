"""The archive's answer to the crawler's history port: what was captured and stored before.

:class:`ArchiveHistory` implements :class:`crawler.history.History`, named by the crawl's
``BLOGARCHIVE_HISTORY`` setting; it reads, never writes (:mod:`archive.capture_store` writes).
While the same process writes the archive (:class:`archive.archive_pipeline.ArchivePipeline`),
it reads through a :class:`Reader` the writer lends it, which sees the batch of writes not
committed yet (:class:`archive.write_batch.BatchReader`: queries only, never the writer's
connection itself): what this run captured or stored is found as soon as it is. The two
meet through the crawl's signals (:data:`WRITING`), never by looking each other up: a
fleet's writer has no crawl, so nothing is sent and the history that answers its crawlers
(:class:`archive.writer.HistoryServer`, for :mod:`crawler.remote_history`) reads committed
rows on its own read-only connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archive.access import connect_read_only
from archive.warc import WarcError, read_response
from crawler.history import StoredResponse, Validators

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# A Scrapy signal, sent by the archive pipeline of a crawl's process with ``db_path`` and
# ``reader`` when it opens the archive for writing (a Reader of its pending batch) and when it
# lets go of it (None). The crawl's ArchiveHistory of the same archive then reads through it.
WRITING = object()


class Reader(Protocol):
    """What the history reads the archive through, when the writer lends it one."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Return the rows of one SELECT."""
        ...


class ArchiveHistory:
    """The crawler's history port (:class:`crawler.history.History`) over an archive.

    Read-only lookups in the archive's captures and posts, for conditional requests,
    re-checks and replay. Opens the database lazily and read-only, once per crawl: an
    archive that does not exist yet (a first run) or has no ``captures`` table simply has
    no captures.
    """

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self._conn: sqlite3.Connection | None = None
        self._through: Reader | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveHistory:
        """Open the history of the archive the crawl writes (setting ``BLOGARCHIVE_DB``).

        It reads through the reader the crawl's pipeline lends while it writes the archive
        (:data:`WRITING`): the batch under way too.
        """
        history = cls(crawler.settings["BLOGARCHIVE_DB"])
        crawler.signals.connect(history.writing, signal=WRITING)
        return history

    def writing(self, db_path: Path | str, reader: Reader | None, **_: Any) -> None:
        """Answer :data:`WRITING`: read through ``reader`` if it reads this history's archive."""
        if self.reads(db_path):
            self.read_through(reader)

    def reads(self, db_path: Path | str) -> bool:
        """Tell whether this is the history of the archive at ``db_path``."""
        return self.db_path.resolve() == Path(db_path).resolve()

    def read_through(self, reader: Reader | None) -> None:
        """Answer through ``reader``, lent by the archive's writer in this process, which sees
        the writes not committed yet (None: through its own read-only connection again)."""
        self._through = reader

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if self._through is not None:
            return self._through.rows(sql, params)
        if self._conn is None:
            if not self.db_path.exists():
                return []
            self._conn = connect_read_only(self.db_path.resolve(), check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout = 5000")
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise

    def validators(self, url: str) -> Validators | None:
        """Return the validators of the last kept 200 capture of ``url``.

        Its ETag and Last-Modified when the server sent them; its payload digest always: a
        server that sends neither (WordPress) can still send the captured bytes again.
        """
        rows = self._query(
            "SELECT id, etag, last_modified, fetched_at, payload_digest, content_type"
            " FROM captures WHERE url = ? AND status = 200 ORDER BY id DESC LIMIT 1",
            [url],
        )
        if not rows:
            return None
        capture_id, etag, last_modified, fetched_at, digest, content_type = rows[0]
        return Validators(
            int(capture_id), etag, last_modified, str(fetched_at), str(digest), content_type
        )

    def load(self, capture_id: int) -> StoredResponse:
        """Read the stored response of one capture from its WARC file."""
        rows = self._query(
            "SELECT warc_file, warc_offset, revisit_of FROM captures WHERE id = ?", [capture_id]
        )
        if not rows:
            raise WarcError(self.db_path, f"no capture with id {capture_id}")
        warc_file, offset, revisit_of = rows[0]
        stored = read_response(self.db_path.parent / str(warc_file), int(offset))
        if revisit_of is not None:
            # A revisit keeps this exchange's headers; the payload is the original's.
            stored = replace(stored, body=self.load(int(revisit_of)).body)
        return stored

    def latest(self, url: str) -> StoredResponse | None:
        """Return the last kept response of ``url``, or None when it was never captured."""
        rows = self._query("SELECT id FROM captures WHERE url = ? ORDER BY id DESC LIMIT 1", [url])
        return self.load(int(rows[0][0])) if rows else None

    def stored_posts(self, url: str) -> dict[str, str]:
        """Map the fetched URLs on page ``url`` (itself, or its ``#entries``) to stored posts."""
        # Every page a post was extracted from (post_fetches), and each post's last page.
        rows = self._query(
            "SELECT fetched_url, url FROM posts WHERE fetched_url = ?"
            " OR (fetched_url >= ? AND fetched_url < ?)"
            " UNION SELECT fetched_url, post_url FROM post_fetches WHERE fetched_url = ?"
            " OR (fetched_url >= ? AND fetched_url < ?)",
            [url, url + "#", url + "$"] * 2,
        )
        return {str(fetched): str(post) for fetched, post in rows}

    def page_links(self, url: str, payload_digest: str, links_key: str) -> dict[str, Any] | None:
        """Return what page ``url`` was and linked to when this payload was last parsed.

        None unless that last parse was under ``links_key``: a payload parsed since under
        another key (other patterns, another extractor) may have been stored otherwise.
        """
        rows = self._query(
            "SELECT links_key, page FROM page_links WHERE url = ? AND payload_digest = ?"
            " ORDER BY run_id DESC, rowid DESC LIMIT 1",
            [url, payload_digest],
        )
        return json.loads(rows[0][1]) if rows and rows[0][0] == links_key else None

    def recheck_urls(self) -> list[str]:
        """Return the URLs of the archived posts' pages (none if there is no archive).

        The spider requests those its crawl did not reach (setting ``BLOGARCHIVE_RECHECK``),
        so that a run sees edits to posts no listing shows any more, and posts that are gone.
        """
        try:
            # The URL the post was fetched from, where the crawl would meet it again.
            rows = self._query("SELECT coalesce(fetched_url, url) AS u FROM posts ORDER BY u", [])
        except sqlite3.Error:
            return []
        # Entries of listing pages (URL with a fragment) are found again through their listing.
        return [str(url) for (url,) in rows if "#" not in str(url)]

    def post_pages(self) -> list[tuple[str, str]]:
        """Return (source, page URL) of every page a stored post was extracted from."""
        rows = self._query(
            "SELECT DISTINCT source, fetched_url FROM posts WHERE fetched_url IS NOT NULL", []
        )
        return sorted({(str(source), str(url).split("#", 1)[0]) for source, url in rows})

    def close(self) -> None:
        """Close the read-only connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
