"""Run one crawl in this process: settings, progress display and the end-of-run summary."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from crawler.outcome import STAT_REASON, STAT_SIGNAL, STAT_STATUS, Outcome, crawl_outcome
from crawler.sources import Source


class CrawlFailed(Exception):
    """The crawl could not run at all (bad settings, unusable archive, nothing fetched)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class InterruptibleProcess(AsyncCrawlerProcess):
    """Scrapy's process, which says in one line what a first Ctrl-C or SIGTERM finishes, and
    stops at once on a second.

    The first signal stops the crawl as Scrapy does (no new requests; the responses and
    items under way are processed and stored) and records the signal in the stats, so the
    run is ``interrupted``. The second exits at once, as a SIGKILL would: every write is a
    transaction, and the next crawl closes the run as interrupted.
    """

    signum: int | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        self.signum = signum
        # Writing to stderr is not safe inside a signal handler: done from the reactor.
        reactor.callFromThread(self._note_signal, signum)
        super()._signal_shutdown(signum, frame)

    def _note_signal(self, signum: int) -> None:
        under_way = 0
        for crawler in self.crawlers:
            with contextlib.suppress(RuntimeError):  # Scrapy's "stats not set yet"
                crawler.stats.set_value(STAT_SIGNAL, signum)
            if crawler.engine is not None:
                under_way += len(crawler.engine.downloader.active)
        name = signal.Signals(signum).name
        sys.stderr.write(
            f"\n{name}: stopping; finishing the {under_way} requests under way and storing"
            f" what was fetched ({name} again stops at once)\n"
        )
        sys.stderr.flush()

    def _signal_kill(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        os.write(2, f"{name} again: stopped at once\n".encode())
        os._exit(128 + signum)


@dataclass
class CrawlOptions:
    """What one ``blogarchive crawl`` asked for."""

    db_path: Path
    sources_path: Path | None = None
    urls: list[str] = field(default_factory=list)
    max_pages: int | None = None
    max_depth: int | None = None
    delay: float | None = None
    throttle: bool = True  # False: no download delay and no AutoThrottle (local benchmarks)
    concurrency: int | None = None  # requests in flight per site (CONCURRENT_REQUESTS_PER_DOMAIN)
    workers: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    full: bool = False  # send no conditional requests: fetch every page whole
    time_budget: float | None = None  # seconds; the crawl closes (as partial) when it is up
    log_level: str = "WARNING"
    progress: bool = False


@dataclass
class CrawlSummary:
    """The counts a run ends with, read from the crawler's stats."""

    run_id: int | None
    outcome: Outcome
    pages: int
    new: int
    updated: int
    unchanged: int
    errors: int
    duplicate: int
    seconds: float
    gone: int = 0
    interrupted_runs: int = 0
    other_requests: int = 0  # robots.txt, feeds, sitemaps, feed probes, retries, redirects
    # What the trap rules and budgets stopped: one line each (crawler.traps, --time-budget).
    limits: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Tell whether the run did not finish its work (see :mod:`crawler.outcome`)."""
        return self.outcome.status != "finished"

    def line(self) -> str:
        """Return the one-line summary printed at the end of a crawl."""
        status, reason = self.outcome.status, self.outcome.reason
        why = "" if reason == status else f": {reason}"
        line = (
            f"crawl {status}{why} (run {self.run_id}, {self.seconds:.1f}s): "
            f"{self.pages} pages fetched (+{self.other_requests} other requests), "
            f"posts {self.new} new / {self.updated} updated / "
            f"{self.unchanged} unchanged / {self.gone} gone / {self.duplicate} duplicate,"
            f" {self.errors} errors"
        )
        if self.interrupted_runs:
            line += f", {self.interrupted_runs} interrupted earlier run(s) closed"
        return "\n".join([line, *self.limits])


class _Progress:
    """A live counter on stderr, fed by Scrapy signals."""

    def __init__(self) -> None:
        self.pages = 0
        self.posts = 0
        self.errors = 0
        self._last = 0.0

    def on_response(self, **_: Any) -> None:
        self.pages += 1
        self._draw()

    def on_item(self, item: Any, **_: Any) -> None:
        kind = type(item).__name__
        if kind == "PostRecord":
            self.posts += 1
        elif kind == "CrawlError":
            self.errors += 1
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        sys.stderr.write(
            f"\rcrawling: {self.pages} pages, {self.posts} posts, {self.errors} errors "
        )
        sys.stderr.flush()

    def close(self) -> None:
        self._draw(force=True)
        sys.stderr.write("\n")


def crawl_settings(options: CrawlOptions) -> Settings:
    """Build the Scrapy settings for one run from the project defaults and the options."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BLOGARCHIVE_DB", str(options.db_path), priority="cmdline")
    settings.set("LOG_LEVEL", options.log_level, priority="cmdline")
    if options.delay is not None:
        settings.set("DOWNLOAD_DELAY", options.delay, priority="cmdline")
    if not options.throttle:
        # Our own politeness only: RobotsTxtMiddleware and CrawlDelayMiddleware stay on.
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if options.concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", options.concurrency, priority="cmdline")
        overall = max(options.concurrency, settings.getint("CONCURRENT_REQUESTS"))
        settings.set("CONCURRENT_REQUESTS", overall, priority="cmdline")
    if options.workers is not None:
        settings.set("BLOGARCHIVE_EXTRACT_WORKERS", options.workers, priority="cmdline")
    if options.full:
        settings.set("BLOGARCHIVE_CONDITIONAL", False, priority="cmdline")
    if options.time_budget is not None:
        settings.set("CLOSESPIDER_TIMEOUT", options.time_budget, priority="cmdline")
    settings.set(
        "BLOGARCHIVE_RUN_ARGS",
        {
            "sources": str(options.sources_path) if options.sources_path else None,
            "urls": options.urls,
            "max_pages": options.max_pages,
            "max_depth": options.max_depth,
            "full": options.full,
        },
        priority="cmdline",
    )
    for name, value in options.settings.items():
        settings.set(name, value, priority="cmdline")
    return settings


def quiet_loggers(log_level: str) -> None:
    """Silence Scrapy's log lines that the errors table and the summary already say."""
    if log_level != "DEBUG":
        # Scrapy logs a failed robots.txt fetch with a full traceback; the spider's errback
        # already records the failure in the archive's errors table and in the summary.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    if log_level not in ("DEBUG", "INFO"):
        # "Gave up retrying" is logged for every request to a dead host; the spider says it
        # once per host, and records each failed page in the errors table.
        logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)


def run_crawl(sources: list[Source], options: CrawlOptions) -> CrawlSummary:
    """Crawl ``sources`` into the archive at ``options.db_path`` and return the summary.

    Runs Scrapy's reactor in this process, so call it once per process.
    """
    started = time.monotonic()
    process = InterruptibleProcess(crawl_settings(options))
    quiet_loggers(options.log_level)
    crawler = process.create_crawler("blog")
    progress = _Progress() if options.progress else None
    if progress:
        crawler.signals.connect(progress.on_response, signal=signals.response_received)
        crawler.signals.connect(progress.on_item, signal=signals.item_scraped)
    spider_args: dict[str, Any] = {}
    if options.sources_path:
        spider_args["sources"] = str(options.sources_path)
    else:
        spider_args["urls"] = ",".join(url for source in sources for url in source.start_urls)
    if options.max_pages is not None:
        spider_args["max_pages"] = options.max_pages
    if options.max_depth is not None:
        spider_args["max_depth"] = options.max_depth
    process.crawl(crawler, **spider_args)
    process.start()
    if progress:
        progress.close()
    return summarize(crawler, options, started, signum=process.signum)


def summarize(
    crawler: Any, options: CrawlOptions, started: float, *, signum: int | None = None
) -> CrawlSummary:
    """Return the summary of a crawl that ended, from its stats; CrawlFailed if it never ran.

    ``signum`` is the signal that stopped the process, if one did.
    """
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # Scrapy's "stats not set yet": the crawl never started
        stats = {}
    if "blogarchive/run_id" not in stats:
        if signum:
            name = signal.Signals(signum).name
            raise CrawlFailed(f"{name}: stopped before the crawl started", 128 + signum)
        raise CrawlFailed(
            f"{options.db_path}: the crawl did not start (see the log above; -v shows more)"
        )
    outcome = crawl_outcome(str(stats.get("finish_reason", "unknown")), stats)
    if STAT_STATUS in stats:
        # What the archive recorded (it may have failed to write: then the run failed).
        outcome = Outcome(stats[STAT_STATUS], stats[STAT_REASON], outcome.signum)
    pages = int(stats.get("blogarchive/page_requests", 0))
    return CrawlSummary(
        run_id=stats.get("blogarchive/run_id"),
        outcome=outcome,
        pages=pages,
        other_requests=max(0, int(stats.get("downloader/request_count", 0)) - pages),
        new=int(stats.get("blogarchive/posts_new", 0)),
        updated=int(stats.get("blogarchive/posts_updated", 0)),
        unchanged=int(stats.get("blogarchive/posts_unchanged", 0)),
        errors=int(stats.get("blogarchive/errors", 0)),
        duplicate=int(stats.get("blogarchive/posts_duplicate", 0)),
        seconds=time.monotonic() - started,
        gone=int(stats.get("blogarchive/posts_gone", 0)),
        interrupted_runs=int(stats.get("blogarchive/interrupted_runs", 0)),
        limits=limit_lines(stats, crawler.settings),
    )


def limit_lines(stats: dict[str, Any], settings: Settings) -> list[str]:
    """Return one summary line per budget or trap rule that stopped part of the crawl.

    A time budget needs none: the status line says it (crawler.outcome).
    """
    lines = []
    prefix = "blogarchive/limit/budget/"
    for key in sorted(k for k in stats if k.startswith(prefix)):
        lines.append(
            f"page budget reached for source {key[len(prefix) :]!r}:"
            f" {stats[key]} links not followed"
            f" (BLOGARCHIVE_PAGE_BUDGET={settings.getint('BLOGARCHIVE_PAGE_BUDGET')})"
        )
    trapped = {
        rule: int(stats.get(f"blogarchive/limit/{rule}", 0))
        for rule in ("pattern", "path-repeat", "path-depth")
    }
    if any(trapped.values()):
        closed = int(stats.get("blogarchive/limit/patterns_closed", 0))
        lines.append(
            f"crawler traps: {closed} URL pattern(s) closed after repeated dead ends,"
            f" {trapped['pattern']} requests of them dropped;"
            f" {trapped['path-repeat']} repeating and {trapped['path-depth']} too-deep paths"
            " not followed (see the errors table, stage 'limit')"
        )
    if names := int(stats.get("blogarchive/limit/query_names", 0)):
        lines.append(
            f"query names that canonicalise away: {names} learned on their hosts (see the log),"
            f" {int(stats.get('blogarchive/limit/query', 0))} links followed without them"
            f" (BLOGARCHIVE_QUERY_COPY_LIMIT={settings.getint('BLOGARCHIVE_QUERY_COPY_LIMIT')})"
        )
    return lines
