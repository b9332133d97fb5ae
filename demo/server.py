"""Serve the demo blogs over HTTP on 127.0.0.1, one port per site.

``python -m demo.server [--log PATH]`` prints one JSON line mapping site keys to base URLs,
then serves until SIGTERM or SIGINT. With ``--log`` every request is appended to PATH as
``SITEKEY<TAB>METHOD<TAB>PATH<TAB>STATUS``, so tests can check what was (not) fetched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from demo.render import Page, http_date
from demo.sites import PLATFORMS, Platform

logger = logging.getLogger(__name__)


class AccessLog:
    """Append one tab-separated line per request to a file shared by all sites."""

    def __init__(self, path: Path | str | None) -> None:
        self._lock = threading.Lock()
        self._file: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def write(self, site_key: str, method: str, path: str, status: int) -> None:
        """Record one request and flush, so readers see it before the response arrives."""
        if self._file is None:
            return
        with self._lock:
            self._file.write(f"{site_key}\t{method}\t{path}\t{status}\n")
            self._file.flush()

    def close(self) -> None:
        """Close the log file."""
        if self._file is not None:
            self._file.close()
            self._file = None


class SiteServer(ThreadingHTTPServer):
    """An HTTP server for one demo site."""

    daemon_threads = True

    def __init__(
        self, platform: Platform, bases: dict[str, str], log: AccessLog, port: int = 0
    ) -> None:
        super().__init__(("127.0.0.1", port), SiteHandler)
        self.platform = platform
        self.bases = bases
        self.log = log


class SiteHandler(BaseHTTPRequestHandler):
    """Answer GET and HEAD from the site's renderer, with validators and conditional GET."""

    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.24.0"
    sys_version = ""
    # Idle keep-alive connections must not hold a handler thread for ever.
    timeout = 30

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_POST(self) -> None:
        self.server.log.write(self.server.platform.key, "POST", self.path, 405)
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _respond(self, *, send_body: bool) -> None:
        platform = self.server.platform
        parts = urlsplit(self.path)
        try:
            page = platform.render(parts.path or "/", parse_qs(parts.query), self.server.bases)
        except Exception:
            logger.exception("%s: rendering %s failed", platform.key, self.path)
            page = Page(500, "text/plain; charset=utf-8", b"Internal Server Error\n")
        etag = f'"{hashlib.sha1(page.body).hexdigest()[:20]}"'
        status = page.status
        if status == 200 and self._not_modified(etag, page):
            status = 304
        self.server.log.write(platform.key, self.command, self.path, status)
        self.send_response(status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        if page.status == 200:
            self.send_header("ETag", etag)
            if page.last_modified is not None:
                self.send_header("Last-Modified", http_date(page.last_modified))
        if status == 304:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def _not_modified(self, etag: str, page: Page) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
        since = self.headers.get("If-Modified-Since")
        if since and page.last_modified is not None:
            try:
                return page.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s: " + format, self.server.platform.key, *args)


@contextmanager
def serve_demo(
    log_path: Path | str | None = None, ports: dict[str, int] | None = None
) -> Iterator[dict[str, str]]:
    """Serve every demo site on its own port in background threads; yield their base URLs.

    ``ports`` maps site keys to fixed ports (``make demo`` keeps its sites the same sites from
    run to run); a site not in it gets a free port.
    """
    log = AccessLog(log_path)
    bases: dict[str, str] = {}
    servers: list[SiteServer] = []
    threads: list[threading.Thread] = []
    try:
        for key, platform in PLATFORMS.items():
            server = SiteServer(platform, bases, log, (ports or {}).get(key, 0))
            servers.append(server)
            bases[key] = f"http://127.0.0.1:{server.server_port}/"
        for server in servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"demo-{server.platform.key}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        yield dict(bases)
    finally:
        for server in servers:
            if any(t.name == f"demo-{server.platform.key}" for t in threads):
                server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)
        log.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the demo sites until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m demo.server", description=__doc__)
    parser.add_argument("--log", type=Path, help="Append one line per request to this file.")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with serve_demo(args.log) as bases:
        print(json.dumps(bases), flush=True)
        while not stop.wait(1.0):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
