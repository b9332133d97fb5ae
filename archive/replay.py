"""Replay a crawl from the archive's captures: a download handler that never touches the network.

``blogarchive reextract`` runs the ordinary crawl (same spider, extraction and store code)
with these components in place of the HTTP downloader, so every post is rebuilt from the
bytes captured earlier: after upgrading trafilatura, or changing the cleaning rules.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Response

from archive.captures import CaptureIndex
from crawler import settings as project_settings
from crawler.captures import stored_to_response

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# The spider's priority for post pages (crawler.spiders.blog.PRIORITY_POST).
POST_PRIORITY = 20


class ReplayDownloadHandler(BaseDownloadHandler):
    """Answer every http(s) request with the URL's last kept capture, or a 404."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.index = CaptureIndex(crawler.settings["BLOGARCHIVE_DB"])

    async def download_request(self, request: Request) -> Response:
        """Return the stored response of ``request.url`` (404 when it was never captured)."""
        stored = self.index.latest(request.url)
        stats = self.crawler.stats
        assert stats is not None
        if stored is None:
            stats.inc_value("blogarchive/replay_missing")
            return Response(request.url, status=404, request=request, flags=["replay"])
        stats.inc_value("blogarchive/replayed")
        return stored_to_response(stored, request)

    async def close(self) -> None:
        """Close the index's connection."""
        self.index.close()


class StoredPostSeeds:
    """Spider middleware: after the spider's start requests, request every stored post's page.

    Discovery replays the last captures of listings, which may no longer list an old post;
    seeding the pages that posts were stored from rebuilds every post, reachable or not.
    Per-source delays are dropped too: nothing is asked of any server.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path = Path(crawler.settings["BLOGARCHIVE_DB"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoredPostSeeds:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Pass the spider's start requests on, then one request per stored post page."""
        first = True
        async for item in start:
            if first:
                self._drop_delays()
                first = False
            yield item
        spider: Any = self.crawler.spider
        index = CaptureIndex(self.db_path)
        try:
            pages = index.post_pages()
        finally:
            index.close()
        for source_name, fetched_url in pages:
            source = spider.sources.get(source_name)
            if source is None:
                continue
            request = spider._request(fetched_url, source, depth=1, priority=POST_PRIORITY)
            if request is not None:
                yield request

    def _drop_delays(self) -> None:
        # The spider's start() has just set per-source delays; a replay needs none.
        engine = self.crawler.engine
        assert engine is not None
        for entry in engine.downloader.per_slot_settings.values():
            entry["delay"] = 0.0


def replay_settings() -> dict[str, Any]:
    """Return the Scrapy settings that turn a crawl into a replay of the captures."""
    handler = "archive.replay.ReplayDownloadHandler"
    downloader = dict(getattr(project_settings, "DOWNLOADER_MIDDLEWARES", {}))
    # No server to be polite to, nothing to capture again, no validators to send.
    for name in (
        "crawler.middlewares.CrawlDelayMiddleware",
        "crawler.middlewares.RetryAfterMiddleware",
        "crawler.captures.CaptureMiddleware",
    ):
        downloader[name] = None
    spider = dict(getattr(project_settings, "SPIDER_MIDDLEWARES", {}))
    # Every page is rebuilt from its capture: none may be answered from its parsed links.
    spider["crawler.captures.DatedPageShortcut"] = None
    spider["archive.replay.StoredPostSeeds"] = 1000
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "DOWNLOADER_MIDDLEWARES": downloader,
        "SPIDER_MIDDLEWARES": spider,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "RETRY_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    }
