"""The archive's Scrapy pipeline, driven by a real crawl in its own process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from archive.archive_pipeline import ArchivePipeline
from archive.errors import ArchiveError
from crawler.items import CrawlError, SeriesListing
from crawler.outcome import STAT_STATUS
from crawler.run_end import RunEnds
from pipeline.records import Link, PostRecord, SeriesMembership

ROOT = Path(__file__).resolve().parent.parent
POST_URL = "https://lab.example.gov/2024/open-data-part-1/"

RUN_CRAWL = """
import json, sys
from scrapy.crawler import CrawlerProcess
from tests.test_archive_pipeline import ItemsSpider

settings, spider_args, stats_path = json.loads(sys.argv[1])
process = CrawlerProcess(settings=settings)
crawler = process.create_crawler(ItemsSpider)
process.crawl(crawler, **spider_args)
process.start()
with open(stats_path, "w") as f:
    json.dump(crawler.stats.get_stats(), f, default=str)
"""


class ItemsSpider(Spider):
    """Fetch one local file and one missing file; yield what the real spiders yield."""

    name = "archive-items"

    def __init__(self, page: str, missing: str, stop: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page = page
        self.missing = missing
        self.stop = stop

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.page, callback=self.parse_page)
        yield Request(self.missing, callback=self.parse_page, errback=self.failed)

    def parse_page(self, response: Response) -> Iterator[object]:
        if self.stop:
            raise CloseSpider(self.stop)
        yield SeriesListing(
            "Open Data", "https://lab.example.gov/series/open-data/", "citylab", [POST_URL]
        )
        yield PostRecord(
            url=POST_URL,
            title="Open data, part 1",
            text=response.text,
            source="citylab",
            fetched_url=response.url,
            site="City Innovation Lab",
            published="2024-03-01",
            links=[Link("https://data.example.gov/", "the catalogue")],
            series=[SeriesMembership("Open Data", 1, 3, signal="title-part")],
        )

    def failed(self, failure: Failure) -> Iterator[CrawlError]:
        yield CrawlError(failure.request.url, "fetch", failure.getErrorMessage(), "citylab")


def crawl(tmp_path: Path, db: Path, *, stop: str = "") -> dict[str, Any]:
    page = tmp_path / "page.html"
    page.write_text("Councils publish spreadsheets nobody can find.")
    settings = {
        "ITEM_PIPELINES": {"archive.archive_pipeline.ArchivePipeline": 900},
        # The crawl's end comes to the pipeline as data from this extension (crawler/run_end.py).
        "EXTENSIONS": {"crawler.run_end.RunEnds": 0},
        "BLOGARCHIVE_DB": str(db),
        "BLOGARCHIVE_RUN_ARGS": {"sources": ["citylab"]},
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    spider_args = {
        "page": page.as_uri(),
        "missing": (tmp_path / "missing.html").as_uri(),
        "stop": stop,
    }
    stats_path = tmp_path / "stats.json"
    result = subprocess.run(
        [sys.executable, "-c", RUN_CRAWL, json.dumps([settings, spider_args, str(stats_path)])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    stats: dict[str, Any] = json.loads(stats_path.read_text())
    return stats


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


@pytest.mark.e2e
def test_crawl_stores_posts_series_and_errors_as_one_finished_run(tmp_path: Path) -> None:
    db = tmp_path / "out" / "archive.db"
    stats = crawl(tmp_path, db)
    assert stats["blogarchive/run_id"] == 1
    assert stats["blogarchive/posts_new"] == 1
    assert stats["blogarchive/errors"] == 1
    assert query(
        db,
        "SELECT status, pages_fetched, posts_new, posts_updated, posts_unchanged, errors, args"
        " FROM crawl_runs",
    ) == [("finished", 1, 1, 0, 0, 1, '{"sources": ["citylab"]}')]
    assert query(db, "SELECT url, site_id FROM posts") == [(POST_URL, 1)]
    assert query(db, "SELECT series_name, position, stated_part FROM post_series") == [
        ("Open Data", 1, 1)
    ]
    assert query(db, "SELECT stage, url LIKE '%missing.html' FROM errors") == [("fetch", 1)]
    snapshot = db.parent / "published" / "archive.db"
    assert query(snapshot, "SELECT count(*) FROM posts") == [(1,)]


@pytest.mark.e2e
def test_second_crawl_of_an_unchanged_site_changes_no_post(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl(tmp_path, db)
    before = query(db, "SELECT * FROM posts")
    stats = crawl(tmp_path, db)
    assert stats["blogarchive/run_id"] == 2
    assert stats["blogarchive/posts_unchanged"] == 1
    assert "blogarchive/posts_new" not in stats
    assert query(db, "SELECT * FROM posts") == before
    assert query(db, "SELECT id, posts_new, posts_unchanged FROM crawl_runs") == [
        (1, 1, 0),
        (2, 0, 1),
    ]
    assert query(db, "SELECT count(*) FROM series_posts") == [(1,)]


@pytest.mark.e2e
def test_crawl_closed_for_another_reason_is_recorded_as_failed(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl(tmp_path, db, stop="operator_stop")
    assert query(db, "SELECT status FROM crawl_runs") == [("failed",)]


def test_pipeline_without_database_setting_is_refused() -> None:
    crawler = get_crawler(ItemsSpider, settings_dict={})
    with pytest.raises(ArchiveError, match="BLOGARCHIVE_DB"):
        ArchivePipeline.from_crawler(crawler)


def test_pipeline_without_the_run_end_extension_is_refused(tmp_path: Path) -> None:
    # Without it nobody hands the pipeline the crawl's end: the run would stay "running".
    settings = {"BLOGARCHIVE_DB": str(tmp_path / "archive.db"), "EXTENSIONS": {}}
    crawler = get_crawler(ItemsSpider, settings_dict=settings)
    with pytest.raises(ArchiveError, match=r"crawler\.run_end\.RunEnds"):
        ArchivePipeline.from_crawler(crawler)


def test_the_crawls_end_and_the_archives_answer_travel_as_data(tmp_path: Path) -> None:
    """The pipeline keeps its counts to itself while the crawl runs; at the end it gets a
    RunEnd on RUN_ENDED and answers what it recorded, which the crawl's stats then say."""
    db = tmp_path / "archive.db"
    settings = {
        "BLOGARCHIVE_DB": str(db),
        "BLOGARCHIVE_SNAPSHOT": "",
        "EXTENSIONS": {"crawler.run_end.RunEnds": 0},
    }
    crawler = get_crawler(ItemsSpider, settings_dict=settings)
    ends = RunEnds.from_crawler(crawler)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(CrawlError("https://lab.example.gov/gone/", "fetch", "404", "citylab"))
    assert crawler.stats is not None
    crawler.stats.set_value("downloader/response_count", 2)
    assert set(crawler.stats.get_stats()) == {"downloader/response_count"}
    ends.spider_closed(ItemsSpider(page="", missing=""), "finished")
    stats = crawler.stats.get_stats()
    assert stats[STAT_STATUS] == "finished"
    assert stats["blogarchive/run_id"] == 1
    assert stats["blogarchive/errors"] == 1
    assert query(db, "SELECT status, pages_fetched FROM crawl_runs") == [("finished", 2)]
