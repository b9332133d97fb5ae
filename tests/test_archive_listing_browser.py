"""The posts table in headless Chromium: a usable table, measured (page height, first row).

The same archive served by Datasette as it comes (no templates, plugins or metadata of ours)
is measured too: the assertions fail there, so they test what the listing plugin does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serving
from tests.test_archive_listing import build
from tests.test_archive_live import plain_datasette

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
POSTS = 21  # as many as the demo, which made a 43,000 px page before

# What a usable table is: the rows start on the first screen, the page is a few screens.
FIRST_ROW_MAX = {"desktop": 900, "phone": 1500}
HEIGHT_MAX = {"desktop": 7000, "phone": 16000}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("weight") / "archive.db", posts=POSTS)


@pytest.fixture(scope="module")
def served(snapshot: Path) -> Iterator[str]:
    db = snapshot.parent.parent / "archive.db"
    serve = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
    with serving(serve) as url:
        yield url


@pytest.fixture(scope="module")
def served_plain(snapshot: Path) -> Iterator[str]:
    with plain_datasette(snapshot) as url:
        yield url


def measure(page: Any, url: str, viewport: dict[str, int]) -> dict[str, float]:
    page.set_viewport_size(viewport)
    page.goto(url)
    return dict(
        page.evaluate(
            """() => ({
                height: document.documentElement.scrollHeight,
                first_row: document.querySelector('table.rows-and-columns tbody tr')
                    .getBoundingClientRect().top + window.scrollY,
            })"""
        )
    )


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_posts_table_starts_on_the_first_screen_and_stays_short(
    served: str, page: Any, name: str, viewport: dict[str, int]
) -> None:
    size = measure(page, f"{served}archive/posts", viewport)
    assert size["first_row"] < FIRST_ROW_MAX[name], size
    assert size["height"] < HEIGHT_MAX[name], size


def test_plain_datasette_fails_the_same_limits(served_plain: str, page: Any) -> None:
    size = measure(page, f"{served_plain}archive/posts", DESKTOP)
    assert size["height"] > HEIGHT_MAX["desktop"], size


def test_home_page_search_box_searches_with_or_and_a_prefix(served: str, page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(served)
    page.fill(".archive-summary input[type=search]", "nothingelse OR spend*")
    page.press(".archive-summary input[type=search]", "Enter")
    page.wait_for_load_state()
    assert page.locator(".search-page h2.count").inner_text() == f"{POSTS} posts"
    first = page.locator("li.hit").first
    assert first.locator("mark").first.inner_text().lower().startswith("spend")
    first.locator("a.hit-title").click()
    page.wait_for_load_state()
    assert page.locator("article.post-reading h1").inner_text().startswith("Spending, part")
