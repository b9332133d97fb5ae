"""The crawler's series rules on a page's texts and links (crawler/series.py), without HTML."""

from __future__ import annotations

import pytest

from crawler.series import SeriesMembers, series_name, series_parts

SITE = "https://blog.example.org"


def name(url: str = f"{SITE}/page/", **page: object) -> str | None:
    texts: dict[str, object] = {
        "headings": [],
        "descriptions": "",
        "body_classes": set(),
        "listing": False,
        "title": lambda: "",
    }
    texts.update(page)
    return series_name(url, (), **texts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ({"headings": ["Series: Budgets"]}, "Budgets"),  # the heading says it, anywhere
        ({"headings": ["Budgets: a blog series"], "listing": True}, "Budgets"),
        ({"headings": ["Category: Budgets"], "body_classes": {"series"}}, "Budgets"),
        ({"headings": ["Starting a new blog series"]}, None),  # a post announcing one
        (
            {"descriptions": "A series on budgets", "listing": True, "headings": ["Budgets"]},
            "Budgets",
        ),
        ({"body_classes": {"series"}, "title": lambda: "Budgets | The Blog"}, "Budgets"),
    ],
)
def test_what_names_a_series_page(page: dict[str, object], expected: str | None) -> None:
    assert name(**page) == expected


def test_a_series_url_without_heading_or_title_is_named_by_its_path() -> None:
    assert name(f"{SITE}/series/budgets/") == "series/budgets"


def test_the_title_is_read_only_when_no_heading_names_the_series() -> None:
    asked: list[bool] = []

    def title() -> str:
        asked.append(True)
        return "Budgets"

    assert name(headings=["Series: Budgets"], title=title) == "Budgets"
    assert name(title=title) is None
    assert asked == []


def test_a_series_lists_its_entries_else_its_plain_list_links_but_itself() -> None:
    page = f"{SITE}/series/budgets/"
    listed = [f"{SITE}/b1/", page, f"{SITE}/b2/", f"{SITE}/b1/"]
    assert series_parts(page, [f"{SITE}/e1/"], lambda: listed) == [f"{SITE}/e1/"]
    assert series_parts(page, [], lambda: listed) == [f"{SITE}/b1/", f"{SITE}/b2/"]


def test_series_members_remember_each_listing_once() -> None:
    members = SeriesMembers()
    members.remember(f"{SITE}/b1/", ("Budgets", f"{SITE}/series/budgets/"))
    members.remember(f"{SITE}/b1/", ("Budgets", f"{SITE}/series/budgets/"))
    members.remember(f"{SITE}/b1/", ("City data", f"{SITE}/category/city-data/"))
    assert members.of(f"{SITE}/b1/") == [
        ("Budgets", f"{SITE}/series/budgets/"),
        ("City data", f"{SITE}/category/city-data/"),
    ]
    assert members.of(f"{SITE}/b2/") == []
