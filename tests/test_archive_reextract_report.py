"""The re-extraction report lists every post whose row a run changed, copies and gone ones too."""

from __future__ import annotations

from pathlib import Path

from archive.reextract import report
from archive.store import Archive
from crawler.items import CrawlError
from pipeline.records import PostRecord

TEXT = " ".join(f"Councils publish spreadsheet number {i} that nobody can find." for i in range(12))


def test_report_counts_duplicate_and_gone_posts(tmp_path: Path) -> None:
    db_path = tmp_path / "archive.db"
    original = "https://lab.example.gov/2024/03/open-data/"
    doomed = "https://lab.example.gov/2024/04/withdrawn/"
    copy = "https://mag.example.com/open-data/"
    with Archive.open(db_path) as archive:
        first = archive.start_run({})
        archive.store_post(PostRecord(url=original, title="Open data", text=TEXT), first)
        archive.store_post(
            PostRecord(url=doomed, title="Withdrawn", text="A short note, later withdrawn."), first
        )
        archive.finish_run(first, pages_fetched=2)
        run = archive.start_run({})
        assert archive.store_post(PostRecord(url=copy, title="Open data", text=TEXT), run) == (
            "duplicate"
        )
        archive.record_error(CrawlError(url=doomed, stage="fetch", message="HTTP 404"), run)
        archive.finish_run(run, pages_fetched=2)

    result = report(db_path, run)
    assert result.duplicate == [copy]
    assert result.gone == [doomed]
    assert {"url": copy, "outcome": "duplicate"} in result.lines()
    assert {"url": doomed, "outcome": "gone"} in result.lines()
    assert "1 duplicate, 1 gone" in result.summary()
