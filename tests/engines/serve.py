"""Serve a built static site on a free port: ``python -m tests.engines.serve DIR ORIGIN``.

The tree is copied with ``ORIGIN`` (the placeholder the site was built for) replaced by the
address the server listens on, then served by the standard library's file server, which
answers ``If-Modified-Since`` with 304 as a real static host does. Prints the base URL on one
line once the socket listens.
"""

from __future__ import annotations

import functools
import shutil
import signal
import sys
import tempfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TEXT_SUFFIXES = {".html", ".xml", ".txt", ".json", ".js", ".css", ".rss", ".atom"}


class QuietHandler(SimpleHTTPRequestHandler):
    """The standard file handler, logging each request as one line on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}\n")


def copy_for(site: Path, dest: Path, origin: str, base: str) -> None:
    """Copy ``site`` into ``dest`` with the placeholder origin (and bare host) made ``base``."""
    host, real_host = urlsplit(origin).netloc, urlsplit(base).netloc
    for path in site.rglob("*"):
        target = dest / path.relative_to(site)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.suffix in TEXT_SUFFIXES:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_bytes().replace(origin.encode(), base.encode())
            target.write_bytes(text.replace(host.encode(), real_host.encode()))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def main() -> None:
    site, origin = Path(sys.argv[1]), sys.argv[2]
    # terminate() ends the server through SystemExit, so the copied tree is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="engine-site-") as tmp:
        handler = functools.partial(QuietHandler, directory=tmp)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        copy_for(site, Path(tmp), origin, base)
        print(base, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


if __name__ == "__main__":
    main()
