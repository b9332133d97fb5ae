"""The demo sites set the traps the crawler must handle: robots, feed-only posts, series order."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from demo import civic_lab_notes, expected
from demo.server import serve_demo
from demo.sites import PLATFORMS


class _Links(HTMLParser):
    """Collect ``<a href>`` and ``<link rel=next>`` targets."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = tag == "a" or (tag == "link" and values.get("rel") == "next")
        if wanted and values.get("href"):
            self.hrefs.append(values["href"] or "")


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    """Serve the demo sites in-process for this module."""
    with serve_demo() as base_urls:
        yield base_urls


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _robots(base: str) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(_fetch(base + "robots.txt").decode().splitlines())
    return parser


def _crawl_html(base: str, *, obey_robots: bool) -> set[str]:
    """Follow same-site HTML links from the home page; return every URL fetched."""
    robots = _robots(base)
    host = urlsplit(base).netloc
    seen = {base}
    queue = deque([base])
    while queue:
        url = queue.popleft()
        try:
            body = _fetch(url)
        except urllib.error.HTTPError:
            continue
        parser = _Links()
        parser.feed(body.decode())
        for href in parser.hrefs:
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            if parts.netloc != host or re.search(r"[?&](share|replytocom)=|/feeds?/", target):
                continue
            if obey_robots and not robots.can_fetch("blogarchive", target):
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_no_furniture_string_occurs_in_any_post_title_or_body() -> None:
    for platform in PLATFORMS.values():
        for post in platform.site.posts:
            text = f"{post.title}\n{post.text}".lower()
            clashes = [f for f in expected.furniture_strings() if f.lower() in text]
            assert not clashes, f"{platform.key}/{post.slug} contains furniture {clashes}"


def test_every_furniture_string_is_rendered_on_the_sites(urls: dict[str, str]) -> None:
    served = [p["url"] for p in expected.expected_posts(urls)] + expected.listing_urls(urls)
    pages = " ".join(
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", _fetch(url).decode())).split())
        for url in served
    )
    missing = [f for f in expected.furniture_strings() if f not in pages]
    assert not missing, f"furniture listed but never rendered: {missing}"


def test_must_contain_holds_a_plain_sentence_and_one_with_anchor_text(urls: dict[str, str]) -> None:
    for post in expected.expected_posts(urls):
        plain, linked = post["must_contain"]
        anchors = [link["text"] for link in post["links"]]
        assert any(anchor in linked for anchor in anchors), post["url"]
        assert not any(anchor in plain for anchor in anchors), post["url"]
        assert plain.endswith((".", "?", "!"))
        assert linked.endswith((".", "?", "!"))


def test_every_disallowed_path_is_linked_from_an_allowed_page(urls: dict[str, str]) -> None:
    for key, base in urls.items():
        fetched = _crawl_html(base, obey_robots=True)
        pages = " ".join(_fetch(url).decode() for url in sorted(fetched) if "/private/" not in url)
        for path in expected.disallowed_paths(key):
            assert f'href="{base.rstrip("/")}{path}' in pages, f"{key}: nothing links {path}"


def test_blogger_older_posts_are_reachable_only_through_the_feed(urls: dict[str, str]) -> None:
    feed_only = set(expected.feed_only_urls(urls))
    assert len(feed_only) >= 3
    polite = _crawl_html(urls["blogger"], obey_robots=True)
    assert not feed_only & polite
    # With robots.txt ignored, /search?updated-max=... does lead to them: the trap is robots.
    rude = _crawl_html(urls["blogger"], obey_robots=False)
    assert feed_only <= rude


def test_wordpress_posts_missing_from_the_feed_are_reachable_through_pagination(
    urls: dict[str, str],
) -> None:
    posts = {p["url"] for p in expected.expected_posts(urls) if p["site_key"] == "wordpress"}
    feed = _fetch(expected.feeds(urls)["wordpress"][0]).decode()
    assert any(url not in feed for url in posts)
    reached = _crawl_html(urls["wordpress"], obey_robots=True)
    assert posts <= reached
    assert not any("/private/" in url for url in reached)


def test_private_page_exists_and_would_be_recognisable_if_fetched(urls: dict[str, str]) -> None:
    body = _fetch(urls["wordpress"].rstrip("/") + civic_lab_notes.PRIVATE_PATH).decode()
    assert all(marker in html.unescape(body) for marker in expected.private_strings())


def test_series_order_is_given_only_by_the_part_numbers(urls: dict[str, str]) -> None:
    (series,) = expected.series(urls)
    by_url = {p["url"]: p for p in expected.expected_posts(urls)}
    parts = series["parts"]
    assert [by_url[url]["part"] for url in parts] == [1, 2, 3, 4]
    assert [by_url[url]["published"] for url in parts] != sorted(
        by_url[url]["published"] for url in parts
    )
    assert parts != sorted(parts)
    for n, url in enumerate(parts, start=1):
        page = html.unescape(_fetch(url).decode())
        assert f"This entry is part {n} of 4 in the series" in re.sub(r"<[^>]+>", "", page)
    listing = _fetch(series["url"]).decode()
    assert [listing.index(f'href="{url}"') for url in parts] == sorted(
        listing.index(f'href="{url}"') for url in parts
    )


def test_republished_copy_carries_the_original_text_under_its_own_url(urls: dict[str, str]) -> None:
    posts = expected.expected_posts(urls)
    copies = [p for p in posts if p["republished_from"]]
    assert len(copies) == 1
    (copy,) = copies
    original = next(p for p in posts if p["url"] == copy["republished_from"])
    assert copy["must_contain"] == original["must_contain"]
    assert copy["series"] is None
    assert copy["url"] != original["url"]
    assert "This post first appeared on" in _fetch(copy["url"]).decode()


def test_pages_render_identically_on_every_run(urls: dict[str, str]) -> None:
    with serve_demo() as other:
        for post in expected.expected_posts(urls)[::5]:
            first = _fetch(post["url"]).decode()
            key = post["site_key"]
            again = _fetch(post["url"].replace(urls[key], other[key], 1)).decode()
            for site, base in other.items():
                again = again.replace(base, urls[site])
            assert first == again, post["url"]


def test_serve_demo_releases_its_ports_on_exit() -> None:
    with serve_demo() as base_urls:
        assert _fetch(base_urls["blogger"])
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base_urls["blogger"], timeout=2)
