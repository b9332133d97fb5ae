"""Run a fleet: the crawl's definition in Redis, one crawler process, K crawlers and a writer.

``blogarchive crawl ... --redis URL --crawlers K`` (:func:`run_fleet`) puts the crawl's
definition in Redis (:func:`start_fleet_crawl`), starts one ``blogarchive writer`` and K
``blogarchive crawler`` processes on this machine and waits for the writer, which ends the
run with the usual summary line and exit status (:func:`coordinate`). On several machines
the same commands are started by hand or by a service manager.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings, Settings

from crawler.fleet import CRAWLERS, STATE_KEY, Fleet, new_crawler_id, start_crawl
from crawler.outcome import COMPLETE_REASONS, EXIT_CODES, INTERRUPT_REASONS, LIMIT_REASONS
from crawler.run import CrawlOptions, InterruptibleProcess, crawl_settings, quiet_loggers
from crawler.settings import declared

logger = logging.getLogger(__name__)

# Settings a crawl's definition never carries to the crawlers: each process sets its own.
# (A time budget is the fleet's, from the crawl's start: see fleet_settings.)
LOCAL_SETTINGS = frozenset({"LOG_LEVEL", "BLOGARCHIVE_EXTRACT_WORKERS", "CLOSESPIDER_TIMEOUT"})
# The settings the writer reads (declared with writer=True in crawler/settings.py): of the
# crawl's own, only these reach it; Scrapy's and the crawlers' settings never do.
WRITER_SETTINGS = frozenset(setting.name for setting in declared if setting.writer)


def crawl_definition(options: CrawlOptions) -> dict[str, Any]:
    """Return what every crawler and the writer need to know of a crawl, as JSON-able data.

    ``settings`` are the crawl's own (``-s`` and the options' settings) for the crawlers;
    ``writer_settings`` the few of them the writer reads (:data:`WRITER_SETTINGS`).
    """
    settings = crawl_settings(options)
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    overrides = {
        # A dict setting given with -s (DOWNLOAD_HANDLERS={...}) reads back as settings.
        name: value.copy_to_dict() if isinstance(value := settings[name], BaseSettings) else value
        for name in settings
        if settings.getpriority(name) == cmdline and name not in LOCAL_SETTINGS
    }
    spider: dict[str, Any] = {}
    if options.sources_path:
        spider["sources_text"] = Path(options.sources_path).read_text(encoding="utf-8")
    else:
        spider["urls"] = ",".join(options.urls)
    if options.max_pages is not None:
        spider["max_pages"] = options.max_pages
    if options.max_depth is not None:
        spider["max_depth"] = options.max_depth
    config: dict[str, Any] = {
        "db": str(Path(options.db_path).resolve()),
        "settings": overrides,
        "writer_settings": {k: v for k, v in overrides.items() if k in WRITER_SETTINGS},
        "spider": spider,
    }
    if options.time_budget is not None:
        config["time_budget"] = options.time_budget
    return config


def start_fleet_crawl(url: str, options: CrawlOptions) -> Fleet:
    """Put a new crawl's definition at Redis ``url``; FleetError if one is under way there.

    A time budget runs from now for the whole fleet (``deadline``, on Redis's clock).
    """
    return start_crawl(url, crawl_definition(options))


def fleet_settings(
    config: dict[str, Any], url: str, crawler_id: str, now: float | None = None
) -> Settings:
    """Return the Scrapy settings of one crawler of the crawl defined by ``config``.

    ``now`` (Redis's clock) turns the crawl's deadline into this crawler's CLOSESPIDER_TIMEOUT.
    """
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    fleet = {
        "BLOGARCHIVE_REDIS": url,
        "BLOGARCHIVE_FLEET_ID": crawler_id,
        "SCHEDULER": "crawler.shared_frontier.SharedFrontier",
        "DOWNLOADER": "crawler.politeness.FleetDownloader",
        # The writer answers what was captured and stored before: a crawler never opens the
        # archive, wherever it runs (the crawl's -s BLOGARCHIVE_HISTORY= turns it off).
        "BLOGARCHIVE_HISTORY": "crawler.remote_history.RemoteHistory",
        # Extraction stays with the crawlers; the archive pipeline runs in the writer.
        "ITEM_PIPELINES": {
            "pipeline.extraction_pipeline.ExtractionPipeline": 300,
            "crawler.fleet_member.OutboxPipeline": 900,
        },
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.fleet_member.FleetMember": 10},
        # Each host's robots.txt is fetched once for the whole fleet.
        "DOWNLOADER_MIDDLEWARES": {
            **settings.getdict("DOWNLOADER_MIDDLEWARES"),
            "crawler.middlewares.SharedRobotsTxtMiddleware": None,
            "crawler.middlewares.FleetRobotsTxtMiddleware": 100,
        },
    }
    for name, value in fleet.items():
        settings.set(name, value, priority="cmdline")
    # The crawl's own -s settings win (DOWNLOADER, to compare without the host slots).
    for name, value in config.get("settings", {}).items():
        settings.set(name, value, priority="cmdline")
    if "deadline" in config and now is not None:
        # 0 turns the timeout off: a crawler joining after the deadline closes at once.
        left = max(0.001, float(config["deadline"]) - now)
        settings.set("CLOSESPIDER_TIMEOUT", left, priority="cmdline")
    db = Path(config.get("db", ""))
    settings.set("BLOGARCHIVE_DB", str(db), priority="cmdline")
    return settings


@dataclass
class CrawlerResult:
    """How one crawler process ended."""

    crawler_id: str
    reason: str
    pages: int
    fleet_error: str | None

    def line(self) -> str:
        """Return the crawler's closing line."""
        line = f"crawler {self.crawler_id} {self.reason}: {self.pages} pages fetched"
        return line + (f"; {self.fleet_error}" if self.fleet_error else "")

    @property
    def exit_code(self) -> int:
        """Return the exit status for this crawler's close reason, in crawler.outcome's terms:
        0 when the crawl ran out of work, 3 when it stopped at a limit (partial), 130 when
        interrupted, else 1."""
        if self.reason in COMPLETE_REASONS:
            return EXIT_CODES["finished"]
        if self.reason in LIMIT_REASONS:
            return EXIT_CODES["partial"]
        if self.reason in INTERRUPT_REASONS:
            return EXIT_CODES["interrupted"]
        return EXIT_CODES["failed"]


def run_fleet_crawler(
    url: str, *, log_level: str = "WARNING", workers: int | None = None
) -> CrawlerResult:
    """Join the crawl at Redis ``url`` as one crawler and crawl until the fleet is done."""
    from crawler.fleet_member import STAT_FLEET_ERROR, FleetSpider

    fleet = Fleet.join(url)
    config = fleet.config()
    crawler_id = new_crawler_id()
    settings = fleet_settings(config, url, crawler_id, now=fleet.now())
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if workers is not None:
        settings.set("BLOGARCHIVE_EXTRACT_WORKERS", workers, priority="cmdline")
    spider_args = dict(config.get("spider", {}))
    with tempfile.TemporaryDirectory(prefix="blogarchive-") as tmp:
        if "sources_text" in spider_args:
            path = Path(tmp) / "sources.toml"
            path.write_text(spider_args.pop("sources_text"), encoding="utf-8")
            spider_args["sources"] = str(path)
        process = InterruptibleProcess(settings)
        quiet_loggers(log_level)
        crawler = process.create_crawler(FleetSpider)
        process.crawl(crawler, **spider_args)
        process.start()
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:
        stats = {}
    return CrawlerResult(
        crawler_id=crawler_id,
        reason=str(stats.get("finish_reason", "not started")),
        pages=int(stats.get("blogarchive/page_requests", 0)),
        fleet_error=stats.get(STAT_FLEET_ERROR),
    )


def cli_command(*args: str) -> list[str]:
    """Return the command line of a ``blogarchive`` subcommand in this interpreter."""
    return [sys.executable, "-m", "archive.cli", *args]


def coordinate(
    url: str,
    db_path: Path,
    crawlers: int,
    *,
    workers: int | None = None,
    verbose: bool = False,
    poll: float = 0.1,
) -> int:
    """Run one writer and ``crawlers`` crawler processes for the crawl at ``url``.

    Return the writer's exit status. A writer killed by a signal is started again (it goes
    on from the stream); when every crawler has exited before the crawl ended the writer is
    told to close the run.
    """
    fleet = Fleet.join(url)
    flags = ["-v"] if verbose else []
    writer_cmd = cli_command("writer", "--redis", url, "--db", str(db_path), *flags)
    writer = subprocess.Popen(writer_cmd)
    # Crawlers start once the writer has opened the archive (migrated, run started).
    while fleet.state("run_id") is None:
        if writer.poll() is not None:
            return writer.returncode or 1
        time.sleep(poll)
    crawler_cmd = cli_command("crawler", "--redis", url, *flags)
    if workers is not None:
        crawler_cmd += ["--workers", str(workers)]
    procs = [subprocess.Popen(crawler_cmd) for _ in range(crawlers)]
    told = False
    try:
        while True:
            code = writer.poll()
            if code is not None and code < 0 and fleet.state("done") is None:
                print(f"writer stopped by signal {-code}: starting it again", file=sys.stderr)
                writer = subprocess.Popen(writer_cmd)
            elif code is not None:
                break
            if not told and all(p.poll() is not None for p in procs):
                if fleet.state("done") is None:
                    fleet.client.hset(
                        STATE_KEY, "abort", "every crawler stopped before the crawl ended"
                    )
                told = True
            time.sleep(poll)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            proc.wait()
    return writer.returncode


def run_fleet(
    url: str, options: CrawlOptions, crawlers: int | None = None, *, verbose: bool = False
) -> int:
    """Crawl what ``options`` names with a writer and ``crawlers`` crawler processes on this
    machine, sharing the crawl through Redis ``url``; return the writer's exit status.

    Without ``options.workers`` the crawlers share the cores among them for extraction.
    FleetError if Redis cannot be used or a crawl is already under way there.
    """
    crawlers = crawlers or CRAWLERS
    workers = options.workers
    if workers is None:
        # The crawler processes already share the cores; extraction then runs in them.
        workers = (os.cpu_count() or 1) // crawlers
    start_fleet_crawl(url, options)
    return coordinate(url, options.db_path, crawlers, workers=workers, verbose=verbose)
