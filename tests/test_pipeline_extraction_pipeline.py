"""ExtractionPipeline: extraction in real worker processes, errors as items, pass-through."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.items import CrawlError, FetchedPage, SeriesListing
from pipeline.extraction_pipeline import ExtractionPipeline
from pipeline.records import PostRecord, SeriesMembership

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).parent / "fixtures" / "pages"
WP = "wordpress-creative-councils-closing"
WP_URL = "https://civiclabnotes.example.org/2024/03/19/what-the-first-series-taught-us/"


def fetched(name: str, url: str, **extra: object) -> FetchedPage:
    body = (PAGES / f"{name}.html").read_bytes()
    return FetchedPage(url=url, body=body, source="lab", fetched_at="2024-04-01T00:00:00Z", **extra)


async def run_items(pipeline: ExtractionPipeline, items: list[object]) -> list[object]:
    pipeline.open_spider()
    try:
        return list(await asyncio.gather(*(pipeline.process_item(item) for item in items)))
    finally:
        pipeline.close_spider()


@pytest.mark.parametrize("workers", [2, 0], ids=["process-pool", "inline"])
def test_pipeline_turns_pages_into_records_and_failures_into_crawl_errors(workers: int) -> None:
    listing = SeriesListing(
        name="Creative Councils", url="https://x/series/", source="lab", post_urls=[]
    )
    earlier = CrawlError(url="https://x/gone", stage="fetch", message="404", source="lab")
    page = fetched(WP, WP_URL, listed_in_series=[("Creative Councils", "https://x/series/")])
    broken = FetchedPage(url="https://x/img", body=b"\x89PNG\x00\x00", source="lab", fetched_at="t")
    results = asyncio.run(run_items(ExtractionPipeline(workers), [page, broken, listing, earlier]))

    record, error, passed_listing, passed_error = results
    assert isinstance(record, PostRecord)
    assert record.title == "Creative Councils: what the first series taught us"
    assert (record.source, record.fetched_at, record.fetched_url) == (
        "lab",
        "2024-04-01T00:00:00Z",
        WP_URL,
    )
    assert record.series[-1] == SeriesMembership(
        name="Creative Councils",
        url="https://x/series/",
        signal="series-page",
        evidence="https://x/series/",
    )
    assert isinstance(error, CrawlError)
    assert (error.url, error.stage, error.source) == ("https://x/img", "extract", "lab")
    assert "binary" in error.message
    assert passed_listing is listing
    assert passed_error is earlier


def test_pipeline_extracts_in_other_processes() -> None:
    pipeline = ExtractionPipeline(2)
    pipeline.open_spider()
    # Workers start with the first page to extract: a run that extracts nothing spawns none.
    assert pipeline.workers.pool is None
    try:
        pool = pipeline.workers.start()
        pids = {pool.submit(_pid).result(timeout=60) for _ in range(4)}
    finally:
        pipeline.close_spider()
    import os

    assert os.getpid() not in pids
    assert pipeline.workers.pool is None


def _pid() -> int:
    import os

    return os.getpid()


CRAWL = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from crawler.items import FetchedPage

    pages, out = Path(sys.argv[1]), sys.argv[2]

    class Collect:
        def open_spider(self):
            self.file = open(out, "w")
        def close_spider(self):
            self.file.close()
        def process_item(self, item):
            row = {"type": type(item).__name__, **item.__dict__}
            self.file.write(json.dumps(row, default=str) + "\\n")
            return item

    class Pages(scrapy.Spider):
        name = "pages"
        async def start(self):
            for html in sorted(pages.glob("*.html")):
                url = f"https://fixtures.example/{html.stem}"
                yield FetchedPage(url=url, body=html.read_bytes(), source="fixtures",
                                  fetched_at="2024-01-01T00:00:00Z")
            yield FetchedPage(url="https://fixtures.example/empty", body=b"", source="fixtures",
                              fetched_at="2024-01-01T00:00:00Z")

    process = CrawlerProcess(settings={
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {
            "pipeline.extraction_pipeline.ExtractionPipeline": 300, "__main__.Collect": 900
        },
        "BLOGARCHIVE_EXTRACT_WORKERS": 2,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    })
    process.crawl(Pages)
    process.start()
    """
)


@pytest.mark.e2e
def test_pipeline_runs_inside_a_real_scrapy_crawl(tmp_path: Path) -> None:
    script, out = tmp_path / "crawl.py", tmp_path / "items.jsonl"
    script.write_text(CRAWL)
    done = subprocess.run(
        [sys.executable, str(script), str(PAGES), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = sorted(item["type"] for item in items)
    pages = len(list(PAGES.glob("*.html")))
    assert kinds == ["CrawlError"] + ["PostRecord"] * pages, done.stderr
    assert all(item["text"] for item in items if item["type"] == "PostRecord")
