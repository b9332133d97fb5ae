"""The seam between crawler and archive: one history port in, plain-data items out."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.history import ArchiveHistory
from crawler.items import Capture, PageLinks
from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, run_crawl, serve

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
PROBE_LOG = "BLOGARCHIVE_TEST_HISTORY_LOG"  # an environment variable, not a setting
ITEMS_FILE = "BLOGARCHIVE_TEST_PICKLES"


class ProbeHistory(ArchiveHistory):
    """The archive's history, writing each question the crawler asks to a log file."""

    def __init__(self, db_path: Path | str) -> None:
        super().__init__(db_path)
        self._log("open")

    def _log(self, line: str) -> None:
        with open(os.environ[PROBE_LOG], "a", encoding="utf-8") as log:
            log.write(line + "\n")

    def __getattribute__(self, name: str) -> Any:
        if name in ("validators", "load", "stored_posts", "page_links", "recheck_urls"):
            object.__getattribute__(self, "_log")(name)
        return object.__getattribute__(self, name)


class PicklePipeline:
    """Pickle every item the crawl hands to the item pipelines, as a queue would carry it."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "ab")  # noqa: SIM115

    @classmethod
    def from_crawler(cls, crawler: Any) -> PicklePipeline:
        return cls(crawler.settings[ITEMS_FILE])

    def process_item(self, item: Any) -> Any:
        pickle.dump(item, self.file)
        return item

    def close_spider(self) -> None:
        self.file.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[FixtureSite]:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "blog", root)
    with serve(FixtureSite(root, validators=True)) as running:
        yield running


def crawl(site: FixtureSite, db: Path, *extra: str) -> str:
    result = run_cli(
        "crawl", f"{site.base}/", "--db", str(db), "--workers", "0", "-q",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


@pytest.mark.e2e
def test_the_crawler_asks_what_it_captured_before_through_one_history_per_crawl(
    tmp_path, site, monkeypatch
):
    db, log = tmp_path / "archive.db", tmp_path / "history.log"
    monkeypatch.setenv(PROBE_LOG, str(log))
    probe = "BLOGARCHIVE_HISTORY=tests.test_crawler_history.ProbeHistory"
    crawl(site, db, "-s", probe)
    mark = len(site.hits)
    crawl(site, db, "-s", probe)
    asked = log.read_text(encoding="utf-8").split()
    # Opened once per crawl (the capture index was opened twice, the re-check list a third
    # time), and asked for validators, stored posts and the posts to re-check.
    assert asked.count("open") == 2
    assert {"validators", "stored_posts", "recheck_urls"} <= set(asked)
    second = site.hits[mark:]
    assert any(h.status == 304 for h in second)
    assert all(h.conditional for h in second if h.status == 304)

    # The port off (no history): the same archive, every page fetched whole.
    mark = len(site.hits)
    stderr = crawl(site, db, "-s", "BLOGARCHIVE_HISTORY=")
    third = site.hits[mark:]
    assert not any(h.conditional for h in third)
    assert not any(h.status == 304 for h in third)
    assert "0 new / 0 updated / 5 unchanged" in stderr


@pytest.mark.e2e
def test_everything_the_crawler_tells_the_archive_is_data_that_pickles(tmp_path, site):
    pickles = tmp_path / "items.pickle"
    run_crawl(
        tmp_path,
        f"urls={site.base}/",
        settings={
            "ITEM_PIPELINES": {"tests.test_crawler_history.PicklePipeline": 100},
            ITEMS_FILE: str(pickles),
            "BLOGARCHIVE_DB": str(tmp_path / "unused.db"),
        },
    )
    items: list[Any] = []
    with open(pickles, "rb") as handle:
        while True:
            try:
                items.append(pickle.load(handle))
            except EOFError:
                break
    kinds = {type(item).__name__ for item in items}
    assert {"Capture", "PageLinks", "FetchedPage", "SeriesListing"} <= kinds, kinds
    captured = {item.url.removeprefix(site.base) for item in items if isinstance(item, Capture)}
    # robots.txt and redirects never reach a callback; their captures still come as items.
    assert "/robots.txt" in captured
    linked = [item for item in items if isinstance(item, PageLinks)]
    assert all(item.payload_digest.startswith("sha1:") for item in linked)
    assert not (tmp_path / "unused.db").exists(), "the archive was written without its pipeline"


def test_archive_history_of_a_missing_archive_has_nothing(tmp_path):
    history = ArchiveHistory(tmp_path / "none.db")
    assert history.validators("http://site.example/") is None
    assert history.recheck_urls() == []
    assert history.post_pages() == []
    history.close()
    assert not (tmp_path / "none.db").exists()


def test_archive_history_rechecks_post_pages_not_listing_entries(tmp_path):
    db = tmp_path / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE posts (url TEXT, fetched_url TEXT, source TEXT)")
    conn.executemany(
        "INSERT INTO posts VALUES (?, ?, ?)",
        [
            ("http://a.example/p/", "http://a.example/p/", "a"),
            ("http://a.example/q/", None, "a"),
            ("http://a.example/#entry-1", "http://a.example/#entry-1", "a"),
        ],
    )
    conn.commit()
    conn.close()
    history = ArchiveHistory(db)
    try:
        assert history.recheck_urls() == ["http://a.example/p/", "http://a.example/q/"]
        assert history.post_pages() == [("a", "http://a.example/"), ("a", "http://a.example/p/")]
    finally:
        history.close()
