"""Replay a crawl from the archive's captures: a download handler that never touches the network.

The crawler's half of ``blogarchive reextract``, which runs the ordinary crawl (same spider,
extraction and store code) with these components in place of the HTTP downloader, so every
post is rebuilt from the bytes captured earlier: after upgrading trafilatura, or changing the
cleaning rules. Which crawl to replay and what the run changed are the archive's half
(archive/reextract.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Response

from crawler import settings as project_settings
from crawler.capture_middleware import stored_to_response
from crawler.history import history_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ReplayDownloadHandler(BaseDownloadHandler):
    """Answer every http(s) request with the URL's last kept capture, or a 404."""

    async def download_request(self, request: Request) -> Response:
        """Return the stored response of ``request.url`` (404 when it was never captured)."""
        stored = history_of(self.crawler).latest(request.url)
        stats = self.crawler.stats
        assert stats is not None
        if stored is None:
            stats.inc_value("blogarchive/replay_missing")
            return Response(request.url, status=404, request=request, flags=["replay"])
        stats.inc_value("blogarchive/replayed")
        return stored_to_response(stored, request)


class StoredPostSeeds:
    """Spider middleware: after the spider's start requests, request every stored post's page.

    Discovery replays the last captures of listings, which may no longer list an old post;
    seeding the pages that posts were stored from rebuilds every post, reachable or not.
    Per-source delays are dropped too: nothing is asked of any server.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

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
        for source_name, fetched_url in history_of(self.crawler).post_pages():
            request = spider.request_post_page(fetched_url, source_name)
            if request is not None:
                yield request

    def _drop_delays(self) -> None:
        # The spider's start() has just set per-source delays; a replay needs none.
        engine = self.crawler.engine
        assert engine is not None
        for entry in engine.downloader.per_slot_settings.values():
            entry["delay"] = 0.0


def replay_settings(sources_path: Path | None, urls: list[str]) -> dict[str, Any]:
    """Return the Scrapy settings that turn a crawl into a replay of the captures.

    The run is recorded as a re-extraction of ``sources_path`` or ``urls``.
    """
    handler = "crawler.replay.ReplayDownloadHandler"
    downloader = dict(getattr(project_settings, "DOWNLOADER_MIDDLEWARES", {}))
    # No server to be polite to, nothing to capture again, no validators to send.
    for name in (
        "crawler.middlewares.CrawlDelayMiddleware",
        "crawler.middlewares.RetryAfterMiddleware",
        "crawler.capture_middleware.CaptureMiddleware",
    ):
        downloader[name] = None
    spider = dict(getattr(project_settings, "SPIDER_MIDDLEWARES", {}))
    # Every page is rebuilt from its capture: none may be answered from its parsed links.
    spider["crawler.dated_shortcut.DatedPageShortcut"] = None
    spider["crawler.replay.StoredPostSeeds"] = 1000
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "DOWNLOADER_MIDDLEWARES": downloader,
        "SPIDER_MIDDLEWARES": spider,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "RETRY_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "BLOGARCHIVE_RUN_ARGS": {
            "reextract": True,
            "sources": str(sources_path) if sources_path else None,
            "urls": urls,
        },
    }
