"""Run one crawl in this process: settings, progress display and the end-of-run summary."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from crawler.sources import Source

# Close reasons after which a run counts as complete rather than failed.
COMPLETE_REASONS = frozenset({"finished", "closespider_pagecount", "closespider_itemcount"})


class CrawlFailed(Exception):
    """The crawl could not run at all (bad settings, unusable archive, nothing fetched)."""


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
    log_level: str = "WARNING"
    progress: bool = False


@dataclass
class CrawlSummary:
    """The counts a run ends with, read from the crawler's stats."""

    run_id: int | None
    reason: str
    pages: int
    new: int
    updated: int
    unchanged: int
    errors: int
    duplicate: int
    seconds: float
    gone: int = 0
    interrupted_runs: int = 0

    @property
    def failed(self) -> bool:
        """Tell whether the run did not complete (killed, or no page could be fetched)."""
        return self.reason not in COMPLETE_REASONS or self.pages == 0

    def line(self) -> str:
        """Return the one-line summary printed at the end of a crawl."""
        status = "failed" if self.failed else "finished"
        line = (
            f"crawl {status} (run {self.run_id}, {self.reason}) in {self.seconds:.1f}s: "
            f"{self.pages} pages fetched, posts {self.new} new / {self.updated} updated / "
            f"{self.unchanged} unchanged / {self.gone} gone / {self.duplicate} duplicate,"
            f" {self.errors} errors"
        )
        if self.interrupted_runs:
            line += f", {self.interrupted_runs} interrupted earlier run(s) closed"
        return line


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


def run_crawl(sources: list[Source], options: CrawlOptions) -> CrawlSummary:
    """Crawl ``sources`` into the archive at ``options.db_path`` and return the summary.

    Runs Scrapy's reactor in this process, so call it once per process.
    """
    started = time.monotonic()
    process = AsyncCrawlerProcess(crawl_settings(options))
    if options.log_level != "DEBUG":
        # Scrapy logs a failed robots.txt fetch with a full traceback; the spider's errback
        # already records the failure in the archive's errors table and in the summary.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
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
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if "blogarchive/run_id" not in stats:
        raise CrawlFailed(
            f"{options.db_path}: the crawl did not start (see the log above; -v shows more)"
        )
    return CrawlSummary(
        run_id=stats.get("blogarchive/run_id"),
        reason=str(stats.get("finish_reason", "unknown")),
        pages=int(stats.get("downloader/response_count", 0)),
        new=int(stats.get("blogarchive/posts_new", 0)),
        updated=int(stats.get("blogarchive/posts_updated", 0)),
        unchanged=int(stats.get("blogarchive/posts_unchanged", 0)),
        errors=int(stats.get("blogarchive/errors", 0)),
        duplicate=int(stats.get("blogarchive/posts_duplicate", 0)),
        seconds=time.monotonic() - started,
        gone=int(stats.get("blogarchive/posts_gone", 0)),
        interrupted_runs=int(stats.get("blogarchive/interrupted_runs", 0)),
    )
