"""Recall rules: post text that trafilatura's precision mode would drop.

Each test holds markup shaped like what real engines and plugins write, and fails when the
rule behind it is switched off.
"""

from __future__ import annotations

import pytest

from pipeline import extract
from pipeline.extract import extract_post

URL = "https://garden.example.org/2024/05/raised-beds/"
PROSE = (
    "<p>We built our first raised beds three springs ago, after the lower lawn flooded for the "
    "second winter running and the vegetables we planted there simply rotted in the ground.</p>"
    "<p>The beds are thirty centimetres deep, which is enough for carrots and potatoes, and "
    "they warm up weeks earlier than the soil around them, so we sow sooner as well.</p>"
)


def page(body: str, title: str = "Raised beds, three years on") -> bytes:
    head = f"<title>{title} | Lower Lawn Garden</title><meta property='og:type' content='article'>"
    return (
        f"<html><head>{head}</head><body><article class='post'><h1>{title}</h1>"
        f"<div class='entry-content'>{body}</div></article></body></html>"
    ).encode()


# A table-of-contents plugin (Easy Table of Contents) marks each heading with empty spans
# that its links jump to; the heading's text sits between them.
TOC_HEADINGS = (
    f"{PROSE}"
    "<h2 class='wp-block-heading'><span class='ez-toc-section' id='What_to_fill_them_with'>"
    "</span>What to fill them with<span class='ez-toc-section-end'></span></h2>"
    "<p>A third topsoil, a third compost and a third of the old turf, turned upside down at "
    "the bottom, has held its structure far better than the bagged mix we tried first.</p>"
    "<h2 class='wp-block-heading'><a id='watering'></a>Watering in a dry summer</h2>"
    "<p>A soaker hose laid along each bed on a timer uses less than half the water of the "
    "sprinkler, and the leaves stay dry, which keeps mildew off the courgettes.</p>"
)

# An icon font's glyph before each line of a list, and an anchor before a paragraph.
ICON_LIST = (
    f"{PROSE}<p>What we would do again:</p><ul>"
    "<li><i class='fa fa-check' aria-hidden='true'></i> Line the bottom with cardboard</li>"
    "<li><i class='fa fa-check' aria-hidden='true'></i> Use untreated larch boards</li>"
    "<li><i class='fa fa-check' aria-hidden='true'><svg viewBox='0 0 8 8'><path d='M0 0h8'/>"
    "</svg></i> Leave a path wide enough for a wheelbarrow</li></ul>"
    "<p><a name='costs'></a>The boards cost about forty pounds a bed, and the soil roughly "
    "the same again; the beds have paid for themselves in the second season.</p>"
)


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (TOC_HEADINGS, ("What to fill them with", "Watering in a dry summer")),
        (
            ICON_LIST,
            (
                "Line the bottom with cardboard",
                "Use untreated larch boards",
                "Leave a path wide enough for a wheelbarrow",
                "The boards cost about forty pounds a bed",
            ),
        ),
    ],
    ids=["toc-anchor-headings", "icon-font-list"],
)
def test_text_after_an_empty_element_is_kept(body: str, kept: tuple[str, ...]) -> None:
    # Trafilatura's precision mode deletes an element that holds no text together with the
    # text written after it.
    record = extract_post(page(body), URL)
    for line in kept:
        assert line in record.text
    assert "A third topsoil" in record.text or "What we would do again" in record.text


def test_without_the_rule_the_text_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "drop_empty_elements_before_text", lambda tree: None)
    toc = extract_post(page(TOC_HEADINGS), URL).text
    icons = extract_post(page(ICON_LIST), URL).text
    assert "What to fill them with" not in toc
    assert "Watering in a dry summer" not in toc
    assert "Line the bottom with cardboard" not in icons


def test_a_space_written_as_an_empty_looking_element_stays() -> None:
    # "<span> </span>" between two words is their space, not an empty element.
    body = (
        f"{PROSE}<p>We grow<span> </span>rhubarb in the corner bed, where nothing else would "
        "thrive, and it comes back bigger every spring without any care at all.</p>"
    )
    record = extract_post(page(body), URL)
    assert "We grow rhubarb in the corner bed" in record.text


# A page builder's column carries its design tokens as inline custom properties, and a
# key-takeaways box is drawn with a border; a wrapper clears its floats with overflow hidden.
BOXED = (
    f"{PROSE}"
    "<div class='builder-column' style='--col-border-radius:8px;--col-border-color:#e2e2e2;"
    "--col-width:100%'><div class='builder-text'>"
    "<p>Key takeaways: raised beds warm up weeks earlier than the lawn around them, and a "
    "soaker hose on a timer halves the water they need in a dry summer.</p></div></div>"
    "<div style='overflow: hidden'><img src='https://garden.example.org/img/beds.jpg' "
    "alt='The beds in May' style='float:left'><p>By May the first bed is full of lettuce and "
    "radishes, and the second has peas climbing the netting we stretched along the back.</p>"
    "</div>"
    "<p>Next year we will add a fourth bed for asparagus, which needs its own space because "
    "it stays in the ground for twenty years and does not like to be disturbed.</p>"
)


def test_a_box_drawn_with_a_border_or_clipping_its_floats_keeps_its_text() -> None:
    record = extract_post(page(BOXED), URL)
    assert "raised beds warm up weeks earlier" in record.text
    assert "By May the first bed is full of lettuce" in record.text


def test_without_the_style_rule_the_boxed_text_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "drop_box_drawing_styles", lambda tree: None)
    # The ensemble step (pipeline.recall_merge) would add the paragraphs back: off too.
    monkeypatch.setattr(extract, "skipped_prose", lambda page, kept: False)
    text = extract_post(page(BOXED), URL).text
    assert "raised beds warm up weeks earlier" not in text
    assert "By May the first bed is full of lettuce" not in text


def test_a_hidden_element_stays_hidden_to_trafilatura() -> None:
    # Only the drawing declarations go: display:none keeps its meaning.
    import lxml.html

    from pipeline.normalise import drop_box_drawing_styles

    tree = lxml.html.fromstring(
        "<div><div style='border: 1px solid #ccc; display: none'>a</div>"
        "<div style='overflow-x: hidden; visibility: hidden'>b</div>"
        "<div style='border-top: 0'>c</div></div>"
    )
    drop_box_drawing_styles(tree)
    styles = [child.get("style") for child in tree]
    assert styles == [" display: none", " visibility: hidden", None]


# A checklist written as a table whose task column holds a bulleted list in each cell.
CHECKLIST_TABLE = (
    f"{PROSE}<h2>Our season checklist</h2><table><tbody>"
    "<tr><td><p><b>When</b></p></td><td><p><b>Task</b></p></td></tr>"
    "<tr><td><p>February</p></td><td><ul><li><span>Order seed potatoes</span></li>"
    "<li><span>Top up the beds with compost</span></li></ul></td></tr>"
    "<tr><td><p>April</p></td><td><ul><li>Sow carrots and parsnips directly</li>"
    "<li>Harden off the tomato seedlings</li></ul></td></tr>"
    "</tbody></table>"
    "<p>Everything else waits until the last frost has passed, which here is usually the "
    "second week of May, whatever the seed packets say about sowing earlier.</p>"
)


def test_a_list_inside_a_table_cell_keeps_its_items() -> None:
    record = extract_post(page(CHECKLIST_TABLE), URL)
    for item in ("Order seed potatoes", "Top up the beds with compost", "Harden off the tomato"):
        assert item in record.text
    assert "<li>" not in record.html  # written as the cell's lines, in the table
    assert "Top up the beds with compost" in record.html


def test_without_the_cell_rule_the_listed_items_are_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "unlist_table_cells", lambda tree: None)
    text = extract_post(page(CHECKLIST_TABLE), URL).text
    assert "February" in text
    assert "Order seed potatoes" not in text


# A post in an element whose classes trafilatura does not know as a post body (a utility-CSS
# "prose" wrapper): it gathers the page's loose paragraphs and drops the headings and lists.
HEADED_POST = (
    "<h1>Raised beds, three years on</h1>"
    "<p>We built our first raised beds three springs ago, after the lower lawn flooded for the "
    "second winter running and the vegetables we planted there simply rotted in the ground.</p>"
    "<h2>What went into them</h2>"
    "<p>The beds are thirty centimetres deep, which is enough for carrots and potatoes, and "
    "they warm up weeks earlier than the soil around them, so we sow sooner as well.</p>"
    "<ul><li>Untreated larch boards, screwed at the corners</li>"
    "<li>Cardboard at the bottom against the grass</li>"
    "<li>A third each of topsoil, compost and old turf</li></ul>"
    "<h2>What we would change</h2>"
    "<p>A soaker hose laid along each bed on a timer uses less than half the water of the "
    "sprinkler, and the leaves stay dry, which keeps mildew off the courgettes.</p>"
)


def unnamed_body_page(declares_article: bool, byline: str = "") -> bytes:
    og = "<meta property='og:type' content='article'>" if declares_article else ""
    return (
        f"<html><head><title>Raised beds | Lower Lawn</title>{og}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/about/'>About</a></nav>{byline}"
        f"<div class='layout'><div class='prose prose-lg'>{HEADED_POST}</div></div>"
        "<div class='site-foot'><p>Lower Lawn, a garden diary.</p></div></body></html>"
    ).encode()


@pytest.mark.parametrize("declares_article", [True, False])
def test_headings_and_lists_of_an_unnamed_post_body_are_kept(declares_article: bool) -> None:
    text = extract_post(unnamed_body_page(declares_article), URL).text
    assert "What went into them" in text
    assert "Untreated larch boards, screwed at the corners" in text
    assert "keeps mildew off the courgettes" in text
    assert "a garden diary" not in text


@pytest.mark.parametrize("declares_article", [True, False])
def test_without_the_container_rule_only_the_paragraphs_are_kept(
    monkeypatch: pytest.MonkeyPatch, declares_article: bool
) -> None:
    monkeypatch.setattr(extract, "_from_headed_container", lambda *args, **kwargs: args[3])
    text = extract_post(unnamed_body_page(declares_article), URL).text
    assert "keeps mildew off the courgettes" in text
    assert "What went into them" not in text
    assert "Untreated larch boards" not in text


def test_the_byline_outside_the_unnamed_post_body_stays_the_author() -> None:
    # The text comes from the element holding the prose; the metadata from the whole page.
    byline = "<div class='post-head'><div class='authorName'>Jane Doe</div></div>"
    record = extract_post(unnamed_body_page(True, byline), URL)
    assert "What went into them" in record.text
    assert record.author == "Jane Doe"
