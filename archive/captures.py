"""Raw captures: store them (WARC file + ``captures`` row) and look them up again.

:class:`CaptureStore` is the one writer: it receives :class:`~crawler.items.Capture` data
and appends it to the run's WARC file before the row that points at it is committed, so a
row only ever points at a complete record. :class:`CaptureIndex` answers the crawler's
questions (validators for a conditional request, the stored response after a 304, which
posts a page produced) and serves replays; it reads, never writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.store import Archive
from archive.warc import (
    Original,
    StoredResponse,
    WarcError,
    WarcFileWriter,
    read_response,
    recover,
)
from crawler.items import Capture, payload_digest

logger = logging.getLogger(__name__)

WARC_DIR = "warc"


def warc_directory(db_path: Path) -> Path:
    """Return the folder of the archive's WARC files: ``<db dir>/warc``."""
    return db_path.parent / WARC_DIR


def warc_prefix(db_path: Path, run_id: int) -> str:
    """Return the file name prefix of one run's WARC files: ``<db stem>-run<id>``."""
    return f"{db_path.stem}-run{run_id}"


class CaptureStore:
    """Write one run's captures into WARC files and the ``captures`` table."""

    def __init__(self, archive: Archive, run_id: int, *, software: str = "blogarchive") -> None:
        self.archive = archive
        self.run_id = run_id
        self.root = archive.path.parent
        self.directory = warc_directory(archive.path)
        self.writer = WarcFileWriter(
            self.directory, warc_prefix(archive.path, run_id), software=software
        )
        self.stored = 0

    @classmethod
    def open(cls, archive: Archive, run_id: int) -> CaptureStore:
        """Recover WARC files a killed run left open, then start writing for ``run_id``."""
        recover(warc_directory(archive.path), lambda path: indexed_end(archive, path))
        return cls(archive, run_id)

    def store(self, capture: Capture) -> int:
        """Write ``capture`` and index it; return the row id.

        A payload identical to an earlier capture of the URL (a server without validators,
        a ``--full`` run) is written as a revisit record that refers to it.
        """
        digest = payload_digest(capture.body)
        earlier = self.archive.db.execute(
            "SELECT id, url, fetched_at FROM captures WHERE url = ? AND payload_digest = ?"
            " AND revisit_of IS NULL ORDER BY id DESC LIMIT 1",
            [capture.url, digest],
        ).fetchone()
        same_as = Original(earlier[1], earlier[2]) if earlier else None
        try:
            written = self.writer.write(capture, same_as=same_as)
        except WarcError as exc:
            raise ArchiveError(self.archive.path, exc.message, url=capture.url) from exc
        content_type = capture.header("Content-Type")
        row = {
            "run_id": self.run_id,
            "url": capture.url,
            "method": capture.method,
            "fetched_at": capture.fetched_at,
            "status": capture.status,
            "content_type": content_type.split(";")[0].strip().lower() if content_type else None,
            "content_length": len(capture.body),
            "payload_digest": written.payload_digest,
            "etag": capture.header("ETag"),
            "last_modified": capture.header("Last-Modified"),
            "source": capture.source or None,
            "warc_file": written.path.relative_to(self.root).as_posix(),
            "warc_offset": written.offset,
            "warc_length": written.length,
            "warc_record_id": written.record_id,
            "revisit_of": earlier[0] if earlier else None,
        }
        try:
            with self.archive.db.atomic():
                cursor = self.archive.db.table("captures").insert(row)
        except sqlite3.Error as exc:
            raise ArchiveError(self.archive.path, f"index capture: {exc}", url=capture.url) from exc
        self.stored += 1
        assert cursor.last_rowid is not None
        return cursor.last_rowid

    def store_page_links(self, pages: list[dict[str, Any]]) -> int:
        """Keep, in one transaction, what parsed pages are and link to; return how many.

        Each dict has ``url``, ``payload_digest``, ``links_key`` and ``page`` (JSON-able).
        """
        rows = [
            (p["url"], p["payload_digest"], p["links_key"], json.dumps(p["page"]), self.run_id)
            for p in pages
        ]
        try:
            with self.archive.db.atomic():
                self.archive.db.conn.executemany(
                    "INSERT OR REPLACE INTO page_links"
                    " (url, payload_digest, links_key, page, run_id) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            raise ArchiveError(self.archive.path, f"store page links: {exc}") from exc
        return len(rows)

    def close(self) -> None:
        """Close the current WARC file under its final name."""
        self.writer.close()


def indexed_end(archive: Archive, path: Path) -> int:
    """Return the end of the last indexed record in the WARC file ``path`` (0 if none)."""
    name = path.relative_to(archive.path.parent).as_posix()
    row = archive.db.execute(
        "SELECT max(warc_offset + warc_length) FROM captures WHERE warc_file = ?", [name]
    ).fetchone()
    return int(row[0] or 0)


@dataclass(frozen=True)
class Validators:
    """What the last kept capture of a URL lets a conditional request send."""

    capture_id: int
    etag: str | None
    last_modified: str | None
    fetched_at: str
    payload_digest: str
    content_type: str | None


class CaptureIndex:
    """Read-only lookups in an archive's captures, for conditional requests and replay.

    Opens the database lazily and read-only: an archive that does not exist yet (a first
    run) or has no ``captures`` table simply has no captures.
    """

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self._conn: sqlite3.Connection | None = None

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if self._conn is None:
            if not self.db_path.exists():
                return []
            uri = f"{self.db_path.resolve().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
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
