"""Atom feeds: latest posts and each series, archived copy first, advertised on the pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_archive_datasette import get
from tests.test_archive_search import POSTS, SITE, published

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published(tmp_path_factory.mktemp("feed"))


def feed(snapshot: Path, path: str) -> ET.Element:
    response = get(snapshot, path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_latest_feed_lists_posts_newest_first_linking_the_archived_copy(snapshot: Path) -> None:
    root = feed(snapshot, "/-/feed.atom")
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries][:2] == ["Notes", "Open data, part 2"]
    assert len(entries) == len(POSTS)
    first = entries[0]
    links = {link.get("rel"): link.get("href") for link in first.findall(f"{A}link")}
    assert links["alternate"] == (
        "http://localhost/archive/posts/https~3A~2F~2Fparish~2Eexample~2Eorg~2Floose~2F"
    )
    assert links["via"] == f"{SITE}/loose/"
    assert first.findtext(f"{A}id") == f"{SITE}/loose/"
    assert first.findtext(f"{A}author/{A}name") == "Ben"
    assert first.findtext(f"{A}published") == "2024-05-01T00:00:00+00:00"
    assert "Data about the council" in (first.findtext(f"{A}content") or "")


def test_series_feed_lists_its_parts_last_part_first(snapshot: Path) -> None:
    root = feed(snapshot, "/-/series/1.atom")
    assert root.findtext(f"{A}title") == "Series: Open Data"
    titles = [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")]
    assert titles == ["Open data, part 2", "The library reopens"]
    assert get(snapshot, "/-/series/99.atom").status_code == 404


def test_feeds_are_advertised_on_the_home_and_series_pages(snapshot: Path) -> None:
    home = get(snapshot, "/").text
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Latest posts"'
        ' href="/-/feed.atom">' in home
    )
    series = get(snapshot, "/archive/series/1").text
    assert 'type="application/atom+xml" title="Series: Open Data" href="/-/series/1.atom"' in (
        series
    )


def test_feed_content_is_the_body_the_reading_view_shows() -> None:
    from archive.feed import atom_feed

    post = {
        "url": "https://x.example/p/",
        "title": "P",
        "author": None,
        "published": "2024-01-01",
        "updated": None,
        "last_changed_at": None,
        "description": None,
        "html": '<p>Hi<script>alert(1)</script><img src="https://x.example/a.png" alt="A"></p>',
        "text": "Hi",
    }
    root = ET.fromstring(
        atom_feed(title="t", feed_url="f", home_url="h", posts=[post], archived_url=lambda url: url)
    )
    content = root.findtext(f"{A}entry/{A}content") or ""
    assert content == '<p>Hi<img alt="A"></p>'
