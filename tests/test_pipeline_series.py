"""Series detection: series boxes, title patterns and sentences, and what is not a series."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from pipeline.document import parse_html
from pipeline.records import SeriesMembership
from pipeline.series.detect import detect_series, merge_memberships
from pipeline.series.markup import _short_texts

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
    ("sentence", "name", "position"),
    [
        # Writers name their own series in lower case as often as in title case.
        ("This is the second post in our ward budgets series, one of three.", "Ward budgets", 2),
        ("The third post in my library hours blog series is about Sundays.", "Library hours", 3),
    ],
)
def test_a_series_the_writer_owns_is_named_in_lower_case(
    sentence: str, name: str, position: int
) -> None:
    found = detect_series("An ordinary title", sentence + " More text follows here.", None, URL)
    assert [(s.name, s.position) for s in found] == [(name, position)]


@pytest.mark.parametrize(
    "sentence",
    [
        "This is the first post in our new blog series.",
        "This is the second post in a series of workshops we ran.",
    ],
)
def test_a_lower_case_series_needs_a_name_and_an_owner(sentence: str) -> None:
    assert [s.name for s in detect_series("Title", sentence, None, URL)] in ([], [""])


@pytest.mark.parametrize(
    "text",
    [
        "We held a series of meetings with residents about the plans.",
        "She once appeared in a TV series about hospitals.",
        "The government announced a series of reforms to council tax.",
        "A new Netflix series was filmed in the town centre last year.",
        "He kicks off a TV series. The series of events was odd.",
        "Our series of workshops starts in May.",
        "In the fourth episode of the Doctor Who series, the Doctor visits a council.",
        "Final standings of the Monster Energy NASCAR Cup Series after 36 races.",
        "It will be the fourth film in the rebooted Star Trek film series.",
        "It posted a series of tweets supporting the candidate.",
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


@pytest.mark.parametrize(
    ("title", "name", "position", "total"),
    [
        ("Housing Futures, Part II", "Housing Futures", 2, None),
        ("Budget Diaries (2/3): The vote", "Budget Diaries", 2, 3),
        ("Street trees (Part 4)", "Street trees", 4, None),
        ("Episode 3 - Talking to the auditors", "Talking to the auditors", 3, None),
    ],
)
def test_more_title_forms(title: str, name: str, position: int, total: int | None) -> None:
    [found] = detect_series(title, "", None, URL)
    assert (found.name, found.position, found.total) == (name, position, total)


@pytest.mark.parametrize(
    "title",
    ["Open all hours (24/7)", "Part-time staff: what changed", "A part of the town we forget"],
)
def test_titles_that_only_look_like_parts(title: str) -> None:
    assert detect_series(title, "Text about the council.", None, URL) == []


def test_standfirst_states_the_part_and_the_length() -> None:
    found = detect_series(
        "Care homes are closing",
        "Care homes are closing faster than new ones open.",
        None,
        URL,
        standfirst="The first of our three-part series on adult social care.",
    )
    assert [(s.name, s.position, s.total, s.signal) for s in found] == [
        ("adult social care", 1, 3, "topic-sentence")
    ]


def test_conflicting_part_numbers_keep_the_stronger_signal_and_say_so() -> None:
    html = (
        "<div class='seriesmeta'>This entry is part 3 of 6 in the series Housing Futures</div>"
        "<p>This is the fourth post in the Housing Futures series.</p>"
    )
    [found] = detect_series(
        "Housing Futures, part 2: rents",
        "This is the fourth post in the Housing Futures series.",
        html,
        URL,
    )
    assert (found.position, found.total, found.signal) == (3, 6, "series-box")
    assert found.conflict == ("part: kept 3 from series-box; title-part says 2, sentence says 4")
    assert [s.signal for s in found.signals] == ["series-box", "title-part", "sentence"]


def test_a_title_name_yields_to_the_series_a_sentence_names() -> None:
    [found] = detect_series(
        "Part 3: Budgets that residents set",
        "Welcome to part three of the Data Days series.",
        None,
        URL,
    )
    assert (found.name, found.position) == ("Data Days", 3)
    assert found.conflict == "name: kept 'Data Days'; also named 'Budgets that residents set'"


def test_two_named_series_on_one_page_stay_two() -> None:
    text = (
        "The second post in our Digital Democracy series. And part 4 of the Open Councils series."
    )
    found = detect_series("Apps for councillors", text, None, URL)
    assert sorted(s.name for s in found) == ["Digital Democracy", "Open Councils"]


def test_unnamed_series_links_join_the_one_named_series() -> None:
    html = (
        "<div class='seriesmeta'>This entry is part 2 of 4 in the series Creative Councils</div>"
        "<div class='wp-post-series-nav'><a href='/p1/'>Starting small</a>"
        "<a href='/p3/'>Working with residents</a></div>"
    )
    [found] = detect_series("Permission", "Text.", html, URL)
    assert [s.signal for s in found.signals] == ["series-box", "series-nav"]
    assert found.neighbours == ("https://blog.example.org/p1/", "https://blog.example.org/p3/")


def test_unnamed_series_links_alone_make_a_nameless_membership() -> None:
    html = "<nav class='series-nav'><a href='/p1/'>Previous</a><a href='/p3/'>Next</a></nav>"
    [found] = detect_series("Permission", "Text.", html, URL)
    assert (found.name, found.signal) == ("", "series-nav")
    assert found.neighbours == ("https://blog.example.org/p1/", "https://blog.example.org/p3/")


@pytest.mark.parametrize(
    ("sentence", "position", "total"),
    [
        ("This post kicks off our new series.", 1, None),
        ("Today we start our new four-part series, with a look at bins.", 1, 4),
        ("This post closes the series.", None, None),
    ],
)
def test_sentences_that_name_no_series_are_kept_nameless(
    sentence: str, position: int | None, total: int | None
) -> None:
    [found] = detect_series("Street Life: The bench", sentence, None, URL)
    assert (found.name, found.position, found.total, found.signal) == (
        "",
        position,
        total,
        "sentence",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "He kicks off a TV series about councils.",
        "Our series of workshops starts in May.",
        "This starts our series of events on Friday.",
    ],
)
def test_nameless_sentences_need_a_blog_series(sentence: str) -> None:
    assert detect_series("Notes", sentence, None, URL) == []


def test_a_series_list_that_does_not_mark_this_post_is_not_membership() -> None:
    html = (
        "<aside><h3>Series: Creative Councils</h3><ul><li><a href='/a/'>A</a></li>"
        "<li><a href='/b/'>B</a></li></ul></aside>"
    )
    assert detect_series("Bus routes", "Text.", html, URL) == []


def test_merging_again_with_more_signals_is_the_same_as_merging_once() -> None:
    box = SeriesMembership("Creative Councils", 2, 4, signal="series-box", evidence="box")
    page = SeriesMembership("Creative Councils", url="u", signal="series-page", evidence="u")
    once = merge_memberships([box, page])
    assert merge_memberships([*merge_memberships([box]), page]) == once
    assert [s.signal for s in once[0].signals] == ["series-box", "series-page"]
    assert once[0].url == "u"


FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted((FIXTURES / "series").glob("*.html")) + sorted((FIXTURES / "pages").glob("*.html"))
COMMENTED = b"<p class='seriesmeta'>Part 2 of 3 <!-- built by a plugin --> in the series X</p>"


@pytest.mark.parametrize(
    "raw",
    [COMMENTED, *(page.read_bytes() for page in PAGES)],
    ids=["commented", *(page.name for page in PAGES)],
)
def test_short_texts_read_what_itertext_reads(raw: bytes) -> None:
    # Series boxes and navigation are looked for by their text, which is read once from the
    # leaves up: it must be the element's whole text wherever that is short, and only there.
    # parse_html drops comments; another parser's tree keeps them (itertext skips their text).
    for tree, limit in product((parse_html(raw), lxml.html.document_fromstring(raw)), (40, 300)):
        texts = _short_texts(tree, limit)
        for element in tree.iter(lxml.etree.Element):  # elements, not comments
            whole = " ".join(" ".join(element.itertext()).split())
            expected = whole if len(whole) <= limit else None
            assert texts.get(element) == expected, f"<{element.tag}> at limit {limit}"


@pytest.mark.parametrize(
    ("sentence", "position", "total"),
    [
        # A stated ordinal + "final": the part is also the series' length.
        ("In the seventh and final blog of the Creative Councils series, Kent.", 7, 7),
        # "final" with the length stated: the last part is the declared length.
        ("The last blog of our four-part series on housing repairs.", 4, 4),
        # "final" alone: last, but of how many only the archive can tell
        # (archive/series/memberships.py).
        ("This is the final post in the Open Councils series.", None, None),
        # Negatives: "last" that is not about the post's place in the series.
        ("In the sixth blog of the Creative Councils series, the last before summer.", 6, None),
        ("The second post in our four-part series on housing, after last week's.", 2, 4),
    ],
)
def test_a_final_part_statement_gives_the_length(
    sentence: str, position: int | None, total: int | None
) -> None:
    [found] = detect_series("An ordinary title", sentence, None, URL)
    assert (found.position, found.total) == (position, total)


def test_counted_titles_out_of_order_or_claiming_one_part_twice_are_not_grouped() -> None:
    from datetime import date

    from pipeline.series.titles import CountedTitle, counted_series

    def counted(title: str, day: int) -> CountedTitle:
        return CountedTitle(title, title, "Jo Reed", date(2024, 6, day))

    one, two, three = counted("Maps (1/3)", 1), counted("Paths (2/3)", 8), counted("Bins (3/3)", 15)
    assert counted_series(two, [one, two, three]) == [one, two, three]
    # Part 3 published before part 2: two series, or a mistake; neither is safe to group.
    early = counted("Bins (3/3)", 4)
    assert counted_series(two, [one, two, early]) == []
    # Two posts say they are part 2 within the same weeks: which series is which is unknown.
    other = counted("Lifts (2/3)", 10)
    assert counted_series(one, [one, two, other, three]) == []
    # The same subject twice is a name, joined already by the title-part signal.
    assert counted_series(one, [one, counted("Maps (2/3)", 8)]) == []
