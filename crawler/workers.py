"""The crawl's worker processes: one pool that reads pages (crawler/reading.py) and extracts posts.

Infrastructure shared by two stages: the crawler's page reader and the extraction pipeline
run their jobs here, so one set of processes (one per core) does all the parsing and the
crawler's process schedules and writes.
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
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
# A terminal's Ctrl-C and a service manager's stop: the crawl, not its workers, handles them.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
TRACKER_QUIET = "ignore:resource_tracker:UserWarning"
# What a worker calls to extract a post: FetchedPage -> record (set by the extraction stage),
# called with ``parsed=`` the page as the worker's reading parsed it
# (:class:`crawler.parsed.ParsedPage`), for extraction to take over.
Extractor = Callable[..., Any]


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
