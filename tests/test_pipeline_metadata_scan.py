"""The metadata reader's one-pass selections select what its XPaths select.

``pipeline.metadata_scan.scan`` replaces the metadata reader's whole-document XPaths (own
dates, bylines, tag links, "By NAME" lines, microformats) with one walk in Python; the XPaths
stay as their specification. Checked element for element, in document order, on every HTML
page of the test fixtures and the blog set (parsed as extraction parses them), and on pages
written to hit the edge cases: class words split by tabs and newlines (XPath's white space)
but not by non-breaking spaces, microformats inside and outside the first h-entry, an "fn"
whose "author" block is the scope itself, tag links inside category blocks, Blogger labels.
"""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement

from pipeline.document import parse_html
from pipeline.metadata_scan import (
    BY_LINES_XPATH,
    BYLINE_XPATHS,
    H_ENTRY_XPATH,
    LABELS_XPATH,
    LINKS_XPATH,
    MF_AUTHOR_XPATH,
    MF_DATE_XPATH,
    MF_TAG_XPATH,
    MF_TITLE_XPATH,
    OWN_DATE_XPATH,
    TAG_CANDIDATES_XPATH,
    below,
    scan,
)
from tests.html_pages import html_pages

EDGES = [
    # class words split by a tab, a newline and a non-breaking space; an fn under the
    # scope's own "author" class; tag links in and out of a category block; labels.
    '<html><body><div class="x\tpublished">1 May 2024</div><span class="x\u00a0updated">2'
    '</span><time class="modified-at">3 May</time><time>4 May 2024</time>'
    '<article class="h-entry author"><h2 class="p-name\nx">T</h2><span class="fn">Ann</span>'
    '<div class="author"><b class="fn">Bo</b></div><a rel="author" href="/a">Cy</a>'
    '<a rel="author tag" href="/b">no</a><span class="dt-published">2024-05-01</span>'
    '<span class="cat-links"><a rel="tag" href="/c">in category</a></span>'
    '<a rel="tag" href="/t">tagged</a><div class="vcard"><span class="tel">1</span></div>'
    '</article><div class="post-labels"><span><a>label</a></span><a href="/l">l2</a></div>'
    '<p class="post-tags"><a href="/tag/x">x</a></p><div></div><div><!-- c --></div>'
    '<meta itemprop="datePublished" content="2024-01-01"><span itemprop="dateModified">5</span>'
    "</body></html>",
    # no h-entry: the scope is the root element, whose own class does not count.
    '<html class="author"><body><span class="fn">Dee</span><p class="hentry-like">x</p>'
    '<div class="author"><span class="fn">Eve</span></div><a rel="tag">t</a></body></html>'
    '<div class="post-author-name">after the end</div>',
]


def _tree(html: str) -> HtmlElement:
    return parse_html(html or "<html></html>")


@pytest.mark.parametrize(("name", "html"), html_pages(EDGES))
def test_one_pass_selects_what_the_metadata_xpaths_select(name: str, html: str) -> None:
    tree = _tree(html)
    found = scan(tree)
    for (_, xpath), selected in zip(OWN_DATE_XPATH, found.own_dates, strict=True):
        assert selected == tree.xpath(xpath), (name, xpath)
    for xpath, selected in zip(BYLINE_XPATHS, found.bylines, strict=True):
        assert selected == tree.xpath(xpath), (name, xpath)
    assert found.links == tree.xpath(LINKS_XPATH), name
    assert found.tag_candidates == tree.xpath(TAG_CANDIDATES_XPATH), name
    assert found.by_lines == tree.xpath(BY_LINES_XPATH), name
    assert found.h_entries == tree.xpath(H_ENTRY_XPATH), name
    assert found.labels == tree.xpath(LABELS_XPATH), name
    # Every scope the reader may use: the first h-entry or the root, and any other element.
    scopes = [tree, *tree.xpath(H_ENTRY_XPATH), *tree.xpath("//article | //body")]
    for scope in scopes:
        assert [e for e in found.mf_titles if below(e, scope)] == scope.xpath(MF_TITLE_XPATH)
        assert found.mf_author_elements(scope) == scope.xpath(MF_AUTHOR_XPATH), name
        for key, xpath in MF_DATE_XPATH.items():
            assert [e for e in found.mf_dates[key] if below(e, scope)] == scope.xpath(xpath)
        assert found.mf_tag_links(scope) == scope.xpath(MF_TAG_XPATH), name


def test_edge_pages_exercise_what_they_are_for() -> None:
    # The checks above mean something only if the edge pages hit each branch.
    first = _tree(EDGES[0])
    found = scan(first)
    assert [e.text for e in found.own_dates[0]] == ["1 May 2024", "2024-05-01"]
    assert [e.text for e in found.own_dates[1]] == ["5"]  # not the non-breaking space's
    assert [e.text for e in found.own_dates[2]] == ["4 May 2024"]
    entry = found.h_entries[0]
    named = [e.text or e.get("class") for e in found.mf_author_elements(entry)]
    assert named == ["Bo", "Cy", "vcard"]
    named = [e.text or e.get("class") for e in found.mf_author_elements(first)]
    assert named == ["Ann", "Bo", "Cy", "vcard"]
    assert [e.text for e in found.mf_tag_links(entry)] == ["tagged"]
    assert [e.text for e in found.labels] == ["label", "l2"]
    assert [e.get("class") for e in found.bylines[1]] == ["fn", "fn"]
    second = _tree(EDGES[1])
    assert [e.text for e in scan(second).mf_author_elements(second)] == ["Eve"]
    assert [e.text for e in scan(second).bylines[0]] == ["after the end"]
