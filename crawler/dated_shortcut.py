"""Pages a sitemap or feed dates unchanged: parsed from the archive's record, never scheduled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Request as ScrapyRequest

from crawler.capture_middleware import CaptureMiddleware
from crawler.meta import COUNTED, SOURCE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class DatedPageShortcut:
    """Spider middleware: pages dated unchanged are parsed from the archive, never scheduled.

    A request whose sitemap ``<lastmod>`` (or Atom ``<updated>``) is older than its last
    capture would be answered from that capture without a request anyway; when the
    archive also has the capture's links and the page's posts, the callback is called here
    on that record at once, sparing Scrapy's scheduler, downloader and spider middleware
    round trip (most of an unchanged re-crawl's time). Nothing is fetched, so robots.txt is
    not asked; the page still counts towards its source's ``max_pages``, and its links,
    followed as usual, are checked against robots.txt like any request.
    """

    def __init__(self, crawler: Crawler, capture: CaptureMiddleware) -> None:
        self.crawler = crawler
        self.capture = capture

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatedPageShortcut:
        """Build the middleware over the crawl's history."""
        return cls(crawler, CaptureMiddleware.from_crawler(crawler))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Replace each page answered from the archive by what its callback yields."""
        for item in result:
            yield from self._answer(item)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Replace each page answered from the archive by what its callback yields."""
        async for item in result:
            for out in self._answer(item):
                yield out

    def _answer(self, item: Any) -> Iterator[Any]:
        spider: Any = self.crawler.spider
        source = None
        if isinstance(item, ScrapyRequest) and item.callback is not None:
            source = getattr(spider, "sources", {}).get(item.meta.get(SOURCE))
        if source is None or spider.source_full(source):
            yield item
            return
        response = self.capture.answer_dated(item)
        if response is None:
            yield item
            return
        # Counted as SourceScopeMiddleware counts a request it lets through.
        item.meta[COUNTED] = True
        spider.count_page(source)
        self.crawler.stats.inc_value("blogarchive/unscheduled")
        yield from item.callback(response)
