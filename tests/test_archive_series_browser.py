"""The series page and a post's series neighbours, in a real headless Chromium.

The archive is a real SQLite file holding a five-part series with parts 3 and 5 missing and
part 1 republished on a magazine's site (recorded in issue 5's ``post_duplicates``);
Datasette runs as ``blogarchive serve`` runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from datasette.utils import tilde_encode

from archive.series.memberships import relink_copies
from archive.store import Archive
from pipeline.records import PostRecord, SeriesMembership
from tests.conftest import serving

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("series_browser")]


LAB = "https://lab.example.gov"
MAGAZINE = "https://magazine.example.com"
PARTS = {  # part: (slug, title, author, published)
    1: ("open-data-why", "Open data, part 1: why", "Ada Obi", "2024-03-01"),
    2: ("open-data-how", "Open data, part 2: how", "Ben Ray", "2024-03-08"),
    4: ("open-data-next", "Open data, part 4: next", "Ada Obi", "2024-03-22"),
}
COPY_URL = f"{MAGAZINE}/features/why-open-data/"


def _archive(path: Path) -> None:
    with Archive.open(path) as archive:
        run = archive.start_run({})
        for part, (slug, title, author, published) in sorted(PARTS.items(), reverse=True):
            membership = SeriesMembership("Open data", part, 5, signal="title-part", evidence=title)
            archive.store_post(
                PostRecord(
                    url=f"{LAB}/{slug}/",
                    title=title,
                    text=f"{title}. The body of the post.",
                    author=author,
                    published=published,
                    site="City Innovation Lab",
                    series=[membership],
                ),
                run,
            )
        archive.store_post(
            PostRecord(
                url=COPY_URL,
                title="Why councils open their data",
                text="Open data, part 1: why. The body of the post.",
                author="Ada Obi",
                published="2024-04-02",
                site="Local Gov Review",
            ),
            run,
        )
        with archive.db.atomic():
            # Issue 5's link (texts this short are not compared), as detection would make it.
            archive.db.execute(
                "INSERT INTO post_duplicates (post_url, original_url, similarity, method,"
                " detected_at) VALUES (?, ?, 0.98, 'minhash', '2025-01-01T00:00:00Z')",
                [COPY_URL, f"{LAB}/{PARTS[1][0]}/"],
            )
            relink_copies(archive.db)
        archive.finish_run(run, pages_fetched=4)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve an archive holding a series with gaps and a copy; yield the database URL."""
    db = tmp_path_factory.mktemp("series") / "archive.db"
    _archive(db)
    serve = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
    with serving(serve) as url:
        yield url + db.stem


def test_series_page_lists_parts_in_order_with_missing_parts_marked(served: str, page: Any) -> None:
    page.goto(f"{served}/series/1")
    section = page.locator("section.series-page")
    assert section.locator("h1").inner_text() == "Open data"
    slots = section.locator("ol.series-parts > li")
    labels = [slots.nth(i).locator(".part-label").inner_text() for i in range(slots.count())]
    assert labels == ["Part 1", "Part 2", "Part 3", "Part 4", "Part 5"]
    missing = section.locator("li.part.missing")
    assert [missing.nth(i).get_attribute("data-part") for i in range(missing.count())] == [
        "3",
        "5",
    ]
    titles = section.locator("a.part-title")
    assert [titles.nth(i).inner_text() for i in range(titles.count())] == [
        PARTS[n][1] for n in (1, 2, 4)
    ]
    assert section.locator(".authors").inner_text() == "By Ada Obi, Ben Ray"
    assert "City Innovation Lab" in section.locator(".sites").inner_text()
    assert "Local Gov Review" in section.locator(".sites").inner_text()
    # The magazine's copy is part 1 too, shown as the same part, not as a part of its own.
    copy = slots.nth(0).locator("li.copy")
    assert "Why councils open their data" in copy.inner_text()
    assert "3 held" in section.locator(".parts-held").inner_text()


def test_post_shows_its_series_neighbours_and_the_gap_after_it(served: str, page: Any) -> None:
    page.goto(f"{served}/series/1")
    page.click(f"a.part-title:text-is({PARTS[2][1]!r})")
    page.wait_for_load_state()
    nav = page.locator("nav.series-nav[aria-label='Series: Open data']")
    assert nav.locator("a[rel=prev]").inner_text() == f"\u2190 {PARTS[1][1]}"
    assert nav.locator("a[rel=next]").inner_text() == f"{PARTS[4][1]} \u2192"
    assert nav.locator(".series-missing").inner_text() == "parts 3, 5 not archived"
    assert "title-part" in nav.locator(".series-why").inner_text()
    nav.locator("a.series").click()
    page.wait_for_load_state()
    assert page.locator("section.series-page h1").inner_text() == "Open data"


def test_copy_on_another_site_links_back_to_its_original(served: str, page: Any) -> None:
    page.goto(f"{served}/posts/{tilde_encode(COPY_URL)}")
    nav = page.locator("nav.series-nav[aria-label='Series: Open data']")
    assert nav.locator("div").first.inner_text().startswith("Part 1 of 5")
    nav.locator(".series-why a").click()
    page.wait_for_load_state()
    assert page.locator("article.post-reading h1").inner_text() == PARTS[1][1]


def test_canned_query_lists_series_with_missing_parts(served: str, page: Any) -> None:
    page.goto(f"{served}/series_missing_parts")
    row = page.locator("table.rows-and-columns tbody tr")
    assert row.count() == 1
    series = row.locator("td.col-series_id a")
    assert series.inner_text() == "Open data"
    assert series.get_attribute("href").endswith("/series/1")
    assert row.locator("td.col-missing_parts").inner_text() == "3, 5"
