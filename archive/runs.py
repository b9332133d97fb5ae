"""The archive's crawl runs as a reader sees them (``blogarchive runs``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from archive.access import connect_read_only, describe_sqlite_error
from archive.errors import ArchiveError
from archive.lock import is_held


def recent_runs(db_path: Path, limit: int) -> list[dict[str, Any]]:
    """Return the archive's last ``limit`` crawl runs, newest first, as dicts of their columns.

    A run still "running" also says whether its process is alive (``alive``): a dead one is
    closed as "interrupted" by the next crawl. Opened read-only; a SQLite error is an
    :class:`ArchiveError` saying what it means.
    """
    crawling = is_held(db_path)
    try:
        conn = connect_read_only(db_path, timeout=5)
        conn.row_factory = sqlite3.Row
        try:
            rows = [
                dict(row)
                for row in conn.execute(
                    "select * from crawl_runs order by id desc limit ?", [limit]
                )
            ]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ArchiveError(db_path, describe_sqlite_error(exc)) from exc
    for row in rows:
        if row["status"] == "running":
            # No process holds the lock: the run was killed; the next crawl closes it.
            row["alive"] = crawling
    return rows
