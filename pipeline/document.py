"""The page as an lxml document: parse it, find the post body's container, measure prose.

Shared by furniture removal (:mod:`pipeline.furniture_markup`), markup normalisation
(:mod:`pipeline.normalise`), extraction and series detection.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

# The post body's container on platforms we recognise, best first.
CONTENT_XPATHS = (
    # WordPress (classic themes and block themes)
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-content ')]",
    # Blogger
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-body ')]",
    # Ghost
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' gh-content ')]",
    # Drupal
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' field--name-body ')]",
    # schema.org microdata
    "//*[@itemprop='articleBody']",
    # Squarespace: the blog item's own body, not every content block on the page
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' blog-item-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' sqs-block-content ')]",
)
# What each of CONTENT_XPATHS looks for: (attribute, a word of its value) for a class word,
# (attribute, its whole value) for itemprop. A page without it needs no walk of that XPath.
CONTENT_MARKS = (
    ("class", "entry-content"),
    ("class", "post-content"),
    ("class", "post-body"),
    ("class", "gh-content"),
    ("class", "field--name-body"),
    ("itemprop", "articleBody"),
    ("class", "blog-item-content"),
    ("class", "sqs-block-content"),
)
_CLASS_VALUES = lxml.etree.XPath("//@class")
_ITEMPROP_VALUES = lxml.etree.XPath("//@itemprop")
# XPath's normalize-space() takes these four for white space, and no other.
_XML_SPACE = str.maketrans("\t\n\r", "   ")
CONTENT_MIN_CHARS = 80


def parse_html(html: str | bytes) -> HtmlElement:
    """Parse a whole HTML document into an lxml tree."""
    if isinstance(html, str):
        # lxml refuses str input that declares its own encoding.
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    # Comments inside paragraphs (React's <!-- -->) make trafilatura drop the rest of the
    # paragraph: on the article-extraction-benchmark keeping them cost 0.003 F1.
    tree = lxml.html.document_fromstring(html, parser=_PARSER)
    _fold_content_after_the_document(tree)
    return tree


def adopt_tree(root: HtmlElement) -> HtmlElement:
    """Make a tree parsed with its comments into the one :func:`parse_html` makes of its text.

    The page reader's tree (:class:`crawler.parsed.ParsedPage`, lxml's HTML parser keeping
    comments) loses its comments and processing instructions, each one's following text
    joined to the text before it in one text node, as a parser that drops them leaves it.
    The tree is changed in place and returned.
    """
    for node in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is None:
            continue
        previous = node.getprevious()
        tail = node.tail or ""
        parent.remove(node)  # its tail goes with it
        if previous is not None:
            previous.tail = ((previous.tail or "") + tail) or None
        else:
            parent.text = ((parent.text or "") + tail) or None
    # Before and after the root element: nothing comes with them but white space.
    lxml.etree.strip_elements(
        root.getroottree(), lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False
    )
    _fold_content_after_the_document(root)
    return root


def _fold_content_after_the_document(root: HtmlElement) -> None:
    """Move what follows a stray ``</html>`` into the body, where a browser puts it.

    A theme's header template can close the document (``</body></html>``) before the post;
    libxml2 then leaves the post in a second root element that no extractor looks in.
    """
    body = root.find("body")
    if body is None:
        return
    for sibling in list(root.itersiblings()):
        if not isinstance(sibling.tag, str):
            continue
        source = sibling.find("body") if sibling.find("body") is not None else sibling
        for child in list(source):
            if isinstance(child.tag, str) and child.tag != "head":
                body.append(child)


_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


def find_content(tree: HtmlElement, prose: int | None = None) -> HtmlElement | None:
    """Return the post body's container on a recognised platform, or None.

    The container must hold most of the page's prose (:func:`holds_main_text`): the first
    ``entry-content`` on a page can be a teaser card, a standfirst or one live-blog entry.
    ``prose`` is the page's (its body's) prose characters, when the caller has counted them.
    """
    if prose is None:
        prose = prose_chars(tree.find("body") if tree.find("body") is not None else tree)
    marks = _page_marks(tree)
    for xpath, mark in zip(CONTENT_XPATHS, CONTENT_MARKS, strict=True):
        if mark not in marks:
            continue  # the XPath would select nothing
        candidates = [el for el in tree.xpath(xpath) if len(element_text(el)) >= CONTENT_MIN_CHARS]
        if not candidates:
            continue
        if len(candidates) > 1 and "sqs-block-content" in xpath:
            # Squarespace splits a post into many blocks: their common ancestor is the body.
            candidates = [_common_ancestor(candidates)]
        # Several matches are a listing or nested containers: the first, outermost, that
        # holds the text.
        for candidate in candidates:
            if holds_main_text(candidate, prose):
                return candidate
    return None


def _page_marks(tree: HtmlElement) -> set[tuple[str, str]]:
    """Return the (attribute, word) pairs of CONTENT_MARKS that the document holds.

    One read of every class and itemprop value, against a walk of the whole document per
    XPath (most platforms' body is not named by the first ones tried).
    """
    words = {
        word for value in _CLASS_VALUES(tree) for word in value.translate(_XML_SPACE).split(" ")
    }
    values = set(_ITEMPROP_VALUES(tree))
    return {
        (attribute, word)
        for attribute, word in CONTENT_MARKS
        if word in (words if attribute == "class" else values)
    }


# Paragraphs this long are prose; shorter ones may be captions, teasers or buttons.
PROSE_PARAGRAPH_CHARS = 100
# A container holding less than this share of the page's prose is not the post body.
MAIN_TEXT_SHARE = 0.5


def holds_main_text(element: HtmlElement, page_prose: int) -> bool:
    """Tell whether ``element`` holds at least half of the page's prose paragraphs' text."""
    return prose_chars(element) >= MAIN_TEXT_SHARE * page_prose


# The element holding this share of a page's prose is where its main text is.
PROSE_CONTAINER_SHARE = 0.8


def prose_container(element: HtmlElement) -> HtmlElement:
    """Return the deepest element under ``element`` holding 80% of its prose.

    Where the text is when nothing names the post body: a theme's unnamed wrapper or a
    page builder's grid, whatever its classes say.
    """
    wanted = PROSE_CONTAINER_SHARE * prose_chars(element)
    current = element
    while True:
        for child in current:
            if isinstance(child.tag, str) and prose_chars(child) >= wanted:
                current = child
                break
        else:
            return current


def prose_blocks(element: HtmlElement) -> int:
    """Return how many blocks of prose (100+ characters of own text) the element holds."""
    return sum(
        1
        for block in element.iter(*PROSE_BLOCK_TAGS)
        if len(_own_text(block)) >= PROSE_PARAGRAPH_CHARS
    )


def prose_chars(element: HtmlElement) -> int:
    """Return the characters of the element's prose: blocks with 100+ characters of own text.

    A block's own text is what it holds outside its nested blocks: a ``<p>``'s sentences, or
    the lines of a ``<div>`` written with ``<br>`` between them (Blogger).
    """
    total = 0
    for block in element.iter(*PROSE_BLOCK_TAGS):
        size = len(_own_text(block))
        if size >= PROSE_PARAGRAPH_CHARS:
            total += size
    return total


PROSE_BLOCK_TAGS = ("p", "div", "blockquote", "li", "td", "section", "article", "dd", "main")


def _own_text(block: HtmlElement) -> str:
    parts = [block.text or ""]
    for child in block:
        if child.tag in INLINE_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "div",
        "dl",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
# Inline elements: their text is part of the running text of the block they sit in.
INLINE_TAGS = frozenset(
    ("a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
     "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var")
)  # fmt: skip


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement:
    """Return the deepest element that contains all of ``elements``."""
    first_chain = [elements[0], *elements[0].iterancestors()]
    others = [{e, *e.iterancestors()} for e in elements[1:]]
    for candidate in first_chain:
        if all(candidate in chain for chain in others):
            return candidate
    return first_chain[-1]


def drop_element(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text, which belongs to the parent."""
    element.drop_tree()


def element_text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
