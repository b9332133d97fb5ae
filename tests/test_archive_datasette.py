"""The published archive in Datasette: in-process client, and one real server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from archive.publish import default_snapshot_path
from archive.serve import (
    UnknownSettingError,
    check_settings,
    datasette_args,
    ensure_snapshot,
    make_datasette,
    render_metadata,
)
from archive.store import Archive
from crawler.items import SeriesListing
from pipeline.records import PostRecord, SeriesMembership
from tests.conftest import serving

SITE = "https://lab.example.gov"


def build_archive(db_path: Path) -> Path:
    with Archive.open(db_path) as archive:
        run = archive.start_run({})
        for part, word in ((1, "spreadsheets"), (2, "catalogue")):
            archive.store_post(
                PostRecord(
                    url=f"{SITE}/open-data-{part}/",
                    title=f"Open data, part {part}",
                    text=f"Councils and their {word}.",
                    source="citylab",
                    site="City Innovation Lab",
                    author="Ana Ruiz",
                    published=f"2024-03-0{part}",
                    tags=["open data"],
                    series=[SeriesMembership("Open Data", part, 2, signal="title-part")],
                ),
                run,
            )
        archive.store_series_listing(
            SeriesListing("Open Data", f"{SITE}/series/open-data/", "citylab", []), run
        )
        archive.finish_run(run, pages_fetched=3)
        return archive.publish(default_snapshot_path(db_path))


def get(snapshot: Path, path: str) -> Any:
    async def fetch() -> Any:
        ds = make_datasette(snapshot)
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("ds") / "archive.db")


def test_search_finds_a_post_by_a_word_of_its_text(snapshot: Path) -> None:
    response = get(snapshot, "/archive/posts.json?_search=catalogue&_shape=objects")
    assert response.status_code == 200
    assert [row["url"] for row in response.json()["rows"]] == [f"{SITE}/open-data-2/"]


def test_posts_table_offers_site_author_and_tag_facets(snapshot: Path) -> None:
    data = get(snapshot, "/archive/posts.json?_extra=facet_results").json()
    facets = data["facet_results"]
    assert {"site", "author", "tags"} <= set(facets)
    assert facets["site"]["results"][0]["value"] == "City Innovation Lab"
    assert facets["site"]["results"][0]["count"] == 2


def test_post_series_view_facets_by_series(snapshot: Path) -> None:
    data = get(snapshot, "/archive/post_series.json?_extra=facet_results").json()
    series = data["facet_results"]["series_name"]["results"]
    assert [(r["value"], r["count"]) for r in series] == [("Open Data", 2)]


def test_canned_query_lists_series_parts_in_order(snapshot: Path) -> None:
    data = get(snapshot, "/archive/series_with_parts.json?_shape=objects").json()
    assert [(r["series"], r["position"], r["title"]) for r in data["rows"]] == [
        ("Open Data", 1, "Open data, part 1"),
        ("Open Data", 2, "Open data, part 2"),
    ]


def test_database_page_links_a_download_of_the_snapshot(snapshot: Path) -> None:
    page = get(snapshot, "/archive")
    assert page.status_code == 200
    assert 'href="/archive.db"' in page.text
    download = get(snapshot, "/archive.db")
    assert download.status_code == 200
    assert download.content == snapshot.read_bytes()
    assert download.content.startswith(b"SQLite format 3\x00")


def test_table_and_column_descriptions_are_published(snapshot: Path) -> None:
    metadata = render_metadata("archive")
    posts = metadata["databases"]["archive"]["tables"]["posts"]
    assert posts["fts_table"] == "posts_fts"
    page = get(snapshot, "/archive/posts")
    assert posts["description"] in page.text


def test_snapshot_is_republished_only_when_the_archive_is_newer(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    snapshot = build_archive(db)
    stamp = snapshot.stat().st_mtime_ns
    assert ensure_snapshot(db) == snapshot
    assert snapshot.stat().st_mtime_ns == stamp
    with Archive.open(db) as archive:
        archive.start_run({"again": True})
    assert ensure_snapshot(db) == snapshot
    assert snapshot.stat().st_mtime_ns > stamp


def test_datasette_args_serve_the_snapshot_immutable_with_downloads(tmp_path: Path) -> None:
    args = datasette_args(tmp_path / "a.db", host="127.0.0.1", port=9000)
    assert args[:4] == [sys.executable, "-m", "datasette", "serve"]
    assert args[args.index("-i") + 1] == str(tmp_path / "a.db")
    assert args[args.index("--setting") + 1 : args.index("--setting") + 3] == [
        "allow_download",
        "on",
    ]


def test_settings_datasette_does_not_have_are_refused_by_name() -> None:
    check_settings([("sql_time_limit_ms", "3000"), ("allow_download", "on")])
    with pytest.raises(UnknownSettingError, match=r"^no_such, nor_this: not a Datasette"):
        check_settings([("no_such", "1"), ("sql_time_limit_ms", "3000"), ("nor_this", "2")])


@pytest.mark.e2e
def test_serve_answers_on_a_free_port_until_terminated(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    build_archive(db)
    code = (
        "from pathlib import Path; from archive.serve import serve;"
        f" serve(Path({str(db)!r}), host='127.0.0.1', port=0,"
        " serving=lambda snapshot, url: print(f'Serving {snapshot} at {url}', flush=True))"
    )
    with serving([sys.executable, "-c", code]) as url:
        response = httpx.get(f"{url}archive/posts.json?_search=spreadsheets", timeout=5)
        assert response.status_code == 200
        assert len(response.json()["rows"]) == 1
