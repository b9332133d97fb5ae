"""`make demo` runs `python -m demo.run`: crawl the demo blogs, serve Datasette, let the blogs
change, crawl again while serving, and say what to open."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from demo.run import blog_ports, fresh_output, port_in_use
from tests.conftest import ROOT


def _free_port_run() -> int:
    """Return a port free together with the three after it (the demo blogs' ports)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port < 65000 and not any(port_in_use(port + i) for i in range(4)):
            return port
    raise AssertionError("no four free ports in a row")


@pytest.mark.e2e
def test_demo_crawls_twice_while_serving_and_shows_the_archives_life(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo.run",
            "--check",
            "--output",
            str(tmp_path),
            "--port",
            str(port := _free_port_run()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl finished (run 1" in result.stderr
    assert "crawl finished (run 2" in result.stderr
    assert f"datasette serves run 2 at http://127.0.0.1:{port}/" in result.stderr
    assert f"the series 'Creative Councils': http://127.0.0.1:{port}/archive/series/1" in (
        result.stderr
    )
    db = sqlite3.connect(tmp_path / "archive.db")
    outcomes = db.execute(
        "select outcome, count(*) from run_posts where run_id = 2 and outcome != 'unchanged'"
        " group by outcome"
    ).fetchall()
    assert dict(outcomes) == {"new": 1, "updated": 1, "gone": 1}
    assert db.execute("select count(*) from series_gaps").fetchone()[0] == 0
    hosts = {row[0] for row in db.execute("select host from sites")}
    assert hosts == {f"127.0.0.1:{p}" for p in blog_ports(port).values()}


def test_demo_blogs_keep_their_ports_so_runs_are_the_same_sites() -> None:
    assert blog_ports(8001) == {"wordpress": 8002, "magazine": 8003, "blogger": 8004}
    # `make demo PORT=9000`: the blogs move with Datasette's port, on the three after it.
    assert blog_ports(9000) == {"wordpress": 9001, "magazine": 9002, "blogger": 9003}


def test_a_new_demo_run_starts_from_an_empty_archive_keeping_other_files(tmp_path: Path) -> None:
    for name in ("archive.db", "archive.db-wal", "sources.toml", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "a.warc.gz").write_text("x")
    fresh_output(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
