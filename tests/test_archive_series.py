"""Series in a real archive file: evidence, title prefixes, links, copies, gaps and order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.series.memberships import relink_copies
from archive.store import Archive
from crawler.items import SeriesListing
from pipeline.extract import extract_post
from pipeline.records import PostRecord, SeriesMembership

SITE = "https://lab.example.gov"
OTHER = "https://magazine.example.com"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db") as archive:
        yield archive


def post(slug: str, *, site: str = SITE, **fields: Any) -> PostRecord:
    values: dict[str, Any] = {
        "url": f"{site}/{slug}/",
        "title": slug.replace("-", " ").title(),
        "text": f"Body of {slug}.",
        "site": "City Innovation Lab" if site == SITE else "Local Gov Review",
        "published": "2024-03-01",
    }
    values.update(fields)
    return PostRecord(**values)


def members(archive: Archive) -> list[tuple[str, str, int, str]]:
    return [
        (name, url.rsplit("/", 2)[-2], position, signal)
        for name, url, position, signal in archive.db.execute(
            "SELECT series.name, post_url, position, signal FROM series_posts"
            " JOIN series ON series.id = series_id ORDER BY series.name, position"
        )
    ]


def box(name: str, part: int | None, total: int | None = None) -> SeriesMembership:
    return SeriesMembership(
        name, part, total, signal="series-box", evidence=f"part {part} in the series {name}"
    )


def test_tagged_titles_sharing_a_prefix_make_a_series_in_date_order(archive: Archive) -> None:
    run = archive.start_run({})
    for slug, title, published in (
        ("bin", "Street Life: The bin", "2024-09-09"),
        ("bench", "Street Life: The bench", "2024-09-02"),
        ("lamp", "Street Life: The lamp post", "2024-09-16"),
    ):
        archive.store_post(post(slug, title=title, published=published, tags=["Street Life"]), run)
    assert members(archive) == [
        ("Street Life", "bench", 1, "title-prefix"),
        ("Street Life", "bin", 2, "title-prefix"),
        ("Street Life", "lamp", 3, "title-prefix"),
    ]


def test_a_nameless_kick_off_takes_the_series_its_title_prefix_names(archive: Archive) -> None:
    run = archive.start_run({})
    kick_off = SeriesMembership(
        "", 1, 3, signal="sentence", evidence="kicks off our new three-part series"
    )
    # Published after part 2: only the sentence says the bench comes first.
    archive.store_post(
        post(
            "bench",
            title="Street Life: The bench",
            published="2024-09-20",
            tags=["Street Life"],
            series=[kick_off],
        ),
        run,
    )
    assert members(archive) == []  # nothing names the series yet; the evidence waits
    archive.store_post(
        post("bin", title="Street Life: The bin", published="2024-09-09", tags=["Street Life"]),
        run,
    )
    assert members(archive) == [
        ("Street Life", "bench", 1, "sentence"),
        ("Street Life", "bin", 2, "title-prefix"),
    ]
    assert archive.db.execute("SELECT declared_total FROM series").fetchall() == [(3,)]


def test_shared_prefixes_without_corroboration_are_not_series(archive: Archive) -> None:
    run = archive.start_run({})
    for slug, title in (
        ("r1", "Review: the budget consultation"),
        ("r2", "Review: library opening hours"),
        ("roads-1", "Roads: the winter gritting plan"),
        ("roads-2", "Roads: pothole season again"),
    ):
        # "Review" is a format even when tagged; "Roads" is neither tagged nor named elsewhere.
        tags = ["review"] if slug.startswith("r") and not slug.startswith("roads") else []
        archive.store_post(post(slug, title=title, tags=tags), run)
    assert members(archive) == []
    assert archive.db["series"].count == 0


def test_a_prefix_named_by_another_posts_series_box_joins_it_in_any_order(
    archive: Archive,
) -> None:
    run = archive.start_run({})
    archive.store_post(post("bin", title="Street Life: The bin", published="2024-09-09"), run)
    assert members(archive) == []
    archive.store_post(
        post(
            "bench",
            title="Street Life: The bench",
            published="2024-09-02",
            series=[box("Street Life", 1, 3)],
        ),
        run,
    )
    assert members(archive) == [
        ("Street Life", "bench", 1, "series-box"),
        ("Street Life", "bin", 2, "title-prefix"),
    ]


def test_unnamed_series_links_join_the_series_of_the_posts_they_link(archive: Archive) -> None:
    run = archive.start_run({})
    nav = SeriesMembership(
        "", signal="series-nav", evidence="Next", neighbours=(f"{SITE}/three/?utm_source=x",)
    )
    # Part two only links to part three, which is not archived yet.
    archive.store_post(post("two", published="2024-02-01", series=[nav]), run)
    assert members(archive) == []
    archive.store_post(post("three", published="2024-03-01", series=[box("Data Days", 3)]), run)
    archive.store_post(post("one", published="2024-01-01", series=[box("Data Days", 1)]), run)
    assert members(archive) == [
        ("Data Days", "one", 1, "series-box"),
        ("Data Days", "two", 2, "series-nav"),
        ("Data Days", "three", 3, "series-box"),
    ]
    evidence = archive.db.execute(
        "SELECT series_id, name FROM series_evidence WHERE post_url = ?", [f"{SITE}/two/"]
    ).fetchall()
    assert evidence == [(1, "")]  # the page named no series; the archive resolved it


def test_every_signal_is_kept_and_a_conflict_is_recorded(archive: Archive) -> None:
    run = archive.start_run({})
    listing = SeriesListing("Housing Futures", f"{SITE}/series/housing/", "lab", [f"{SITE}/rents/"])
    archive.store_series_listing(listing, run)
    title = SeriesMembership("Housing Futures", 2, signal="title-part", evidence="part 2: rents")
    archive.store_post(post("rents", series=[box("Housing Futures", 3, 6), title]), run)
    assert archive.db.execute(
        "SELECT stated_part, stated_total, signal, conflict FROM series_posts"
    ).fetchall() == [(3, 6, "series-box", "part: kept 3 from series-box; title-part says 2")]
    assert archive.db.execute(
        "SELECT signal, stated_part, evidence FROM series_evidence ORDER BY id"
    ).fetchall() == [
        ("series-box", 3, "part 3 in the series Housing Futures"),
        ("title-part", 2, "part 2: rents"),
        ("series-page", None, listing.url),
    ]


def test_same_series_on_two_sites_is_one_series_listing_both_sites(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(post("one", series=[box("Open Data", 1, 2)]), run)
    archive.store_post(post("two", site=OTHER, series=[box("open data", 2, 2)]), run)
    series = list(archive.db.query("SELECT * FROM series"))
    assert len(series) == 1
    assert sorted(json.loads(series[0]["sites"])) == ["City Innovation Lab", "Local Gov Review"]
    assert series[0]["parts_held"] == 2


def test_gaps_list_the_parts_a_series_states_but_the_archive_lacks(archive: Archive) -> None:
    run = archive.start_run({})
    for part in (2, 4, 7):
        archive.store_post(post(f"p{part}", series=[box("Creative Councils", part)]), run)
    gaps = archive.db.execute(
        "SELECT series_name, missing_part, parts_stated, parts_held FROM series_gaps"
    ).fetchall()
    assert gaps == [("Creative Councils", n, 7, 3) for n in (1, 3, 5, 6)]
    archive.store_post(post("p1", series=[box("Creative Councils", 1, 8)]), run)
    assert [row[0] for row in archive.db.execute("SELECT missing_part FROM series_gaps")] == [
        3,
        5,
        6,
        8,
    ]


def test_parts_without_a_number_go_between_the_numbered_parts_by_date(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(post("p1", published="2024-01-01", series=[box("Data", 1)]), run)
    archive.store_post(post("p3", published="2024-03-01", series=[box("Data", 3)]), run)
    archive.store_post(post("mid", published="2024-02-01", series=[box("Data", None)]), run)
    assert [m[1] for m in members(archive)] == ["p1", "mid", "p3"]


def test_a_post_that_leaves_its_only_series_leaves_no_empty_series(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(post("p1", series=[box("Short Lived", 1)]), run)
    archive.store_post(post("p1", text="Edited, no longer a series part."), run)
    assert archive.db["series"].count == 0
    assert archive.db["series_evidence"].count == 0


def _duplicates(archive: Archive, copy_url: str, original_url: str) -> None:
    # A link issue 5's detection could make later (blogarchive duplicates), written directly.
    archive.db.execute(
        "INSERT INTO post_duplicates (post_url, original_url, similarity, method, detected_at)"
        " VALUES (?, ?, 0.97, 'minhash', '2025-01-01T00:00:00Z')",
        [copy_url, original_url],
    )


# Long enough for near-duplicate detection (pipeline.signatures) to compare it.
STARTING_SMALL = " ".join(
    f"Week {n}: we tried one small change at the library and counted what happened."
    for n in range(1, 9)
)


@pytest.mark.parametrize("copy_first", [False, True])
def test_a_copy_on_another_site_is_the_same_part(archive: Archive, copy_first: bool) -> None:
    run = archive.start_run({})
    original = post(
        "starting-small", published="2024-01-16", series=[box("CC", 1, 4)], text=STARTING_SMALL
    )
    copy = post(
        "start-small-learn-fast",
        site=OTHER,
        published="2024-02-13",
        text=STARTING_SMALL + " This post first appeared on Civic Lab Notes.",
    )
    part2 = post("permission", published="2024-02-27", series=[box("CC", 2, 4)])
    # The archive finds the copy itself, whichever of the two it stores first.
    for record in [copy, original, part2] if copy_first else [original, copy, part2]:
        archive.store_post(record, run)
    assert members(archive) == [
        ("CC", "starting-small", 1, "series-box"),
        ("CC", "start-small-learn-fast", 1, "copy-of"),
        ("CC", "permission", 2, "series-box"),
    ]
    assert archive.db.execute(
        "SELECT copy_of, stated_part FROM series_posts WHERE post_url = ?", [copy.url]
    ).fetchall() == [(original.url, 1)]
    assert archive.db["series"].get(1)["parts_held"] == 2


def test_a_copy_that_names_its_own_series_stays_out_of_the_originals(archive: Archive) -> None:
    run = archive.start_run({})
    original = post("starting-small", series=[box("CC", 1, 4)], text=STARTING_SMALL)
    lookalike = post(
        "library-week", site=OTHER, series=[box("Library Diaries", 2, 3)], text=STARTING_SMALL
    )
    archive.store_post(original, run)
    archive.store_post(lookalike, run)
    archive.finish_run(run, pages_fetched=2)
    # The texts are alike enough to be linked as copies ...
    assert archive.db["post_duplicates"].count == 1
    # ... but the look-alike's own series box decides its series.
    assert members(archive) == [
        ("CC", "starting-small", 1, "series-box"),
        ("Library Diaries", "library-week", 1, "series-box"),
    ]


def test_relink_copies_picks_up_duplicates_found_after_both_posts(archive: Archive) -> None:
    run = archive.start_run({})
    original = post("starting-small", series=[box("CC", 1, 4)])
    copy = post("start-small-learn-fast", site=OTHER)
    archive.store_post(original, run)
    archive.store_post(copy, run)
    assert len(members(archive)) == 1
    with archive.db.atomic():
        _duplicates(archive, copy.url, original.url)
        assert relink_copies(archive.db) == 1
    assert [m[1:3] for m in members(archive)] == [
        ("starting-small", 1),
        ("start-small-learn-fast", 1),
    ]


def test_finishing_a_run_links_copies_recorded_during_it(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(post("starting-small", series=[box("CC", 1, 4)]), run)
    archive.store_post(post("start-small-learn-fast", site=OTHER), run)
    _duplicates(archive, f"{OTHER}/start-small-learn-fast/", f"{SITE}/starting-small/")
    assert len(members(archive)) == 1
    archive.finish_run(run, pages_fetched=2)
    assert [m[1:] for m in members(archive)] == [
        ("starting-small", 1, "series-box"),
        ("start-small-learn-fast", 1, "copy-of"),
    ]


@pytest.mark.parametrize("listing_first", [True, False])
def test_a_series_takes_its_sites_name_whichever_is_stored_first(
    archive: Archive, listing_first: bool
) -> None:
    run = archive.start_run({})
    listing = SeriesListing("Housing Futures", f"{SITE}/series/housing/", "lab", [f"{SITE}/rents/"])
    record = post("rents", source="lab", series=[box("Housing Futures", 1)])
    if listing_first:
        archive.store_series_listing(listing, run)
    archive.store_post(record, run)
    if not listing_first:
        archive.store_series_listing(listing, run)
    assert archive.db.execute("SELECT site FROM series").fetchall() == [("City Innovation Lab",)]


FIXTURES = Path(__file__).parent / "fixtures" / "series"


def page(name: str) -> PostRecord:
    """Extract a real page of tests/fixtures/series/ with the real pipeline."""
    html = FIXTURES / f"{name}.html"
    url = json.loads(html.with_suffix(".json").read_text())["url"]
    return extract_post(html.read_bytes(), url)


def parts(archive: Archive, name: str) -> list[tuple[str, int | None, int | None]]:
    return [
        (url.rstrip("/").rsplit("/", 1)[-1], stated, position)
        for url, stated, position in archive.db.execute(
            "SELECT post_url, stated_part, position FROM series_posts"
            " JOIN series ON series.id = series_id WHERE series.name = ? ORDER BY post_url",
            [name],
        )
    ]


@pytest.mark.parametrize("closing_first", [False, True])
def test_a_post_that_closes_the_series_is_its_declared_last_part(
    archive: Archive, closing_first: bool
) -> None:
    run = archive.start_run({})
    pages = ["ghost-open-councils-part-2", "ghost-open-councils-closing"]
    for name in reversed(pages) if closing_first else pages:
        archive.store_post(page(name), run)
    # "This post closes the Open Councils series" + "part 2 of 4" on another post: part 4.
    assert parts(archive, "Open Councils") == [
        ("open-councils-what-comes-next", 4, 2),
        ("publishing-spend-data", 2, 1),
    ]
    gaps = archive.db.execute(
        "SELECT missing_part FROM series_gaps WHERE series_name = 'Open Councils'"
    ).fetchall()
    assert gaps == [(1,), (3,)]
    # The sentence stays as the evidence of why it is the last part.
    [evidence] = archive.db.execute(
        "SELECT evidence FROM series_evidence WHERE post_url LIKE '%what-comes-next/'"
    ).fetchall()
    assert evidence == ("closes the Open Councils series",)


def test_a_closing_post_stays_unnumbered_without_a_declared_length_or_when_contested(
    archive: Archive,
) -> None:
    run = archive.start_run({})
    archive.store_post(page("ghost-open-councils-closing"), run)
    assert parts(archive, "Open Councils") == [("open-councils-what-comes-next", None, 1)]
    assert archive.db.execute("SELECT count(*) FROM series_gaps").fetchone() == (0,)
    # Another post states part 4 of 4 itself: the closing post is not numbered 4 as well.
    archive.store_post(post("last", series=[box("Open Councils", 4, 4)]), run)
    assert parts(archive, "Open Councils") == [
        ("last", 4, 1),
        ("open-councils-what-comes-next", None, 2),
    ]


def test_the_seventh_and_final_blog_declares_the_series_length(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(page("medium-creative-councils-before-summer"), run)
    archive.store_post(page("wordpress-creative-councils-final"), run)
    [row] = archive.db.execute(
        "SELECT declared_total FROM series WHERE name = 'Creative Councils'"
    ).fetchall()
    assert row == (7,)
    assert [
        n for (n,) in archive.db.execute("SELECT missing_part FROM series_gaps ORDER BY 1")
    ] == [1, 2, 3, 4, 5]


COUNTED = [
    "jekyll-estate-drawing",
    "jekyll-estate-talking",
    "jekyll-estate-printing",
    "jekyll-bus-stops",  # (2/3) the same weeks, another author
    "jekyll-bin-stores",  # (3/3) by the same author, six months later
]


@pytest.mark.parametrize("order", [COUNTED, COUNTED[::-1], COUNTED[2:] + COUNTED[:2]])
def test_titles_counted_k_of_n_by_one_author_in_a_few_weeks_are_one_unnamed_series(
    archive: Archive, order: list[str]
) -> None:
    run = archive.start_run({})
    for name in order:
        archive.store_post(page(name), run)
    rows = archive.db.execute(
        "SELECT series.name, post_url, position, stated_part FROM series_posts"
        " JOIN series ON series.id = series_id ORDER BY series.name, position"
    ).fetchall()
    found = [(name, url.rsplit("/", 1)[-1], pos, part) for name, url, pos, part in rows]
    assert found == [
        ("Bin stores", "bin-stores.html", 1, 3),
        ("Bus stops", "bus-stops.html", 1, 2),
        ("Untitled 3-part series by Jo Reed, 2024-06-01", "estate-drawing.html", 1, 1),
        ("Untitled 3-part series by Jo Reed, 2024-06-01", "estate-talking.html", 2, 2),
        ("Untitled 3-part series by Jo Reed, 2024-06-01", "estate-printing.html", 3, 3),
    ]
    [evidence] = archive.db.execute(
        "SELECT evidence FROM series_evidence WHERE signal = 'title-count'"
        " AND post_url LIKE '%estate-talking.html'"
    ).fetchall()
    assert evidence[0].startswith("3 titles by Jo Reed numbered out of 3, in order")
    gaps = archive.db.execute("SELECT series_name FROM series_gaps").fetchall()
    assert ("Untitled 3-part series by Jo Reed, 2024-06-01",) not in gaps


def test_a_counted_post_another_signal_names_leaves_the_unnamed_series(
    archive: Archive,
) -> None:
    run = archive.start_run({})
    for name in COUNTED[:3]:
        archive.store_post(page(name), run)
    talking = page("jekyll-estate-talking")
    talking.series = [*talking.series, box("Estate Voices", 2, 4)]
    archive.store_post(talking, run)
    names = dict(
        archive.db.execute(
            "SELECT post_url, series.name FROM series_posts JOIN series ON series.id = series_id"
            " WHERE post_url LIKE '%estate-talking.html'"
        ).fetchall()
    )
    assert list(names.values()) == ["Estate Voices"]
    assert archive.db.execute(
        "SELECT count(*) FROM series_evidence WHERE signal = 'title-count'"
    ).fetchone() == (2,)
