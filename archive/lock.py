"""The run lock: one crawl at a time per archive, released by the kernel if the crawl dies.

An exclusive ``flock`` on ``<db>.lock`` beside the database. The kernel drops it when the
holding process exits for any reason, SIGKILL included, so a killed run never leaves a
stale lock behind. The file holds a JSON line naming the holder (pid, run id, start time),
for the message another run shows; it is never deleted, since deleting a lock file while
someone waits on it lets two processes hold "the" lock on different files.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError

logger = logging.getLogger(__name__)


class RunLockHeld(ArchiveError):
    """Another live process is crawling into the same archive."""


def lock_path(db_path: Path | str) -> Path:
    """Return the lock file of the archive at ``db_path``: ``<db>.lock`` beside it."""
    path = Path(db_path)
    return path.with_name(path.name + ".lock")


def read_holder(db_path: Path | str) -> dict[str, Any]:
    """Return what the lock file says about its holder (empty if unknown)."""
    try:
        data = json.loads(lock_path(db_path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_holder(holder: dict[str, Any]) -> str:
    """Return a holder as words: "run 7 (pid 4242, started 2026-01-01T03:00:00Z)"."""
    if not holder:
        return "another process (it has not written its details yet)"
    run = f"run {holder['run_id']}" if holder.get("run_id") else "a run"
    return f"{run} (pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')})"


def is_held(db_path: Path | str) -> bool:
    """Tell whether a live process holds the archive's run lock (without taking it)."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the shared lock if it was taken
    return False


class RunLock:
    """One archive's run lock: take it with :meth:`acquire`, give it back with :meth:`release`.

    A process that already holds the lock (the CLI takes it before Scrapy starts, the
    archive pipeline asks again) gets a handle that shares it and leaves releasing to the
    first one.
    """

    def __init__(self, db_path: Path, fd: int | None) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd = fd

    @classmethod
    def acquire(cls, db_path: Path | str, *, started_at: str) -> RunLock:
        """Take the lock without waiting, or raise :class:`RunLockHeld` naming the holder."""
        db_path = Path(db_path)
        path = lock_path(db_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ArchiveError(db_path, f"cannot open lock file {path}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = read_holder(db_path)
            if holder.get("pid") == os.getpid():
                return cls(db_path, None)
            raise RunLockHeld(
                db_path,
                f"another crawl is running on this archive: {describe_holder(holder)}; "
                f"wait for it to end (lock file {path})",
            ) from None
        # A holder that was killed left its details behind: they are not ours.
        os.ftruncate(fd, 0)
        lock = cls(db_path, fd)
        lock.record(pid=os.getpid(), started_at=started_at)
        return lock

    @property
    def owned(self) -> bool:
        """Tell whether this handle took the lock (and so releases it)."""
        return self._fd is not None

    def record(self, **details: Any) -> None:
        """Add ``details`` (e.g. the run id) to what the lock file says about its holder."""
        holder = {**read_holder(self.db_path), **details}
        data = (json.dumps(holder, sort_keys=True) + "\n").encode()
        fd = self._fd if self._fd is not None else os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        finally:
            if fd != self._fd:
                os.close(fd)

    def release(self) -> None:
        """Give the lock back (a shared handle leaves that to the owner)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
