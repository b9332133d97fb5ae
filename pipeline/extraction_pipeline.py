"""The Scrapy item pipeline that turns fetched pages into PostRecords in worker processes."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from crawler.items import CrawlError, FetchedPage
from pipeline.records import PostRecord

logger = logging.getLogger(__name__)
# A terminal's Ctrl-C and a service manager's stop: the crawl, not its workers, handles them.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
TRACKER_QUIET = "ignore:resource_tracker:UserWarning"


class ExtractionPipeline:
    """Extract each FetchedPage into a PostRecord; pass other items through unchanged.

    Settings (declared with their defaults in crawler/settings.py):
    ``BLOGARCHIVE_EXTRACT_WORKERS``, worker processes for extraction (0 extracts inline in
    the crawler's process, which is handy for debugging); ``BLOGARCHIVE_CLEAN``, furniture
    removal before extraction.
    A page with no extractable text becomes a ``CrawlError(stage="extract")``.
    """

    def __init__(self, workers: int, *, clean: bool = True) -> None:
        self.workers = workers
        self.clean = clean
        self.pool: Executor | None = None
        self.stats: StatsCollector | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        """Read the worker count from the crawl's settings."""
        workers = crawler.settings.getint("BLOGARCHIVE_EXTRACT_WORKERS")
        if workers < 0:
            raise ValueError(f"BLOGARCHIVE_EXTRACT_WORKERS must be >= 0, not {workers}")
        pipeline = cls(workers, clean=crawler.settings.getbool("BLOGARCHIVE_CLEAN"))
        pipeline.stats = crawler.stats
        return pipeline

    def open_spider(self) -> None:
        """Nothing to start yet: workers start with the first page to extract."""

    def _start_pool(self) -> Executor:
        # Started lazily: an incremental run of an unchanged site extracts nothing, and
        # spawning workers (each importing trafilatura) costs seconds of CPU.
        # Forking a process that runs Twisted's threads can deadlock the child; spawn
        # starts clean interpreters instead.
        # The pool's queues hold named semaphores that multiprocessing's resource tracker
        # removes if this process exits without closing them (a second Ctrl-C exits at once);
        # it then warns about them on stderr. The tracker takes its -W options from ours.
        if TRACKER_QUIET not in sys.warnoptions:
            sys.warnoptions.append(TRACKER_QUIET)
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )
        logger.info("extracting in %d worker processes", self.workers)
        return self.pool

    def close_spider(self) -> None:
        """Stop the worker processes once queued extractions are done."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=False)
            self.pool = None

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
        if not self.workers:
            return extract_page(page, self.clean)
        pool = self.pool or self._start_pool()
        # submit() may start a worker. Ctrl-C reaches the whole process group, and a worker
        # still starting up (before its initializer ignores SIGINT) would die of it and break
        # the pool: the worker is started with the signals blocked, which it inherits.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            future = pool.submit(extract_page, page, self.clean)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return await asyncio.wrap_future(future)


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


def exit_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Make this worker process exit as soon as the crawl process that started it is gone.

    A worker waits on a queue whose writing end it holds itself, so a crawl killed with
    SIGKILL (which runs no cleanup) would leave its workers waiting forever.

    The worker also ignores SIGINT and SIGTERM: a terminal's Ctrl-C reaches the whole process
    group, and the crawl decides what stops (it finishes the extractions under way, then
    shuts the pool down); a worker that died of it would break the pool mid-page.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)  # also drops one that arrived while starting
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def extract_page(page: FetchedPage, clean: bool = True) -> PostRecord:
    """Extract one fetched page, with the series pages that listed it.

    Module-level: worker processes receive it by name.
    """
    from pipeline.extract import extract_post
    from pipeline.series.listed import listed_memberships

    record = extract_post(
        page.body,
        page.url,
        source=page.source,
        fetched_at=page.fetched_at,
        encoding=page.encoding,
        clean=clean,
        entry=page.kind == "entry",
    )
    record.series.extend(listed_memberships(page.listed_in_series))
    return record
