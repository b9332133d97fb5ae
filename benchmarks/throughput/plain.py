"""The baseline a user would write: a plain Scrapy spider, trafilatura in an item pipeline.

``python -m benchmarks.throughput.plain DB URL...`` reads each site's sitemaps (named by its
robots.txt), extracts every page with ``trafilatura.bare_extraction`` in the spider's
process and writes one row per post with sqlite-utils. The same politeness as
``blogarchive crawl --no-throttle --concurrency 16``: robots.txt obeyed, no delay.
"""

from __future__ import annotations

import sys
from typing import Any

import sqlite_utils
import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.spiders import SitemapSpider


class PlainSpider(SitemapSpider):
    """Every URL of every site's sitemaps, as a sitemap spider does it."""

    name = "plain"

    def parse(self, response: Any) -> Any:
        yield {"url": response.url, "html": response.text}


class TrafilaturaPipeline:
    """Extract with trafilatura and insert the row with sqlite-utils."""

    def __init__(self, path: str) -> None:
        self.db = sqlite_utils.Database(path)

    @classmethod
    def from_crawler(cls, crawler: Any) -> TrafilaturaPipeline:
        return cls(crawler.settings["PLAIN_DB"])

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(item["html"], url=item["url"], with_metadata=True)
        if doc is not None:
            data = doc if isinstance(doc, dict) else doc.as_dict()
            row = {k: data.get(k) for k in ("title", "author", "date", "sitename", "text")}
            self.db.table("posts").insert({"url": item["url"], **row}, pk="url", replace=True)
        return {"url": item["url"]}


def main(argv: list[str]) -> int:
    """Crawl the sites named on the command line into the database ``argv[0]``."""
    db, *sites = argv
    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": True,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "ITEM_PIPELINES": {TrafilaturaPipeline: 300},
            "PLAIN_DB": db,
        }
    )
    process.crawl(PlainSpider, sitemap_urls=[site.rstrip("/") + "/robots.txt" for site in sites])
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
