"""Search as a reader types it: stemming, OR, phrases, prefixes, relevance, snippets, facets."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from datasette.utils import escape_fts

import archive.search
from archive.migrations import migrations
from archive.publish import default_snapshot_path
from archive.search import reader_query
from archive.store import Archive
from pipeline.records import PostRecord, SeriesMembership
from tests.test_archive_datasette import get

SITE = "https://parish.example.org"
ANA, BEN = "Ana", "Ben"
POSTS = [
    # slug, title, text, author, published, series
    ("budget", "Budgeting with residents", "The parish asked residents about the budget.",
     ANA, "2023-04-01", None),
    ("buying", "Procurement for small suppliers", "Councils buy from small suppliers.",
     BEN, "2024-02-01", None),
    ("library", "The library reopens", "Our library has new opening hours.",
     ANA, "2024-03-01", ("Open Data", 1)),
    ("data", "Open data, part 2", "A council publishes open data. Data that is open.",
     ANA, "2024-04-01", ("Open Data", 2)),
    ("loose", "Notes", "Data about the council, and open minds.", BEN, "2024-05-01", None),
]  # fmt: skip


def store(archive: Archive) -> None:
    run = archive.start_run({})
    for slug, title, text, author, published, series in POSTS:
        archive.store_post(
            PostRecord(
                url=f"{SITE}/{slug}/",
                title=title,
                text=text,
                source="parish",
                site="Parish News",
                author=author,
                published=published,
                series=[SeriesMembership(series[0], series[1], None, signal="title-part")]
                if series
                else [],
            ),
            run,
        )
    archive.finish_run(run, pages_fetched=len(POSTS))


def published(folder: Path) -> Path:
    """Store the posts in an archive in ``folder`` and return its published snapshot."""
    with Archive.open(folder / "archive.db") as archive:
        store(archive)
        return archive.publish(default_snapshot_path(archive.path))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published(tmp_path_factory.mktemp("search"))


def titles(page: str) -> list[str]:
    return re.findall(r'class="hit-title archived" href="[^"]*">([^<]*)</a>', page)


@pytest.mark.parametrize(
    ("typed", "expression"),
    [
        ("procurement OR budgeting", '"procurement" OR "budgeting"'),
        ("libr*", '"libr"*'),
        ('"open data" council', '"open data" "council"'),
        ("council-tax NOT parish", '"council-tax" NOT "parish"'),
        ('unbalanced "quote', '"unbalanced" "quote"'),
        ("OR budget OR", '"budget"'),
        ("a - b (", '"a" "b"'),
        ("or lower-case stays a word", '"or" "lower-case" "stays" "a" "word"'),
        ("", '""'),
    ],
)
def test_reader_query_is_always_valid_fts5(typed: str, expression: str) -> None:
    assert reader_query(typed) == expression


def test_search_page_reads_or_as_either_word(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=procurement+OR+budgeting").text
    assert sorted(titles(page)) == ["Budgeting with residents", "Procurement for small suppliers"]


def test_search_page_reads_a_prefix_as_typed(snapshot: Path) -> None:
    assert titles(get(snapshot, "/-/search?q=libr*").text) == ["The library reopens"]


def test_search_is_stemmed_councils_finds_council(snapshot: Path) -> None:
    found = titles(get(snapshot, "/-/search?q=councils").text)
    assert set(found) == {"Procurement for small suppliers", "Open data, part 2", "Notes"}


def test_search_page_keeps_a_phrase_and_ranks_by_relevance(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=%22open+data%22").text
    # "Notes" has both words but not as a phrase; the title match ranks first.
    assert titles(page) == ["Open data, part 2"]
    assert titles(get(snapshot, "/-/search?q=open+data").text)[0] == "Open data, part 2"


def test_search_page_highlights_matches_in_snippets(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=suppliers").text
    assert "buy from small <mark>suppliers</mark>." in page


def test_search_page_facets_by_site_author_series_and_year(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=data+OR+library").text
    for facet in ("site", "author", "series", "year"):
        assert f'class="facet facet-{facet}"' in page
    assert re.search(r">Open Data</a> 2</li>", page)
    assert titles(get(snapshot, "/-/search?q=data+OR+library&author=Ben").text) == ["Notes"]
    in_series = titles(get(snapshot, "/-/search?q=data+OR+library&series=1").text)
    assert sorted(in_series) == ["Open data, part 2", "The library reopens"]


def test_search_page_finds_series_by_name(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=open").text
    assert re.search(r'class="series-hit"><a href="/archive/series/1">Open Data</a>', page)


def test_search_page_links_the_archived_copy_before_the_original(snapshot: Path) -> None:
    page = get(snapshot, "/-/search?q=suppliers").text
    archived = page.index('href="/archive/posts/https~3A~2F~2Fparish~2Eexample~2Eorg~2Fbuying~2F"')
    assert archived < page.index(f'class="original" href="{SITE}/buying/"')


def test_table_search_reads_or_and_prefix_unlike_datasettes_escaping(snapshot: Path) -> None:
    path = "/archive/posts.json?_search={}&_size=0"
    db = sqlite3.connect(snapshot)
    db.create_function("escape_fts", 1, escape_fts)  # Datasette's own
    for typed, expected in (("procurement OR budgeting", 2), ("libr*", 1)):
        assert get(snapshot, path.format(typed)).json()["filtered_table_rows_count"] == expected
        sql = "select count(*) from posts_fts where posts_fts match escape_fts(?)"
        assert db.execute(sql, [typed]).fetchone()[0] == 0


def test_table_search_with_stray_punctuation_is_no_error(snapshot: Path) -> None:
    response = get(snapshot, '/archive/posts.json?_search="library&_size=0')
    assert response.status_code == 200
    assert response.json()["filtered_table_rows_count"] == 1


def test_stemming_migration_rebuilds_the_index_of_an_older_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m011_search_stemmed")
    # Today's store in yesterday's schema: no near-duplicate index, whose tables came later.
    store(Archive(old, path, dedup=False))

    def hits(db: sqlite_utils.Database) -> int:
        sql = "select count(*) from posts_fts where posts_fts match 'councils'"
        return int(db.execute(sql).fetchone()[0])

    assert hits(old) == 1  # unstemmed: "councils" finds only the post that says "councils"
    old.close()
    with Archive.open(path) as archive:
        assert hits(archive.db) == 3
        assert archive.db.execute("select count(*) from series_fts").fetchone()[0] == 1


def test_search_page_filters_by_year_and_site(snapshot: Path) -> None:
    assert titles(get(snapshot, "/-/search?q=data+OR+budget&year=2023").text) == [
        "Budgeting with residents"
    ]
    assert titles(get(snapshot, "/-/search?q=data&site=Parish+News&year=2024&author=Ben").text) == [
        "Notes"
    ]
    assert titles(get(snapshot, "/-/search?q=data&site=Elsewhere").text) == []


def test_search_counts_every_match_and_facets_the_best_and_says_so(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = get(snapshot, "/-/search?q=data+OR+library+OR+budget").text
    assert '<h2 class="count">4 posts</h2>' in page
    assert "best matches" not in page  # every match counted in the facets
    assert re.search(r">Ana</a> 3</li>", page)
    monkeypatch.setattr(archive.search, "FACET_MATCHES", 2)
    monkeypatch.setattr(archive.search, "PAGE_SIZE", 2)
    page = get(snapshot, "/-/search?q=data+OR+library+OR+budget").text
    assert '<h2 class="count">4 posts</h2>' in page
    assert "Counts among the 2 best matches" in page
    counts = re.findall(r'class="facet facet-author">(.*?)</ul>', page, re.S)[0]
    assert sum(int(n) for n in re.findall(r"</a> (\d+)</li>", counts)) == 2


def _posts_reads(db: sqlite3.Connection, sql: str, params: dict[str, object]) -> list[str]:
    """Return how a statement reads the posts table: the plan's lines that name it."""
    plan = db.execute("explain query plan " + sql, params).fetchall()
    return [row[3] for row in plan if re.search(r"\b(posts|p)\b", row[3])]


def test_search_count_and_filters_never_read_a_post_row_per_match(snapshot: Path) -> None:
    """The count and every filter read posts from covering indexes, not the table.

    The check fails on the statement the page ran before (the matches joined to posts).
    """
    db = sqlite3.connect(snapshot)
    filters = {"site": "Parish News", "author": "Ana", "year": "2024", "year_after": "2025",
               "series": "1"}  # fmt: skip
    reads = _posts_reads(db, archive.search.COUNT_SQL, {"q": '"data"'} | filters)
    assert reads, "the filters read posts"
    assert all("COVERING INDEX" in line for line in reads), reads
    joined = (
        "select count(*) from posts_fts join posts as p on p.rowid = posts_fts.rowid"
        " where posts_fts match :q and (:site = '' or p.site = :site)"
    )
    assert not all(
        "COVERING INDEX" in line for line in _posts_reads(db, joined, {"q": '"data"', "site": ""})
    )
