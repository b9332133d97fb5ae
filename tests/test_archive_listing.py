"""Listings a reader meets in Datasette: compact posts table, archived links first, home page."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.listing import duration, excerpt, reader_table_order
from archive.publish import default_snapshot_path
from archive.serve import make_datasette
from archive.store import Archive
from pipeline.records import PostRecord, SeriesMembership

SITE = "https://notes.example.org"


def body(paragraphs: int) -> str:
    return " ".join(f"Councils publish spending data, paragraph {n}." for n in range(paragraphs))


def build(db_path: Path, posts: int = 3) -> Path:
    with Archive.open(db_path) as archive:
        run = archive.start_run({})
        for n in range(1, posts + 1):
            archive.store_post(
                PostRecord(
                    url=f"{SITE}/post-{n}/",
                    title=f"Spending, part {n}",
                    text=body(190 + n),
                    html="".join(
                        f"<p>{body(190 + n)[i : i + 300]}</p>" for i in range(0, 9000, 300)
                    ),
                    source="notes",
                    site="Notes",
                    author="Jo Reed",
                    published=f"2024-05-{n:02d}T09:30:00+00:00",
                    tags=["Open data", "budgets"],
                    series=[SeriesMembership("Spending", n, None, signal="title-part")],
                ),
                run,
            )
        archive.finish_run(run, pages_fetched=posts)
        return archive.publish(default_snapshot_path(db_path))


def get(snapshot: Path, path: str, *, plain: bool = False) -> Any:
    async def fetch() -> Any:
        ds = make_datasette(snapshot)
        if plain:  # Datasette as it comes: no templates, no plugins of ours
            from datasette.app import Datasette

            ds = Datasette(immutables=[str(snapshot)])
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("listing") / "archive.db")


def test_posts_page_hides_html_and_markdown_but_json_keeps_them(snapshot: Path) -> None:
    page = get(snapshot, "/archive/posts").text
    assert 'data-column="title"' in page
    assert 'data-column="html"' not in page
    assert 'data-column="markdown"' not in page
    row = get(snapshot, "/archive/posts.json?_shape=array&_size=1").json()[0]
    assert row["html"].startswith("<p>Councils")


def test_posts_page_shows_columns_the_reader_asks_for(snapshot: Path) -> None:
    page = get(snapshot, "/archive/posts?_col=title&_col=html").text
    assert 'data-column="html"' in page


def test_posts_page_shows_an_excerpt_not_the_body(snapshot: Path) -> None:
    page = get(snapshot, "/archive/posts").text
    assert "paragraph 190" not in page
    assert '<span class="excerpt">Councils publish spending data, paragraph 0.' in page


def test_posts_title_links_the_archived_copy_then_the_original_and_names_its_series(
    snapshot: Path,
) -> None:
    page = get(snapshot, "/archive/posts").text
    cell = re.search(r'<td class="col-title[^>]*>(.*?)</td>', page, re.S)
    assert cell is not None
    html = cell.group(1)
    archived = html.index('href="/archive/posts/https~3A~2F~2Fnotes~2Eexample~2Eorg~2Fpost-3~2F"')
    assert archived < html.index(f'class="original" href="{SITE}/post-3/"')
    assert 'part 3 of <a href="/archive/series/1">Spending</a>' in html


def test_canned_query_links_post_urls_to_the_archive_first(snapshot: Path) -> None:
    page = get(snapshot, "/archive/latest_posts").text
    first_archived = page.index('class="archived" href="/archive/posts/')
    assert first_archived < page.index('class="original"')
    plain = get(snapshot, "/archive/posts.json").text  # the data still holds the original URL
    assert f"{SITE}/post-1/" in plain


def test_canned_query_tab_title_is_its_title_not_its_sql(snapshot: Path) -> None:
    page = get(snapshot, "/archive/latest_posts").text
    assert "<title>Latest posts: archive</title>" in page


def test_home_page_says_what_the_archive_holds_and_where_to_start(snapshot: Path) -> None:
    page = get(snapshot, "/").text
    summary = page[page.index('<section class="archive-summary">') :]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "3 posts from 1 sites , in 1 series" in text
    assert "Latest crawl: run 1 , finished" in text
    for target in ("latest_posts", "series_missing_parts", "changes_in_run", "recent_errors"):
        assert f'href="/archive/{target}"' in summary
    assert 'href="/archive/series"' in summary


def test_internal_tables_are_hidden_but_stay_in_the_download(
    snapshot: Path, tmp_path: Path
) -> None:
    tables = {t["name"]: t["hidden"] for t in get(snapshot, "/archive.json").json()["tables"]}
    for internal in ("_sqlite_migrations", "captures", "run_posts", "post_signatures"):
        assert tables[internal] is True
    for reader in ("posts", "series", "sites", "crawl_runs", "errors"):
        assert tables[reader] is False
    download = tmp_path / "download.db"
    download.write_bytes(get(snapshot, "/archive.db").content)
    names = {r[0] for r in sqlite3.connect(download).execute("select name from sqlite_master")}
    assert {"captures", "run_posts", "_sqlite_migrations"} <= names


def test_sql_box_starts_on_posts_not_migrations(snapshot: Path) -> None:
    page = get(snapshot, "/archive").text
    assert re.search(r'<textarea id="sql-editor" name="sql">select \* from posts</textarea>', page)
    plain = get(snapshot, "/archive", plain=True).text
    assert "select * from _sqlite_migrations" in plain


def test_word_count_is_not_a_suggested_facet(snapshot: Path) -> None:
    data = get(snapshot, "/archive/posts.json?_extra=suggested_facets").json()
    assert data["suggested_facets"] == []
    plain = get(snapshot, "/archive/posts.json?_extra=suggested_facets", plain=True).json()
    assert plain["suggested_facets"] != []


def test_a_site_links_to_its_posts_and_a_run_shows_its_duration(snapshot: Path) -> None:
    sites = get(snapshot, "/archive/sites").text
    assert re.search(r'<a href="/archive/posts\?site_id=1">3 posts</a>', sites)
    runs = get(snapshot, "/archive/crawl_runs").text
    assert re.search(r'<span class="duration">\(took \d+s\)</span>', runs)


def test_dates_show_as_dates(snapshot: Path) -> None:
    page = get(snapshot, "/archive/posts").text
    assert '<time datetime="2024-05-03T09:30:00+00:00"' in page
    assert ">2024-05-03</time>" in page


def test_excerpt_cuts_long_bodies_at_a_word() -> None:
    assert excerpt("short", "text") is None
    cut = excerpt("word " * 100, "text")
    assert cut is not None
    assert cut.endswith(" …")
    assert len(cut) <= 165
    assert excerpt("<p>a &amp; b</p>", "html") == "a & b"


def test_duration_reads_iso_timestamps() -> None:
    assert duration("2024-01-01T00:00:00+00:00", "2024-01-01T01:02:03+00:00") == "1h 2m"
    assert duration("2024-01-01T00:00:00+00:00", "2024-01-01T00:03:04+00:00") == "3m 4s"
    assert duration("2024-01-01T00:00:00+00:00", None) is None


def test_reader_tables_come_first_and_hidden_ones_last() -> None:
    tables = [
        {"name": "_sqlite_migrations", "hidden": True},
        {"name": "captures", "hidden": True},
        {"name": "links", "hidden": False},
        {"name": "posts", "hidden": False},
        {"name": "zebra", "hidden": False},
    ]
    assert [t["name"] for t in reader_table_order(tables)] == [
        "posts",
        "links",
        "zebra",
        "_sqlite_migrations",
        "captures",
    ]
