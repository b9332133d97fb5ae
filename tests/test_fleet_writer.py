"""The fleet writer's library functions, without a command line in between (archive/writer.py)."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import pytest

from archive.writer import Writer, write_fleet_crawl, writer_settings
from crawler.fleet import OUTBOX_KEY, WRITER_GROUP, Fleet, FleetError
from crawler.fleet_run import crawl_definition, start_fleet_crawl
from crawler.items import CrawlError
from crawler.run import CrawlOptions


def test_the_crawls_own_settings_win_over_the_writers_options(tmp_path: Path) -> None:
    started_with = CrawlOptions(
        db_path=tmp_path / "a.db",
        urls=["http://blog.example/"],
        settings={"BLOGARCHIVE_DEDUP": "False", "BLOGARCHIVE_WRITE_BATCH": "5"},
    )
    writer = CrawlOptions(
        db_path=tmp_path / "b.db",
        settings={"BLOGARCHIVE_WRITE_BATCH": "7"},
        full=True,
        log_level="INFO",
    )
    settings = writer_settings(writer, crawl_definition(started_with))
    assert settings.getbool("BLOGARCHIVE_DEDUP") is False
    assert settings.getint("BLOGARCHIVE_WRITE_BATCH") == 5
    # What the crawl did not set, or leaves to each process, stays the writer's own.
    assert settings["LOG_LEVEL"] == "INFO"
    assert settings.getbool("BLOGARCHIVE_CONDITIONAL") is False
    # Without a definition's settings (the mechanism off) the writer's options alone count.
    alone = writer_settings(writer, {})
    assert alone.getbool("BLOGARCHIVE_DEDUP") is True
    assert alone.getint("BLOGARCHIVE_WRITE_BATCH") == 7


def test_a_writer_without_a_crawl_in_redis_says_so(redis_url: str, tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="no crawl here"):
        write_fleet_crawl(redis_url, CrawlOptions(db_path=tmp_path / "a.db"))
    assert not (tmp_path / "a.db").exists()


def test_a_writer_given_urls_does_not_replace_a_crawl_under_way(
    redis_url: str, tmp_path: Path
) -> None:
    first = CrawlOptions(db_path=tmp_path / "a.db", urls=["http://one.example/"])
    start_fleet_crawl(redis_url, first)
    second = CrawlOptions(db_path=tmp_path / "b.db", urls=["http://two.example/"])
    with pytest.raises(FleetError, match="already under way"):
        write_fleet_crawl(redis_url, second)
    assert Fleet.join(redis_url).config()["spider"] == {"urls": "http://one.example/"}
    assert not (tmp_path / "b.db").exists()


def test_a_write_refused_mid_batch_leaves_the_whole_batch_to_a_later_writer(
    redis_url: str, tmp_path: Path
) -> None:
    # The archive refuses the second of three records (a real SQLite trigger aborts its
    # insert; the batch's commit would still succeed): nothing of the batch is kept and
    # nothing is acknowledged. With the mechanism off the first record was stored, the third
    # skipped, and all three acknowledged and deleted from the stream: the third lost.
    options = CrawlOptions(db_path=tmp_path / "a.db", urls=["http://one.example/"])
    fleet = start_fleet_crawl(redis_url, options)
    writer = Writer(Fleet.join(redis_url), writer_settings(options, fleet.config()))
    writer.open()
    with sqlite3.connect(options.db_path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON errors WHEN NEW.url LIKE '%/refused/'"
            " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    client = fleet.client
    for path in ("kept", "refused", "after"):
        error = CrawlError(f"http://one.example/{path}/", "fetch", "HTTP 500", "test")
        client.xadd(OUTBOX_KEY, {"m": pickle.dumps(error)})
    entries = writer._read(">")
    assert len(entries) == 3
    writer._apply(entries)
    assert writer.pipeline.failure is not None
    assert client.xlen(OUTBOX_KEY) == 3
    assert client.xpending(OUTBOX_KEY, WRITER_GROUP)["pending"] == 3
    with sqlite3.connect(options.db_path) as conn:
        assert conn.execute("SELECT url FROM errors").fetchall() == []
