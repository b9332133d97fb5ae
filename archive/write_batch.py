"""A crawl's writes committed together: one transaction over many writes, by count or age.

Each write the archive makes is its own ``atomic`` block (:meth:`archive.store.Archive._writing`);
inside an open batch those blocks are SQLite savepoints, so each write is still all or
nothing, and the batch as a whole is one transaction: committed entirely or, after a kill,
not at all (the next run fetches what it held again). The connection that writes sees its
own pending rows, and so does the crawl's history, which the writer lends a
:class:`BatchReader` of it (queries only, :meth:`archive.history.ArchiveHistory.read_through`):
a page captured earlier in the same run is found whether or not its batch was committed.

A batch is the writer's only when it began the transaction: inside one somebody else opened
(the fleet's writer commits a stream batch at a time, archive/writer.py), it neither begins
nor commits.

While a batch it began is open, the connection keeps SQLite's temporary storage in memory
(``PRAGMA temp_store = MEMORY``, set before ``BEGIN`` and put back after the commit). Each
write's savepoint journals the pages it changes; past 64 KB SQLite spills that journal to a
temporary file, and a post (its row, full-text index, near-duplicate bands) changes more: on
disk the journal wrote about 330 KB a post (``benchmarks/throughput/store_writes.py``), more
than the WAL itself, to a file deleted at the commit. In memory it holds one write's pages
at a time, since each savepoint is released when its write ends. Outside batches (a
migration, a one-off write) the setting stays as it was: a single statement there may change
a whole table, and its journal belongs on disk.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.access import describe_sqlite_error, settle_transaction
from archive.errors import ArchiveError


class BatchReader:
    """Queries of the archive as its writer sees them: the committed rows and the batch under
    way. What the writer lends the crawl's history in the same process: no transaction,
    commit or write of its connection, and SELECT statements only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Return the rows of one SELECT; ValueError for any other statement."""
        if not sql.lstrip()[:6].upper() == "SELECT":
            raise ValueError(f"a batch's reader runs SELECT statements only, not {sql[:40]!r}")
        return self._conn.execute(sql, params).fetchall()


class WriteBatch:
    """Group writes on ``db`` into transactions of ``rows`` writes or ``seconds`` at most."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        path: Path,
        *,
        rows: int,
        seconds: float,
        before_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.path = path
        self.rows = max(1, rows)
        self.seconds = seconds
        self.before_commit = before_commit
        self.clock = clock
        self.pending = 0  # writes since the batch began
        self.began: float | None = None  # when this batch's transaction began (ours only)
        self.commits = 0
        self._temp_store: int | None = None  # the connection's own, while a batch holds it

    @property
    def reader(self) -> BatchReader:
        """Return a reader of the archive that sees this batch's pending writes."""
        return BatchReader(self.db.conn)

    @property
    def open(self) -> bool:
        """Tell whether a transaction this batch began is under way."""
        return self.began is not None

    def begin(self) -> None:
        """Make sure a transaction is open before a write (begin one if none is)."""
        if self.rows <= 1 or self.began is not None or self.db.conn.in_transaction:
            return
        try:
            self._journals_in_memory()
            self.db.execute("BEGIN")
        except sqlite3.Error as exc:
            self._journals_back()
            raise ArchiveError(self.path, f"begin a batch: {describe_sqlite_error(exc)}") from exc
        self.began = self.clock()

    def _journals_in_memory(self) -> None:
        """Keep savepoint journals in memory for the batch (only outside a transaction)."""
        if self._temp_store is None:
            self._temp_store = int(self.db.execute("PRAGMA temp_store").fetchone()[0])
            self.db.execute("PRAGMA temp_store = MEMORY")

    def _journals_back(self) -> None:
        """Put the connection's own temp_store back once no transaction is open."""
        if self._temp_store is not None and not self.db.conn.in_transaction:
            self.db.execute(f"PRAGMA temp_store = {self._temp_store}")
            self._temp_store = None

    def wrote(self) -> None:
        """Count one write; commit when the batch is full or old enough."""
        if self.began is None:
            return
        self.lost_check()
        self.pending += 1
        if self.pending >= self.rows or self.due():
            self.commit()

    def due(self) -> bool:
        """Tell whether the open batch's first write is ``seconds`` old."""
        return self.began is not None and self.clock() - self.began >= self.seconds

    def commit(self) -> None:
        """Write what the batch holds (``before_commit`` first) and commit it."""
        if self.began is None:
            return
        self.lost_check()
        self.before_commit()
        try:
            settle_transaction(self.db)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            raise ArchiveError(
                self.path, f"commit {self.pending} writes: {describe_sqlite_error(exc)}"
            ) from exc
        self.began = None
        self.pending = 0
        self.commits += 1
        self._journals_back()

    def rollback(self) -> None:
        """Drop the open batch (after a refused write the crawl stops: nothing more is kept)."""
        if self.began is not None and self.db.conn.in_transaction:
            self.db.conn.rollback()
        self.began = None
        self.pending = 0
        self._journals_back()

    def lost_check(self) -> None:
        """Raise if SQLite rolled the whole batch back on its own (a full disk, an I/O error).

        The writes it held are gone, so the run cannot say it stored them.
        """
        if self.began is not None and not self.db.conn.in_transaction:
            lost = self.pending
            self.began = None
            self.pending = 0
            self._journals_back()
            raise ArchiveError(self.path, f"SQLite rolled back a batch of {lost} writes")
