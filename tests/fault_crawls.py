"""Run many small crawls at once in one Scrapy process: the per-fault suite's runner.

Each crawl is the real spider, middlewares and pipelines with its own settings, archive and
site; only the process (imports, reactor) is shared, which keeps thirty-odd crawls within
seconds of CPU instead of a process start each. Reads a JSON list of
``{"url", "db", "settings"}`` from the file named on the command line and prints one JSON
line per crawl: its summary line, close reason, duration and stats.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from crawler.run import CrawlOptions, crawl_settings, summarize
from crawler.spiders.blog import BlogSpider


class _EndTime:
    """When one crawl's spider closed."""

    def __init__(self) -> None:
        self.at: float | None = None

    def record(self) -> None:
        self.at = time.monotonic()


def main() -> None:
    """Run the crawls listed in ``sys.argv[1]`` concurrently; print their results."""
    specs: list[dict[str, Any]] = json.loads(Path(sys.argv[1]).read_text())
    # The end-time recorders live here: Scrapy's signals hold their receivers weakly.
    runs: list[tuple[dict[str, Any], CrawlOptions, Crawler, _EndTime]] = []
    # Only the project's defaults: Scrapy 2.19 merges the process's settings into each
    # crawler's, replacing those of equal priority (its docs say they are kept).
    defaults = Settings()
    defaults.setmodule("crawler.settings", priority="project")
    process = AsyncCrawlerProcess(defaults)
    for spec in specs:
        options = CrawlOptions(
            db_path=Path(spec["db"]),
            urls=[spec["url"]],
            delay=0,
            workers=0,
            settings=spec.get("settings", {}),
        )
        crawler = Crawler(BlogSpider, crawl_settings(options))
        ended = _EndTime()
        crawler.signals.connect(ended.record, signal=signals.spider_closed)
        runs.append((spec, options, crawler, ended))
    for spec, _, crawler, _ in runs:
        process.crawl(crawler, urls=spec["url"])
    started = time.monotonic()
    process.start()
    for spec, options, crawler, ended in runs:
        summary = summarize(crawler, options, started)
        stats = crawler.stats.get_stats() if crawler.stats else {}
        result = {
            "db": spec["db"],
            "summary": summary.line(),
            "status": summary.outcome.status,
            "reason": summary.outcome.reason,
            "finish_reason": stats.get("finish_reason"),
            "errors": summary.errors,
            "seconds": (ended.at or time.monotonic()) - started,
            "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)},
        }
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
