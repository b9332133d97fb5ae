"""Furniture removal reads a block's whole collapsed text only when it may be short.

``_text_below(element, limit)`` is ``element_text(element)`` when that is shorter than
``limit``, else None, without collapsing the spaces of a long block's whole text. Checked on
every element of every fixture and blog-set page at both limits the furniture rules use, and
on edge pages whose raw text is long but collapses below the limit.
"""

from __future__ import annotations

import pytest

from pipeline.document import element_text, parse_html
from pipeline.furniture_markup import SHORT_LINE_CHARS, SMALL_BLOCK_CHARS, _text_below
from tests.html_pages import html_pages

EDGES = [
    # 2,000 characters of white space around two words: long raw, short collapsed
    "<html><body><div>" + " \n\t" * 700 + "Leave a reply" + "\u00a0 " * 300 + "</div>"
    "<p>" + "word " * 100 + "</p><section>" + "  " * 200 + "x" * 59 + "</section></body></html>",
]


@pytest.mark.parametrize(("name", "html"), html_pages(EDGES))
def test_short_text_is_the_element_text_when_shorter_than_the_limit(name: str, html: str) -> None:
    tree = parse_html(html or "<html></html>")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        text = element_text(element)
        for limit in (SHORT_LINE_CHARS, SMALL_BLOCK_CHARS):
            assert _text_below(element, limit) == (text if len(text) < limit else None), name


def test_edge_page_exercises_what_it_is_for() -> None:
    body = parse_html(EDGES[0]).find("body")
    div, paragraph, section = list(body)
    assert len(div.text_content()) > 4 * SMALL_BLOCK_CHARS
    assert _text_below(div, SHORT_LINE_CHARS) is not None  # collapses to a short line
    assert _text_below(paragraph, SMALL_BLOCK_CHARS) is None
    assert _text_below(section, SHORT_LINE_CHARS) == "x" * 59
