"""``make demo``: serve the demo blogs, crawl them, serve the archive, then crawl them again
after they change (one post edited, one deleted, a series gap filled) while Datasette runs.

Idempotent: the blogs listen on fixed ports next to Datasette's (``--port`` + 1, 2, 3), so
they are the same sites on every run, and the demo archive is made anew each time.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from datasette.utils import tilde_encode

from demo.evolution import CHANGES, ORIGINAL, after, before, set_stage
from demo.server import serve_demo
from demo.sites import PLATFORMS

OUTPUT = Path("demo-output")
# What the demo writes in its output folder, and so removes before a run (nothing else).
DEMO_FILES = ("archive.db", "archive.db-wal", "archive.db-shm", "archive.db.lock", "sources.toml")
DEMO_DIRS = ("published", "warc")
BLOGARCHIVE = [sys.executable, "-m", "archive.cli"]


def sources_toml(base_urls: dict[str, str]) -> str:
    """Return a sources.toml naming each demo site."""
    blocks = [
        f'[[source]]\nname = "{key}"\nstart_urls = ["{url}"]\n' for key, url in base_urls.items()
    ]
    return "\n".join(blocks)


def blog_ports(port: int) -> dict[str, int]:
    """Return the fixed port of each demo blog: the ports after Datasette's."""
    return {key: port + 1 + i for i, key in enumerate(PLATFORMS)}


def port_in_use(port: int) -> bool:
    """Return whether something already listens on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def fresh_output(output: Path) -> None:
    """Remove what an earlier demo run wrote to ``output``, so runs never add up."""
    output.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        (output / name).unlink(missing_ok=True)
    for name in DEMO_DIRS:
        shutil.rmtree(output / name, ignore_errors=True)


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


def serves_run(home: str, run: int, timeout: float = 10) -> bool:
    """Poll the home page until it names crawl run ``run`` as the latest (or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(home, timeout=5) as response:
            if f">run {run}</a>" in response.read().decode("utf-8"):
                print(f"datasette serves run {run} at {home}", file=sys.stderr)
                return True
        time.sleep(0.2)
    return False


def crawl(sources: Path, db: Path) -> int:
    """Run one crawl of the demo sources; return its exit status."""
    return subprocess.run(
        [*BLOGARCHIVE, "crawl", "--sources", str(sources), "--db", str(db), "--quiet"],
        check=False,
    ).returncode


def what_to_open(db: Path, home: str, bases: dict[str, str]) -> list[str]:
    """Return the lines that tell a newcomer what to open next."""
    conn = sqlite3.connect(db)
    try:
        series = conn.execute("select id, name from series order by id limit 1").fetchone()
        runs = conn.execute("select count(*) from crawl_runs").fetchone()[0]
    finally:
        conn.close()
    database = db.stem
    lines = [f"Open {home} : what the archive holds, search, the latest run."]
    if series:
        lines.append(f"  the series {series[1]!r}: {home}{database}/series/{series[0]}")
    for change in CHANGES:
        post = ORIGINAL[change.site_key].post(change.slug)
        url = PLATFORMS[change.site_key].permalink(bases[change.site_key], post)
        lines.append(f"  a post {change.what}: {home}{database}/posts/{tilde_encode(url)}")
    lines.append(f"  what run {runs} changed: {home}{database}/changes_in_run")
    lines.append(f"  search with OR and a prefix: {home}-/search?q=procurement+OR+libr*")
    return lines


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the demo; with ``--check``, stop once the second crawl is served."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="Where the archive goes.")
    parser.add_argument("--port", type=int, default=8001, help="Datasette's port.")
    parser.add_argument(
        "--check", action="store_true", help="Exit after the second crawl is served (for tests)."
    )
    args = parser.parse_args(argv)
    ports = {"datasette": args.port, **blog_ports(args.port)}
    busy = [f"{name} {port}" for name, port in ports.items() if port_in_use(port)]
    if busy:
        print(
            f"demo: port in use ({', '.join(busy)}); stop what holds it or run"
            f" make demo PORT=<another port> (the blogs take the next three)",
            file=sys.stderr,
        )
        return 1
    # SIGTERM ends the demo as Ctrl-C does: Datasette and the blogs stop with it.
    signal.signal(signal.SIGTERM, _interrupt)
    fresh_output(args.output)
    db = args.output / "archive.db"
    sources = args.output / "sources.toml"
    home = f"http://127.0.0.1:{args.port}/"
    set_stage(before())
    with serve_demo(ports=blog_ports(args.port)) as bases:
        sources.write_text(sources_toml(bases))
        print(f"demo blogs: {', '.join(bases.values())}", file=sys.stderr)
        print("first crawl: the blogs as they are today", file=sys.stderr)
        if (code := crawl(sources, db)) != 0:
            return code
        serve = subprocess.Popen([*BLOGARCHIVE, "serve", "--db", str(db), "--port", str(args.port)])
        try:
            if not _answers(home, serve):
                return 1
            set_stage(after())
            print(
                "second crawl: the blogs have changed ("
                + "; ".join(change.what for change in CHANGES)
                + "); Datasette serves the new snapshot without a restart",
                file=sys.stderr,
            )
            if (code := crawl(sources, db)) != 0:
                return code
            print("\n".join(what_to_open(db, home, bases)), file=sys.stderr, flush=True)
            if args.check:
                return 0 if serves_run(home, 2) else 1
            print("Ctrl-C stops the demo (Datasette and the blogs).", file=sys.stderr)
            return serve.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            serve.terminate()
            serve.wait(timeout=10)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM before Datasette started
        sys.exit(130)
