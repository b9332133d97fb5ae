"""The crawls the command line runs into the archive: one process, and a re-extraction.

With the fleet's writer (archive/writer.py) these are the last stage's entry points, the
archive modules that may run the crawler and not only take its data (import-linter's
contracts in pyproject.toml): ``blogarchive crawl`` and ``reextract`` call them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.lock import RunLock
from crawler.items import utc_now
from crawler.run import CrawlOptions, CrawlSummary, run_crawl

if TYPE_CHECKING:
    from archive.reextract import ReextractReport
    from crawler.sources import Source


def crawl(sources: list[Source], options: CrawlOptions) -> CrawlSummary:
    """Crawl ``sources`` into the archive in this process, under its run lock; return the summary.

    The lock is taken before Scrapy starts, so that a second run stops with one clear line
    (RunLockHeld, an ArchiveError). CrawlFailed if the crawl could not run.
    """
    with RunLock.acquire(options.db_path, started_at=utc_now()):
        return run_crawl(sources, options)


@dataclass
class Reextraction:
    """A re-extraction's run (its summary, exit status) and what it changed in the archive."""

    summary: CrawlSummary
    report: ReextractReport


def reextract(options: CrawlOptions) -> Reextraction:
    """Rebuild the archive's posts by replaying its crawl from the stored captures.

    ``options.sources_path`` or ``options.urls`` name what to replay (neither: what the last
    crawl used); ``options.settings`` override the replay's own. ArchiveError if there is
    nothing to replay, SourcesError for a bad sources file, CrawlFailed if the run could not
    run.
    """
    # Imported when called: a one-process crawl does not need them. (With them imported
    # first, test_no_throttle_still_obeys_crawl_delay failed 3 of 5 runs once. The cause
    # is not the imports: any stall of the event loop between a request leaving its slot
    # and being sent shortened the Crawl-delay gap to the next request, and their timing
    # moves with what the process holds. The downloader now counts a fixed delay from the
    # last answer, see crawler/politeness.py.)
    from archive.reextract import replay_plan, report
    from crawler.replay import replay_settings
    from crawler.sources import run_sources

    plan = replay_plan(options.db_path, options.sources_path, options.urls)
    sources = run_sources(plan.sources_path, plan.urls)
    replay = dataclasses.replace(
        options,
        sources_path=plan.sources_path,
        urls=plan.urls,
        settings=replay_settings(plan.sources_path, plan.urls) | options.settings,
    )
    summary = run_crawl(sources, replay)
    assert summary.run_id is not None
    return Reextraction(summary, report(options.db_path, summary.run_id))
