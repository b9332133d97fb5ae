"""End-to-end crawls of fixture blogs: each crawl runs `scrapy crawl blog` in its own process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, signals
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import parse_retry_after
from crawler.spiders.blog import BlogSpider
from tests.crawler_server import JITTER, FixtureSite, run_crawl, serve

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
PROBES = {"/feed/", "/rss.xml", "/atom.xml", "/feeds/posts/default", "/index.xml"}
NOT_PAGES = PROBES | {"/robots.txt", "/blog-feed.xml", "/sitemap_index.xml", "/sitemap-posts.xml"}
NO_CRAWL_DELAY = {"DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.CrawlDelayMiddleware": None}}
NO_RETRY_AFTER = {"DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.RetryAfterMiddleware": None}}


@pytest.fixture
def other() -> Iterator[FixtureSite]:
    with serve(FixtureSite(FIXTURES / "other")) as site:
        yield site


@pytest.fixture
def blog(other: FixtureSite) -> Iterator[FixtureSite]:
    with serve(FixtureSite(FIXTURES / "blog", substitutions={"{{OTHER}}": other.base})) as site:
        yield site


@pytest.fixture
def slow() -> Iterator[FixtureSite]:
    with serve(FixtureSite(FIXTURES / "slow")) as site:
        yield site


def posts(items: list[dict], base: str) -> set[str]:
    return {i["url"].removeprefix(base) for i in items if i["type"] == "FetchedPage"}


def page_requests(site: FixtureSite) -> list[str]:
    return [p for p in site.paths() if p not in NOT_PAGES]


@pytest.mark.e2e
def test_crawl_finds_posts_by_links_feed_and_sitemap_index(tmp_path, blog, other):
    items = run_crawl(tmp_path, f"urls={blog.base}/")
    found = posts(items, blog.base)
    # post-4 is only in the advertised feed (its listing page is disallowed), post-6 only in
    # the sitemap named by robots.txt's sitemap index.
    assert found == {"/post-1/", "/post-2/", "/post-3/", "/post-4/", "/post-6/"}
    assert {"/sitemap_index.xml", "/sitemap-posts.xml", "/blog-feed.xml"} <= set(blog.paths())
    series = [i for i in items if i["type"] == "SeriesListing"]
    assert [(s["name"], s["post_urls"]) for s in series] == [
        ("City data", [f"{blog.base}/post-1/", f"{blog.base}/post-2/"])
    ]
    # Probed feed paths answered 404: that is normal, not a crawl error.
    assert [i for i in items if i["type"] == "CrawlError"] == []
    assert other.paths() == [], "a link to another port of 127.0.0.1 was followed"
    assert len(page_requests(blog)) == len(set(page_requests(blog))), "a page was fetched twice"


@pytest.mark.e2e
def test_sitemaps_named_by_robots_txt_are_requested_before_the_start_page(tmp_path, blog):
    # A wait no loaded machine reaches: the test is about order, not about the default's 5 s.
    # One request at a time: two sent together may reach the server in either order.
    settings = {"BLOGARCHIVE_ROBOTS_WAIT": 120, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    run_crawl(tmp_path, f"urls={blog.base}/", settings=settings)
    paths = blog.paths()
    # A re-crawl answers the posts a sitemap dates unchanged from their captures: the earlier
    # it is read, the fewer pages wait behind it.
    assert paths.index("/sitemap_index.xml") < paths.index("/")
    assert paths.index("/sitemap_index.xml") < min(paths.index(p) for p in PROBES)


@pytest.mark.e2e
def test_robots_disallowed_pages_are_never_requested(tmp_path, blog):
    run_crawl(tmp_path, f"urls={blog.base}/")
    assert not [p for p in blog.paths() if p.startswith(("/private/", "/page/"))]


@pytest.mark.e2e
def test_robots_disallowed_pages_are_requested_when_robots_are_ignored(tmp_path, blog):
    items = run_crawl(tmp_path, f"urls={blog.base}/", settings={"ROBOTSTXT_OBEY": False})
    assert {"/private/secret.html", "/page/2/"} <= set(blog.paths())
    assert "/post-5/" in posts(items, blog.base)


@pytest.mark.e2e
def test_max_pages_caps_page_requests_per_source(tmp_path, blog):
    run_crawl(tmp_path, f"urls={blog.base}/", "max_pages=2")
    assert len(page_requests(blog)) == 2


@pytest.mark.e2e
def test_max_depth_zero_fetches_only_the_start_page(tmp_path, blog):
    items = run_crawl(tmp_path, f"urls={blog.base}/", "max_depth=0")
    assert page_requests(blog) == ["/"]
    assert posts(items, blog.base) == set()


@pytest.mark.e2e
def test_crawl_delay_from_robots_txt_spaces_requests(tmp_path, slow):
    items = run_crawl(tmp_path, f"urls={slow.base}/")
    assert posts(items, slow.base) == {"/p1/", "/p2/", "/p3/", "/p4/"}
    assert slow.min_gap() >= 0.3 - JITTER, slow.hits
    errors = [i for i in items if i["type"] == "CrawlError"]
    assert [(e["url"], e["stage"], e["message"]) for e in errors] == [
        (f"{slow.base}/missing/", "fetch", "HTTP 404")
    ]


@pytest.mark.e2e
def test_without_crawl_delay_middleware_requests_come_faster(tmp_path, slow):
    run_crawl(tmp_path, f"urls={slow.base}/", settings=NO_CRAWL_DELAY)
    assert slow.min_gap() < 0.3 - JITTER


@pytest.mark.e2e
def test_retry_after_delays_the_retry(tmp_path, blog):
    blog.retry_after_once["/post-2/"] = 1
    items = run_crawl(tmp_path, f"urls={blog.base}/")
    first, second = blog.hits_for("/post-2/")
    assert (first.status, second.status) == (503, 200)
    assert second.at - first.at >= 1.0
    assert "/post-2/" in posts(items, blog.base)


@pytest.mark.e2e
def test_without_retry_after_middleware_the_retry_comes_at_once(tmp_path, blog):
    # A long wait asked, so that a busy machine cannot pass for a honoured Retry-After.
    blog.retry_after_once["/post-2/"] = 30
    run_crawl(tmp_path, f"urls={blog.base}/", settings=NO_RETRY_AFTER)
    first, second = blog.hits_for("/post-2/")
    assert second.at - first.at < 15


@pytest.mark.e2e
def test_retry_after_that_never_ends_becomes_a_crawl_error(tmp_path, blog):
    blog.unavailable["/post-3/"] = 0
    items = run_crawl(tmp_path, f"urls={blog.base}/", settings={"RETRY_TIMES": 1})
    errors = [i for i in items if i["type"] == "CrawlError"]
    assert [(e["url"], e["stage"], e["message"]) for e in errors] == [
        (f"{blog.base}/post-3/", "fetch", "HTTP 503 after 1 retries")
    ]
    # One try and one retry; RetryMiddleware must not add retries of its own.
    assert len(blog.hits_for("/post-3/")) == 2


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (b"120", 120.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(header, seconds):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds


@pytest.mark.e2e
def test_sources_file_sets_delay_sitemaps_and_caps(tmp_path, blog):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "civic"
start_urls = ["{blog.base}/about/"]
sitemaps = ["{blog.base}/sitemap-posts.xml"]
delay = 0.3
max_depth = 1
""",
        encoding="utf-8",
    )
    items = run_crawl(tmp_path, f"sources={sources}")
    assert {i["source"] for i in items} == {"civic"}
    assert {"/post-6/", "/post-1/"} <= posts(items, blog.base)
    assert blog.min_gap() >= 0.3 - JITTER, blog.hits


def test_a_robots_txt_is_read_only_once_its_sitemaps_are_in_the_scheduler() -> None:
    # Scrapy takes a callback's whole output before it schedules any of it, so the start
    # pages the wait holds back must wait for the scheduler, not for the callback's end.
    crawler = get_crawler(BlogSpider, {})
    spider = BlogSpider.from_crawler(crawler, urls="http://site.example/")
    robots_url = "http://site.example/robots.txt"
    read = spider.robots_read[robots_url] = asyncio.Event()
    body = (
        b"User-agent: *\nSitemap: http://site.example/a.xml\nSitemap: http://site.example/b.xml\n"
    )
    request = Request(robots_url, meta={"source": "site.example", "crawl_depth": 0})
    sitemaps = list(spider.parse_robots(TextResponse(robots_url, body=body, request=request)))
    assert [r.url for r in sitemaps] == ["http://site.example/a.xml", "http://site.example/b.xml"]
    assert not read.is_set()
    crawler.signals.send_catch_log(signals.request_scheduled, request=sitemaps[0], spider=spider)
    assert not read.is_set()
    crawler.signals.send_catch_log(signals.request_dropped, request=sitemaps[1], spider=spider)
    assert read.is_set()


def test_a_robots_txt_naming_no_sitemap_is_read_once_parsed() -> None:
    crawler = get_crawler(BlogSpider, {})
    spider = BlogSpider.from_crawler(crawler, urls="http://site.example/")
    robots_url = "http://site.example/robots.txt"
    read = spider.robots_read[robots_url] = asyncio.Event()
    request = Request(robots_url, meta={"source": "site.example", "crawl_depth": 0})
    assert list(spider.parse_robots(TextResponse(robots_url, body=b"", request=request))) == []
    assert read.is_set()
