"""The crawl's stats: Scrapy's in-memory collector without its per-access shim.

Scrapy 2.19's ``StatsCollector.__getattribute__`` runs for every attribute read on the
stats object, its own ``self._stats`` included: an f-string and a caught AttributeError
each time, and every public method wrapped to warn about a ``spider`` argument (deprecated;
nothing in this project passes one, and the methods still accept it). The crawl reads and
counts stats a dozen times a page: 2% of the crawler process's CPU went to the shim.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStats(MemoryStatsCollector):
    """``MemoryStatsCollector`` with plain attribute access."""

    __getattribute__ = object.__getattribute__
