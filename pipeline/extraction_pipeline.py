"""The Scrapy item pipeline that turns fetched pages into PostRecords in worker processes."""

from __future__ import annotations

import functools
import hashlib
import logging
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from crawler.items import CrawlError, FetchedPage
from crawler.parsed import ParsedPage
from crawler.workers import Workers
from pipeline.records import PostRecord

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    """Extract each FetchedPage into a PostRecord; pass other items through unchanged.

    Extraction runs in the crawl's worker processes (:class:`crawler.workers.Workers`); a
    post page is mostly extracted already by the worker that read it
    (:class:`crawler.reading.PageReader`), with the function registered here.
    Settings (declared with their defaults in crawler/settings.py):
    ``BLOGARCHIVE_EXTRACT_WORKERS``, worker processes (0 extracts inline in the crawler's
    process, which is handy for debugging); ``BLOGARCHIVE_CLEAN``, furniture removal before
    extraction; ``BLOGARCHIVE_DEDUP``: the worker also makes the post's near-duplicate
    signature (:func:`pipeline.signatures.fingerprint`), which the archive would otherwise
    make in the crawler's process.
    A page with no extractable text becomes a ``CrawlError(stage="extract")``.
    """

    def __init__(
        self, workers: int | Workers, *, clean: bool = True, signature: bool = True
    ) -> None:
        self.workers = workers if isinstance(workers, Workers) else Workers(workers)
        self.clean = clean
        self.signature = signature
        self.stats: StatsCollector | None = None
        self.workers.extractor = functools.partial(extract_page, clean=clean, signature=signature)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        """Take the crawl's worker pool and register extraction with it."""
        settings = crawler.settings
        pipeline = cls(
            Workers.of(crawler),
            clean=settings.getbool("BLOGARCHIVE_CLEAN"),
            signature=settings.getbool("BLOGARCHIVE_DEDUP"),
        )
        pipeline.stats = crawler.stats
        return pipeline

    def open_spider(self) -> None:
        """Nothing to start yet: workers start with the first page to read or extract."""

    def close_spider(self) -> None:
        """Stop the worker processes once queued extractions are done."""
        self.workers.shutdown()

    async def process_item(self, item: object) -> object:
        """Return a PostRecord (or CrawlError) for a FetchedPage, any other item as it is."""
        if not isinstance(item, FetchedPage):
            return item
        # Imported with the first page to extract: a run that extracts nothing (an unchanged
        # site) never loads trafilatura in the crawler's process.
        from pipeline.extract import ExtractionError

        try:
            record = await self._extract(item)
        except ExtractionError as exc:
            logger.info("no post extracted from %s: %s", item.url, exc.message)
            return CrawlError(
                url=item.url, stage="extract", message=exc.message, source=item.source
            )
        except BrokenProcessPool:
            raise
        except Exception as exc:
            # An extractor bug on one odd page must not cost the page: it is kept as an error.
            logger.exception("extraction failed on %s", item.url)
            message = f"extractor failed: {type(exc).__name__}: {exc}"
            return CrawlError(url=item.url, stage="extract", message=message, source=item.source)
        return record

    async def _extract(self, page: FetchedPage) -> PostRecord:
        # Counted so that a re-crawl of an unchanged site can be shown to extract nothing.
        if self.stats is not None:
            self.stats.inc_value("blogarchive/extracted")
        done = page.extracted
        if done is not None:
            # Extracted by the worker that read the page, before the spider knew the series
            # pages that list it.
            if done.error is not None:
                raise done.error
            from pipeline.series.listed import listed_memberships

            record: PostRecord = done.record
            record.series.extend(listed_memberships(page.listed_in_series))
            return record
        result: PostRecord = await self.workers.run(extract_page, page, self.clean, self.signature)
        return result


def extraction_key(settings: BaseSettings) -> str:
    """Return a key that changes whenever a page may be extracted into a different record.

    Made of this package's code, the installed trafilatura and lxml versions and
    ``BLOGARCHIVE_CLEAN`` (the crawler's ``BLOGARCHIVE_EXTRACTION_KEY`` names this function).
    """
    digest = hashlib.sha1()
    root = Path(__file__).parent
    for module in sorted(root.rglob("*.py")):
        name = module.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + module.read_bytes())
    for package in ("trafilatura", "lxml"):
        try:
            digest.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:
            digest.update(f"{package} missing".encode())
    digest.update(b"clean" if settings.getbool("BLOGARCHIVE_CLEAN") else b"raw")
    return digest.hexdigest()[:20]


def extract_page(
    page: FetchedPage,
    clean: bool = True,
    signature: bool = False,
    parsed: ParsedPage | None = None,
) -> PostRecord:
    """Extract one fetched page, with the series pages that listed it (``signature``: and
    the text's near-duplicate signature).

    ``parsed``: the page as the worker's reading decoded and parsed it, for extraction to
    take over. Module-level: worker processes receive it by name.
    """
    from pipeline.extract import extract_post
    from pipeline.series.listed import listed_memberships
    from pipeline.signatures import fingerprint

    record = extract_post(
        page.body,
        page.url,
        source=page.source,
        fetched_at=page.fetched_at,
        encoding=page.encoding,
        clean=clean,
        entry=page.kind == "entry",
        parsed=parsed,
    )
    record.series.extend(listed_memberships(page.listed_in_series))
    if signature:
        record.fingerprint = fingerprint(record.text)
    return record
