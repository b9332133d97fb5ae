"""The fleet writer's library functions, without a command line in between (archive/writer.py)."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

import pytest
from scrapy.settings import Settings

from archive.writer import Writer, write_fleet_crawl, writer_settings
from crawler.fleet import OUTBOX_KEY, WRITER_GROUP, Fleet, FleetError
from crawler.fleet_run import WRITER_SETTINGS, crawl_definition, fleet_settings, start_fleet_crawl
from crawler.items import CrawlError
from crawler.run import CrawlOptions, summarize


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


def test_of_the_crawls_settings_only_those_the_writer_reads_reach_it(tmp_path: Path) -> None:
    started_with = CrawlOptions(
        db_path=tmp_path / "a.db",
        urls=["http://blog.example/"],
        settings={
            "BLOGARCHIVE_WRITE_BATCH": "5",  # the writer's
            "BLOGARCHIVE_PATTERN_LIMIT": "3",  # the crawlers' (a trap rule)
            "DOWNLOAD_DELAY": "9",  # Scrapy's, the crawlers'
        },
    )
    config = crawl_definition(started_with)
    settings = writer_settings(CrawlOptions(db_path=tmp_path / "b.db"), config)
    assert settings.getint("BLOGARCHIVE_WRITE_BATCH") == 5
    assert settings.getint("BLOGARCHIVE_PATTERN_LIMIT") == 25
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.25
    assert settings.getdict("BLOGARCHIVE_RUN_ARGS")["urls"] == ["http://blog.example/"]
    # The crawlers get them all.
    crawler = fleet_settings(config, "redis://127.0.0.1:1/0", "c1")
    assert crawler.getint("BLOGARCHIVE_PATTERN_LIMIT") == 3
    assert crawler.getfloat("DOWNLOAD_DELAY") == 9
    assert crawler.getint("BLOGARCHIVE_WRITE_BATCH") == 5


class RecordingSettings(Settings):
    """Scrapy settings that note the name of every setting read."""

    read: ClassVar[set[str]] = set()

    def __getitem__(self, name: Any) -> Any:
        RecordingSettings.read.add(name)
        return super().__getitem__(name)


def test_every_setting_the_writer_reads_is_declared_as_the_writers(
    redis_url: str, tmp_path: Path
) -> None:
    # A writer opens the archive, writes a record, ends the run and says its summary (a page
    # budget's line included): what it read of its settings, besides its own --db, must be
    # declared writer=True, or a crawl's -s value of it would not reach it.
    options = CrawlOptions(db_path=tmp_path / "a.db", urls=["http://one.example/"])
    fleet = start_fleet_crawl(redis_url, options)
    settings = RecordingSettings(writer_settings(options, fleet.config()).copy_to_dict())
    RecordingSettings.read.clear()
    writer = Writer(Fleet.join(redis_url), settings)
    writer.open()
    error = CrawlError("http://one.example/gone/", "fetch", "HTTP 500", "test")
    fleet.client.xadd(OUTBOX_KEY, {"m": pickle.dumps(error)})
    writer._apply(writer._read(">"))
    writer.stats.set_value("blogarchive/limit/budget/one.example", 4)
    writer.finish("finished")
    summary = summarize(writer.crawler, options, 0.0)
    assert summary.errors == 1
    assert summary.limits
    read = {name for name in RecordingSettings.read if name.startswith("BLOGARCHIVE_")}
    undeclared = read - {"BLOGARCHIVE_DB"} - WRITER_SETTINGS  # --db is the writer's own
    assert not undeclared, f"declare writer=True in crawler/settings.py: {sorted(undeclared)}"
    assert {"BLOGARCHIVE_DEDUP", "BLOGARCHIVE_WRITE_BATCH", "BLOGARCHIVE_PAGE_BUDGET"} <= read


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
