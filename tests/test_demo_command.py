"""`make demo` runs `python -m demo.run`: crawl the demo sites, then serve Datasette."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
def test_demo_crawls_and_serves_datasette(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo.run",
            "--check",
            "--output",
            str(tmp_path),
            "--port",
            str(_free_port()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl finished" in result.stderr
    assert "datasette answered 200" in result.stderr
    assert (tmp_path / "archive.db").exists()
