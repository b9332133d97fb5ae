"""Pages that are not articles: rules that keep their content (issue 11, WCXB page types).

Precision rules were written for articles; each test here is a page type on which one of
them dropped the page's own text, written as a structural excerpt of the platform's markup.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml.html import HtmlElement
from trafilatura.settings import Document

from crawler.parsed import JsonLd
from pipeline import extract, furniture_markup
from pipeline.extract import ExtractionError, extract_post
from pipeline.metadata import PageMetadata

PAGES = Path(__file__).parent / "fixtures" / "page_types"

FORUM_POSTS = (
    "a lathe that can turn small steel shafts",
    "Look for a second hand Myford instead",
    "the tooling is where the real cost hides",
    "Check the headstock bearings before you hand over any money",
    "so I will listen for that bearing rumble",
)


def _text(name: str, url: str) -> str:
    try:
        return extract_post((PAGES / name).read_bytes(), url).text
    except ExtractionError:
        return ""


def test_forum_thread_in_a_comments_container_keeps_every_post() -> None:
    """Invision Community puts a topic's posts, the first included, in ``div#comments``.

    The page declares itself a DiscussionForumPosting, on which trafilatura keeps comment
    containers; the furniture cleaning must not remove them first.
    """
    text = _text("invision-forum-topic.html", "https://forum.example.org/topic/1-lathe/")
    for sentence in FORUM_POSTS:
        assert sentence in text


def test_forum_thread_loses_its_posts_as_comments_without_the_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(furniture_markup, "discussion_element", lambda tree: None)
    text = _text("invision-forum-topic.html", "https://forum.example.org/topic/1-lathe/")
    assert not any(sentence in text for sentence in FORUM_POSTS)


EVENT_CARDS = ("Designing a first circuit board", "Dovetails by hand", "hosted by Lou Grant")


def test_page_that_is_no_article_keeps_its_short_blocks() -> None:
    """A schedule of event cards (og:type "website", no post body) is extracted in full.

    Precision mode, written for articles, drops short link-led blocks: every card here.
    """
    text = _text("events-schedule-cards.html", "https://makers.example.org/schedule/")
    for card in EVENT_CARDS:
        assert card in text


def test_page_that_is_no_article_loses_its_cards_in_precision_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = extract.read_metadata

    def declaring_an_article(
        tree: HtmlElement, url: str, json_ld: list[JsonLd] | None = None
    ) -> PageMetadata:
        meta = read(tree, url, json_ld)
        meta.declares_article = True
        return meta

    monkeypatch.setattr(extract, "read_metadata", declaring_an_article)
    monkeypatch.setattr(extract, "ARTICLE_PROSE_BLOCKS", 0)
    text = _text("events-schedule-cards.html", "https://makers.example.org/schedule/")
    assert "All sessions are free" in text
    assert not any(card in text for card in EVENT_CARDS)


LESSONS = ("Lesson 1. What open source is", "Lesson 8. Answering review comments")
COURSE_URL = "https://school.example.org/courses/os101/"


def test_page_that_is_no_article_keeps_text_that_images_would_cost_it() -> None:
    """A course page's outline of icon rows is kept: extracted without images, it is there.

    With images kept, trafilatura ends the page's text before the outline (one row per
    ``<article>``, an icon and a line of text); without them it keeps both, the longer text.
    """
    text = _text("course-outline-icon-rows.html", COURSE_URL)
    assert "rules of the road in a shared project" in text
    for lesson in LESSONS:
        assert lesson in text


def _with_images_only(cleaned: HtmlElement, url: str) -> Document | None:
    return extract._bare_extraction(cleaned, url, favor_precision=False)


def _without_images_only(cleaned: HtmlElement, url: str) -> Document | None:
    return extract._bare_extraction(cleaned, url, favor_precision=False, images=False)


def test_page_that_is_no_article_loses_its_outline_with_images_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "_without_image_choice", _with_images_only)
    text = _text("course-outline-icon-rows.html", COURSE_URL)
    assert "rules of the road in a shared project" in text
    assert not any(lesson in text for lesson in LESSONS)


TILES = ("Kettle Grill 47", "Kamado Egg Large", "Brazier Fire Grill")
SHOP_URL = "https://grills.example.fr/charcoal/"


def test_shop_category_keeps_its_pictured_tiles_and_their_images() -> None:
    """A shop category's product tiles (image, name, price) are its content.

    Without images trafilatura drops every tile; with them it keeps the tiles and the
    buying guide below, the longer text, and the HTML keeps the pictures.
    """
    record = extract_post((PAGES / "shop-category-pictured-tiles.html").read_bytes(), SHOP_URL)
    assert "Choosing a charcoal grill" in record.text
    for tile in TILES:
        assert tile in record.text
    assert "<img" in record.html


def test_shop_category_loses_its_tiles_extracted_without_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "_without_image_choice", _without_images_only)
    text = _text("shop-category-pictured-tiles.html", SHOP_URL)
    assert "Choosing a charcoal grill" in text
    assert not any(tile in text for tile in TILES)


DOCS_URL = "https://docs.tideway.example/en/pipelines/write/"
GUIDES = ("Starting from a template", "Choosing where it runs", "Keeping secrets out of logs")


def test_index_declaring_an_article_without_paragraphs_is_no_article() -> None:
    """A documentation index declares ``og:type`` "article" but has no paragraph of prose.

    Its cards (a linked heading, a one-line summary) are its text; precision mode, written
    for articles, drops every linked heading.
    """
    text = _text("docs-index-declared-article.html", DOCS_URL)
    assert "Store tokens once" in text
    for guide in GUIDES:
        assert guide in text


def test_index_declaring_an_article_loses_its_headings_as_an_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "ARTICLE_PROSE_BLOCKS", 0)
    text = _text("docs-index-declared-article.html", DOCS_URL)
    assert "Store tokens once" in text
    assert not any(guide in text for guide in GUIDES)
