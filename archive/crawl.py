"""The crawl the command line runs into the archive in one process, under the run lock.

With re-extraction (archive/reextract.py) and the fleet's writer (archive/writer.py) this is
one of the last stage's entry points, the archive modules that may run the crawler and not
only take its data (import-linter's contracts in pyproject.toml): ``blogarchive crawl``
calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.lock import RunLock
from crawler.items import utc_now
from crawler.run import CrawlOptions, CrawlSummary, run_crawl

if TYPE_CHECKING:
    from crawler.sources import Source


def crawl(sources: list[Source], options: CrawlOptions) -> CrawlSummary:
    """Crawl ``sources`` into the archive in this process, under its run lock; return the summary.

    The lock is taken before Scrapy starts, so that a second run stops with one clear line
    (RunLockHeld, an ArchiveError). CrawlFailed if the crawl could not run.
    """
    with RunLock.acquire(options.db_path, started_at=utc_now()):
        return run_crawl(sources, options)
