"""Ctrl-C and SIGTERM, sent to the crawl's whole process group as a terminal or a service
manager sends them: one line saying what is finished, quiet workers, an ``interrupted`` run
that counts what it stored; a second Ctrl-C stops at once. No traceback either way.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog
from tests.test_crawl_resume import stored_posts

pytestmark = pytest.mark.e2e


# Workers running, pages in flight: the moment a user presses Ctrl-C.
POSTS = 40
# Extraction workers in the group; few requests in flight, so a stop leaves posts unfetched.
OPTIONS = ["--workers", "2", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=4"]
NOISE = ("Traceback", "KeyboardInterrupt", "BrokenProcessPool", "<html", "<p>", "Error processing")


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureSite]:
    blog = new_blog(tmp_path_factory.mktemp("interrupt") / "site", POSTS)
    with serve(FixtureSite(blog.root, delay=0.3)) as site:
        yield site


def wait_for(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Crawl:
    """A `blogarchive crawl` in its own process group, its stderr collected line by line."""

    def __init__(self, base: str, db: Path) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "archive.cli",
                "crawl",
                base + "/",
                "--db",
                str(db),
                *OPTIONS,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
        self.lines: list[str] = []
        assert self.proc.stderr is not None
        stream = self.proc.stderr
        self.reader = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self.reader.start()

    def signal_group(self, signum: int) -> None:
        os.killpg(self.proc.pid, signum)

    def wait(self, timeout: float = 60) -> tuple[int, str]:
        code = self.proc.wait(timeout)
        self.reader.join(5)
        return code, "".join(self.lines)


def run_row(db: Path) -> dict:
    result = run_cli("runs", "--db", str(db), "-n", "1")
    return json.loads(result.stdout.splitlines()[0])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_to_the_group_finishes_quietly_as_interrupted(
    tmp_path: Path, slow_site: FixtureSite, signum: int
) -> None:
    db = tmp_path / "a.db"
    crawl = Crawl(slow_site.base, db)
    wait_for(lambda: stored_posts(db) >= 3, "three posts stored")
    crawl.signal_group(signum)
    code, stderr = crawl.wait()
    name = signal.Signals(signum).name
    assert code == 128 + signum, stderr[-3000:]
    assert not [n for n in NOISE if n in stderr], stderr[-3000:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 2, stderr  # what is being finished, then the summary
    assert lines[0].startswith(f"{name}: stopping; finishing the ")
    run = run_row(db)
    assert (run["status"], run["reason"]) == ("interrupted", f"interrupted by {name}")
    conn = sqlite3.connect(db)
    try:
        posts = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        conn.close()
    assert 3 <= posts < POSTS
    assert run["posts_new"] == posts
    assert f"posts {posts} new" in lines[1]
    assert lines[1].startswith(f"crawl interrupted: interrupted by {name}")


def test_a_second_ctrl_c_stops_at_once_and_the_next_crawl_completes(
    tmp_path: Path, slow_site: FixtureSite
) -> None:
    db = tmp_path / "a.db"
    crawl = Crawl(slow_site.base, db)
    wait_for(lambda: stored_posts(db) >= 3, "three posts stored")
    crawl.signal_group(signal.SIGINT)
    wait_for(lambda: any("stopping" in line for line in crawl.lines), "the stopping line")
    crawl.signal_group(signal.SIGINT)
    started = time.monotonic()
    code, stderr = crawl.wait(timeout=10)
    assert time.monotonic() - started < 5
    assert code == 130
    assert not [n for n in NOISE if n in stderr], stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "SIGINT again: stopped at once"
    again = run_cli("crawl", slow_site.base + "/", "--db", str(db), "-s", "DOWNLOAD_DELAY=0")
    assert again.returncode == 0, again.stderr[-3000:]
    conn = sqlite3.connect(db)
    try:
        runs = conn.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        posts = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        conn.close()
    assert runs == [("interrupted",), ("finished",)]
    assert integrity == "ok"
    assert posts == POSTS
