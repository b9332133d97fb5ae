"""Revisions: a changed post keeps its earlier version, a deleted one is kept and marked gone.

First against the store directly, then by crawling a generated blog over real HTTP three
times (as published, unchanged, then with posts edited, deleted and added), reading the
result in SQL, through `blogarchive serve`, and in headless Chromium.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from datasette.utils import tilde_encode

from archive.diffs import diff_versions
from archive.store import Archive
from pipeline.records import Link, SeriesMembership
from tests.conftest import run_cli, serving
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import Blog, BlogPost, new_blog, sentence
from tests.test_archive_store import Clock, post

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]

# -- the store -------------------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def revisions(archive: Archive) -> list[dict[str, Any]]:
    return list(archive.db["post_revisions"].rows_where(order_by="post_url, revision"))


def test_changed_post_keeps_the_version_it_replaces(archive: Archive) -> None:
    first, second, third = (archive.start_run({}) for _ in range(3))
    original = post("budget", links=[Link("https://example.org/a", "a")], tags=["money"])
    archive.store_post(original, first)
    edited = post("budget", text="Body rewritten.", links=[Link("https://example.org/b", "b")])
    assert archive.store_post(edited, second) == "updated"
    assert archive.store_post(post("budget", title="Budget, again"), third) == "updated"

    kept = revisions(archive)
    assert [(r["revision"], r["from_run_id"], r["run_id"]) for r in kept] == [
        (1, first, second),
        (2, second, third),
    ]
    assert kept[0]["text"] == original.text
    assert json.loads(kept[0]["links"]) == [["https://example.org/a", "a"]]
    assert json.loads(kept[0]["tags"]) == ["money"]
    assert json.loads(kept[0]["changed"]) == ["tags", "text", "links"]
    assert kept[0]["content_hash"] == original.content_hash()
    assert kept[1]["text"] == "Body rewritten."
    assert json.loads(kept[1]["changed"]) == ["title", "text", "links"]
    current = archive.db["posts"].get(original.url)
    assert (current["title"], current["text"]) == ("Budget, again", original.text)


def test_unchanged_post_adds_no_revision(archive: Archive) -> None:
    for _ in range(3):
        assert archive.store_post(post("same"), archive.start_run({})) in ("new", "unchanged")
    assert revisions(archive) == []


def test_series_page_membership_alone_is_not_a_new_version(archive: Archive) -> None:
    """Whether the crawl reached the series page first is timing, not an edit."""
    archive.store_post(post("part-1"), archive.start_run({}))
    listed = post("part-1", series=[SeriesMembership("City data", signal="series-page")])
    assert listed.content_hash() == post("part-1").content_hash()
    stated = post("part-1", series=[SeriesMembership("City data", 1, signal="series-box")])
    assert stated.content_hash() != post("part-1").content_hash()
    # A hash that differs although every stored field is the same (a new hash recipe) is
    # "unchanged" too: values decide, not hashes.
    archive.db.execute("UPDATE posts SET content_hash = 'old recipe'")
    assert archive.store_post(post("part-1"), archive.start_run({})) == "unchanged"
    assert archive.db["posts"].get(listed.url)["content_hash"] == listed.content_hash()
    assert revisions(archive) == []


def test_diff_marks_edited_words_and_added_paragraphs() -> None:
    old = {"title": "Budget", "text": "One two three.\n\nSame.\n\nGone paragraph.", "links": "[]"}
    new = {
        "title": "Budget 2025",
        "text": "One two four.\n\nSame.\n\nNew end.\n\nMore.",
        "links": [],
    }
    fields, text, links = diff_versions(old, new)
    assert [(f.field, f.old, f.new) for f in fields] == [("title", "Budget", "Budget 2025")]
    assert [(line.kind, line.segments) for line in text] == [
        ("changed", (("same", "One two "), ("removed", "three."), ("added", "four."))),
        ("same", (("same", "Same."),)),
        ("changed", (("removed", "Gone paragraph."), ("added", "New end."))),
        ("added", (("added", "More."),)),
    ]
    assert links == []


# -- crawls of a blog that changes -------------------------------------------------------------


@dataclass
class Evolution:
    """Three crawls of one blog into one archive, and what was changed before the third."""

    db: Path
    base: str
    blog: Blog
    edited_text: BlogPost
    retitled: BlogPost
    deleted: BlogPost
    added: BlogPost
    summaries: list[str]
    db_unchecked: Path
    removed_word: str
    third_run_paths: list[str]


def crawl(base: str, db: Path, *extra: str) -> str:
    result = run_cli("crawl", base + "/", "--db", str(db), *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def evolution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evolution]:
    work = tmp_path_factory.mktemp("revisions")
    blog = new_blog(work / "site", 12)
    db, db_unchecked = work / "archive.db", work / "unchecked.db"
    with serve(FixtureSite(blog.root)) as site:
        summaries = [crawl(site.base, db), crawl(site.base, db)]
        crawl(site.base, db_unchecked)
        old = {slug: blog.post(slug) for slug in ("post-4", "post-6")}
        first = old["post-4"].paragraphs
        second_first_word, second_rest = first[1].split(" ", 1)
        edited = blog.edit(
            "post-4",
            paragraphs=("Revised: " + first[0], "Changed " + second_rest, first[2], "A new end."),
        )
        blog.edit("post-6", title="Post number six, retitled")
        deleted = blog.delete("post-12")  # the newest: no other post links to it
        # Its own text: one copying post-6 would be a duplicate of it, not a new post.
        text = tuple(" ".join(sentence(9000 + p * 3 + s) for s in range(3)) for p in range(3))
        added = BlogPost("post-new", "A post added later", "2025-06-01", text)
        blog.posts.append(added)
        blog.write()
        before = len(site.hits)
        summaries.append(crawl(site.base, db))
        third_run_paths = site.paths()[before:]
        # The mechanism off: without re-checking archived posts, nothing asks for the deleted one.
        crawl(site.base, db_unchecked, "-s", "BLOGARCHIVE_RECHECK=False")
        yield Evolution(
            db,
            site.base,
            blog,
            edited,
            blog.post("post-6"),
            deleted,
            added,
            summaries,
            db_unchecked,
            second_first_word,
            third_run_paths,
        )


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_a_crawl_of_an_unchanged_blog_keeps_no_revision(evolution: Evolution) -> None:
    assert "12 new / 0 updated / 0 unchanged / 0 gone" in evolution.summaries[0]
    assert "0 new / 0 updated / 12 unchanged / 0 gone" in evolution.summaries[1]
    assert query(evolution.db, "SELECT count(*) FROM post_revisions WHERE run_id <= 2") == [(0,)]


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_edits_deletions_and_additions_between_runs(evolution: Evolution) -> None:
    e = evolution
    # A deletion is an outcome of the run, not also one of its errors.
    assert "1 new / 2 updated / 9 unchanged / 1 gone / 0 duplicate, 0 errors" in e.summaries[2]
    url = {p.slug: e.base + p.path for p in (e.edited_text, e.retitled, e.deleted, e.added)}
    assert query(
        e.db,
        "SELECT post_url, revision, from_run_id, run_id, changed FROM post_revisions"
        " ORDER BY post_url",
    ) == [
        (url["post-4"], 1, 1, 3, '["text", "html"]'),
        (url["post-6"], 1, 1, 3, '["title"]'),
    ]
    (old_text,) = query(e.db, "SELECT text FROM post_revisions WHERE post_url = ?", url["post-4"])
    assert "A new end." not in old_text[0]
    (now_text,) = query(e.db, "SELECT text FROM posts WHERE url = ?", url["post-4"])
    assert "A new end." in now_text[0]
    assert "Revised: " in now_text[0]
    assert query(e.db, "SELECT title FROM posts WHERE url = ?", url["post-6"]) == [
        ("Post number six, retitled",)
    ]
    # The deleted post is kept as it was, and the run says it is gone.
    assert query(e.db, "SELECT title FROM posts WHERE url = ?", url["post-12"]) == [
        (e.deleted.title,)
    ]
    assert query(
        e.db, "SELECT outcome, post_url FROM post_changes WHERE run_id = 3 ORDER BY post_url"
    ) == sorted(
        [
            ("updated", url["post-4"]),
            ("updated", url["post-6"]),
            ("gone", url["post-12"]),
            ("new", url["post-new"]),
        ],
        key=lambda r: r[1],
    )
    assert query(e.db, "SELECT posts_updated, posts_gone FROM crawl_runs WHERE id = 3") == [(2, 1)]


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_only_posts_the_crawl_did_not_reach_are_rechecked(evolution: Evolution) -> None:
    posts = [p for p in evolution.third_run_paths if "/post-" in p]
    assert posts.count(evolution.deleted.path) == 1
    assert len(posts) == len(set(posts)), "a post was requested twice in one run"


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_without_rechecks_a_deleted_post_goes_unnoticed(evolution: Evolution) -> None:
    e = evolution
    url = e.base + e.deleted.path
    assert query(e.db_unchecked, "SELECT outcome FROM run_posts WHERE post_url = ?", url) == [
        ("new",)
    ]
    assert query(e.db_unchecked, "SELECT posts_gone FROM crawl_runs ORDER BY id") == [(0,), (0,)]


@pytest.fixture(scope="module")
def served(evolution: Evolution) -> Iterator[str]:
    command = [sys.executable, "-m", "archive.cli", "serve", "--db", str(evolution.db)]
    with serving([*command, "--port", "0"]) as url:
        yield url + evolution.db.stem


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_datasette_lists_what_changed_in_a_run(evolution: Evolution, served: str) -> None:
    latest = httpx.get(f"{served}/changes_in_run.json?_shape=array&run=", timeout=10).json()
    assert sorted((r["outcome"], r["title"]) for r in latest) == [
        ("gone", evolution.deleted.title),
        ("new", evolution.added.title),
        ("updated", evolution.edited_text.title),
        ("updated", evolution.retitled.title),
    ]
    second = httpx.get(f"{served}/changes_in_run.json?_shape=array&run=2", timeout=10).json()
    assert second == []


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_reading_view_shows_a_readable_diff(evolution: Evolution, served: str, page: Any) -> None:
    page.goto(f"{served}/changes_in_run?run=3")
    page.click(f"td.col-post_url a:text-is({evolution.base + evolution.edited_text.path!r})")
    page.wait_for_url(re.compile(r"/posts/"))
    change = page.locator("article.post-reading section.revisions details.revision").first
    assert change.is_visible()
    summary = change.locator("summary").inner_text()
    assert "Version 1 → 2" in summary
    assert "run 3" in summary
    assert change.locator(".diff-text ins").all_inner_texts() == [
        "Revised: ",
        "Changed ",
        "A new end.",
    ]
    removed = evolution.removed_word
    assert change.locator(".diff-text del").all_inner_texts() == [removed + " "]
    # Only changed paragraphs and their neighbours are shown, not the whole post again.
    assert change.locator(".diff-text p").count() < 2 + len(evolution.edited_text.paragraphs)
    change.locator("a", has_text="as archived").click()
    page.wait_for_url(re.compile(r"/post_revisions/"))
    assert "A new end." not in page.locator("table.rows-and-columns").inner_text()


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_reading_view_shows_a_retitled_post_field_by_field(
    evolution: Evolution, served: str, page: Any
) -> None:
    page.goto(f"{served}/posts/{tilde_encode(evolution.base + evolution.retitled.path)}")
    row = page.locator("section.revisions table.field-changes tr[data-field=title]")
    assert row.locator("del").inner_text() == "Post number 6"
    assert row.locator("ins").inner_text() == "Post number six, retitled"
    assert page.locator("section.revisions .diff-text").count() == 0


@pytest.mark.xdist_group("revisions")
@pytest.mark.e2e
def test_reading_view_says_a_deleted_post_is_gone(
    evolution: Evolution, served: str, page: Any
) -> None:
    page.goto(f"{served}/posts/{tilde_encode(evolution.base + evolution.deleted.path)}")
    notice = page.locator("article.post-reading .gone-notice")
    assert "Gone from the site" in notice.inner_text()
    assert "run 3" in notice.inner_text()
    assert page.locator("article.post-reading h1").inner_text() == evolution.deleted.title
    unchanged = evolution.base + evolution.blog.post("post-2").path
    page.goto(f"{served}/posts/{tilde_encode(unchanged)}")
    assert page.locator("article.post-reading").count() == 1
    assert page.locator(".gone-notice, section.revisions").count() == 0
