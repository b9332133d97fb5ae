"""The page reader's one-pass selections select what its XPaths and CSS selectors select.

``crawler.evidence.scan``, ``not_own`` and ``crawler.pages.select`` replace whole-document
XPath unions (each walks the page once per branch) with one walk in Python; the XPaths stay
as their specification. Checked element for element, in document order, on every HTML page
of the test fixtures and the blog set, and on pages written to hit the edge cases: class
words split by tabs and newlines (XPath's white space) but not by non-breaking spaces,
content after a stray ``</html>``, comments inside elements.
"""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.evidence import BYLINE_XPATH, DATE_XPATH, NOT_OWN_XPATH, not_own, scan
from crawler.pages import (
    DESCRIPTION_CSS,
    ENTRY_CSS,
    HEADING_CSS,
    NEXT_PAGE_XPATH,
    find_next_pages,
    select,
)
from tests.html_pages import html_pages

EDGES = [
    '<html><body><div class="a\tdate">1 May 2024</div><span class="x\u00a0date">2 May 2024'
    '</span><p class="by\nline">By Ann</p><div class="post-authorish">Bo</div></body></html>'
    '<div class="entry">after the end <time>3 May 2024</time></div>',
    '<html><body><article class="post"><!-- c --><p>by <!-- x -->Ann</p>'
    '<footer class="x-comments ">Older posts</footer><a href="/page/2/">next \u00bb</a>'
    '<div class="nav-previous"><span><a href="/p/1">older</a><a>none</a></span></div>'
    '</article><section class="comments"><p class="comment">hi</p></section>'
    '<link rel="next" href=""><a rel="next author" href="/n">n</a></body></html>',
]


def roots(selection: list) -> list:
    return [s.root for s in selection]


@pytest.mark.parametrize(("name", "html"), html_pages(EDGES))
def test_one_pass_selects_what_the_xpaths_select(name: str, html: str) -> None:
    sel = Selector(text=html or "<html></html>")
    found = scan(sel.root)
    assert found.dates == roots(sel.xpath(DATE_XPATH)), name
    assert found.bylines == roots(sel.xpath(BYLINE_XPATH)), name
    assert found.links == roots(sel.xpath("//a[@href]")), name
    assert found.by_lines == roots(sel.xpath("//p | //span | //div[not(*)] | //address")), name
    assert [e.get("href") for e in found.next_links] == sel.xpath(NEXT_PAGE_XPATH).getall()
    chosen = select(sel)
    assert roots(chosen.entries) == roots(sel.css(ENTRY_CSS)), name
    assert roots(chosen.headings) == roots(sel.css(HEADING_CSS)), name
    assert roots(chosen.descriptions) == roots(sel.css(DESCRIPTION_CSS)), name
    assert chosen.feed == bool(sel.css(".h-feed, .hfeed.blog")), name
    memo: dict = {}
    for element in sel.root.iter():
        if isinstance(element.tag, str):
            assert not_own(element, memo) == bool(element.xpath(NOT_OWN_XPATH)), name


def test_edge_pages_exercise_what_they_are_for() -> None:
    # The checks above mean something only if the edge pages hit each branch.
    first = Selector(text=EDGES[0])
    assert [e.text for e in scan(first.root).dates] == ["1 May 2024", "3 May 2024"]
    second = Selector(text=EDGES[1])
    assert [e.get("href") for e in scan(second.root).next_links] == ["/p/1", "", "/n"]
    assert find_next_pages(second, "http://blog.example/") == [
        "http://blog.example/p/1",
        "http://blog.example/n",
        "http://blog.example/page/2/",
    ]
    assert sum(not_own(e, {}) for e in second.root.iter("p", "footer")) == 2
