"""Datasette serving the archive while a crawl writes to it: readers are never told the
database is locked and never see a post half-written.

`serve` reads a published snapshot, replaced whole at the end of each run; a reader of the
working database itself (a script, `sqlite3`) reads it in WAL mode, where every write is a
transaction. Both are read throughout a real crawl of a slow blog.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from archive.store import Archive
from tests.conftest import ROOT
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog

POSTS = 20
CRAWL = [sys.executable, "-m", "archive.cli", "crawl", "--workers", "1"]
# Per post: rows in run_posts, the full-text index and sites, written in its transaction.
TORN_POSTS = """
select count(*) from posts
where not exists (select 1 from run_posts where run_posts.post_url = posts.url)
   or not exists (select 1 from posts_fts where posts_fts.rowid = posts.rowid)
   or not exists (select 1 from sites where sites.id = posts.site_id)
"""


@pytest.fixture(scope="module")
def slow_blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureSite]:
    blog = new_blog(tmp_path_factory.mktemp("serving") / "site", POSTS)
    with serve(FixtureSite(blog.root, delay=0.05)) as site:
        yield site


def read_working_copy(db: Path) -> tuple[int, int]:
    """Return (posts, torn posts) as a reader of the working database sees them."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=0.2)
    try:
        posts = conn.execute("select count(*) from posts").fetchone()[0]
        torn = conn.execute(TORN_POSTS).fetchone()[0]
    finally:
        conn.close()
    return posts, torn


@contextmanager
def serving_quietly(db: Path) -> Iterator[str]:
    """Run `blogarchive serve`; yield its URL. Its output is drained: Datasette's access log
    (one stdout line a request) would fill an unread pipe after ~700 requests and block it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving "), line
        stdout = proc.stdout
        threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()
        yield line.rsplit(" at ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.e2e
def test_readers_during_a_crawl_are_never_locked_out_nor_see_a_torn_post(
    tmp_path: Path, slow_blog: FixtureSite
) -> None:
    db = tmp_path / "archive.db"
    Archive.open(db).close()
    with serving_quietly(db) as url, httpx.Client(timeout=30) as client:
        crawl = subprocess.Popen(
            [*CRAWL, slow_blog.base + "/", "--db", str(db), "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: list[int] = []
        pages = 0
        deadline = time.monotonic() + 180
        while crawl.poll() is None:
            assert time.monotonic() < deadline, "the crawl did not end"
            posts, torn = read_working_copy(db)  # a locked database would raise here
            assert torn == 0
            seen.append(posts)
            page = client.get(url + "archive/posts.json?_shape=array&_size=5")
            assert page.status_code == 200, page.text[:500]
            assert "locked" not in page.text
            pages += 1
        assert crawl.returncode == 0, crawl.stderr.read() if crawl.stderr else ""
        assert seen == sorted(seen), "a reader saw posts disappear"
        assert len(set(seen)) > 0, seen
        assert max(seen) > min(seen), "the readers did not overlap the crawl's writes"
        assert pages >= 10
        # The published snapshot, replaced whole at the run's end, is what serve shows next.
        end = time.monotonic() + 30
        while (
            client.get(url + "archive/posts.json?_size=0").json()["filtered_table_rows_count"]
            != read_working_copy(db)[0]
        ):
            assert time.monotonic() < end, "the new snapshot was not served"
            time.sleep(0.1)
