"""The published archive as a person uses it, in headless Chromium against `blogarchive serve`:
the Atom feed, the download opened with sqlite3, and a crawl while serving.

Each test leaves a screenshot in its tmp_path; ``python -m tests.screenshots`` makes the
README's.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serving
from tests.test_archive_live import add_post


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = tmp_path / "archive.db"
    add_post(db, "first", "An ordinary post about bus shelters and their timetables.")
    serve = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
    with serving(serve) as url:
        yield url, db


def test_home_page_links_the_atom_feed_of_the_latest_posts(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    url, _ = served
    page.goto(url)
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == "/-/feed.atom"
    with page.expect_response(lambda r: r.url.endswith("/-/feed.atom")) as answer:
        page.locator(".archive-summary a.feed").click()
    response = answer.value
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "<title>first</title>" in response.text()
    page.screenshot(path=str(tmp_path / "feed.png"))


def test_download_of_the_snapshot_opens_with_sqlite3(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    url, _ = served
    page.goto(url)
    snapshot_line = page.locator(".archive-summary p.snapshot").inner_text()
    assert "after run 1." in snapshot_line
    with page.expect_download() as download_info:
        page.locator(".archive-summary p.snapshot a").click()
    target = tmp_path / "downloaded.db"
    download_info.value.save_as(target)
    conn = sqlite3.connect(target)
    assert conn.execute("select title from posts").fetchall() == [("first",)]
    assert conn.execute("select run_id, posts from snapshot").fetchone() == (1, 1)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_a_crawl_while_serving_shows_the_new_post(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    url, db = served
    page.goto(f"{url}-/search?q=zeppelin")
    assert page.locator(".search-page h2.count").inner_text() == "0 posts"
    add_post(db, "second", "The zeppelin hangar reopens to visitors.")
    deadline = time.monotonic() + 10
    while page.locator(".search-page h2.count").inner_text() != "1 post":
        assert time.monotonic() < deadline, "the new post did not appear"
        page.reload()
    page.locator("a.hit-title").click()
    page.wait_for_load_state()
    assert page.locator("article.post-reading h1").inner_text() == "second"
    page.screenshot(path=str(tmp_path / "new-post.png"))
