"""Running a fleet on one machine, as library calls (crawler/fleet_run.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.fleet import Fleet, FleetError
from crawler.fleet_run import run_fleet, start_fleet_crawl
from crawler.run import CrawlOptions


def test_a_fleet_does_not_replace_a_crawl_under_way(redis_url: str, tmp_path: Path) -> None:
    start_fleet_crawl(
        redis_url, CrawlOptions(db_path=tmp_path / "a.db", urls=["http://a.example/"])
    )
    second = CrawlOptions(db_path=tmp_path / "b.db", urls=["http://b.example/"])
    with pytest.raises(FleetError, match="already under way"):
        run_fleet(redis_url, second, crawlers=3)
    # Refused before any process started: no writer opened the second archive.
    assert Fleet.join(redis_url).config()["spider"] == {"urls": "http://a.example/"}
    assert not (tmp_path / "b.db").exists()


def test_a_fleet_without_redis_says_where_it_looked(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: refuses connections
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
        options = CrawlOptions(db_path=tmp_path / "a.db", urls=["http://a.example/"])
        with pytest.raises(FleetError, match=f"{closed}: Redis not usable"):
            run_fleet(closed, options)
    assert not (tmp_path / "a.db").exists()
