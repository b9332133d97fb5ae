"""Pages are parsed once, in the worker processes: the crawler's process only weighs readings.

The same crawl with ``--workers 0`` (the mechanism off) parses every page in the crawler's
process; both archives hold the same posts, texts and series.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog
from tests.test_archive_revisions import query

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
POSTS = 6


def crawl(base: str, db: Path, *extra: str) -> dict[str, int]:
    """Crawl ``base`` into ``db``; return the crawl's page-reading and extraction counts."""
    result = run_cli("crawl", base + "/", "--db", str(db), "-v", *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = {}
    for name in ("pages_read_in_workers", "pages_read_here", "extracted", "posts"):
        found = re.findall(rf"'blogarchive/{name}': (\d+)", result.stderr)
        counts[name] = sum(int(n) for n in found)
    return counts


def archive(db: Path) -> list[tuple[object, ...]]:
    return query(db, "SELECT url, title, text, published, author FROM posts ORDER BY url")


@pytest.mark.e2e
def test_pages_are_read_in_the_workers_and_the_archive_is_the_same(tmp_path: Path) -> None:
    blog = new_blog(tmp_path / "site", POSTS)
    with serve(FixtureSite(blog.root)) as site:
        workers = crawl(site.base, tmp_path / "workers.db", "--workers", "2")
        inline = crawl(site.base, tmp_path / "inline.db", "--workers", "0")
    assert workers["pages_read_here"] == 0
    assert workers["pages_read_in_workers"] > POSTS
    assert workers["extracted"] == workers["posts"] == POSTS
    # The mechanism off: every page is parsed in the crawler's process.
    assert inline["pages_read_in_workers"] == 0
    assert inline["pages_read_here"] == workers["pages_read_in_workers"]
    assert archive(tmp_path / "workers.db") == archive(tmp_path / "inline.db")
    assert len(archive(tmp_path / "workers.db")) == POSTS
