"""`blogarchive crawl --no-throttle` and `--concurrency`: politeness off for local benchmarks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from crawler.run import CrawlOptions, crawl_settings
from tests.conftest import run_cli
from tests.crawler_server import JITTER, STALL_ENV, FixtureSite, serve

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"


@pytest.fixture
def blog() -> Iterator[FixtureSite]:
    with serve(
        FixtureSite(FIXTURES / "blog", substitutions={"{{OTHER}}": "http://other.invalid"})
    ) as site:
        yield site


@pytest.fixture
def slow() -> Iterator[FixtureSite]:
    with serve(FixtureSite(FIXTURES / "slow")) as site:
        yield site


def crawl(site: FixtureSite, db: Path, *flags: str) -> None:
    result = run_cli("crawl", f"{site.base}/", "--db", str(db), "-q", *flags, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def test_no_throttle_turns_the_delay_and_autothrottle_off() -> None:
    polite = crawl_settings(CrawlOptions(db_path=Path("a.db")))
    fast = crawl_settings(CrawlOptions(db_path=Path("a.db"), throttle=False, concurrency=32))
    assert polite.getfloat("DOWNLOAD_DELAY") > 0
    assert polite.getbool("AUTOTHROTTLE_ENABLED")
    assert fast.getfloat("DOWNLOAD_DELAY") == 0
    assert not fast.getbool("AUTOTHROTTLE_ENABLED")
    assert fast.getbool("ROBOTSTXT_OBEY")
    assert fast.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 32
    assert fast.getint("CONCURRENT_REQUESTS") >= 32


@pytest.mark.e2e
def test_no_throttle_requests_pages_without_a_gap(tmp_path: Path, blog: FixtureSite) -> None:
    crawl(blog, tmp_path / "a.db", "--no-throttle", "--concurrency", "8")
    # The posts of one listing go out together, milliseconds apart.
    assert blog.min_gap() < 0.25 - JITTER, blog.hits


@pytest.mark.e2e
def test_without_no_throttle_requests_keep_the_default_gap(
    tmp_path: Path, blog: FixtureSite
) -> None:
    # Scrapy's 0.5-1.5 randomisation of the delay off, to compare with the delay itself.
    crawl(blog, tmp_path / "a.db", "--concurrency", "8", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False")
    assert blog.min_gap() >= 0.25 - JITTER, blog.hits


@pytest.mark.e2e
def test_no_throttle_still_obeys_robots_txt(tmp_path: Path, blog: FixtureSite) -> None:
    crawl(blog, tmp_path / "a.db", "--no-throttle")
    assert not [p for p in blog.paths() if p.startswith(("/private/", "/page/"))]
    assert "/post-1/" in blog.paths()


@pytest.mark.e2e
def test_no_throttle_still_obeys_crawl_delay(tmp_path: Path, slow: FixtureSite) -> None:
    crawl(slow, tmp_path / "a.db", "--no-throttle", "--concurrency", "8")
    assert {"/p1/", "/p2/", "/p3/", "/p4/"} <= set(slow.paths())
    assert slow.min_gap() >= 0.3 - JITTER, slow.hits


@pytest.mark.e2e
def test_crawl_delay_holds_when_a_request_reaches_the_server_late(
    tmp_path: Path, slow: FixtureSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The event loop stalls for longer than the delay after the first page leaves its slot
    # and before it is sent: the next page's turn comes during the stall. Counted from when
    # the first page left the slot, it went out with it (0.4 ms apart); the delay must count
    # from when the first page was answered.
    handler = "tests.crawler_server.StallingDownloadHandler"
    handlers = json.dumps({"http": handler})
    monkeypatch.setenv(STALL_ENV, json.dumps({"/": 0.5}))
    flags = ["-s", f"DOWNLOAD_HANDLERS={handlers}"]
    crawl(slow, tmp_path / "a.db", "--no-throttle", "--concurrency", "8", *flags)
    assert {"/p1/", "/p2/", "/p3/", "/p4/"} <= set(slow.paths())
    assert slow.min_gap() >= 0.3 - JITTER, slow.hits


def test_no_throttle_with_a_delay_is_a_usage_error(tmp_path: Path) -> None:
    args = ["crawl", "http://127.0.0.1:9/", "--no-throttle", "--delay", "1"]
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "--delay and --no-throttle" in result.output
    assert not (tmp_path / "a.db").exists()
