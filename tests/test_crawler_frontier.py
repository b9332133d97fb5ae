"""What a crawl keeps per URL (crawler/seen.py, crawler/frontier.py): bytes, not objects.

Memory is measured with tracemalloc around the structure alone, so the figures do not depend
on the machine's load; each test also measures the obvious alternative (a set of the strings,
Scrapy's own scheduler) to show the bound fails without the mechanism.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import scrapy
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.frontier import CompactDupeFilter, FrontierScheduler
from crawler.seen import SeenSet


def _url(i: int) -> str:
    host = f"fieldnotes{i % 20:02d}.example.org:4{i % 20:04d}"
    return f"http://{host}/2019/{i % 12 + 1:02d}/post-slug-words-{i}/"


def _bytes_each(build: Callable[[], Any], count: int) -> tuple[float, Any]:
    """Return the bytes ``build()`` leaves allocated, per member, and what it built."""
    gc.collect()
    tracemalloc.start()
    try:
        built = build()
        gc.collect()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size / count, built


def test_seen_set_keeps_under_24_bytes_a_url_where_a_set_of_urls_keeps_over_100() -> None:
    count = 30_000

    # As in the spider: each URL is a string made from a page's link, kept or let go.
    def seen() -> SeenSet:
        members = SeenSet()
        for i in range(count):
            members.add(_url(i))
        return members

    each, members = _bytes_each(seen, count)
    plain, _ = _bytes_each(lambda: {_url(i) for i in range(count)}, count)
    assert each < 24, each
    assert plain > 100, plain
    assert len(members) == count
    assert all(_url(i) in members for i in range(count))
    assert not any(_url(i) in members for i in range(count, count + 5000))
    members.add(_url(0))  # adding a member again changes nothing
    assert len(members) == count


def test_seen_set_answers_for_members_before_and_after_merging() -> None:
    members = SeenSet(["a"])
    assert "a" in members
    assert "b" not in members
    for i in range(10_000):  # past MIN_RECENT: most members are in the sorted array
        members.add(f"url-{i}")
    assert all(member in members for member in ("a", "url-0", "url-9999"))
    assert "url-10000" not in members


def test_dupefilter_drops_a_request_seen_before_keeping_8_byte_hashes() -> None:
    crawler = get_crawler(settings_dict={"DUPEFILTER_CLASS": "crawler.frontier.CompactDupeFilter"})
    dupefilter = CompactDupeFilter.from_crawler(crawler)
    assert isinstance(dupefilter._fingerprints, SeenSet)
    assert not dupefilter.request_seen(scrapy.Request(_url(1)))
    assert dupefilter.request_seen(scrapy.Request(_url(1)))
    assert not dupefilter.request_seen(scrapy.Request(_url(2)))


class _Spider(scrapy.Spider):
    name = "frontier"

    def parse_page(self, response: Any) -> None:
        """A callback by name, as the blog spider's are."""


def _scheduler(cls: str) -> tuple[Any, scrapy.Spider]:
    # ScrapyPriorityQueue: the project's DownloaderAwarePriorityQueue asks a running engine
    # for its downloader's slots; the disk queue underneath is the same.
    crawler = get_crawler(
        _Spider,
        {
            "SCHEDULER": cls,
            "DUPEFILTER_CLASS": project_settings.DUPEFILTER_CLASS,
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        },
    )
    spider = crawler._create_spider()
    crawler.spider = spider
    scheduler = load_object(cls).from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, spider


def _enqueue(scheduler: Any, spider: Any, count: int) -> None:
    for i in range(count):
        scheduler.enqueue_request(
            scrapy.Request(
                _url(i),
                callback=spider.parse_page,
                priority=i % 3,
                meta={
                    "source": f"site{i % 20:02d}",
                    "crawl_depth": 1,
                    "expect": "content",
                    "download_slot": f"127.0.0.1:4{i % 20:04d}",
                    "links_key": "0123456789abcdef",
                },
            )
        )


def test_pending_requests_wait_on_disk_not_in_memory() -> None:
    count = 3000
    assert project_settings.SCHEDULER == "crawler.frontier.FrontierScheduler"
    scheduler, spider = _scheduler(project_settings.SCHEDULER)
    directory = Path(scheduler.temporary)
    each, _ = _bytes_each(lambda: _enqueue(scheduler, spider, count), count)
    # Scrapy's own scheduler, the same requests: every Request object stays in memory.
    memory_scheduler, memory_spider = _scheduler("scrapy.core.scheduler.Scheduler")
    in_memory, _ = _bytes_each(lambda: _enqueue(memory_scheduler, memory_spider, count), count)
    # Under MIN_RECENT fingerprints the dupefilter's tail is a Python set: ~70 B of the ~110.
    assert each < 200, each
    assert in_memory > 800, in_memory
    assert len(scheduler) == count
    assert scheduler.stats.get_value("scheduler/enqueued/disk") == count
    assert any(directory.rglob("*")), "the queue is written under the crawl's own directory"

    popped = []
    while (request := scheduler.next_request()) is not None:
        popped.append(request)
    # The requests come back whole: callback, meta and priority order.
    assert len(popped) == count
    assert [r.priority for r in popped] == sorted((r.priority for r in popped), reverse=True)
    assert popped[0].callback == spider.parse_page
    assert popped[0].meta["links_key"] == "0123456789abcdef"
    scheduler.close("finished")
    memory_scheduler.close("finished")
    assert not directory.exists(), "the crawl's queue directory is removed when it closes"


def test_a_job_directory_keeps_scrapys_own_scheduler_behaviour(tmp_path: Path) -> None:
    crawler = get_crawler(_Spider, {"JOBDIR": str(tmp_path / "job")})
    crawler.spider = crawler._create_spider()
    scheduler = FrontierScheduler.from_crawler(crawler)
    assert scheduler.temporary is None
    assert scheduler.dqdir == str(tmp_path / "job" / "requests.queue")


def test_a_killed_crawls_queue_directory_is_removed_by_the_next_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    from crawler.frontier import PREFIX, remove_orphans

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    orphan = tmp_path / f"{PREFIX}{gone.stdout.strip()}-abc123"
    live = tmp_path / f"{PREFIX}{os.getpid()}-def456"
    for directory in (orphan, live):
        (directory / "requests.queue").mkdir(parents=True)
    assert remove_orphans(tmp_path) == [orphan]
    assert not orphan.exists()
    assert live.exists(), "a running crawl's queue stays"
