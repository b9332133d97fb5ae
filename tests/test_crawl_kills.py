"""Twenty SIGKILLs at seeded random moments across runs (issue 12): after each, the archive
passes ``PRAGMA integrity_check``; once a run is let finish, the archive equals an
uninterrupted crawl's (posts, texts, series, captures, WARC records indexed once).

Builds on tests/test_crawl_resume.py (its blog, reference archive and comparisons): there
each case kills one chosen moment; here four chains of five kills each, every run
resuming what the killed one left, at moments drawn from a seeded generator (the request
number the server is answering and whether before or after it answers).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli
from tests.test_crawl_resume import (  # noqa: F401  (fixtures)
    Site,
    archive_state,
    assert_captures_sound,
    crawl_command,
    reference,
    site,
    wait_for_group_exit,
)

pytestmark = pytest.mark.e2e


SEED = 20261206
CHAINS, KILLS_PER_CHAIN = 4, 5
# A run of the blog makes ~40 requests; a moment past a run's end lets it finish.
LAST_MOMENT = 36


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def crawl_until_killed(blog: Site, db: Path, moment: int, phase: str) -> bool:
    """Run a crawl; SIGKILL it when the server reaches request ``moment`` in ``phase``."""
    blog.kills.clear()
    blog.kill_when = lambda path, number, when: number >= moment and when == phase
    blog.hits_before = blog.server.arrivals
    crawl = subprocess.Popen(
        crawl_command(blog.server.base, db),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    blog.victim = crawl.pid
    try:
        _, err = crawl.communicate(timeout=180)
    finally:
        blog.victim = None
    wait_for_group_exit(crawl.pid)
    if crawl.returncode != -signal.SIGKILL:
        assert crawl.returncode == 0, err[-2000:]
        return False
    return True


@pytest.mark.slow
def test_twenty_random_kills_leave_a_sound_archive_that_ends_equal(
    site: Site,  # noqa: F811
    reference: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    kills = 0
    started = time.monotonic()
    for chain in range(CHAINS):
        db = tmp_path / f"chain-{chain}" / "archive.db"
        db.parent.mkdir()
        for _ in range(KILLS_PER_CHAIN):
            moment, phase = rng.randint(1, LAST_MOMENT), rng.choice(["request", "answered"])
            kills += crawl_until_killed(site, db, moment, phase)
            if db.exists():
                assert integrity(db) == "ok", f"chain {chain}: killed at {moment} {phase}"
        finished = run_cli(*crawl_command(site.server.base, db)[3:])
        assert finished.returncode == 0, finished.stderr[-3000:]
        assert_captures_sound(db)
        state = archive_state(db)
        for table, rows in reference.items():
            assert state[table] == rows, f"chain {chain}: {table} differs from the reference"
    # Moments past a resumed run's end let it finish; most must be real kills.
    assert kills >= CHAINS * KILLS_PER_CHAIN * 3 // 4, f"only {kills} kills happened"
    print(f"{kills} kills in {time.monotonic() - started:.0f}s")
