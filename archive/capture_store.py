"""Raw captures: store them (WARC file + ``captures`` row).

:class:`CaptureStore` is the one writer: it receives :class:`~crawler.items.Capture` data
and appends it to the run's WARC file before the row that points at it is committed, so a
row only ever points at a complete record. :class:`archive.history.ArchiveHistory` reads
them back for the crawler (validators, stored responses, which posts a page produced).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.store import Archive, insert_row
from archive.warc import Original, WarcError, WarcFileWriter, recover
from crawler.items import Capture

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
        digest = capture.digest()
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
                rowid = insert_row(self.archive.db, "captures", row)
        except sqlite3.Error as exc:
            raise ArchiveError(self.archive.path, f"index capture: {exc}", url=capture.url) from exc
        self.stored += 1
        return rowid

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
