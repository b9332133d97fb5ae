"""The crawl's worker processes: they parse pages; the crawler's process schedules and writes.

Each HTML page is read once, in a worker (:func:`crawler.pages.read_page`: its entries, links,
next pages, feeds, series and own evidence); the spider weighs that reading with what the
crawl learned of the site. A page that may be a post is extracted in the same worker call, by
the function the extraction pipeline registers (the crawler never imports the pipeline), so
a post's body crosses to a worker once and comes back as a record.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http import TextResponse

from crawler.items import FetchedPage, utc_now
from crawler.meta import NOT_MODIFIED, PAGE_LINKS, PAGE_READING, READ_PAGE, SOURCE
from crawler.pages import PageReading, read_page
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)
# A terminal's Ctrl-C and a service manager's stop: the crawl, not its workers, handles them.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
TRACKER_QUIET = "ignore:resource_tracker:UserWarning"
# What a worker calls to extract a post: FetchedPage -> record (set by the extraction stage).
Extractor = Callable[[FetchedPage], Any]


class Workers:
    """The crawl's pool of worker processes, started with the first job (an extension).

    Setting ``BLOGARCHIVE_EXTRACT_WORKERS``: how many (default: the number of CPUs); 0 runs
    every job in the crawler's process. ``extractor`` is set by the extraction stage.
    """

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError(f"BLOGARCHIVE_EXTRACT_WORKERS must be >= 0, not {workers}")
        self.workers = workers
        self.pool: Executor | None = None
        self.extractor: Extractor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Workers:
        """Read the worker count; shut the pool down when the spider closes."""
        workers = cls(crawler.settings.getint("BLOGARCHIVE_EXTRACT_WORKERS"))
        crawler.signals.connect(workers.shutdown, signal=signals.spider_closed)
        return workers

    @classmethod
    def of(cls, crawler: Crawler) -> Workers:
        """Return the crawl's pool, or a pool of its own when the extension is not enabled."""
        try:
            found = crawler.get_extension(cls)
        except RuntimeError:  # a crawler built by hand, without its extensions
            found = None
        return found if found is not None else cls.from_crawler(crawler)

    def start(self) -> Executor:
        """Start the worker processes (once); return the pool."""
        if self.pool is not None:
            return self.pool
        # Started lazily: an incremental run of an unchanged site parses and extracts nothing,
        # and spawning workers (each importing trafilatura) costs seconds of CPU.
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
        logger.info("parsing and extracting in %d worker processes", self.workers)
        return self.pool

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` in a worker (in this process with 0 workers); await it."""
        if not self.workers:
            return function(*args)
        pool = self.start()
        # submit() may start a worker. Ctrl-C reaches the whole process group, and a worker
        # still starting up (before its initializer ignores SIGINT) would die of it and break
        # the pool: the worker is started with the signals blocked, which it inherits.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            future = pool.submit(function, *args)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Stop the worker processes once the jobs under way are done."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=False)
            self.pool = None


def exit_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Make this worker process exit as soon as the crawl process that started it is gone.

    A worker waits on a queue whose writing end it holds itself, so a crawl killed with
    SIGKILL (which runs no cleanup) would leave its workers waiting forever.

    The worker also ignores SIGINT and SIGTERM: a terminal's Ctrl-C reaches the whole process
    group, and the crawl decides what stops (it finishes the jobs under way, then shuts the
    pool down); a worker that died of it would break the pool mid-page.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)  # also drops one that arrived while starting
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


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
    """Read a page; extract it too when it may be a post (module-level: workers get it by name)."""
    reading = read_page(
        job.url,
        job.body,
        encoding=job.encoding or "utf-8",
        post_patterns=job.post_patterns,
        series_patterns=job.series_patterns,
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
        extracted.record = job.extractor(page)
    except Exception as exc:
        extracted.error = _picklable(exc)
    return reading, extracted


def _picklable(exc: Exception) -> BaseException:
    import pickle

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
