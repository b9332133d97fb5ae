"""``make demo``: serve the demo blogs, crawl them into an archive, serve it with Datasette."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from archive.serve import ServeError, check_port
from demo.server import serve_demo

OUTPUT = Path("demo-output")


def sources_toml(base_urls: dict[str, str]) -> str:
    """Return a sources.toml naming each demo site."""
    blocks = [
        f'[[source]]\nname = "{key}"\nstart_urls = ["{url}"]\n' for key, url in base_urls.items()
    ]
    return "\n".join(blocks)


def _answers(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> bool:
    """Poll ``url`` until it answers, the server exits, or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                print(f"datasette answered {response.status} at {url}", file=sys.stderr)
                return True
        except OSError:
            time.sleep(0.2)
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the demo; with ``--check``, stop once Datasette has answered."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="Where the archive goes.")
    parser.add_argument("--port", type=int, default=8001, help="Datasette's port.")
    parser.add_argument(
        "--check", action="store_true", help="Exit after Datasette answers (for tests)."
    )
    args = parser.parse_args(argv)
    try:
        # Before the crawl: a taken port would otherwise be found only after it.
        check_port("127.0.0.1", args.port)
    except ServeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    db = args.output / "archive.db"
    blogarchive = [sys.executable, "-m", "crawler.cli"]
    with serve_demo() as base_urls:
        sources = args.output / "sources.toml"
        sources.write_text(sources_toml(base_urls))
        print(f"demo sites: {', '.join(base_urls.values())}", file=sys.stderr)
        crawl = subprocess.run(
            [*blogarchive, "crawl", "--sources", str(sources), "--db", str(db)], check=False
        )
        if crawl.returncode != 0:
            return crawl.returncode
    serve = subprocess.Popen(
        [*blogarchive, "serve", "--db", str(db), "--port", str(args.port)],
    )
    try:
        if args.check:
            return 0 if _answers(f"http://127.0.0.1:{args.port}/", serve) else 1
        return serve.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        serve.terminate()
        serve.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
