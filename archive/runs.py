"""The archive's crawl runs: written by a crawl (:class:`RunLog`, the ``crawl_runs`` and
``queue_positions`` tables) and read by ``blogarchive runs`` (:func:`recent_runs`)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.access import connect_read_only, describe_sqlite_error, writing
from archive.errors import ArchiveError
from archive.lock import is_held
from crawler.items import utc_now

logger = logging.getLogger(__name__)


class RunLog:
    """Start, close and look up crawl runs in the archive's database (every write one
    transaction, or a savepoint in the caller's)."""

    def __init__(
        self, db: sqlite_utils.Database, path: Path, *, clock: Callable[[], str] = utc_now
    ) -> None:
        self.db = db
        self.path = path
        self._now = clock

    def start(self, args: dict[str, Any]) -> int:
        """Record the start of a crawl run and return its id."""
        with writing(self.db, self.path, "start run"):
            cursor = self.db.execute(
                "INSERT INTO crawl_runs (started_at, status, args, pid)"
                " VALUES (?, 'running', ?, ?)",
                [self._now(), json.dumps(args, sort_keys=True, default=str), os.getpid()],
            )
        run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def status(self, run_id: int) -> str | None:
        """Return run ``run_id``'s status, or None if there is no such run."""
        row = self.db.execute("SELECT status FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
        return row[0] if row else None

    def queue_position(self, queue: str) -> tuple[int, int]:
        """Return the last entry of Redis stream ``queue`` applied here, (0, 0) if none."""
        row = self.db.execute(
            "SELECT last_id FROM queue_positions WHERE queue = ?", [queue]
        ).fetchone()
        if row is None:
            return (0, 0)
        ms, _, seq = row[0].partition("-")
        return int(ms), int(seq)

    def save_queue_position(self, queue: str, position: tuple[int, int]) -> None:
        """Record the last entry of ``queue`` applied, in the caller's transaction."""
        self.db.execute(
            "INSERT OR REPLACE INTO queue_positions (queue, last_id, updated_at) VALUES (?, ?, ?)",
            [queue, f"{position[0]}-{position[1]}", self._now()],
        )

    def close_interrupted(self) -> list[int]:
        """Close every run left 'running' as 'interrupted'; return their ids.

        Call only while holding the run lock (:mod:`archive.lock`): then no live process can
        own a running run, so each one belongs to a crawl that was killed. It ends at the last
        thing it stored, with counts from what it stored; what it stored stays, and the next
        run goes on from there (a post it stored is found unchanged).
        """
        with writing(self.db, self.path, "close interrupted runs"):
            stale = self.db.execute(
                "SELECT id, max(started_at,"
                " coalesce((SELECT max(seen_at) FROM run_posts WHERE run_id = crawl_runs.id), ''),"
                " coalesce((SELECT max(at) FROM errors WHERE run_id = crawl_runs.id), ''))"
                " FROM crawl_runs WHERE status = 'running' ORDER BY id"
            ).fetchall()
            for run_id, last_write in stale:
                self.close(
                    run_id, "interrupted", None, last_write, "its process died before it ended"
                )
        for run_id, _ in stale:
            logger.warning("crawl run %d was interrupted (its process died); closed it", run_id)
        return [run_id for run_id, _ in stale]

    def close(
        self, run_id: int, status: str, pages_fetched: int | None, finished_at: str, reason: str
    ) -> None:
        """Set run ``run_id``'s status, reason, end and counts (counted from what it stored)."""
        outcomes = dict(
            self.db.execute(
                "SELECT outcome, count(*) FROM run_posts WHERE run_id = ? GROUP BY outcome",
                [run_id],
            ).fetchall()
        )
        errors = self.db.execute(
            "SELECT count(*) FROM errors WHERE run_id = ?", [run_id]
        ).fetchone()[0]
        cursor = self.db.execute(
            "UPDATE crawl_runs SET finished_at = ?, status = ?, reason = ?,"
            " pages_fetched = coalesce(?, pages_fetched), posts_new = ?, posts_updated = ?,"
            " posts_unchanged = ?, posts_gone = ?, errors = ?, posts_duplicate = ? WHERE id = ?",
            [
                finished_at,
                status,
                reason,
                pages_fetched,
                outcomes.get("new", 0),
                outcomes.get("updated", 0),
                outcomes.get("unchanged", 0),
                outcomes.get("gone", 0),
                errors,
                outcomes.get("duplicate", 0),
                run_id,
            ],
        )
        if cursor.rowcount != 1:
            raise ArchiveError(self.path, f"no crawl run with id {run_id}")


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
