"""No request reaches a non-public address unless a source itself is there: an address in a
URL is refused before the request, a name that resolves to one is refused by the resolver."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.addresses import GuardedResolver, hostname, is_public, refused_address
from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve

POST = "<p>" + "A paragraph of the only post on this small blog, long enough to keep. " * 8


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.7", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::5", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_a_sources_own_private_host_is_allowed_any_other_refused() -> None:
    assert refused_address("127.0.0.1:8080", {"127.0.0.1"}) is None
    assert refused_address("10.0.0.2", {"127.0.0.1"}) is not None
    assert refused_address("[::1]:80", set()) is not None
    assert refused_address("blog.example.org", set()) is None  # a name: the resolver checks
    assert hostname("[::1]:8080") == "::1"
    assert hostname("Blog.Example.org:81") == "blog.example.org"


@pytest.fixture
def internal() -> Iterator[FixtureSite]:
    """A service on the local network that no crawl may reach: it serves a feed."""
    root = Path(__file__).parent / "fixtures" / "crawler" / "other"
    with serve(FixtureSite(root)) as site:
        yield site


@pytest.fixture
def blog(tmp_path: Path, internal: FixtureSite) -> Iterator[FixtureSite]:
    """A blog on 127.0.0.1 whose page advertises feeds on internal addresses."""
    port = internal.base.rsplit(":", 1)[1]
    root = tmp_path / "blog"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><head><title>Small blog</title>"
        # localhost resolves to 127.0.0.1 (/etc/hosts): a name, not one of the sources' hosts.
        f'<link rel="alternate" type="application/rss+xml" href="http://localhost:{port}/feed/">'
        '<link rel="alternate" type="application/rss+xml" href="http://169.254.169.254/feed/">'
        f"</head><body><article><h1>Only post</h1>{POST}</article></body></html>"
    )
    with serve(FixtureSite(root)) as site:
        yield site


def crawl(blog: FixtureSite, db: Path, *settings: str) -> tuple[dict[str, str], str]:
    """Crawl ``blog``; return the errors recorded (URL -> message) and the crawl's stderr."""
    args = ["-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0", *settings]
    result = run_cli("crawl", blog.base + "/", "--db", str(db), *args)
    assert "Traceback" not in result.stderr
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT url, message FROM errors ORDER BY url")), result.stderr
    finally:
        conn.close()


@pytest.mark.e2e
def test_links_to_internal_addresses_and_names_are_refused(
    tmp_path: Path, blog: FixtureSite, internal: FixtureSite
) -> None:
    errors, stderr = crawl(blog, tmp_path / "a.db")
    assert internal.paths() == []
    assert "169.254.169.254 is a non-public address" in errors["http://169.254.169.254/feed/"]
    assert [url for url in errors if url.startswith("http://localhost:")]
    assert "Refused localhost: it resolves to the non-public address 127.0.0.1" in stderr
    assert blog.paths(), "the source itself, on 127.0.0.1, is crawled"


@pytest.mark.e2e
def test_without_the_guarded_resolver_the_internal_service_is_reached(
    tmp_path: Path, blog: FixtureSite, internal: FixtureSite
) -> None:
    crawl(
        blog,
        tmp_path / "a.db",
        "-s",
        "TWISTED_DNS_RESOLVER=scrapy.resolver.CachingThreadedResolver",
    )
    assert "/feed/" in internal.paths()


def test_the_resolver_refuses_only_names_that_are_not_allowed() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.allowed = set()
    resolver.allow(["intranet.example:8080"])
    assert resolver._check("10.0.0.1", "intranet.example") == "10.0.0.1"
    assert resolver._check("93.184.216.34", "example.org") == "93.184.216.34"
    with pytest.raises(Exception, match=r"non-public address 10\.0\.0\.1"):
        resolver._check("10.0.0.1", "example.org")
