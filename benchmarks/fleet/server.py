"""Six small blogs on six loopback ports, each response held 200 ms (a latency-bound network).

``python -m benchmarks.fleet.server --posts 40 --latency 0.2`` prints one JSON line
``{"sites": [...base URLs...], "log": PATH}`` and serves until killed. Every request is
appended to the log as ``time<TAB>port<TAB>path`` (the benchmark's clock for the crawl).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITES = 6
WORDS = [
    *("council", "residents", "library", "budget", "planning", "housing", "transport"),
    *("park", "school", "data", "service", "meeting", "ward", "volunteer", "market"),
    *("river", "bridge", "garden", "festival", "report"),
]


def post_html(site: int, number: int) -> str:
    """Return one post page: a title, a date, a few paragraphs."""
    paragraphs = "".join(
        "<p>"
        + " ".join(WORDS[(site * 7 + number * 3 + k * 5 + i) % len(WORDS)] for i in range(60))
        + f". Post {number} of site {site}, paragraph {k}.</p>"
        for k in range(6)
    )
    return (
        f"<!doctype html><html lang=en><head><title>Post {number} on blog {site}</title>"
        f'<meta name="author" content="Author {site}">'
        f'<meta property="article:published_time" content="2024-03-{1 + number % 28:02d}">'
        f"</head><body><header><a href='/'>Blog {site}</a></header><main><article>"
        f"<h1>Post {number} on blog {site}</h1><time datetime='2024-03-{1 + number % 28:02d}'>"
        f"</time>{paragraphs}</article></main><footer>About this blog</footer></body></html>"
    )


def home_html(site: int, posts: int) -> str:
    """Return the home page: a list of links to every post."""
    links = "".join(
        f"<li><a href='/posts/{n}/'>Post {n} on blog {site}</a></li>" for n in range(posts)
    )
    head = f"<!doctype html><html><head><title>Blog {site}</title></head>"
    return f"{head}<body><ul>{links}</ul></body></html>"


def serve(posts: int, latency: float, log_path: Path) -> list[str]:
    """Start the six sites in threads; return their base URLs."""
    log = log_path.open("a", encoding="utf-8", buffering=1)
    lock = threading.Lock()
    bases = []
    for site in range(SITES):

        class Handler(BaseHTTPRequestHandler):
            number = site

            def do_GET(self) -> None:
                time.sleep(latency)
                path = self.path
                if path == "/robots.txt":
                    status, body, ctype = 200, b"User-agent: *\nAllow: /\n", "text/plain"
                elif path == "/":
                    status, body, ctype = 200, home_html(self.number, posts).encode(), "text/html"
                elif (
                    path.startswith("/posts/") and path[7:-1].isdigit() and int(path[7:-1]) < posts
                ):
                    status, body = 200, post_html(self.number, int(path[7:-1])).encode()
                    ctype = "text/html"
                else:
                    status, body, ctype = 404, b"not found", "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype + "; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with lock:
                    port = self.server.server_address[1]  # type: ignore[index]
                    log.write(f"{time.time():.4f}\t{port}\t{path}\n")

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.1:{server.server_address[1]}/")
    return bases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=40, help="Posts per site.")
    parser.add_argument("--latency", type=float, default=0.2, help="Seconds per response.")
    args = parser.parse_args()
    log_path = Path(tempfile.mkdtemp(prefix="fleet-bench-")) / "requests.log"
    log_path.touch()
    bases = serve(args.posts, args.latency, log_path)
    print(json.dumps({"sites": bases, "log": str(log_path)}), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
