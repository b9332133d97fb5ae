"""The archive's writes in batches: one transaction per batch, seen by the same run's history.

The pipeline and the history are the real ones, in one process as in a crawl; a second,
read-only connection plays any other reader of the archive (Datasette, the next run).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from archive.archive_pipeline import ArchivePipeline
from archive.history import ArchiveHistory
from archive.store import Archive
from archive.write_batch import BatchReader, WriteBatch
from crawler.items import Capture, CrawlError, RunEnd, utc_now
from crawler.outcome import STAT_REASON, STAT_STATUS
from pipeline.records import PostRecord

SITE = "https://batch.example.org"


def capture(n: int) -> Capture:
    return Capture(
        url=f"{SITE}/page-{n}/",
        fetched_at=utc_now(),
        status=200,
        request_headers=[("User-Agent", "test")],
        response_headers=[("Content-Type", "text/html"), ("ETag", f'"v{n}"')],
        body=f"<html><body><p>page {n}</p></body></html>".encode(),
    )


def post(n: int) -> PostRecord:
    return PostRecord(
        url=f"{SITE}/page-{n}/",
        title=f"Page {n}",
        text=f"The text of page number {n}, long enough to be a post of its own. " * 5,
        source="batch",
        fetched_url=f"{SITE}/page-{n}/",
    )


SETTINGS: dict[str, Any] = {
    "BLOGARCHIVE_SNAPSHOT": "",
    "BLOGARCHIVE_DEDUP": False,
    "EXTENSIONS": {"crawler.run_end.RunEnds": 0},
}


class BatchSpider(Spider):
    name = "batch"


def open_crawl(
    tmp_path: Path, rows: int, seconds: float = 3600.0
) -> tuple[Crawler, ArchivePipeline, ArchiveHistory]:
    """A crawl's pipeline and history, built as Scrapy builds them, the pipeline opened."""
    db = tmp_path / "archive.db"
    settings: dict[str, Any] = {
        **SETTINGS,
        "BLOGARCHIVE_DB": str(db),
        "BLOGARCHIVE_WRITE_BATCH": rows,
        "BLOGARCHIVE_WRITE_BATCH_SECONDS": seconds,
    }
    crawler = get_crawler(BatchSpider, settings_dict=settings)
    history = ArchiveHistory.from_crawler(crawler)  # as the spider opens it
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, pipeline, history


def open_pipeline(tmp_path: Path, rows: int, seconds: float = 3600.0) -> ArchivePipeline:
    return open_crawl(tmp_path, rows, seconds)[1]


def committed(db: Path, sql: str) -> int:
    """Count as another process would: only what was committed."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def close(pipeline: ArchivePipeline) -> None:
    pipeline.end_run(RunEnd("finished", {}))  # as a crawl without the engine ends


def test_the_runs_history_sees_its_pending_batch_and_nobody_else_does(tmp_path: Path) -> None:
    _, pipeline, history = open_crawl(tmp_path, rows=50)
    db = pipeline.db_path
    pipeline.process_item(capture(1))
    pipeline.process_item(post(1))

    # Not committed: another reader sees nothing yet...
    assert committed(db, "SELECT count(*) FROM captures") == 0
    assert committed(db, "SELECT count(*) FROM posts") == 0
    # ...but the run's own history does (through the reader the pipeline lent it, not the
    # pipeline's connection): a conditional request, a stored post.
    assert isinstance(history._through, BatchReader)
    assert not hasattr(history._through, "execute")
    validators = history.validators(f"{SITE}/page-1/")
    assert validators is not None
    assert validators.etag == '"v1"'
    assert history.load(validators.capture_id).body == capture(1).body
    assert history.stored_posts(f"{SITE}/page-1/") == {f"{SITE}/page-1/": f"{SITE}/page-1/"}

    # The mechanism off (the history on its own read-only connection): the capture is missed.
    history.read_through(None)
    assert history.validators(f"{SITE}/page-1/") is None
    assert history.stored_posts(f"{SITE}/page-1/") == {}
    assert pipeline.batch is not None
    history.read_through(pipeline.batch.reader)

    close(pipeline)
    # Let go with the archive: the history reads committed rows on its own connection again.
    assert history._through is None
    assert committed(db, "SELECT count(*) FROM captures") == 1
    assert committed(db, "SELECT count(*) FROM posts") == 1
    # The run ends counted from what it stored (no fetch counted here: not "finished").
    assert committed(db, "SELECT posts_new FROM crawl_runs WHERE status != 'running'") == 1
    history.close()


def test_the_batch_reader_lends_queries_and_no_write(tmp_path: Path) -> None:
    _, pipeline, history = open_crawl(tmp_path, rows=50)
    assert pipeline.batch is not None
    pipeline.process_item(capture(1))
    reader = pipeline.batch.reader
    assert reader.rows("SELECT url FROM captures") == [(f"{SITE}/page-1/",)]
    for statement in ("DELETE FROM captures", "COMMIT", "PRAGMA query_only = 1"):
        with pytest.raises(ValueError, match="SELECT statements only"):
            reader.rows(statement)
    assert reader.rows("SELECT count(*) FROM captures") == [(1,)]
    assert pipeline.batch.open  # the batch is the writer's still: nothing committed it
    close(pipeline)
    history.close()


@pytest.mark.parametrize("rows", [1, 3])
def test_a_batch_is_committed_whole_when_it_holds_its_count(tmp_path: Path, rows: int) -> None:
    pipeline = open_pipeline(tmp_path, rows=rows)
    db = pipeline.db_path
    seen = []
    for n in range(1, 8):
        pipeline.process_item(capture(n))
        seen.append(committed(db, "SELECT count(*) FROM captures"))
    # Batches of 3: nothing, then all three at once; 1: each write on its own (no batching).
    expected = [1, 2, 3, 4, 5, 6, 7] if rows == 1 else [0, 0, 3, 3, 3, 6, 6]
    assert seen == expected
    close(pipeline)
    assert committed(db, "SELECT count(*) FROM captures") == 7


def test_a_batch_is_committed_when_its_first_write_is_old_enough(tmp_path: Path) -> None:
    pipeline = open_pipeline(tmp_path, rows=1000, seconds=1.0)
    assert pipeline.batch is not None
    now = [100.0]
    pipeline.batch.clock = lambda: now[0]
    db = pipeline.db_path
    pipeline.process_item(capture(1))
    now[0] += 0.5
    pipeline.process_item(CrawlError(f"{SITE}/missing/", "fetch", "404 Not Found", "batch"))
    assert committed(db, "SELECT count(*) FROM captures") == 0
    now[0] += 0.5
    pipeline._commit_due()  # what the crawl's one-second ticker calls
    assert committed(db, "SELECT count(*) FROM captures") == 1
    assert committed(db, "SELECT count(*) FROM errors") == 1
    close(pipeline)


def test_a_run_closed_without_its_end_keeps_no_pending_write(tmp_path: Path) -> None:
    """What a kill does to the batch under way: the transaction never commits."""
    pipeline = open_pipeline(tmp_path, rows=1000)
    db = pipeline.db_path
    for n in range(1, 4):
        pipeline.process_item(capture(n))
        pipeline.process_item(post(n))
    pipeline._release()  # the connection closes with the batch uncommitted
    assert committed(db, "SELECT count(*) FROM captures") == 0
    assert committed(db, "SELECT count(*) FROM posts") == 0
    assert committed(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 1


def test_the_runs_end_is_data_the_archive_consumes(tmp_path: Path) -> None:
    """What a fleet's writer hands over as a one-process crawl does: a RunEnd, no crawler."""
    crawler, pipeline, _ = open_crawl(tmp_path, rows=50)
    db = pipeline.db_path
    pipeline.process_item(capture(1))
    pipeline.process_item(post(1))
    said = pipeline.end_run(RunEnd("finished", {"downloader/response_count": 3}))
    # What the archive recorded, with its own counts of the run: the answer is data too.
    assert said == {
        STAT_STATUS: "finished",
        STAT_REASON: "finished",
        "blogarchive/captures_stored": 1,
        "blogarchive/posts_new": 1,
        "blogarchive/run_id": 1,
        "blogarchive/interrupted_runs": 0,
    }
    # The crawler's stats are not the archive's to read or write, during the run or at its end.
    assert crawler.stats is not None
    assert crawler.stats.get_stats() == {}
    conn = sqlite3.connect(db)
    try:
        run = conn.execute("SELECT status, pages_fetched, posts_new FROM crawl_runs").fetchall()
    finally:
        conn.close()
    assert run == [("finished", 3, 1)]


def test_batches_end_by_age_once_the_engine_runs_and_never_in_the_writer(tmp_path: Path) -> None:
    """The clock is Scrapy's engine_started signal, not a look at the crawler's engine."""
    crawler, pipeline, _ = open_crawl(tmp_path, rows=50)
    assert pipeline.ticker is None  # opened before the engine starts, as in a crawl
    crawler.signals.send_catch_log(signal=signals.engine_started)
    assert pipeline.ticker is not None
    assert pipeline.ticker.running
    close(pipeline)
    assert pipeline.ticker is None

    settings = Settings({**SETTINGS, "BLOGARCHIVE_DB": str(tmp_path / "writer.db")})
    writer = ArchivePipeline.for_settings(settings)  # as the fleet's writer builds it
    writer.open_spider()
    assert writer.ticker is None
    assert writer.writing is None
    close(writer)


def open_temp_files() -> list[str]:
    """Return the temporary files SQLite has open in this process (deleted, named etilqs_*)."""
    links = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return [link for link in links if "etilqs_" in link]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd (Linux)")
def test_a_batchs_savepoint_journals_stay_in_memory_and_the_setting_comes_back(
    tmp_path: Path,
) -> None:
    """Each write's savepoint journals the pages it changes; a post changes more than the
    64 KB SQLite keeps in memory by default, so without the batch's setting the journal is a
    temporary file written again for every post (and deleted at the commit)."""
    archive = Archive.open(tmp_path / "archive.db")
    words = " ".join(f"word{i}" for i in range(4000))
    batch = WriteBatch(archive.db, archive.path, rows=100, seconds=3600.0)
    run_id = archive.start_run({})
    temp_files = set()
    for n in range(30):
        batch.begin()
        archive.store_post(dataclasses.replace(post(n), text=f"{words} {n}", html=words), run_id)
        batch.wrote()
        temp_files |= set(open_temp_files())
    assert batch.open
    assert temp_files == set()
    assert archive.db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    batch.commit()
    assert archive.db.execute("PRAGMA temp_store").fetchone()[0] == 0  # the default again
    assert archive.db.execute("SELECT count(*) FROM posts_fts").fetchone()[0] == 30
    archive.close()
