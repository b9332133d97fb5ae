"""A real redis-server on a free loopback port for the fleet tests (Debian's package).

Without ``redis-server`` on the PATH the fleet tests are skipped, unless
BLOGARCHIVE_REQUIRE_REDIS=1 (set by CI, which installs it), which turns the skip into a
failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A running redis-server: its URL and how to stop and start it again."""

    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server with persistence off and wait until it answers PING."""
        binary = shutil.which("redis-server")
        assert binary is not None
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert self.proc.poll() is None, "redis-server exited at start"
                assert time.monotonic() < deadline, "redis-server did not answer in 30 s"
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server; with persistence off it forgets everything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def flush(self) -> None:
        """Forget every key (a fresh crawl for the next test)."""
        import redis

        redis.Redis(port=self.port).flushall()


def redis_unavailable(reason: str) -> None:
    """Skip the fleet tests, or fail them where Redis is required (CI)."""
    if os.environ.get("BLOGARCHIVE_REQUIRE_REDIS") == "1":
        pytest.fail(f"fleet tests required but {reason} (BLOGARCHIVE_REQUIRE_REDIS=1)")
    pytest.skip(reason)


@contextmanager
def running_redis(workdir: Path) -> Iterator[RedisServer]:
    """Run a redis-server for the ``with`` block."""
    if shutil.which("redis-server") is None:
        redis_unavailable("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(free_port(), workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Fixtures (tests/conftest.py shares them): one redis-server per test module, flushed for
# each test and started again after a test that stopped it.
@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()  # a test that stopped it
    redis_server.flush()
    return redis_server.url
