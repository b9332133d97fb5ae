"""Tags: one facet value per tag whatever its letter case, and links that find every spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.publish import default_snapshot_path
from archive.store import Archive
from pipeline.records import PostRecord
from tests.test_archive_datasette import get

TAGS = [["Open data", "Budgets"], ["open data"], ["Open Data", "budgets"], ["Open data"]]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("tags") / "archive.db"
    with Archive.open(db) as archive:
        run = archive.start_run({})
        for n, tags in enumerate(TAGS, 1):
            archive.store_post(
                PostRecord(
                    url=f"https://tags.example.org/{n}/",
                    title=f"Post {n}",
                    text=f"Post number {n}.",
                    source="tags",
                    tags=tags,
                ),
                run,
            )
        archive.finish_run(run, pages_fetched=len(TAGS))
        return archive.publish(default_snapshot_path(db))


def test_tag_facet_counts_each_tag_once_whatever_its_case(snapshot: Path) -> None:
    facets = get(snapshot, "/archive/posts.json?_extra=facet_results").json()["facet_results"]
    values = [(v["label"], v["value"], v["count"]) for v in facets["tags"]["results"]]
    assert values == [("Open data", "open data", 4), ("Budgets", "budgets", 2)]


def test_datasettes_array_facet_splits_tags_by_case(snapshot: Path) -> None:
    path = "/archive/posts.json?_facet_array=tags&_extra=facet_results"
    facets = get(snapshot, path).json()["facet_results"]
    array = next(f for f in facets.values() if f["type"] == "array")
    assert {v["value"] for v in array["results"]} >= {"Open data", "open data", "Open Data"}


def test_tag_filter_and_tag_links_find_every_spelling(snapshot: Path) -> None:
    data = get(snapshot, "/archive/posts.json?_tag=OPEN+DATA&_shape=array").json()
    assert len(data) == 4
    page = get(snapshot, "/archive/posts").text
    assert '<a href="/archive/posts?_tag=open+data">Open Data</a>' in page
    assert (
        "where tagged &#34;OPEN DATA&#34; (any case)"
        in get(snapshot, "/archive/posts?_tag=OPEN+DATA").text
    )
