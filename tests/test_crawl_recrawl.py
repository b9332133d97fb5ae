"""A re-crawl of a site whose server sends no ETag or Last-Modified: unchanged bodies skip.

Every page comes back as a whole 200; one whose payload repeats its last capture, parsed
before by the same classifier and extractor, with its posts stored, is neither parsed nor
extracted again. ``crawl --full`` (the mechanism off) extracts every post again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import Blog, new_blog
from tests.test_archive_revisions import query

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
EXTRACTED = re.compile(r"'blogarchive/extracted': (\d+)")
POSTS = 10


@dataclass
class Crawled:
    """What each crawl of the blog extracted, and the archive's runs."""

    blog: Blog
    base: str
    db: Path
    extracted: dict[str, int]
    statuses: list[int]


def crawl(base: str, db: Path, *extra: str) -> int:
    """Crawl ``base`` into ``db``; return how many pages the crawl extracted."""
    result = run_cli("crawl", base + "/", "--db", str(db), "-v", *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return sum(int(n) for n in EXTRACTED.findall(result.stderr))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    work = tmp_path_factory.mktemp("recrawl")
    blog = new_blog(work / "site", POSTS)
    db = work / "archive.db"
    extracted: dict[str, int] = {}
    with serve(FixtureSite(blog.root, validators=False)) as site:
        extracted["first"] = crawl(site.base, db)
        mark = len(site.hits)
        extracted["unchanged"] = crawl(site.base, db)
        statuses = [hit.status for hit in site.hits[mark:]]
        extracted["full"] = crawl(site.base, db, "--full")
        extracted["other extractor"] = crawl(site.base, db, "-s", "BLOGARCHIVE_CLEAN=False")
        extracted["extractor back"] = crawl(site.base, db)
        extracted["again"] = crawl(site.base, db)
        first = blog.post("post-4").paragraphs
        blog.edit("post-4", paragraphs=(*first, "A paragraph added later."))
        blog.write()
        extracted["edited"] = crawl(site.base, db)
        yield Crawled(blog, site.base, db, extracted, statuses)


@pytest.mark.e2e
def test_an_unchanged_site_without_validators_is_not_extracted_again(crawled: Crawled) -> None:
    assert crawled.extracted["first"] == POSTS
    # The server answered every page whole: no validators, nothing to answer with a 304.
    assert 200 in crawled.statuses
    assert 304 not in crawled.statuses
    assert crawled.extracted["unchanged"] == 0
    assert query(crawled.db, "SELECT posts_new, posts_updated, posts_unchanged FROM crawl_runs")[
        1
    ] == (0, 0, POSTS)


@pytest.mark.e2e
def test_a_full_crawl_extracts_every_post_again(crawled: Crawled) -> None:
    # The mechanism off: the same unchanged bodies are all extracted again.
    assert crawled.extracted["full"] == POSTS


@pytest.mark.e2e
def test_another_extractor_extracts_unchanged_pages_once_more(crawled: Crawled) -> None:
    assert crawled.extracted["other extractor"] == POSTS
    assert crawled.extracted["extractor back"] == POSTS
    assert crawled.extracted["again"] == 0


@pytest.mark.e2e
def test_a_changed_post_is_extracted_again_and_kept_as_a_revision(crawled: Crawled) -> None:
    assert crawled.extracted["edited"] == 1
    url = crawled.base + crawled.blog.post("post-4").path
    (run,) = query(crawled.db, "SELECT max(id) FROM crawl_runs")
    assert query(
        crawled.db, "SELECT post_url, outcome FROM post_changes WHERE run_id = ?", run[0]
    ) == [(url, "updated")]
    (text,) = query(crawled.db, "SELECT text FROM posts WHERE url = ?", url)
    assert "A paragraph added later." in str(text[0])
    assert query(crawled.db, "SELECT post_url FROM post_revisions") == [(url,)]
