"""Series detection: series boxes, title patterns and sentences, and what is not a series."""

from __future__ import annotations

import pytest

from pipeline.series import detect_series

URL = "https://blog.example.org/p"


@pytest.mark.parametrize(
    ("title", "name", "position", "total"),
    [
        ("Creative Councils: Part 2", "Creative Councils", 2, None),
        ("Ward walks with councillors, part two", "Ward walks with councillors", 2, None),
        ("Open data \u2013 Part 3 of 5", "Open data", 3, 5),
        ("Open data (2/5)", "Open data", 2, 5),
        ("Open data [4 of 6]", "Open data", 4, 6),
        ("Part 3: Budgets that residents set", "Budgets that residents set", 3, None),
    ],
)
def test_title_patterns_give_series_and_position(
    title: str, name: str, position: int, total: int | None
) -> None:
    [found] = detect_series(title, "", None, URL)
    assert (found.name, found.position, found.total, found.signal) == (
        name,
        position,
        total,
        "title-part",
    )
    assert found.evidence == title


@pytest.mark.parametrize(
    ("sentence", "name", "position"),
    [
        (
            "In the seventh blog of the Creative Councils series, we visit Kent.",
            "Creative Councils",
            7,
        ),
        ("This post closes the first Creative Councils' blog series.", "Creative Councils", None),
        (
            "This post kicks off our (short) series on participatory budgeting.",
            "participatory budgeting",
            1,
        ),
        ("The second post in our Digital Democracy series looks at apps.", "Digital Democracy", 2),
        ("This is the final post in the Open Councils series.", "Open Councils", None),
        ("This is the 3rd instalment of the Housing Futures series.", "Housing Futures", 3),
        ("This is part 2 of our series on housing repairs.", "housing repairs", 2),
        ("Welcome to part three of the Data Days series.", "Data Days", 3),
    ],
)
def test_sentences_in_the_opening_name_the_series(
    sentence: str, name: str, position: int | None
) -> None:
    found = detect_series("An ordinary title", sentence + " More text follows here.", None, URL)
    signal = "sentence" if name[0].isupper() else "topic-sentence"
    assert [(s.name, s.position, s.signal) for s in found] == [(name, position, signal)]
    assert found[0].evidence in sentence


@pytest.mark.parametrize(
    "text",
    [
        "We held a series of meetings with residents about the plans.",
        "She once appeared in a TV series about hospitals.",
        "The government announced a series of reforms to council tax.",
        "A new Netflix series was filmed in the town centre last year.",
        "He kicks off a TV series. The series of events was odd.",
        "Our series of workshops starts in May.",
    ],
)
def test_ordinary_uses_of_series_are_not_blog_series(text: str) -> None:
    assert detect_series("Notes from the week", text, None, URL) == []


def test_series_sentences_late_in_the_post_are_ignored() -> None:
    text = "Filler sentence about council work. " * 60 + "The second post in our Data series."
    assert detect_series("Title", text, None, URL) == []


def test_series_box_gives_position_total_and_series_page() -> None:
    html = (
        "<html><body><article><div class='seriesmeta'>This entry is part 3 of 5 in the "
        "series <a href='https://blog.example.org/series/cc/'>Creative Councils</a></div>"
        "<p>Text.</p></article></body></html>"
    )
    found = detect_series("Creative Councils: Part 3", "Text.", html, URL)
    assert [(s.name, s.position, s.total, s.url, s.signal) for s in found] == [
        ("Creative Councils", 3, 5, "https://blog.example.org/series/cc/", "series-box")
    ]


def test_one_membership_per_series_strongest_signal_first() -> None:
    text = "In the second blog of the Creative Councils series we look at budgets."
    found = detect_series("Creative Councils: Part 2", text, None, URL)
    assert [(s.name, s.signal) for s in found] == [("Creative Councils", "title-part")]
