"""Check an archive file before a command uses it, and say in one line what is wrong with it.

Every command that opens an archive calls :func:`check_archive` first, so a file that is not
SQLite, cannot be written, is locked, or was written by a newer blogarchive is one
``Error:`` line naming the file and what to do, not a traceback from deep inside SQLite.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.duplicates import merge_recent_bands
from archive.errors import ArchiveError
from archive.search_index import index_pending_posts

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATION_SET = "blogarchive"


def check_archive(path: Path | str, *, write: bool, create: bool = False) -> None:
    """Raise :class:`ArchiveError` unless the archive at ``path`` can be used as asked.

    ``write``: the command writes to it (it and its folder must be writable, for SQLite's
    WAL files). ``create``: a missing file is fine (the command creates it).
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise ArchiveError(path, "no such archive; run 'blogarchive crawl' first")
        folder = next(p for p in path.absolute().parents if p.exists())
        if not os.access(folder, os.W_OK):
            raise ArchiveError(path, f"cannot create the archive: {folder} is not writable")
        return
    if path.is_dir():
        raise ArchiveError(path, "is a folder, not an archive file; give --db the .db file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(path, f"cannot read it ({exc.strerror}); check its permissions") from exc
    if header and header != SQLITE_HEADER:
        raise ArchiveError(path, "not a SQLite database; is --db the archive file?")
    if write and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise ArchiveError(
            path,
            "read-only: this command writes to the archive; make the file and its folder"
            " writable (or copy the archive elsewhere)",
        )
    if header:
        _check_schema(path)


def connect_read_only(path: Path, **options: Any) -> sqlite3.Connection:
    """Open the archive at ``path`` read-only (SQLite's ``mode=ro``), whatever the path holds."""
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, **options)


def _check_schema(path: Path) -> None:
    """Refuse an archive whose schema has migrations this version does not know."""
    from archive.migrations import migrations

    try:
        conn = connect_read_only(path, timeout=5)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "_sqlite_migrations" not in tables:
                return
            applied = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
                )
            ]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ArchiveError(path, describe_sqlite_error(exc)) from exc
    known = {m.name for m in migrations._migrations}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise ArchiveError(
            path,
            f"written by a newer blogarchive (schema {unknown[-1]}, unknown to version"
            f" {_version()}); upgrade blogarchive to use this archive",
        )


@contextmanager
def writing(
    db: sqlite_utils.Database, path: Path, what: str, *, url: str | None = None
) -> Iterator[None]:
    """Run one transaction (a savepoint inside an open one); a SQLite failure inside it
    becomes an :class:`ArchiveError` saying ``what`` was being written.

    A transaction of its own indexes the posts it stored for search before it commits, and
    moves recent band keys when enough wait; inside an open one, whoever commits that does
    (:mod:`archive.search_index`, :func:`archive.duplicates.merge_recent_bands`).
    """
    own = not db.conn.in_transaction
    try:
        with db.atomic():
            yield
            if own:
                settle_transaction(db)
    except sqlite3.Error as exc:
        raise ArchiveError(path, f"{what}: {describe_sqlite_error(exc)}", url=url) from exc


def settle_transaction(db: sqlite_utils.Database) -> None:
    """Do what a transaction that stored posts does last, before it commits.

    Index the posts it stored for search (:mod:`archive.search_index`: once a transaction,
    not a post) and move the recent band keys once enough wait
    (:func:`archive.duplicates.merge_recent_bands`: thousands of posts at a time).
    """
    index_pending_posts(db)
    merge_recent_bands(db)


def describe_sqlite_error(exc: BaseException) -> str:
    """Return what a SQLite error means for the archive, and what to do, in words."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return "locked by another program writing to it; try again when it has finished"
    if "full" in lowered or "no space left" in lowered:
        return "the disk is full; free some space and run again (nothing half-written is kept)"
    if "readonly" in lowered or "read-only" in lowered:
        return "read-only: make the file and its folder writable (or copy the archive elsewhere)"
    if "not a database" in lowered or "malformed" in lowered:
        return f"not a usable SQLite database ({text}); is --db the archive file?"
    return text


def _version() -> str:
    try:
        return version("blogarchive")
    except PackageNotFoundError:
        return "unknown"
