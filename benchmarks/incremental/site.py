"""A generated WordPress-like blog of N posts, served on 127.0.0.1 with validators and gzip.

The server counts what it sends (status line, headers and body bytes) and answers
conditional requests with 304, as nginx does for static pages and WordPress caches do.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = " ".join(
    (
        "council residents budget data open service street library park transport housing",
        "planning meeting report team project pilot survey feedback community neighbourhood",
        "school health volunteers grant funding policy design digital paper form queue week",
        "month year small change test result learned tried started finished published shared",
    )
).split()
PER_PAGE = 10
EPOCH = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)


@dataclass
class Traffic:
    """What the server sent: requests, bytes, 304 answers."""

    requests: int = 0
    bytes: int = 0
    not_modified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sent: int, status: int) -> None:
        """Count one answer."""
        with self.lock:
            self.requests += 1
            self.bytes += sent
            self.not_modified += status == 304

    def snapshot(self) -> tuple[int, int, int]:
        """Return (requests, bytes, 304s) so far."""
        with self.lock:
            return self.requests, self.bytes, self.not_modified


class BlogSite:
    """Render the pages of a blog of ``posts`` posts (deterministic for a given count)."""

    def __init__(self, posts: int) -> None:
        self.posts = posts
        self.base = ""

    def post_path(self, n: int) -> str:
        """Return the permalink path of post ``n`` (1 = oldest)."""
        day = self.published(n)
        return f"/{day:%Y}/{day:%m}/post-{n:04d}/"

    def published(self, n: int) -> datetime:
        """Return when post ``n`` was published."""
        return EPOCH + timedelta(days=n)

    def render(self, path: str) -> tuple[int, str, bytes, datetime | None]:
        """Return (status, content type, body, last modified) for ``path``."""
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {self.base}/sitemap.xml\n"
            return 200, "text/plain; charset=utf-8", body.encode(), None
        if path == "/sitemap.xml":
            return 200, "application/xml", self._sitemap(), self.published(self.posts)
        if path == "/feed/":
            return 200, "application/rss+xml", self._feed(), self.published(self.posts)
        if path == "/":
            return 200, html, self._listing(1), self.published(self.posts)
        if path.startswith("/page/") and path.endswith("/"):
            number = path.removeprefix("/page/").strip("/")
            pages = -(-self.posts // PER_PAGE)
            if number.isdigit() and 1 < int(number) <= pages:
                return 200, html, self._listing(int(number)), self.published(self.posts)
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[2].startswith("post-") and parts[2][5:].isdigit():
            n = int(parts[2][5:])
            if 1 <= n <= self.posts and self.post_path(n) == path:
                return 200, html, self._post(n), self.published(n)
        return 404, html, b"<html><body><h1>Not found</h1></body></html>", None

    def _chrome(self, title: str, main: str, head: str = "") -> bytes:
        nav = '<a href="/">Home</a> <a href="/feed/">Feed</a>'
        sidebar = "".join(
            f'<li><a href="{self.post_path(n)}">Recent post {n}</a></li>'
            for n in range(self.posts, max(0, self.posts - 5), -1)
        )
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | '
            f'Civic Bench Blog</title><meta property="og:site_name" content="Civic Bench Blog">'
            f'<link rel="alternate" type="application/rss+xml" href="/feed/">{head}'
            f"<style>{'body{margin:0;font-family:serif}' * 40}</style></head>"
            f'<body class="wordpress"><header class="site-header"><nav>{nav}</nav></header>'
            f'<main id="main">{main}</main><aside class="widget-area"><h2>Recent</h2>'
            f"<ul>{sidebar}</ul></aside>"
            f'<footer class="site-footer"><p>{" ".join(WORDS[:30])}</p></footer></body></html>'
        ).encode()

    def _paragraphs(self, n: int, count: int) -> list[str]:
        rng = random.Random(n)
        return [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 110))).capitalize() + "."
            for _ in range(count)
        ]

    def _post(self, n: int) -> bytes:
        day = self.published(n)
        body = "".join(f"<p>{p}</p>" for p in self._paragraphs(n, 8))
        head = (
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{day.isoformat()}">'
        )
        article = (
            f'<article class="post type-post hentry"><h1 class="entry-title">Post number {n}'
            f'</h1><time class="entry-date" datetime="{day.isoformat()}">{day:%d %B %Y}</time>'
            f'<div class="entry-content">{body}</div></article>'
        )
        return self._chrome(f"Post number {n}", article, head)

    def _listing(self, page: int) -> bytes:
        first = self.posts - (page - 1) * PER_PAGE
        entries = "".join(
            f'<article class="post type-post hentry"><h2 class="entry-title">'
            f'<a href="{self.post_path(n)}" rel="bookmark">Post number {n}</a></h2>'
            f'<div class="entry-summary"><p>{self._paragraphs(n, 1)[0][:200]}</p></div></article>'
            for n in range(first, max(0, first - PER_PAGE), -1)
        )
        more = f'<a class="next" rel="next" href="/page/{page + 1}/">Older posts</a>'
        if first - PER_PAGE <= 0:
            more = ""
        return self._chrome("Blog" if page == 1 else f"Blog, page {page}", entries + more)

    def _sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{self.post_path(n)}</loc>"
            f"<lastmod>{self.published(n):%Y-%m-%d}</lastmod></url>"
            for n in range(1, self.posts + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        ).encode()

    def _feed(self) -> bytes:
        items = "".join(
            f"<item><title>Post number {n}</title><link>{self.base}{self.post_path(n)}</link>"
            f"<pubDate>{format_datetime(self.published(n), usegmt=True)}</pubDate></item>"
            for n in range(self.posts, max(0, self.posts - PER_PAGE), -1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Civic Bench Blog</title><link>{self.base}/</link>{items}</channel></rss>"
        ).encode()


def _handler(site: BlogSite, traffic: Traffic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # As nginx's tcp_nodelay: headers and body go out at once, not 40 ms apart (Nagle).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            status, ctype, body, modified = site.render(self.path.split("?")[0])
            headers = {"Content-Type": ctype}
            if status == 200:
                etag = f'"{hashlib.sha1(body).hexdigest()[:20]}"'
                headers["ETag"] = etag
                if modified is not None:
                    headers["Last-Modified"] = format_datetime(modified, usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                    del headers["Content-Type"]
                elif "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body, compresslevel=6, mtime=0)
                    headers["Content-Encoding"] = "gzip"
                    headers["Vary"] = "Accept-Encoding"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            # The header lines BaseHTTPRequestHandler buffered (bytes each): what goes on the wire.
            buffered: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
            sent = sum(len(line) for line in buffered) + 2 + len(body)
            self.end_headers()
            self.wfile.write(body)
            traffic.add(sent, status)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(posts: int) -> Iterator[tuple[BlogSite, Traffic]]:
    """Serve a blog of ``posts`` posts on 127.0.0.1 (a free port) for the ``with`` block."""
    site, traffic = BlogSite(posts), Traffic()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site, traffic))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, traffic
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
