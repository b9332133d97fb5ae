"""Every request waiting for a host's robots.txt gets its rules (crawler/middlewares.py).

Scrapy 2.19's RobotsTxtMiddleware hands a host's parsed robots.txt to the first request that
awaited it only; the others waiting at that moment go out unchecked. A crawler of a fleet takes
many pages of one host from the shared frontier at once, so it fetched disallowed pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.crawler_server import FixtureSite, serve

pytestmark = pytest.mark.e2e

# Six disallowed pages of one host requested at once, before its robots.txt is read.
SPIDER = """
import scrapy

class Waiters(scrapy.Spider):
    name = "waiters"

    async def start(self):
        for number in range(6):
            yield scrapy.Request(f"{BASE}/private/{number}/", dont_filter=True)

    def parse(self, response):
        pass
"""

SCRAPY_MIDDLEWARE = "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"
OURS = "crawler.middlewares.SharedRobotsTxtMiddleware"


@pytest.fixture
def slow_robots_blog() -> Iterator[FixtureSite]:
    site = FixtureSite(Path(__file__).parent / "fixtures" / "crawler" / "blog")

    def slow_robots(path: str, number: int) -> None:
        if path == "/robots.txt":
            time.sleep(1)  # every page request arrives while robots.txt is being fetched

    site.before_answer = slow_robots
    with serve(site) as served:
        yield served


def crawl(site: FixtureSite, tmp_path: Path, middlewares: str) -> list[str]:
    """Run the spider in its own process with ``middlewares``; return the paths requested."""
    spider = tmp_path / "waiters.py"
    spider.write_text(f"BASE = {site.base!r}\n" + SPIDER)
    command = [sys.executable, "-m", "scrapy", "runspider", str(spider), "--loglevel=INFO"]
    command += ["-s", "ROBOTSTXT_OBEY=True", "-s", f"DOWNLOADER_MIDDLEWARES={middlewares}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return site.paths()


def test_every_request_waiting_for_robots_txt_is_checked_against_it(
    slow_robots_blog: FixtureSite, tmp_path: Path
) -> None:
    ours = f'{{"{SCRAPY_MIDDLEWARE}": null, "{OURS}": 100}}'
    paths = crawl(slow_robots_blog, tmp_path, ours)
    assert paths == ["/robots.txt"], paths


def test_with_scrapys_middleware_the_other_waiters_go_out_unchecked(
    slow_robots_blog: FixtureSite, tmp_path: Path
) -> None:
    # The mechanism off: Scrapy's own middleware, as the fleet had it.
    paths = crawl(slow_robots_blog, tmp_path, "{}")
    assert [path for path in paths if path.startswith("/private/")], paths
