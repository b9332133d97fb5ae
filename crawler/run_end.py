"""The crawl's end, handed as data to whoever keeps the run; its refusal obeyed.

:class:`RunEnds` (a Scrapy extension, in the project's ``EXTENSIONS``) is the crawl's side of
the two signals :mod:`crawler.outcome` declares. When the crawl closes it sends
``RUN_ENDED`` with a :class:`crawler.items.RunEnd` (Scrapy's close reason and the crawl's
stats) and sets in the stats what the keeper answers it recorded, which the CLI reports.
When the keeper sends ``RUN_REFUSED`` it records why and closes the crawl as
``archive_error``. A fleet's crawler hands the same data over through Redis instead
(:mod:`crawler.fleet_member`), and nobody in its process answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawler.items import RunEnd
from crawler.outcome import RUN_ENDED, RUN_REFUSED, STAT_ARCHIVE_ERROR

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class RunEnds:
    """Send the crawl's end to the run's keeper; stop the crawl when the keeper refuses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunEnds:
        """Listen for the crawl's close and the keeper's refusal."""
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.refused, signal=RUN_REFUSED)
        return extension

    def refused(self, reason: str, **_: Any) -> None:
        """Close the crawl: its run's keeper takes nothing more (``reason``, in words)."""
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STAT_ARCHIVE_ERROR, reason)
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="archive_error"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Send the run's end; the stats then say what the keeper recorded."""
        stats = self.crawler.stats
        assert stats is not None
        end = RunEnd(reason, dict(stats.get_stats()))
        for _receiver, said in self.crawler.signals.send_catch_log(RUN_ENDED, end=end):
            if isinstance(said, Failure):
                continue  # send_catch_log logged it
            for key, value in (said or {}).items():
                stats.set_value(key, value)
