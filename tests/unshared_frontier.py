"""The fleet's scheduler with its duplicate filter not shared: each crawler keeps its own.

Only to compare (`-s SCHEDULER=tests.unshared_frontier.UnsharedSeenFrontier`): a page two
crawlers find is fetched by both, which tests/test_crawl_fleet.py's fetch counts must catch.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.fleet import SEEN_KEY
from crawler.shared_frontier import KeyDupeFilter, SharedFrontier


class UnsharedSeenFrontier(SharedFrontier):
    """A :class:`SharedFrontier` whose fingerprints are this crawler's alone."""

    def __init__(self, crawler: Crawler, server: Any, crawler_id: str) -> None:
        super().__init__(crawler, server, crawler_id)
        self.df = KeyDupeFilter(server, f"{SEEN_KEY}:{crawler_id}")
