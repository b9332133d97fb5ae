"""Shared fixtures: the demo sites served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import chromium, page  # noqa: F401  (fixtures shared by the page tests)
from tests.redis_server import redis_server, redis_url  # noqa: F401  (the fleet tests')

ROOT = Path(__file__).resolve().parent.parent

# A test that takes one of these runs servers or a browser in other processes: it is marked
# e2e (left out of `make test-fast`) without having to say so.
E2E_FIXTURES = frozenset({"demo_sites", "chromium", "page"})


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads xdist_group (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use an end-to-end fixture e2e; keep a module fixture's tests together.

    A module's own module- or session-scoped fixture (a crawl, a built site) would be built
    again by every xdist worker that runs one of its tests: they share an xdist_group instead.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            shared = _own_shared_fixture(item)
            if shared:
                item.add_marker(pytest.mark.xdist_group(shared))
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            used -= set(callspec.params)  # a parameter named "page" is not the browser page
        if E2E_FIXTURES & used:
            item.add_marker(pytest.mark.e2e)


def _own_shared_fixture(item: pytest.Item) -> str | None:
    """Return "module::fixture" for the first module-or-wider fixture the test's module defines."""
    info = getattr(item, "_fixtureinfo", None)
    module = item.nodeid.split("::", 1)[0]
    for name in getattr(item, "fixturenames", ()):
        defs = info.name2fixturedefs.get(name) if info is not None else None
        if defs and defs[-1].scope in ("module", "session") and defs[-1].baseid == module:
            return f"{module}::{name}"
    return None


@dataclass
class DemoSites:
    """The running demo server: base URL per site key and its access log."""

    urls: dict[str, str]
    log_path: Path

    def requested_paths(self, site_key: str) -> list[str]:
        """Return every path requested from one site, in order."""
        lines = self.log_path.read_text().splitlines() if self.log_path.exists() else []
        return [line.split("\t")[2] for line in lines if line.startswith(site_key + "\t")]


def start_demo_server(log_path: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``python -m demo.server`` on free ports and read the URLs it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "demo.server", "--log", str(log_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise RuntimeError(f"demo server did not start: {err}")
    return proc, json.loads(line)


@pytest.fixture(scope="session")
def demo_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSites]:
    """Serve the demo blogs for the whole session."""
    log_path = tmp_path_factory.mktemp("demo") / "access.log"
    proc, urls = start_demo_server(log_path)
    try:
        yield DemoSites(urls=urls, log_path=log_path)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def dict_rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
    """Run one query on an archive file; return its rows as dicts keyed by column name."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def saved_post(path: Path, title: str) -> str:
    """Write a saved post page (an article of three paragraphs) to ``path``; return its name."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of {title} tells how the harbour wall was rebuilt after the storm.</p>"
        for i in range(3)
    )
    path.write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    )
    return str(path)


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``blogarchive ARGS`` in its own process (a Scrapy reactor runs once per process)."""
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def crawl_demo(demo_sites: DemoSites, work: Path) -> tuple[Path, Path]:
    """Write a sources.toml for the demo sites into ``work``; return it and the archive path."""
    from demo.run import sources_toml

    sources = work / "sources.toml"
    sources.write_text(sources_toml(demo_sites.urls))
    return sources, work / "archive.db"


def crawl_args(sources: Path, db: Path) -> list[str]:
    """Return the `blogarchive crawl` arguments the tests use (no politeness delay locally)."""
    return ["crawl", "--sources", str(sources), "--db", str(db), "-s", "DOWNLOAD_DELAY=0"]


@contextmanager
def serving(command: list[str], *, ready_path: str = "", timeout: float = 60) -> Iterator[str]:
    """Run a serve command that prints "Serving ... at URL"; yield the URL once it answers 200.

    The server's output is drained by two threads while it runs: Datasette logs every request
    on stderr, and an unread pipe fills its 64 KB buffer after a few hundred requests and then
    blocks the server. The last lines are kept for failure messages.
    """
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    tail: deque[str] = deque(maxlen=40)
    drains: list[threading.Thread] = []
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving "), line or proc.communicate()[1][-2000:]
        url = line.rsplit(" at ", 1)[1].strip()
        drains = [
            threading.Thread(target=tail.extend, args=(stream,), daemon=True)
            for stream in (proc.stdout, proc.stderr)
        ]
        for drain in drains:
            drain.start()
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, "".join(tail)[-2000:]
            try:
                if httpx.get(url + ready_path, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{url} did not answer within {timeout} s"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        if drains:
            proc.wait(timeout=20)
            for drain in drains:
                drain.join(timeout=5)
        else:
            proc.communicate(timeout=20)
