"""A hostile blog on loopback: ten good posts and every fault a crawler meets on the web.

The home page links the good posts (``/posts/good-N/``) and one entry URL per enabled
fault (:data:`FAULTS`). Each fault is generated per request: the 50 MB pages are streamed;
the compression bombs and the million-URL sitemap are compressed once, in chunks, before the
crawl (:meth:`FaultSite.prepare`), so that building them delays no other answer.
The server counts the requests in flight at once (``max_in_flight``) and logs every
request, so tests can check politeness and bounded retries.

Run it by hand (port 0 picks a free port; the URL is printed on the first line)::

    python -m tests.fault_server                 # every fault on one site
    python -m tests.fault_server calendar gzip-bomb

then ``blogarchive crawl <URL> --db /tmp/faults.db``.
"""

from __future__ import annotations

import argparse
import json
import random
import select
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import brotli

POSTS = 10
MB = 1024 * 1024
WORDS = (
    *("harbour", "lantern", "orchard", "meadow", "granite", "willow", "copper", "ferry"),
    *("quarry", "thistle", "beacon", "saddle", "marble", "pepper", "canyon", "violet"),
)


def paragraph(seed: int, sentences: int = 4) -> str:
    """Return a deterministic paragraph; posts share no long runs of words."""
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choices(WORDS, k=12)).capitalize() + "." for _ in range(sentences))


def post_html(title: str, paragraphs: list[str], *, charset: str | None = "utf-8") -> str:
    """Return a blog post page the crawler classifies as a post."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang=en><head>{meta}<title>{title} | Hostile Blog</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2024-03-05T09:00:00Z"></head>'
        '<body class="single single-post"><nav><a href="/">Home</a></nav>'
        f'<main><article class="post hentry"><h1 class="entry-title">{title}</h1>'
        '<time datetime="2024-03-05">2024-03-05</time>'
        f'<div class="entry-content">{body}</div></article></main></body></html>'
    )


def good_post(n: int) -> tuple[str, str]:
    """Return the title and first paragraph of good post ``n`` (the text tests look for)."""
    return f"Good post {n}", paragraph(1000 + n)


def page_html(title: str, body: str) -> str:
    """Return a page that is not a post (an archive, an error page)."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body class="archive"><nav><a href="/">Home</a></nav><main><h1>{title}</h1>'
        f"{body}</main></body></html>"
    )


@dataclass(frozen=True)
class Fault:
    """One kind of trouble: where it starts and what the crawler should make of it."""

    name: str
    path: str  # the entry URL the home page links to
    what: str  # one line for RELIABILITY.md


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("http-500", "/fault/http-500/", "500 Internal Server Error, always"),
        Fault("http-500-retry-after", "/fault/http-500-ra/", "500 with Retry-After: 1"),
        Fault("http-503", "/fault/http-503/", "503 without Retry-After, always"),
        Fault("http-503-retry-after", "/fault/http-503-ra/", "503 with Retry-After: 1, always"),
        Fault("http-429", "/fault/http-429/", "429 Too Many Requests with Retry-After: 1"),
        Fault("timeout", "/fault/timeout/", "never answers (connection held open)"),
        Fault("trickle", "/fault/trickle/", "headers, then one body byte a second"),
        Fault("reset", "/fault/reset/", "TCP reset after half the headers"),
        Fault("truncated", "/fault/truncated/", "Content-Length 20000, 1000 bytes, close"),
        Fault("huge-page", "/fault/huge/", "a 50 MB HTML page with Content-Length"),
        Fault("huge-stream", "/fault/huge-stream/", "a 50 MB HTML page, no Content-Length"),
        Fault("gzip-bomb", "/fault/gzip-bomb/", "gzip: 100 MB of zeros in ~100 KB"),
        Fault("brotli-bomb", "/fault/brotli-bomb/", "brotli: 100 MB of zeros in ~100 B"),
        Fault("redirect-loop", "/fault/redirect-loop/a", "302 a -> b -> a"),
        Fault("redirect-chain", "/fault/redirect-chain/1", "302 chain 50 hops long"),
        Fault("redirect-offsite", "/fault/redirect-offsite/", "302 to another host"),
        Fault("calendar", "/fault/calendar/?m=202401", "?m=N links to ?m=N+1, forever"),
        Fault("calendar-path", "/fault/cal/2024/01/", "/YYYY/MM/ links to next month, forever"),
        Fault("page-beyond-last", "/fault/archive/?page=1", "?page=N beyond the last page"),
        Fault("replytocom", "/fault/comments/", "a post linking ?replytocom=N variants"),
        Fault("session-id", "/fault/session/", "every link carries a new ?sid= session id"),
        Fault("repeating-path", "/fault/loop/", "relative link a/b/: /a/b/a/b/a/b/..."),
        Fault("soft-404", "/fault/soft-404/", "200 OK with a 'Page not found' page"),
        Fault("pdf", "/fault/pdf/", "a PDF at a post URL"),
        Fault("image", "/fault/image/", "a PNG at a post URL"),
        Fault("binary", "/fault/binary/", "random bytes labelled text/html"),
        Fault("cp1252", "/fault/cp1252/", "cp1252 smart quotes, no charset anywhere"),
        Fault("latin1-as-utf8", "/fault/latin1/", "declares UTF-8, body is Latin-1"),
        Fault("malformed", "/fault/malformed/", "unclosed tags, stray end tags, NUL bytes"),
        Fault("deep-nesting", "/fault/deep/", "10,000 nested <div>s around a post"),
        Fault("empty-200", "/fault/empty/", "200 OK, text/html, empty body"),
        Fault("robots-error", "/robots.txt", "robots.txt answers 500"),
        Fault("robots-timeout", "/robots.txt", "robots.txt never answers"),
        Fault("robots-huge", "/robots.txt", "a 2 MB robots.txt (4x Google's limit)"),
        Fault("sitemap-huge", "/fault/sitemap-huge.xml", "a gzipped sitemap of 1,000,000 URLs"),
        Fault("sitemap-self", "/fault/sitemap-self.xml", "a sitemap index listing itself"),
    )
}
# The path segment after /fault/ that selects each fault's handler.
SEGMENTS = {
    f.path.split("?")[0].split("/")[2]: f.name
    for f in FAULTS.values()
    if f.path.startswith("/fault/")
}
ROBOTS_FAULTS = ("robots-error", "robots-timeout", "robots-huge")
SITEMAP_FAULTS = ("sitemap-huge", "sitemap-self")
# Every fault at once; a host has one robots.txt, so the huge one stands for the three.
ALL_TOGETHER = tuple(f for f in FAULTS if f not in ("robots-error", "robots-timeout"))
# Text a post stored from each charset fault must contain, decoded right.
CHARSET_TEXT = {
    "cp1252": "\u201cquoted\u201d and it\u2019s",
    "latin1-as-utf8": "caf\u00e9 cr\u00e8me",
}


@dataclass
class Request:
    """One request the server received."""

    at: float  # when it was answered (or given up on)
    path: str
    status: int
    started: float = 0.0


@dataclass
class FaultSite:
    """A running hostile site: which faults it serves and what it was asked."""

    faults: tuple[str, ...] = ALL_TOGETHER
    base: str = ""
    # Seconds between the bytes of a trickling body, and how long hanging requests hang.
    trickle_interval: float = 1.0
    hang: float = 600.0
    # Seconds each good post takes to answer (politeness tests need requests that overlap).
    latency: float = 0.0
    # Paths answered by a fault's handler instead of their content: path -> fault name
    # (to break posts already archived).
    broken: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    _bombs: dict[str, bytes] = field(default_factory=dict)

    def enabled(self, name: str) -> bool:
        """Tell whether fault ``name`` is served."""
        return name in self.faults

    def hits(self, prefix: str) -> list[Request]:
        """Return the requests whose path starts with ``prefix``."""
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def busiest(self) -> list[str]:
        """Return the paths in flight together at the busiest moment (for failure messages)."""
        with self.lock:
            spans = [(r.started, r.at, r.path) for r in self.requests]
        return max(
            ([p for s, e, p in spans if s <= start < e] for start, _, _ in spans),
            key=len,
            default=[],
        )

    def bomb(self, encoding: str) -> bytes:
        """Return 100 MB of zeros compressed with ``encoding``, built once in 1 MB chunks."""
        with self.lock:
            if encoding not in self._bombs:
                chunk = b"\0" * MB
                if encoding == "gzip":
                    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                    data = b"".join(packer.compress(chunk) for _ in range(100)) + packer.flush()
                else:
                    packer = brotli.Compressor(quality=5)
                    data = b"".join(packer.process(chunk) for _ in range(100)) + packer.finish()
                self._bombs[encoding] = data
            return self._bombs[encoding]

    def huge_sitemap(self) -> bytes:
        """Return a gzipped sitemap of 1,000,000 URLs (~66 MB unpacked), built once."""
        with self.lock:
            if "sitemap" not in self._bombs:
                packer = zlib.compressobj(6, zlib.DEFLATED, 31)
                parts = [
                    packer.compress(
                        b'<?xml version="1.0" encoding="UTF-8"?>\n'
                        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    )
                ]
                base = self.base.encode()
                for start in range(0, 1_000_000, 10_000):
                    parts.append(
                        packer.compress(
                            b"".join(
                                b"<url><loc>%s/fault/listed/%d</loc></url>\n" % (base, n)
                                for n in range(start, start + 10_000)
                            )
                        )
                    )
                parts.append(packer.compress(b"</urlset>\n") + packer.flush())
                self._bombs["sitemap"] = b"".join(parts)
            return self._bombs["sitemap"]

    def prepare(self) -> None:
        """Build the big bodies before a crawl, so that building them delays no answer."""
        if self.enabled("sitemap-huge"):
            self.huge_sitemap()
        for name, encoding in (("gzip-bomb", "gzip"), ("brotli-bomb", "br")):
            if self.enabled(name):
                self.bomb(encoding)

    def home(self) -> str:
        posts = "".join(
            f'<li><a href="/posts/good-{n}/">{good_post(n)[0]}</a></li>'
            for n in range(1, POSTS + 1)
        )
        faults = "".join(
            f'<li><a href="{escape(FAULTS[name].path)}">{name}</a></li>'
            for name in self.faults
            if not FAULTS[name].path.startswith(("/robots", "/fault/sitemap"))
        )
        return page_html("Hostile Blog", f"<ul>{posts}</ul><ul>{faults}</ul>")

    def robots(self) -> str:
        lines = ["User-agent: *", "Disallow: /private/"]
        lines += [
            f"Sitemap: {self.base}{FAULTS[n].path}" for n in SITEMAP_FAULTS if self.enabled(n)
        ]
        return "\n".join(lines) + "\n"


class _Hang(Exception):
    """Raised to end a handler that already wrote (or deliberately never writes) its answer."""


def _handler(site: FaultSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            started = time.monotonic()
            with site.lock:
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            status = 0
            try:
                status = self._route()
            except (_Hang, OSError):
                self.close_connection = True
            finally:
                with site.lock:
                    site.in_flight -= 1
                    site.requests.append(Request(time.monotonic(), self.path, status, started))

        # -- plumbing ----------------------------------------------------------------------

        def _send(
            self,
            status: int,
            body: bytes | str = b"",
            ctype: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> int:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            return status

        def _sleep(self, seconds: float) -> None:
            """Wait, but end the request as soon as the client gives up on it."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
                # A request is all the client sends: readable now means it closed.
                if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                    raise _Hang
                if site.stopping.is_set():
                    raise _Hang

        def _hang(self) -> int:
            # Hold the connection open without answering until the client gives up.
            self._sleep(site.hang)
            raise _Hang

        def _stream(self, chunks: Iterator[bytes], headers: dict[str, str]) -> int:
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in chunks:
                if site.stopping.is_set():
                    break
                self.wfile.write(chunk)
            self.close_connection = True
            return 200

        # -- routes ------------------------------------------------------------------------

        def _route(self) -> int:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            if path in site.broken:
                return ROUTES[site.broken[path]](self, path, query)
            if path == "/":
                return self._send(200, site.home())
            if path == "/robots.txt":
                return self._robots()
            if path.startswith("/posts/good-"):
                n = int(path.strip("/").rsplit("-", 1)[1])
                if not 1 <= n <= POSTS:
                    return self._send(404, page_html("Not found", ""))
                if site.latency:
                    self._sleep(site.latency)
                title, first = good_post(n)
                return self._send(200, post_html(title, [first, paragraph(2000 + n)]))
            name = SEGMENTS.get(path.split("/")[2] if path.startswith("/fault/") else "")
            if name is not None and site.enabled(name):
                return ROUTES[name](self, path, query)
            return self._send(404, page_html("Not found", "<p>No such page.</p>"))

        def _robots(self) -> int:
            if site.enabled("robots-error"):
                return self._send(500, "oops", "text/plain")
            if site.enabled("robots-timeout"):
                return self._hang()
            text = site.robots()
            if site.enabled("robots-huge"):
                filler = "".join(f"Disallow: /nothing/{n}/\n" for n in range(80_000))
                text += "User-agent: somebot\n" + filler
            return self._send(200, text, "text/plain")

        def _status(self, status: int, retry_after: str | None) -> int:
            headers = {"Retry-After": retry_after} if retry_after else {}
            return self._send(status, page_html(f"Error {status}", ""), headers=headers)

        def _trickle(self, path: str, query: Any) -> int:
            body = post_html("Trickle", [paragraph(7)]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                self._sleep(site.trickle_interval)
            return 200

        def _reset(self, path: str, query: Any) -> int:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
            self.wfile.flush()
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            raise _Hang

        def _truncated(self, path: str, query: Any) -> int:
            body = post_html("Truncated", [paragraph(8, 40)]).encode()[:1000]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "20000")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return 200

        def _huge(self, path: str, query: Any, *, length: bool) -> int:
            head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body>"
            filler = b"<p>" + b"x" * 1020 + b"</p>"
            count = 50 * 1024
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if length:
                headers["Content-Length"] = str(len(head) + len(filler) * count)
            return self._stream(iter([head, *([filler * 64] * (count // 64))]), headers)

        def _bomb(self, path: str, query: Any, *, encoding: str) -> int:
            name = "gzip" if encoding == "gzip" else "br"
            return self._send(200, site.bomb(encoding), headers={"Content-Encoding": name})

        def _redirect(self, location: str) -> int:
            return self._send(302, b"", "", {"Location": location})

        def _redirect_loop(self, path: str, query: Any) -> int:
            other = "b" if path.endswith("/a") else "a"
            return self._redirect(f"/fault/redirect-loop/{other}")

        def _redirect_chain(self, path: str, query: Any) -> int:
            hop = int(path.rsplit("/", 1)[1])
            if hop >= 50:
                return self._send(200, post_html("End of the chain", [paragraph(9)]))
            return self._redirect(f"/fault/redirect-chain/{hop + 1}")

        def _redirect_offsite(self, path: str, query: Any) -> int:
            port = urlsplit(site.base).port
            return self._redirect(f"http://localhost:{port}/posts/good-1/")

        def _calendar(self, path: str, query: Any) -> int:
            month = int(query.get("m", ["202401"])[0])
            links = f'<a href="?m={month - 1}">Previous</a> <a href="?m={month + 1}">Next</a>'
            return self._send(200, page_html(f"Archives for {month}", f"<p>No posts.</p>{links}"))

        def _calendar_path(self, path: str, query: Any) -> int:
            year, month = (int(p) for p in path.strip("/").split("/")[-2:])
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            link = f'<a href="/fault/cal/{year}/{month:02d}/">Next month</a>'
            return self._send(200, page_html(f"Archives {year}", f"<p>Nothing.</p>{link}"))

        def _page_beyond_last(self, path: str, query: Any) -> int:
            page = int(query.get("page", ["1"])[0])
            link = f'<a class="next" href="?page={page + 1}">Older posts</a>'
            return self._send(200, page_html(f"Page {page}", f"<p>No posts here.</p>{link}"))

        def _replytocom(self, path: str, query: Any) -> int:
            reply = int(query.get("replytocom", ["0"])[0])
            links = "".join(
                f'<p><a href="?replytocom={reply + k}">Reply</a></p>' for k in range(1, 6)
            )
            return self._send(200, post_html("Comments", [paragraph(11), links]))

        def _session(self, path: str, query: Any) -> int:
            sids = [f"{random.getrandbits(128):032x}" for _ in range(3)]
            links = "".join(f'<a href="/fault/session/?sid={sid}">Page</a> ' for sid in sids)
            return self._send(200, page_html("Members", f"<p>Welcome.</p>{links}"))

        def _loop(self, path: str, query: Any) -> int:
            return self._send(200, page_html("Loop", '<p>More:</p><a href="a/b/">more</a>'))

        def _soft_404(self, path: str, query: Any) -> int:
            return self._send(200, page_html("Page not found", "<p>Sorry, nothing here.</p>"))

        def _pdf(self, path: str, query: Any) -> int:
            body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
            return self._send(200, body, "application/pdf")

        def _image(self, path: str, query: Any) -> int:
            png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 17 + bytes(range(256)) * 8
            return self._send(200, png, "image/png")

        def _binary(self, path: str, query: Any) -> int:
            return self._send(200, random.Random(5).randbytes(64 * 1024))

        def _cp1252(self, path: str, query: Any) -> int:
            text = post_html(
                "Smart quotes",
                [paragraph(12), CHARSET_TEXT["cp1252"] + " " + paragraph(13)],
                charset=None,
            )
            return self._send(200, text.encode("cp1252"), "text/html")

        def _latin1(self, path: str, query: Any) -> int:
            text = post_html(
                "Latin-1", [paragraph(14), CHARSET_TEXT["latin1-as-utf8"], paragraph(15)]
            )
            return self._send(200, text.encode("latin-1"), "text/html; charset=utf-8")

        def _malformed(self, path: str, query: Any) -> int:
            body = (
                "<html><head><title>Malformed<body><div><p>Open paragraph <b>bold <i>both"
                f"</div></div></span><p {paragraph(16)}<p>{paragraph(17)}\0\0<table><tr><td>"
                "cell</p></html></html><script>var x = '</div>"
            )
            return self._send(200, body)

        def _deep(self, path: str, query: Any) -> int:
            depth = 10_000
            inner = f"<h1>Deep</h1><p>{paragraph(18)}</p>"
            body = "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"
            return self._send(200, body)

        def _empty(self, path: str, query: Any) -> int:
            return self._send(200, b"")

        def _sitemap_huge(self, path: str, query: Any) -> int:
            headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
            return self._send(200, site.huge_sitemap(), "", headers)

        def _sitemap_self(self, path: str, query: Any) -> int:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{site.base}/fault/sitemap-self.xml</loc></sitemap>"
                "</sitemapindex>\n"
            )
            return self._send(200, body, "application/xml")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # site.requests is the access log

    ROUTES: dict[str, Callable[..., int]] = {
        "http-500": lambda h, p, q: h._status(500, None),
        "http-500-retry-after": lambda h, p, q: h._status(500, "1"),
        "http-503": lambda h, p, q: h._status(503, None),
        "http-503-retry-after": lambda h, p, q: h._status(503, "1"),
        "http-429": lambda h, p, q: h._status(429, "1"),
        "timeout": lambda h, p, q: h._hang(),
        "trickle": Handler._trickle,
        "reset": Handler._reset,
        "truncated": Handler._truncated,
        "huge-page": lambda h, p, q: h._huge(p, q, length=True),
        "huge-stream": lambda h, p, q: h._huge(p, q, length=False),
        "gzip-bomb": lambda h, p, q: h._bomb(p, q, encoding="gzip"),
        "brotli-bomb": lambda h, p, q: h._bomb(p, q, encoding="br"),
        "redirect-loop": Handler._redirect_loop,
        "redirect-chain": Handler._redirect_chain,
        "redirect-offsite": Handler._redirect_offsite,
        "calendar": Handler._calendar,
        "calendar-path": Handler._calendar_path,
        "page-beyond-last": Handler._page_beyond_last,
        "replytocom": Handler._replytocom,
        "session-id": Handler._session,
        "repeating-path": Handler._loop,
        "soft-404": Handler._soft_404,
        "pdf": Handler._pdf,
        "image": Handler._image,
        "binary": Handler._binary,
        "cp1252": Handler._cp1252,
        "latin1-as-utf8": Handler._latin1,
        "malformed": Handler._malformed,
        "deep-nesting": Handler._deep,
        "empty-200": Handler._empty,
        "sitemap-huge": Handler._sitemap_huge,
        "sitemap-self": Handler._sitemap_self,
    }
    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # hanging handlers end with the site's stopping event

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and clients that give up are the point of this server


@contextmanager
def serve(site: FaultSite) -> Iterator[FaultSite]:
    """Serve ``site`` on 127.0.0.1, a free port, in a thread, for the ``with`` block."""
    server = _Server(("127.0.0.1", 0), _handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.prepare()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main() -> None:
    """Serve the faults named on the command line (default: all together) until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", choices=[[], *FAULTS], help="faults to serve")
    args = parser.parse_args()
    site = FaultSite(faults=tuple(args.faults) or ALL_TOGETHER)
    with serve(site):
        print(json.dumps({"url": site.base + "/", "faults": list(site.faults)}), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
