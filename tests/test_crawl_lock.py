"""The run lock, between real `blogarchive crawl` processes on one archive."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archive.lock import RunLock, lock_path, read_holder
from tests.conftest import ROOT, run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--workers", "0"]


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def held_site(tmp_path: Path) -> Iterator[tuple[FixtureSite, threading.Event]]:
    """A blog whose home page is answered only once the test sets the event."""
    blog = new_blog(tmp_path / "site", 4)
    release = threading.Event()

    def hold_home(path: str, number: int) -> None:
        if path == "/":
            release.wait(timeout=60)

    with serve(FixtureSite(blog.root, before_answer=hold_home)) as site:
        yield site, release
        release.set()


def start_crawl(base: str, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "crawl", base + "/", "--db", str(db), *FAST],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def runs(db: Path) -> list[tuple[int, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, status FROM crawl_runs ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.e2e
def test_a_second_run_on_the_same_archive_stops_naming_the_first(
    tmp_path: Path, held_site: tuple[FixtureSite, threading.Event]
) -> None:
    site, release = held_site
    db = tmp_path / "archive.db"
    first = start_crawl(site.base, db)
    try:
        wait_for(lambda: read_holder(db).get("run_id"), "the first run to take the lock")
        second = run_cli("crawl", site.base + "/", "--db", str(db), *FAST, timeout=120)
        assert second.returncode == 1
        message = second.stderr.strip().splitlines()[-1]
        assert message.startswith(f"Error: {db}: another crawl is running on this archive")
        holder = read_holder(db)
        assert f"run 1 (pid {first.pid}, started {holder['started_at']})" in message
        assert "Traceback" not in second.stderr
        assert runs(db) == [(1, "running")], "the refused run touched the archive"
        listed = run_cli("runs", "--db", str(db))
        assert [(r["id"], r["alive"]) for r in map(json.loads, listed.stdout.splitlines())] == [
            (1, True)
        ]
    finally:
        release.set()
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert runs(db) == [(1, "finished")]
    assert read_holder(db) == {}, "a finished run leaves its details in the lock file"
    again = run_cli("crawl", site.base + "/", "--db", str(db), *FAST, timeout=120)
    assert again.returncode == 0, again.stderr
    assert runs(db) == [(1, "finished"), (2, "finished")]


@pytest.mark.e2e
def test_a_killed_run_leaves_no_stale_lock(
    tmp_path: Path, held_site: tuple[FixtureSite, threading.Event]
) -> None:
    site, release = held_site
    db = tmp_path / "archive.db"
    first = start_crawl(site.base, db)
    wait_for(lambda: read_holder(db).get("run_id"), "the first run to take the lock")
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    release.set()
    assert lock_path(db).exists()
    assert read_holder(db)["pid"] == first.pid  # its details are left behind, its lock is not
    second = run_cli("crawl", site.base + "/", "--db", str(db), *FAST, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "1 interrupted earlier run(s) closed" in second.stderr
    assert runs(db) == [(1, "interrupted"), (2, "finished")]


def test_the_lock_is_shared_within_a_process_and_refused_across(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with RunLock.acquire(db, started_at="2026-01-01T00:00:00Z") as lock:
        lock.record(run_id=7)
        inner = RunLock.acquire(db, started_at="2026-01-01T00:00:01Z")
        assert not inner.owned
        inner.release()  # a shared handle leaves the lock to its owner
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from archive.lock import RunLock\n"
                f"RunLock.acquire({str(db)!r}, started_at='x')",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert other.returncode == 1
        assert "RunLockHeld" in other.stderr
        assert f"run 7 (pid {os.getpid()}, started 2026-01-01T00:00:00Z)" in other.stderr
    with RunLock.acquire(db, started_at="2026-01-01T00:00:02Z") as again:
        assert again.owned
