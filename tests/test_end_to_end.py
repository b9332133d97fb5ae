"""Crawl the demo blogs over real HTTP into a real SQLite file, twice, and check the archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demo import expected
from tests.conftest import DemoSites, crawl_args, crawl_demo, dict_rows, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("end_to_end")]


@pytest.fixture(scope="module")
def crawled(demo_sites: DemoSites, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Crawl all demo sites twice into one archive; keep both runs' output and posts rows."""
    sources, db = crawl_demo(demo_sites, tmp_path_factory.mktemp("e2e"))
    first = run_cli(*crawl_args(sources, db))
    assert first.returncode == 0, first.stderr
    rows_after_first = dict_rows(db, "select * from posts order by url")
    second = run_cli(*crawl_args(sources, db))
    assert second.returncode == 0, second.stderr
    return {"db": db, "first": first, "second": second, "rows_after_first": rows_after_first}


def _posts(crawled: dict[str, object]) -> dict[str, dict[str, object]]:
    db = crawled["db"]
    assert isinstance(db, Path)
    return {str(row["url"]): row for row in dict_rows(db, "select * from posts")}


def test_every_demo_post_is_archived_once_with_its_metadata(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    posts = _posts(crawled)
    wanted = expected.expected_posts(demo_sites.urls)
    missing = [post["url"] for post in wanted if post["url"] not in posts]
    assert not missing, f"posts not archived: {missing}; archived: {sorted(posts)}"
    for post in wanted:
        row = posts[post["url"]]
        assert row["title"] == post["title"], post["url"]
        assert row["author"] == post["author"], post["url"]
        assert str(row["published"]).startswith(post["published"]), post["url"]
        for sentence in post["must_contain"]:
            assert sentence in str(row["text"]), f"{post['url']} lost: {sentence!r}"


def test_listing_pages_and_other_pages_produce_no_record(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    posts = _posts(crawled)
    wanted = {post["url"] for post in expected.expected_posts(demo_sites.urls)}
    assert set(posts) == wanted, f"unexpected records: {sorted(set(posts) - wanted)}"
    for url in expected.listing_urls(demo_sites.urls):
        assert url not in posts


def test_no_page_furniture_leaks_into_any_text(crawled: dict[str, object]) -> None:
    leaks = [
        (url, furniture)
        for url, row in _posts(crawled).items()
        for furniture in expected.furniture_strings()
        if furniture.lower() in f"{row['title']}\n{row['text']}".lower()
    ]
    assert not leaks, f"furniture in archived text: {leaks}"


def test_robots_txt_disallowed_pages_are_never_fetched(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    for site_key in demo_sites.urls:
        requested = demo_sites.requested_paths(site_key)
        assert "/robots.txt" in requested
        for disallowed in expected.disallowed_paths(site_key):
            hits = [path for path in requested if path.startswith(disallowed)]
            assert not hits, f"{site_key}: fetched {hits} although robots.txt disallows them"


def test_series_parts_are_in_their_stated_order(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    for series in expected.series(demo_sites.urls):
        rows = dict_rows(
            db,
            "select series_posts.post_url from series_posts join series"
            " on series.id = series_posts.series_id where series.name = ?"
            " and series_posts.copy_of is null order by series_posts.position",
            (series["name"],),
        )
        held = [row["post_url"] for row in rows]
        assert held == series["parts"], f"{series['name']}: parts held in order {held}"


def test_series_keep_every_signal_of_the_crawl_and_miss_no_part(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    for series in expected.series(demo_sites.urls):
        for url in series["parts"]:
            signals = {
                row["signal"]
                for row in dict_rows(
                    db, "select signal from series_evidence where post_url = ?", (url,)
                )
            }
            # The box and navigation on the page, the series archive that lists it, and the
            # "Creative Councils: ..." titles the posts share.
            assert {"series-box", "series-nav", "series-page", "title-prefix"} <= signals, url
    assert dict_rows(db, "select * from series_gaps") == []
    assert dict_rows(db, "select count(*) as n from series_posts where conflict is not null") == [
        {"n": 0}
    ]


def test_links_keep_their_anchor_text(crawled: dict[str, object]) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    links = dict_rows(db, "select post_url, url, text from links")
    assert links, "no outbound links were archived"
    posts = _posts(crawled)
    for link in links:
        text = str(link["text"])
        assert text, link
        assert text in str(posts[str(link["post_url"])]["text"]), link
        assert str(link["url"]) not in str(posts[str(link["post_url"])]["text"]), link


def test_second_run_of_an_unchanged_site_changes_nothing(crawled: dict[str, object]) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    assert dict_rows(db, "select * from posts order by url") == crawled["rows_after_first"]
    runs = dict_rows(db, "select * from crawl_runs order by id")
    assert len(runs) == 2
    assert runs[1]["posts_new"] == 0
    assert runs[1]["posts_updated"] == 0
    assert runs[1]["posts_unchanged"] == len(crawled["rows_after_first"])  # type: ignore[arg-type]
    second = crawled["second"]
    assert "0 new / 0 updated" in second.stderr  # type: ignore[attr-defined]


def test_full_text_search_finds_posts(crawled: dict[str, object], demo_sites: DemoSites) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    post = expected.expected_posts(demo_sites.urls)[0]
    word = max(post["must_contain"][0].split(), key=len).strip(".,;:'\"()")
    hits = dict_rows(
        db,
        "select posts.url from posts_fts join posts on posts.rowid = posts_fts.rowid"
        " where posts_fts match ?",
        (json.dumps(word),),
    )
    assert post["url"] in {hit["url"] for hit in hits}


def test_republished_post_is_linked_to_its_original_not_counted_new(
    crawled: dict[str, object], demo_sites: DemoSites
) -> None:
    db = crawled["db"]
    assert isinstance(db, Path)
    wanted = {
        (post["url"], post["republished_from"])
        for post in expected.expected_posts(demo_sites.urls)
        if post["republished_from"]
    }
    assert wanted, "the demo republishes a post; expected.py lost it"
    pairs = dict_rows(db, "select post_url, original_url, method from post_duplicates")
    assert {(p["post_url"], p["original_url"]) for p in pairs} == wanted
    assert {p["method"] for p in pairs} == {"minhash"}
    first = dict_rows(db, "select * from crawl_runs order by id")[0]
    assert first["posts_duplicate"] == len(wanted)
    assert first["posts_new"] == len(crawled["rows_after_first"]) - len(wanted)  # type: ignore[arg-type]
    assert f"/ {len(wanted)} duplicate" in crawled["first"].stderr  # type: ignore[attr-defined]
    # A copy of a series part is that part, marked as a copy (archive.series.memberships).
    copies = dict_rows(db, "select post_url, copy_of from series_posts where copy_of is not null")
    assert {(c["post_url"], c["copy_of"]) for c in copies} == wanted
