"""Per-request work the crawler process does for Scrapy: the disk queue and the stats.

Scrapy's disk queue names a request's callbacks by listing every member of the spider for
each request pushed; Scrapy 2.19's stats collector runs a Python ``__getattribute__`` for
every attribute read. Both ran per request or per count in the crawler process
(benchmarks/RESULTS.md, "Crawler CPU, session 8"). Each test also runs Scrapy's own class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings


class _Spider(scrapy.Spider):
    name = "queue"
    reads = 0

    @property
    def members_listed(self) -> int:
        """A property: listing the spider's members runs it."""
        type(self).reads += 1
        return type(self).reads

    def parse_page(self, response: Any) -> None:
        """A callback by name, as the blog spider's are."""

    def on_error(self, failure: Any) -> None:
        """An errback by name."""


def _queue(cls: str, path: Path) -> tuple[Any, _Spider]:
    crawler = get_crawler(_Spider)
    crawler.spider = crawler._create_spider()
    return load_object(cls).from_crawler(crawler, str(path)), crawler.spider


def _pushed(cls: str, path: Path, count: int) -> tuple[int, list[scrapy.Request], _Spider]:
    queue, spider = _queue(cls, path)
    _Spider.reads = 0
    for i in range(count):
        queue.push(
            scrapy.Request(
                f"https://a.example/{i}/",
                callback=spider.parse_page if i % 2 else None,
                errback=spider.on_error,
                meta={"n": i},
            )
        )
    reads = _Spider.reads
    popped = []
    while (request := queue.pop()) is not None:
        popped.append(request)
    queue.close()
    return reads, popped, spider


def test_the_disk_queue_lists_the_spiders_members_once_not_once_a_request(tmp_path):
    assert project_settings.SCHEDULER_DISK_QUEUE == "crawler.frontier.CallbackNamesDiskQueue"
    reads, popped, spider = _pushed(project_settings.SCHEDULER_DISK_QUEUE, tmp_path / "ours", 200)
    scrapys, theirs, _ = _pushed("scrapy.squeues.PickleLifoDiskQueue", tmp_path / "scrapy", 200)
    assert reads == 1
    assert scrapys >= 200  # Scrapy's queue: every push lists every member
    # The requests come back as Scrapy's queue gives them: LIFO, callbacks, errbacks, meta.
    assert (
        [r.meta["n"] for r in popped] == [r.meta["n"] for r in theirs] == list(range(199, -1, -1))
    )
    assert [r.callback for r in popped] == [
        spider.parse_page if n % 2 else None for n in range(199, -1, -1)
    ]
    assert {r.errback for r in popped} == {spider.on_error}


class _Other:
    def parse(self, response: Any) -> None:
        """A method of something else than the spider."""


@pytest.mark.parametrize(
    "cls", [project_settings.SCHEDULER_DISK_QUEUE, "scrapy.squeues.PickleLifoDiskQueue"]
)
def test_a_callback_that_is_not_the_spiders_is_refused_as_scrapy_refuses_it(tmp_path, cls):
    # The scheduler then keeps the request in memory.
    queue, _ = _queue(cls, tmp_path / "q")
    with pytest.raises(ValueError, match="not an instance method"):
        queue.push(scrapy.Request("https://a.example/", callback=_Other().parse))
    queue.close()


def test_the_crawls_stats_read_their_attributes_without_scrapys_shim():
    crawler = get_crawler(_Spider, {"STATS_CLASS": project_settings.STATS_CLASS})
    stats = crawler.stats
    assert isinstance(stats, MemoryStatsCollector)
    assert type(stats).__getattribute__ is object.__getattribute__
    assert type(MemoryStatsCollector(crawler)).__getattribute__ is not object.__getattribute__
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("largest", 5)
    stats.max_value("largest", 3)
    assert stats.get_stats() == {"pages": 3, "largest": 5}
