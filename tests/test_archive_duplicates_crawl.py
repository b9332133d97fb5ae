"""Near-duplicates found by a crawl: a foundation's series reposted by a magazine, crawled over
local HTTP into a real archive."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve

pytestmark = pytest.mark.e2e


FIXTURES = Path(__file__).parent / "fixtures" / "crawler"


@pytest.fixture
def sites() -> Iterator[tuple[FixtureSite, FixtureSite]]:
    with serve(FixtureSite(FIXTURES / "foundation")) as foundation:
        syndicator = FixtureSite(
            FIXTURES / "syndicator", substitutions={"{{FOUNDATION}}": foundation.base}
        )
        with serve(syndicator):
            yield foundation, syndicator


def crawl(db: Path, *urls: str, dedup: bool = True) -> str:
    args = ["crawl", *urls, "--db", str(db), "-s", "DOWNLOAD_DELAY=0"]
    if not dedup:
        args += ["-s", "BLOGARCHIVE_DEDUP=false"]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def test_reposted_series_parts_are_linked_to_the_foundations_posts(
    tmp_path: Path, sites: tuple[FixtureSite, FixtureSite]
) -> None:
    foundation, magazine = sites
    db = tmp_path / "archive.db"
    stderr = crawl(db, foundation.base + "/", magazine.base + "/")
    part_1 = f"{foundation.base}/learning/part-1/"
    part_2 = f"{foundation.base}/learning/part-2/"
    assert sorted(query(db, "select post_url, original_url, method from post_duplicates")) == [
        (f"{magazine.base}/features/hall-leaflets-tea/", part_1, "minhash"),
        # This copy names its original with a cross-site rel=canonical.
        (f"{magazine.base}/features/repair-cafe-tools/", part_2, "rel-canonical"),
    ]
    # Part 1 and part 2 open with the same series intro, and stay two posts.
    assert query(db, "select count(*) from posts") == [(5,)]
    assert query(db, "select posts_new, posts_duplicate from crawl_runs") == [(3, 2)]
    assert "posts 3 new / 0 updated / 0 unchanged / 0 gone / 2 duplicate" in stderr
    assert query(db, "select count(*) from duplicate_pairs") == [(2,)]


def test_one_post_linked_under_four_spellings_is_fetched_and_stored_once(
    tmp_path: Path, sites: tuple[FixtureSite, FixtureSite]
) -> None:
    foundation, _ = sites
    db = tmp_path / "archive.db"
    crawl(db, foundation.base + "/")
    # The home page links /learning/part-1/?utm_source=..., /learning/part-1,
    # /learning/part-1/index.html and /learning/part-1/#comments.
    fetched = [p for p in foundation.paths() if p.startswith("/learning/part-1")]
    assert len(fetched) == 1, fetched
    assert query(db, "select url from posts order by url") == [
        (f"{foundation.base}/learning/part-1/",),
        (f"{foundation.base}/learning/part-2/",),
    ]


def test_with_detection_off_the_copies_count_as_new_posts(
    tmp_path: Path, sites: tuple[FixtureSite, FixtureSite]
) -> None:
    """The mechanism off: the same crawl with BLOGARCHIVE_DEDUP=false."""
    foundation, magazine = sites
    db = tmp_path / "archive.db"
    crawl(db, foundation.base + "/", magazine.base + "/", dedup=False)
    assert query(db, "select count(*) from post_duplicates") == [(0,)]
    assert query(db, "select posts_new, posts_duplicate from crawl_runs") == [(5, 0)]
