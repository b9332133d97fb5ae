"""Each HTML page is parsed once, in a worker process, before the spider's callback runs.

A worker reads the page (:func:`crawler.pages.read_page`: its entries, links, next pages,
feeds, series and own evidence); the spider weighs that reading with what the crawl learned
of the site. A page that may be a post is extracted in the same worker call, by the function
the extraction pipeline registers with the pool (the crawler never imports the pipeline), so
a post's body crosses to a worker once and comes back as a record; the worker decodes and
parses it once (:class:`crawler.parsed.ParsedPage`) for both.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.http import TextResponse

from crawler.items import FetchedPage, utc_now
from crawler.meta import NOT_MODIFIED, PAGE_LINKS, PAGE_READING, READ_PAGE, SOURCE
from crawler.pages import PageReading, read_page
from crawler.parsed import ParsedPage
from crawler.urls import canonicalize_url
from crawler.workers import Extractor, Workers

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


@dataclass
class Extracted:
    """What extracting a page in the worker that read it gave: a record, or why not.

    ``error`` is the exception the extractor raised, or for one that does not survive
    pickling, a RuntimeError naming it; the extraction stage handles it as its own.
    """

    fetched_at: str
    record: Any = None
    error: BaseException | None = field(default=None, repr=False)


@dataclass
class ReadJob:
    """A page for a worker to read (and, if it may be a post, to extract)."""

    url: str
    page_url: str  # the canonical URL: the post's FetchedPage URL
    body: bytes = field(repr=False)
    encoding: str | None
    post_patterns: tuple[str, ...]
    series_patterns: tuple[str, ...]
    source: str
    extractor: Extractor | None = None


def read_in_worker(job: ReadJob) -> tuple[PageReading, Extracted | None]:
    """Read a page; extract it too when it may be a post (module-level: workers get it by name).

    The page is decoded and parsed once: the reading and then the extraction take the same
    :class:`crawler.parsed.ParsedPage`.
    """
    parsed = ParsedPage.parse(job.url, job.body, job.encoding or "utf-8")
    reading = read_page(
        job.url,
        job.body,
        post_patterns=job.post_patterns,
        series_patterns=job.series_patterns,
        parsed=parsed,
    ).compact()
    if job.extractor is None or not reading.may_be_post():
        return reading, None
    extracted = Extracted(fetched_at=utc_now())
    page = FetchedPage(
        url=job.page_url,
        body=job.body,
        source=job.source,
        fetched_at=extracted.fetched_at,
        encoding=job.encoding,
    )
    try:
        extracted.record = job.extractor(page, parsed=parsed)
    except Exception as exc:
        extracted.error = _picklable(exc)
    return reading, extracted


def _picklable(exc: Exception) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class PageReader:
    """Read each HTML page the spider will parse in a worker, before its callback runs.

    A downloader middleware next to the engine: it sees the final response (redirects
    followed, body decoded) and leaves the reading in ``meta[PAGE_READING]``, where
    the spider takes it instead of parsing the page itself. Pages answered from their
    links record (``meta[PAGE_LINKS]``) are not read; nor is any page with 0 workers.
    """

    def __init__(self, crawler: Crawler, workers: Workers) -> None:
        self.crawler = crawler
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageReader:
        """Build the reader on the crawl's worker pool."""
        return cls(crawler, Workers.of(crawler))

    async def process_response(self, request: Request, response: Response) -> Response:
        """Attach the worker's reading of a page the spider will parse."""
        if not self._to_read(request, response):
            return response
        spider: Any = self.crawler.spider
        source = spider.sources[request.meta[SOURCE]]
        assert isinstance(response, TextResponse)
        job = ReadJob(
            url=response.url,
            page_url=canonicalize_url(response.url),
            body=response.body,
            encoding=response.encoding,
            post_patterns=source.post_patterns,
            series_patterns=source.series_patterns,
            source=source.name,
            # Answered unchanged from its capture: the post stored from it still holds.
            extractor=None if request.meta.get(NOT_MODIFIED) else self.workers.extractor,
        )
        request.meta[PAGE_READING] = await self.workers.run(read_in_worker, job)
        self.crawler.stats.inc_value("blogarchive/pages_read_in_workers")
        return response

    def _to_read(self, request: Request, response: Response) -> bool:
        if not self.workers.workers or not request.meta.get(READ_PAGE):
            return False
        if PAGE_LINKS in request.meta or not 200 <= response.status < 300:
            return False
        if not isinstance(response, TextResponse) or not response.body:
            return False
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        return "html" in content_type or not content_type
