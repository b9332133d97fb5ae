"""find_content skips a body-container XPath when the page holds no class word (or itemprop) it
looks for: one read of the page's class and itemprop values instead of a walk per XPath.

Checked on every HTML page of the test fixtures and the blog set, parsed as extraction parses
them, and on edge pages: each XPath selects something exactly when its mark is on the page.
"""

from __future__ import annotations

import pytest

from pipeline.document import CONTENT_MARKS, CONTENT_XPATHS, _page_marks, parse_html
from tests.html_pages import html_pages

EDGES = [
    # split by a tab (XPath white space) and by a non-breaking space (not white space to it)
    '<html><body><div class="x\tentry-content">a</div><div class="x\u00a0post-body">b</div>'
    '<div itemprop="articleBody x">c</div></body></html><div class="gh-content">after</div>',
]


def test_each_mark_is_the_word_its_xpath_looks_for() -> None:
    for xpath, (attribute, word) in zip(CONTENT_XPATHS, CONTENT_MARKS, strict=True):
        assert f"@{attribute}" in xpath
        assert f"' {word} '" in xpath or f"'{word}'" in xpath


@pytest.mark.parametrize(("name", "html"), html_pages(EDGES))
def test_a_mark_is_on_the_page_exactly_when_its_xpath_selects(name: str, html: str) -> None:
    tree = parse_html(html or "<html></html>")
    marks = _page_marks(tree)
    for xpath, mark in zip(CONTENT_XPATHS, CONTENT_MARKS, strict=True):
        assert (mark in marks) == bool(tree.xpath(xpath)), (name, xpath)


def test_edge_page_exercises_what_it_is_for() -> None:
    marks = _page_marks(parse_html(EDGES[0]))
    assert ("class", "entry-content") in marks
    assert ("class", "post-body") not in marks
    assert ("itemprop", "articleBody") not in marks
    assert ("class", "gh-content") in marks  # after a stray </html>, moved into the body
