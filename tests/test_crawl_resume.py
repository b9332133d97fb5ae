"""A crawl killed with SIGKILL at any moment, then run again, ends with the archive an
uninterrupted crawl makes: nothing lost, nothing duplicated.

Each case crawls the same generated blog (real HTTP, real `blogarchive crawl` processes with
their extraction workers) into a fresh archive, kills the crawl at one moment, runs it again,
and compares the archive row by row with the one an uninterrupted crawl made, leaving out
only run ids and timestamps.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT, run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog

pytestmark = pytest.mark.e2e


POSTS = 24
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
# Columns that say when or in which run something happened: they differ between any two runs.
VOLATILE = {"first_run_id", "last_run_id", "run_id", "from_run_id", "first_seen_at"}


def crawl_command(base: str, db: Path, *settings: str) -> list[str]:
    return [
        sys.executable, "-m", "archive.cli", "crawl", base + "/", "--db", str(db), *FAST, *settings
    ]  # fmt: skip


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    names = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
    return [n for n in names if n not in VOLATILE and not n.endswith("_at") and n != "id"]


def archive_state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return the archive's content, table by table, without run ids, row ids or times.

    Ids that only number rows (sites, series) are replaced by the natural key they stand
    for; errors and sightings are those of the last run, the one that completed.
    """
    conn = sqlite3.connect(db)
    try:
        state: dict[str, list[tuple[Any, ...]]] = {}
        for table in ("posts", "links", "sites", "series", "post_revisions"):
            cols = [c for c in columns(conn, table) if c != "site_id"]
            state[table] = sorted(
                conn.execute(f"SELECT {', '.join(cols)} FROM [{table}]").fetchall(), key=repr
            )
        state["posts.site"] = conn.execute(
            "SELECT posts.url, sites.host FROM posts JOIN sites ON sites.id = posts.site_id"
            " ORDER BY posts.url"
        ).fetchall()
        for table in ("series_posts", "series_listings"):
            cols = [f"t.{c}" for c in columns(conn, table) if c != "series_id"]
            state[table] = sorted(
                conn.execute(
                    f"SELECT series.slug, {', '.join(cols)} FROM [{table}] t"
                    " JOIN series ON series.id = t.series_id"
                ).fetchall(),
                key=repr,
            )
        last = "(SELECT max(id) FROM crawl_runs)"
        state["errors of the last run"] = conn.execute(
            f"SELECT url, stage, message, source FROM errors WHERE run_id = {last} ORDER BY url"
        ).fetchall()
        state["posts seen by the last run"] = conn.execute(
            f"SELECT post_url FROM run_posts WHERE run_id = {last} ORDER BY post_url"
        ).fetchall()
        # Which run captured a page differs; that every post's page was captured whole must not.
        state["posts with a full capture"] = conn.execute(
            "SELECT DISTINCT posts.url FROM posts JOIN captures"
            " ON captures.url = coalesce(posts.fetched_url, posts.url) AND captures.status = 200"
            " ORDER BY posts.url"
        ).fetchall()
        return state
    finally:
        conn.close()


@dataclass
class Site:
    """The blog being crawled, with a hook the test points at the crawl to kill."""

    server: FixtureSite
    kill_when: Callable[[str, int, str], bool] | None = None
    victim: int | None = None
    hits_before: int = 0  # requests made before the victim started; numbers count from here
    kills: list[tuple[str, int, str]] = field(default_factory=list)

    def maybe_kill(self, path: str, number: int, phase: str) -> None:
        if self.victim is None or self.kill_when is None:
            return
        number -= self.hits_before
        if self.kill_when(path, number, phase):
            os.kill(self.victim, signal.SIGKILL)
            self.kills.append((path, number, phase))
            self.victim = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    blog = new_blog(tmp_path_factory.mktemp("resume") / "site", POSTS)
    server = FixtureSite(blog.root)
    watched = Site(server)
    server.before_answer = lambda path, number: watched.maybe_kill(path, number, "request")
    server.after_answer = lambda path, number: watched.maybe_kill(path, number, "answered")
    with serve(server):
        yield watched


@pytest.fixture(scope="module")
def reference(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    result = run_cli(*crawl_command(site.server.base, db)[3:])
    assert result.returncode == 0, result.stderr[-3000:]
    state = archive_state(db)
    assert len(state["posts"]) == POSTS
    assert state["series_posts"], "the blog's series was not archived"
    assert state["post_revisions"] == []
    return state


def assert_captures_sound(db: Path) -> None:
    """Check the WARC files a killed and a resumed run left: whole, indexed once, no stragglers."""
    warc = db.parent / "warc"
    assert not list(warc.glob("*.open")), "a WARC file the killed run left open was not closed"
    files = sorted(warc.glob("*.warc.gz"))
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    conn = sqlite3.connect(db)
    try:
        captures = conn.execute(
            "SELECT url, warc_file, warc_offset, payload_digest FROM captures"
        ).fetchall()
        twice = conn.execute(
            # robots.txt is fetched twice by design: by Scrapy's robots middleware and by the
            # spider for its Sitemap lines.
            "SELECT run_id, url FROM captures WHERE url NOT LIKE '%/robots.txt'"
            " GROUP BY run_id, url HAVING count(*) > 1"
        ).fetchall()
    finally:
        conn.close()
    assert twice == [], "a run captured a page twice"
    for url, warc_file, offset, digest in captures:
        with open(db.parent / warc_file, "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
    kept = 0
    for path in files:
        with open(path, "rb") as handle:
            kept += sum(r.rec_type in ("response", "revisit") for r in ArchiveIterator(handle))
    assert kept == len(captures), "a WARC record is not indexed, or indexed twice"


def stored_posts(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM run_posts").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def kill_and_resume(
    site: Site,
    db: Path,
    *,
    at_stored: int | None = None,
    timeout: float = 120,
    settings: tuple[str, ...] = (),
) -> tuple[list[tuple[str, int, str]], int, subprocess.CompletedProcess[str]]:
    """Start a crawl, let ``site.kill_when`` (or ``at_stored`` posts stored) kill it, resume.

    Return where it was killed, how many posts it had stored, and the resumed crawl.
    """
    site.kills.clear()
    site.hits_before = site.server.arrivals
    crawl = subprocess.Popen(
        crawl_command(site.server.base, db, *settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    site.victim = crawl.pid
    deadline = time.monotonic() + timeout
    try:
        while crawl.poll() is None:
            assert time.monotonic() < deadline, "the crawl was never killed"
            if at_stored is not None and stored_posts(db) >= at_stored:
                os.kill(crawl.pid, signal.SIGKILL)
                site.kills.append(("db", at_stored, "stored"))
                at_stored = None
            time.sleep(0.005)
    finally:
        site.victim = None
        _, err = crawl.communicate(timeout=30)
    assert crawl.returncode == -signal.SIGKILL, f"the crawl ended by itself:\n{err[-2000:]!r}"
    # Its extraction workers notice that their parent is gone and exit.
    wait_for_group_exit(crawl.pid)
    killed = list(site.kills)
    stored = stored_posts(db)
    listed = run_cli("runs", "--db", str(db))
    assert [(r["status"], r["alive"]) for r in map(json.loads, listed.stdout.splitlines())] == [
        ("running", False)
    ]
    resumed = run_cli(*crawl_command(site.server.base, db, *settings)[3:])
    return killed, stored, resumed


def wait_for_group_exit(pgid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            pytest.fail("processes of the killed crawl outlived it")
        time.sleep(0.05)


def is_post(path: str) -> bool:
    return path.count("/") == 4 and "/post-" in path


# Writes committed three at a time (the default is 50, archive/write_batch.py): the 24 posts
# then reach the archive a few at a time, so "half stored" and "all stored" happen while the
# crawl is still going, and kills land inside batches and between them.
SMALL_BATCHES = ("-s", "BLOGARCHIVE_WRITE_BATCH=3")

KILL_POINTS: dict[str, dict[str, Any]] = {
    # Before any post is fetched: robots.txt, the home page and probes are under way.
    "early, while fetching": {"kill_when": lambda path, n, phase: n == 3 and phase == "request"},
    # A post page has just been sent: the crawl is parsing it and extracting it in a worker.
    "during extraction": {
        "kill_when": lambda path, n, phase: is_post(path) and n >= 12 and phase == "answered"
    },
    # Half the posts are in the archive and more are being stored.
    "mid-way while storing": {"at_stored": POSTS // 2},
    # Every post is stored; the crawl is finishing discovery, closing the run or publishing.
    "after the last post": {"at_stored": POSTS},
}


@pytest.mark.parametrize("moment", list(KILL_POINTS))
def test_killed_crawl_resumes_to_the_same_archive(
    moment: str, site: Site, reference: dict[str, Any], tmp_path: Path
) -> None:
    point = KILL_POINTS[moment]
    site.kill_when = point.get("kill_when")
    db = tmp_path / "archive.db"
    killed, stored, resumed = kill_and_resume(
        site, db, at_stored=point.get("at_stored"), settings=SMALL_BATCHES
    )
    assert killed, "no kill happened"
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "1 interrupted earlier run(s) closed" in resumed.stderr

    assert_captures_sound(db)
    state = archive_state(db)
    for table, rows in reference.items():
        assert state[table] == rows, f"{table} differs after a kill {moment} ({killed})"
    conn = sqlite3.connect(db)
    try:
        runs = conn.execute("SELECT status, posts_new, posts_unchanged FROM crawl_runs").fetchall()
    finally:
        conn.close()
    # What the killed run stored counts as its own, and the next run found it unchanged.
    assert runs == [("interrupted", stored, 0), ("finished", POSTS - stored, stored)]
    listed = run_cli("runs", "--db", str(db))
    history = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["id"], r["status"], r["posts_new"]) for r in history] == [
        (2, "finished", POSTS - stored),
        (1, "interrupted", stored),
    ]
    if moment.startswith("early"):
        assert stored == 0
    elif moment.startswith("mid-way"):
        assert 0 < stored < POSTS


@pytest.mark.parametrize("batch", ["one batch", "each write alone"])
def test_a_kill_loses_only_the_uncommitted_batch_and_the_next_run_fetches_it_again(
    batch: str, site: Site, reference: dict[str, Any], tmp_path: Path
) -> None:
    """Writes are committed in batches (archive/write_batch.py): a kill loses the batch under
    way whole, never part of it, and the next run fetches what it held again. Here the batch
    is the whole run (no count or age ends it), so the killed run leaves nothing; with every
    write on its own, the posts stored before the kill stay."""
    rows = "100000" if batch == "one batch" else "1"
    settings = (
        "-s",
        f"BLOGARCHIVE_WRITE_BATCH={rows}",
        "-s",
        "BLOGARCHIVE_WRITE_BATCH_SECONDS=3600",
    )
    answered: list[str] = []

    def kill_when(path: str, number: int, phase: str) -> bool:
        if is_post(path) and phase == "answered":
            answered.append(path)
        return len(answered) >= POSTS - 4  # most posts extracted and stored, the run not over

    site.kill_when = kill_when
    db = tmp_path / "archive.db"
    _, stored, resumed = kill_and_resume(site, db, settings=settings)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    conn = sqlite3.connect(db)
    try:
        killed_captures = conn.execute("SELECT count(*) FROM captures WHERE run_id = 1").fetchone()
        runs = conn.execute("SELECT status, posts_new FROM crawl_runs").fetchall()
    finally:
        conn.close()
    if batch == "one batch":
        assert (stored, killed_captures[0]) == (0, 0)
    else:
        assert stored > 0
        assert killed_captures[0] > 0
    # The next run stored what the killed one had not committed, fetched again.
    assert runs == [("interrupted", stored), ("finished", POSTS - stored)]
    assert_captures_sound(db)
    state = archive_state(db)
    for table, rows_ in reference.items():
        assert state[table] == rows_, f"{table} differs after a kill ({batch})"
