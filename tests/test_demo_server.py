"""`python -m demo.server` over real HTTP: URLs line, content types, feeds, sitemaps, posts, log."""

from __future__ import annotations

import html
import json
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from demo import expected

ROOT = Path(__file__).resolve().parent.parent
ATOM_NS = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Running:
    """A demo server subprocess, the URLs it printed and its access log."""

    proc: subprocess.Popen[str]
    urls: dict[str, str]
    log_path: Path

    def log_lines(self) -> list[list[str]]:
        """Return the access log as [site, method, path, status] rows."""
        return [line.split("\t") for line in self.log_path.read_text().splitlines()]


def _start(log_path: Path, timeout: float = 20) -> Running:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo.server", "--log", str(log_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout)
    if not ready:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"demo server printed nothing within {timeout}s: {err}")
    return Running(proc, json.loads(proc.stdout.readline()), log_path)


def _stop(running: Running) -> int:
    running.proc.send_signal(signal.SIGTERM)
    running.proc.communicate(timeout=10)
    return running.proc.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Run one demo server for this module."""
    running = _start(tmp_path_factory.mktemp("demo-server") / "access.log")
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            _stop(running)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _page_text(body: bytes) -> str:
    """Return a page's text the crude way: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", body.decode("utf-8")))


def test_server_prints_one_base_url_per_site_on_distinct_ports(server: Running) -> None:
    assert list(server.urls) == ["wordpress", "magazine", "blogger"]
    ports = {url.split(":")[2] for url in server.urls.values()}
    assert len(ports) == 3
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) for url in server.urls.values())


def test_robots_txt_is_plain_text_and_disallows_the_linked_paths(server: Running) -> None:
    for key, base in server.urls.items():
        status, headers, body = _get(base + "robots.txt")
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain")
        robots = urllib.robotparser.RobotFileParser()
        robots.parse(body.decode().splitlines())
        assert robots.can_fetch("blogarchive", base)
        for path in expected.disallowed_paths(key):
            assert not robots.can_fetch("blogarchive", base.rstrip("/") + path + "x"), key
    wordpress = urllib.robotparser.RobotFileParser()
    wordpress.parse(_get(server.urls["wordpress"] + "robots.txt")[2].decode().splitlines())
    # typeshed says str | None; CPython parses the digits to int.
    assert str(wordpress.crawl_delay("blogarchive")) == "0"


def test_unknown_path_is_a_404_html_page(server: Running) -> None:
    for base in server.urls.values():
        status, headers, _ = _get(base + "no/such/page")
        assert status == 404
        assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_wordpress_rss_feed_lists_only_the_newest_posts(server: Running) -> None:
    status, headers, body = _get(expected.feeds(server.urls)["wordpress"][0])
    assert status == 200
    assert headers["Content-Type"].startswith("application/rss+xml")
    links = [item.findtext("link") for item in ET.fromstring(body).iter("item")]
    wordpress = [
        p["url"] for p in expected.expected_posts(server.urls) if p["site_key"] == "wordpress"
    ]
    assert links == wordpress[: len(links)]
    assert 0 < len(links) < len(wordpress)


def test_blogger_atom_feed_parses_and_lists_every_blogger_post(server: Running) -> None:
    status, headers, body = _get(expected.feeds(server.urls)["blogger"][0])
    assert status == 200
    assert headers["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(body).findall(f"{ATOM_NS}entry")
    permalinks = [
        link.get("href")
        for entry in entries
        for link in entry.findall(f"{ATOM_NS}link")
        if link.get("rel") == "alternate"
    ]
    blogger = [p["url"] for p in expected.expected_posts(server.urls) if p["site_key"] == "blogger"]
    assert permalinks == blogger
    assert set(expected.feed_only_urls(server.urls)) < set(permalinks)


def test_magazine_sitemap_index_leads_to_every_article_with_lastmod(server: Running) -> None:
    (sitemap,) = expected.sitemaps(server.urls)["magazine"]
    robots = _get(server.urls["magazine"] + "robots.txt")[2].decode()
    assert f"Sitemap: {sitemap}" in robots
    status, headers, body = _get(sitemap)
    assert status == 200
    assert headers["Content-Type"].startswith("application/xml")
    index = ET.fromstring(body)
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    child_maps = [loc.text or "" for loc in index.iter(f"{SITEMAP_NS}loc")]
    articles = next(url for url in child_maps if url.endswith("sitemap-articles.xml"))
    urlset = ET.fromstring(_get(articles)[2])
    assert urlset.tag == f"{SITEMAP_NS}urlset"
    locs = [url.findtext(f"{SITEMAP_NS}loc", "") for url in urlset.iter(f"{SITEMAP_NS}url")]
    lastmods = [url.findtext(f"{SITEMAP_NS}lastmod") for url in urlset.iter(f"{SITEMAP_NS}url")]
    magazine = [
        p["url"] for p in expected.expected_posts(server.urls) if p["site_key"] == "magazine"
    ]
    assert sorted(locs) == sorted(magazine)
    assert all(lastmods)


def test_every_expected_post_is_served_with_its_canonical_and_sentences(server: Running) -> None:
    for post in expected.expected_posts(server.urls):
        status, headers, body = _get(post["url"])
        assert status == 200, post["url"]
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Last-Modified"], post["url"]
        assert headers["ETag"], post["url"]
        page = body.decode()
        canonical = re.search(
            r'<link (?:rel="canonical" href="([^"]+)"|href="([^"]+)" rel="canonical")', page
        )
        assert canonical, post["url"]
        assert post["url"] in canonical.groups(), post["url"]
        text = _page_text(body)
        for sentence in post["must_contain"]:
            assert sentence in text, f"{post['url']} lacks {sentence!r}"


def test_post_pages_answer_a_matching_if_none_match_with_304(server: Running) -> None:
    url = expected.expected_posts(server.urls)[0]["url"]
    _, headers, _ = _get(url)
    status, _, body = _get(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, _ = _get(url, {"If-None-Match": '"stale"'})
    assert status == 200


def test_listing_and_other_pages_are_served(server: Running) -> None:
    for url in [*expected.listing_urls(server.urls), *expected.other_urls(server.urls)]:
        assert _get(url)[0] == 200, url


def test_access_log_records_site_method_path_and_status(server: Running) -> None:
    _get(server.urls["blogger"] + "robots.txt")
    _get(server.urls["magazine"] + "missing-for-the-log")
    rows = server.log_lines()
    assert ["blogger", "GET", "/robots.txt", "200"] in rows
    assert ["magazine", "GET", "/missing-for-the-log", "404"] in rows
    assert all(len(row) == 4 for row in rows)


def test_server_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    running = _start(tmp_path / "access.log")
    assert _get(running.urls["wordpress"])[0] == 200
    assert _stop(running) == 0
    deadline = time.monotonic() + 5
    refused = False
    while time.monotonic() < deadline and not refused:
        try:
            urllib.request.urlopen(running.urls["wordpress"], timeout=1).close()
        except urllib.error.URLError:
            refused = True
    assert refused
