"""A tiny fixture web server and a collecting pipeline for the crawler's end-to-end tests."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import itertools
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawler.items import Capture, PageLinks

# Arrival times are stamped in the server's threads (one per connection: HTTP/1.0). On a
# loaded machine a stamp can come a tenth of a second late, shortening the gap after it:
# 0.19 s was seen for a 0.3 s delay at a load average of 20. Requests sent with no delay
# arrive milliseconds apart. A gap is compared with its delay less this.
JITTER = 0.15

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Hit:
    """One request the fixture server received."""

    at: float  # time.monotonic() when the request arrived
    path: str
    status: int
    bytes: int = 0  # status line, headers and body sent back
    conditional: bool = False  # the request carried If-None-Match or If-Modified-Since


@dataclass
class FixtureSite:
    """A running fixture site: its base URL and what it was asked for."""

    root: Path
    base: str = ""
    substitutions: dict[str, str] = field(default_factory=dict)
    # Paths answered "503, Retry-After: N" the first time they are requested.
    retry_after_once: dict[str, int] = field(default_factory=dict)
    # Paths always answered "503, Retry-After: N".
    unavailable: dict[str, int] = field(default_factory=dict)
    # Send ETag and Last-Modified and answer conditional requests with 304 Not Modified.
    validators: bool = False
    # Gzip bodies for clients that accept it (as most servers do).
    compress: bool = False
    # Seconds to wait before answering each request.
    delay: float = 0.0
    # Headers added to every answer (e.g. Set-Cookie).
    headers: dict[str, str] = field(default_factory=dict)
    # The request headers of every request, in arrival order.
    request_headers: list[dict[str, str]] = field(default_factory=list)
    # The last body sent for each path, exactly as it went on the wire.
    sent: dict[str, bytes] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Requests that arrived so far (answered or not); hits lists those answered.
    arrivals: int = 0
    # Requests being answered right now, and the most at once (politeness across processes).
    in_flight: int = 0
    max_in_flight: int = 0
    # Called with (path, number of the request from 1) as a request arrives / once answered.
    before_answer: Callable[[str, int], None] | None = None
    after_answer: Callable[[str, int], None] | None = None

    def paths(self) -> list[str]:
        """Return the requested paths in arrival order."""
        with self.lock:
            return [h.path for h in self.hits]

    def hits_for(self, path: str) -> list[Hit]:
        """Return the hits for one path."""
        with self.lock:
            return [h for h in self.hits if h.path == path]

    def min_gap(self) -> float:
        """Return the shortest time between two page requests' arrivals (robots.txt aside).

        robots.txt is fetched twice (by RobotsTxtMiddleware and by the spider). Arrival times
        are taken in the server's threads: see ``JITTER``.
        """
        with self.lock:
            times = sorted(h.at for h in self.hits if h.path != "/robots.txt")
        return min(b - a for a, b in itertools.pairwise(times))

    def traffic(self, since: int = 0) -> tuple[int, int, int]:
        """Return (requests, bytes sent, 304 answers) from hit number ``since`` on."""
        with self.lock:
            hits = self.hits[since:]
        return len(hits), sum(h.bytes for h in hits), sum(h.status == 304 for h in hits)


def _handler(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # When the connection was accepted (one connection a request: HTTP/1.0), not when
            # this handler's thread got to run: on a loaded machine that lags by tens of ms,
            # and gaps measured from it fell below a delay the crawler did keep.
            arrived = getattr(self.server, "accepted", {}).pop(self.client_address, None)
            arrived = arrived or time.monotonic()
            with site.lock:
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                self._get(arrived)
            finally:
                with site.lock:
                    site.in_flight -= 1

        def _get(self, arrived: float) -> None:
            if site.delay:
                time.sleep(site.delay)
            path = self.path
            with site.lock:
                site.arrivals += 1
                number = site.arrivals
                site.request_headers.append(dict(self.headers.items()))
            if site.before_answer:
                site.before_answer(path, number)
            status, body, ctype, extra = self._answer(path)
            conditional = bool(
                self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
            )
            modified = extra.pop("Last-Modified", None)
            if status == 200 and site.validators and modified:
                extra["Last-Modified"] = modified
                extra["ETag"] = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
                if self._not_modified(extra["ETag"], extra["Last-Modified"]):
                    status, body = 304, b""
            if (
                status == 200
                and site.compress
                and "gzip" in self.headers.get("Accept-Encoding", "")
            ):
                body = gzip.compress(body, mtime=0)
                extra["Content-Encoding"] = "gzip"
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in {**site.headers, **extra}.items():
                self.send_header(name, value)
            header_bytes = sum(len(line) for line in self._headers_buffer) + 2
            self.end_headers()
            self.wfile.write(body)
            with site.lock:
                site.hits.append(Hit(arrived, path, status, header_bytes + len(body), conditional))
                if status == 200:
                    site.sent[path] = body
            self.wfile.flush()
            if site.after_answer:
                site.after_answer(path, number)

        def _not_modified(self, etag: str, last_modified: str) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return etag in [tag.strip() for tag in if_none_match.split(",")]
            since = self.headers.get("If-Modified-Since")
            if since is None:
                return False
            try:
                return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False

        def _answer(self, path: str) -> tuple[int, bytes, str, dict[str, str]]:
            with site.lock:
                wait = site.retry_after_once.pop(path, site.unavailable.get(path))
            if wait is not None:
                return 503, b"busy", "text/plain", {"Retry-After": str(wait)}
            local = site.root / path.split("?")[0].lstrip("/")
            if local.is_dir():
                local = local / "index.html"
            if not local.is_file() or site.root not in local.resolve().parents:
                return 404, b"<h1>Not found</h1>", "text/html; charset=utf-8", {}
            text = local.read_text(encoding="utf-8")
            for key, value in site.substitutions.items():
                text = text.replace(key, value)
            ctype = CONTENT_TYPES.get(local.suffix, "application/octet-stream")
            modified = formatdate(local.stat().st_mtime, usegmt=True)
            return 200, text.encode("utf-8"), ctype, {"Last-Modified": modified}

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the hits list is the access log

    return Handler


class _StampingServer(ThreadingHTTPServer):
    """Note when each connection is accepted, in the server's own loop, before its thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted: dict[Any, float] = {}

    def process_request(self, request: Any, client_address: Any) -> None:
        self.accepted[client_address] = time.monotonic()
        super().process_request(request, client_address)


@contextmanager
def serve(site: FixtureSite) -> Iterator[FixtureSite]:
    """Serve ``site`` on 127.0.0.1, a free port, in a thread, for the ``with`` block."""
    server = _StampingServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.substitutions.setdefault("{{BASE}}", site.base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


STALL_ENV = "BLOGARCHIVE_TEST_STALL"  # an environment variable, not a setting


class StallingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, blocking the crawler's event loop before it sends some requests.

    The environment variable ``BLOGARCHIVE_TEST_STALL`` (JSON, {path: seconds}) names them.
    The downloader has taken such a request from its slot (a delay counts from then), and
    it reaches the server only after the stall, as when other work holds the loop (a full
    garbage collection took 57-70 ms in a test crawl) or the machine is loaded.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.stalls: dict[str, float] = json.loads(os.environ.get(STALL_ENV, "{}"))

    async def download_request(self, request: Any) -> Any:
        stall = self.stalls.pop(urlsplit(request.url).path, None)
        if stall:
            time.sleep(stall)  # blocks the whole reactor, which is the point
        return await super().download_request(request)


class CollectPipeline:
    """Write every item as one JSON line to the file named by BLOGARCHIVE_TEST_ITEMS."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectPipeline:
        return cls(crawler.settings["BLOGARCHIVE_TEST_ITEMS"])

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (Capture, PageLinks)):
            return item  # what the archive keeps of the fetching, not what the crawl found
        data = dataclasses.asdict(item)
        data.pop("body", None)
        data["type"] = type(item).__name__
        self.file.write(json.dumps(data) + "\n")
        self.file.flush()
        return item

    def close_spider(self) -> None:
        self.file.close()


def run_crawl(
    tmp_path: Path, *spider_args: str, settings: dict[str, Any] | None = None, timeout: float = 300
) -> list[dict[str, Any]]:
    """Run ``scrapy crawl blog`` in a subprocess and return the items it produced."""
    import subprocess

    items_file = tmp_path / f"items-{time.monotonic_ns()}.jsonl"
    items_file.touch()
    merged: dict[str, Any] = {
        "ITEM_PIPELINES": {"tests.crawler_server.CollectPipeline": 100},
        "BLOGARCHIVE_TEST_ITEMS": str(items_file),
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_START_DELAY": 0,
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "blog"]
    for arg in spider_args:
        cmd += ["-a", arg]
    for key, value in merged.items():
        cmd += ["-s", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(root)}
    proc = subprocess.run(
        cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    (tmp_path / "crawl.log").write_text(proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise AssertionError(f"crawl failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return [json.loads(line) for line in items_file.read_text(encoding="utf-8").splitlines()]
