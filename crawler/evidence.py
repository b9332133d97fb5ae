"""What on a page says it is one post: pure readings of its structure, each a piece of evidence.

Structured data (JSON-LD, OpenGraph, body classes) is evidence among others, not a gate:
real engines' default themes often declare nothing, or declare "article" on every page.
What a post page shows whatever its theme: one main block with a headline and a long text,
its own date (a ``<time>`` or a date element outside other entries' blocks and comments),
a byline, links to the previous and next post. :func:`page_evidence` collects them;
:mod:`crawler.pages` weighs them, with what the crawl learned about the site
(:class:`SiteEvidence`: URL shapes that held posts, URLs the site's feeds list).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.parsed import JSON_SPACE, JsonLd
from crawler.seen import SeenSet
from crawler.urls import canonicalize_url, join_url

# Archives of a tag, category, author or date, pagination and search: their entries link to
# posts elsewhere, so such a page is never a post, whatever markup wraps its list.
ARCHIVE_URL_RE = re.compile(
    r"/page/?\d+(/|\.html?)?$|/index-?\d+\.html?$|/categor(y|ies)/|/tags?/"
    r"|/search\b|/archives?(/|\.html?$)|/authors?/|[?&](page|paged|start-index|updated-max)="
    r"|/\d{4}/(\d{2}/(\d{2}/?)?)?$|/\d{4}/(\d{2}/)?index\.html?$",
    re.IGNORECASE,
)
# URL shapes of pagination: /page/2/, /page2/, index2.html, ?page=2.
PAGINATION_URL_RE = re.compile(
    r"/page/?\d+(/|\.html?)?$|/index-?\d+\.html?$|[?&](page|paged|start-index)=", re.IGNORECASE
)
JSONLD_POST_TYPES = {"BlogPosting", "NewsArticle", "Article", "SocialMediaPosting", "Report"}
POST_BODY_CLASSES = {"single-post", "single", "post-template-default", "node-type-article"}
LONG_TEXT_WORDS = 120
MAX_BYLINE_CHARS = 80
# Elements whose text is a post's date when it parses as one.
DATE_XPATH = (
    "//time[@datetime] | //time[normalize-space()]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' published ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' dt-published ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' entry-date ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' post-date ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' date ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' date-header ')]"
    " | //*[@itemprop='datePublished'][not(self::meta)]"
)
BYLINE_XPATH = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' p-author ')]"
    " | //*[contains(@class, 'post-author')]"
    " | //*[@itemprop='author'][not(self::meta) and not(self::link)]"
)
AUTHOR_ARCHIVE_RE = re.compile(r"/authors?/[^/?#]+", re.IGNORECASE)
BY_LINE_RE = re.compile(r"^\s*(?:posted\s+|written\s+)?by\s+\S", re.IGNORECASE)
# An element that is a comments block or the reply form (an XPath predicate's body).
COMMENT_BLOCK = (
    "@id='comments' or @id='respond'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comment ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comments ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comment-body ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comments-area ')"
)
# Comments, and widgets listing other posts: what is inside them is not the page's own.
NOT_OWN_XPATH = (
    "ancestor-or-self::*[" + COMMENT_BLOCK +
    # A theme's prefixed comments block ("wp-block-comments", "post-comments"); on the page's
    # or the post's own element such a class is a state ("has-comments"), not a block.
    " or (contains(concat(' ', normalize-space(@class), ' '), '-comments ')"
    " and not(self::html or self::body or self::main or self::article))"
    " or contains(concat(' ', normalize-space(@class), ' '), ' commentlist ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comment-list ')"
    " or self::footer[not(ancestor::article)]]"
)
DATE_TEXT_RE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}(st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})\b"
)


@dataclass(frozen=True)
class Evidence:
    """One reason to call a page a post (positive weight) or not (negative)."""

    signal: str
    weight: int
    detail: str = ""


@dataclass
class SiteEvidence:
    """What the crawl learned about one site so far: where its posts are."""

    post_shapes: dict[str, int] = field(default_factory=dict)  # URL shape -> posts seen
    # Every post of a site whose feed pages list them all: 8-byte hashes, not the URLs.
    feed_urls: SeenSet = field(default_factory=SeenSet)

    def learn_post(self, url: str) -> None:
        """Count a URL that held a post by its own evidence."""
        shape = url_shape(url)
        self.post_shapes[shape] = self.post_shapes.get(shape, 0) + 1


def url_shape(url: str) -> str:
    """Return the shape of a URL's path: literal folders, numbers as widths, the slug as ``*``.

    ``/2024/05/ward-walks/`` and ``/2023/11/bins.html`` have the shapes ``/#4/#2/*/`` and
    ``/#4/#2/*.html``; ``/posts/one/`` is ``/posts/*/``.
    """
    path = urlsplit(url).path or "/"
    segments = path.split("/")
    last = len(segments) - 1 if segments[-1] else len(segments) - 2
    shaped = []
    for index, segment in enumerate(segments):
        if segment.isdigit():
            shaped.append(f"#{len(segment)}")
        elif index == last and segment:
            stem, dot, ext = segment.rpartition(".")
            shaped.append(f"*.{ext}" if dot and stem and ext.isalpha() else "*")
        else:
            shaped.append(segment)
    return "/".join(shaped)


def is_archive_url(url: str) -> bool:
    """Tell whether a URL is shaped like a tag, category, author, date or paged archive."""
    parts = urlsplit(url)
    return bool(ARCHIVE_URL_RE.search(parts.path + (f"?{parts.query}" if parts.query else "")))


def is_pagination_url(url: str) -> bool:
    """Tell whether a URL is shaped like the n-th page of a listing."""
    parts = urlsplit(url)
    return bool(PAGINATION_URL_RE.search(parts.path + (f"?{parts.query}" if parts.query else "")))


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def jsonld_types(sel: Selector, blocks: list[JsonLd] | None = None) -> set[str]:
    """Return every ``@type`` the page's JSON-LD blocks declare (``@graph`` included).

    ``blocks``: the page's blocks as :meth:`crawler.parsed.ParsedPage.json_ld` read them
    (the same as the XPath's, each parsed once for every reader of the page).
    """
    types: set[str] = set()
    for data in _jsonld_data(sel, blocks):
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                types.update(kind if isinstance(kind, list) else [kind] if kind else [])
                stack.extend(item.get("@graph", []))
    return {t for t in types if isinstance(t, str)}


def _jsonld_data(sel: Selector, blocks: list[JsonLd] | None) -> Iterator[Any]:
    """Yield ``json.loads`` of each JSON-LD block's text that is JSON, in document order."""
    if blocks is None:
        raws = sel.xpath("//script[@type='application/ld+json']/text()").getall()
        blocks = [JsonLd(raw, error=True) for raw in raws]
    for block in blocks:
        if block.error or block.raw.strip() != block.raw.strip(JSON_SPACE):
            # Not read yet, or read after str.strip() took more than JSON's white space.
            try:
                yield json.loads(block.raw)
            except ValueError:
                continue
        elif block.raw.strip():
            yield block.data


def structured_evidence(sel: Selector, blocks: list[JsonLd] | None = None) -> list[Evidence]:
    """Return what the page declares about itself: an article type, a post's body class."""
    found = []
    types = jsonld_types(sel, blocks) & JSONLD_POST_TYPES
    if types:
        found.append(Evidence("json-ld", 2, ", ".join(sorted(types))))
    elif sel.xpath(
        "//meta[@property='article:published_time' or @name='article:published_time'"
        " or @itemprop='datePublished']"
        " | //meta[@property='og:type'][@content='article']"
    ):
        found.append(Evidence("opengraph", 2, "og:type article or article:published_time"))
    body = set(" ".join(sel.xpath("//body/@class").getall()).split())
    if body & POST_BODY_CLASSES:
        found.append(Evidence("body-class", 2, " ".join(sorted(body & POST_BODY_CLASSES))))
    return found


def in_foreign_entry(element: etree._Element, own: str, page_url: str) -> bool:
    """Tell whether ``element`` sits in a block about another page (a teaser, a widget's item).

    The nearest ancestor holding a link decides: a link to another page of the site that is
    not an archive (a tag, category, author or date) makes that block another entry's. The
    climb stops at the block holding the page's headline (``<h1>``), at ``<main>`` and
    ``<body>``: the site's navigation around them is no entry.
    """
    for ancestor in element.iterancestors():
        if ancestor.tag in ("main", "body", "html") or ancestor.xpath(".//h1"):
            return False
        hrefs = [h for h in ancestor.xpath(".//a/@href") if not h.strip().startswith("#")]
        if not hrefs:
            continue
        for href in hrefs:
            target = canonicalize_url(join_url(page_url, href.strip()))
            if target == own or is_archive_url(target) or urlsplit(target).path in ("", "/"):
                continue
            if urlsplit(target).netloc != urlsplit(own).netloc:
                continue
            return True
        return False
    return False


def _own(element: etree._Element, own: str, page_url: str) -> bool:
    return not not_own(element, {}) and not in_foreign_entry(element, own, page_url)


COMMENT_CLASSES = frozenset(
    {"comment", "comments", "comment-body", "comments-area", "commentlist", "comment-list"}
)


def not_own(element: etree._Element, memo: dict[etree._Element, bool]) -> bool:
    """Tell whether ``element`` is in what ``NOT_OWN_XPATH`` names (comments, a site footer).

    ``bool(element.xpath(NOT_OWN_XPATH))``, without an XPath per element: ``memo`` keeps
    the answer for each ancestor, so the paragraphs of one block climb their ancestors once.
    """
    chain = []
    answer = False
    current: etree._Element | None = element
    while current is not None:
        known = memo.get(current)
        if known is not None:
            answer = known
            break
        chain.append(current)
        if _names_not_own(current):
            answer = True
            break
        current = current.getparent()
    for visited in chain:  # each has the answer: below a not-own element, or all climbed
        memo[visited] = answer
    return answer


def _names_not_own(element: etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return False
    if element.get("id") in ("comments", "respond"):
        return True
    classes = element.get("class")
    if classes is not None:
        words = tokens(classes)
        if not COMMENT_CLASSES.isdisjoint(words):
            return True
        if tag not in ("html", "body", "main", "article") and "-comments " in (
            " " + " ".join(w for w in classes.translate(_XML_SPACE).split(" ") if w) + " "
        ):
            return True
    return tag == "footer" and next(element.iterancestors("article"), None) is None


def own_date(sel: Selector, page_url: str) -> Evidence | None:
    """Return the page's own visible date: a ``<time>`` or date element outside others' blocks."""
    own = canonicalize_url(page_url)
    for root in scan(sel.root).dates:
        value = root.get("datetime") or root.get("title") or _text(root)
        if not value or not (
            re.match(r"\d{4}-\d{2}-\d{2}", value.strip()) or DATE_TEXT_RE.search(value)
        ):
            continue
        if _own(root, own, page_url):
            return Evidence("own-date", 1, f"<{root.tag} {_attrs(root)}> {value.strip()[:40]}")
    return None


def byline(sel: Selector, page_url: str) -> Evidence | None:
    """Return the page's byline: rel=author, a byline or author element, a "By NAME" line."""
    own = canonicalize_url(page_url)
    found = scan(sel.root)
    candidates = list(found.bylines)
    candidates += [a for a in found.links if AUTHOR_ARCHIVE_RE.search(a.get("href", ""))]
    candidates += [
        e
        for e in found.by_lines
        if BY_LINE_RE.match(_text(e)) and len(_text(e)) <= MAX_BYLINE_CHARS
    ]
    for root in candidates:
        text = _text(root)
        if not text or len(text) > MAX_BYLINE_CHARS * 3:
            continue
        if in_author_list(root) or links_home(root, page_url):
            continue
        if _own(root, own, page_url):
            return Evidence("byline", 1, f"<{root.tag} {_attrs(root)}> {text[:40]}")
    return None


# XPath's normalize-space() takes these four for white space, and no other.
_XML_SPACE = str.maketrans("\t\n\r", "   ")
_NORMALIZED = etree.XPath("normalize-space()")


def tokens(value: str | None) -> set[str]:
    """Return the words of an attribute as ``contains(concat(' ', normalize-space(@a), ' '),
    ' word ')`` finds them (split on XML white space only)."""
    return set(value.translate(_XML_SPACE).split(" ")) - {""} if value else set()


@dataclass
class Scan:
    """What one pass over a document's elements finds, in document order.

    The same elements as ``DATE_XPATH`` and ``BYLINE_XPATH`` select, ``//a[@href]`` and
    ``//p | //span | //div[not(*)] | //address``, for a fraction of the whole-document
    XPaths' CPU: each of those walks the document once per branch of its union.
    """

    dates: list[etree._Element] = field(default_factory=list)
    bylines: list[etree._Element] = field(default_factory=list)
    links: list[etree._Element] = field(default_factory=list)
    by_lines: list[etree._Element] = field(default_factory=list)
    # Pagination towards older posts: what crawler.pages.NEXT_PAGE_XPATH selects.
    next_links: list[etree._Element] = field(default_factory=list)


DATE_CLASSES = frozenset(
    {"published", "dt-published", "entry-date", "post-date", "date", "date-header"}
)
BYLINE_CLASSES = frozenset({"byline", "author", "p-author"})
_last_scan: list[tuple[etree._Element, Scan]] = []


def document_elements(element: etree._Element) -> list[etree._Element]:
    """Return every element of ``element``'s document (what ``//*`` selects), in order."""
    top = element.getroottree().getroot()
    tops = [*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings()]
    return [e for t in tops if isinstance(t.tag, str) for e in t.iter() if isinstance(e.tag, str)]


NEXT_CONTAINERS = ("nav-previous", "pager__item--next", "pager-next")


def scan(root: etree._Element) -> Scan:
    """Return the scan of ``root``'s document (the last one is kept: one page at a time)."""
    if _last_scan and _last_scan[0][0] is root:
        return _last_scan[0][1]
    found = Scan()
    in_next_containers: set[etree._Element] = set()  # links inside a pager's older-posts part
    next_candidates: list[etree._Element] = []
    with_href: list[etree._Element] = []  # every <a> and <link> with an href, in order
    for element in document_elements(root):
        tag = element.tag
        classes = element.get("class")
        words = tokens(classes)
        if (
            (tag == "time" and (element.get("datetime") is not None or _NORMALIZED(element)))
            or not DATE_CLASSES.isdisjoint(words)
            or (element.get("itemprop") == "datePublished" and tag != "meta")
        ):
            found.dates.append(element)
        if (
            (tag == "a" and "author" in tokens(element.get("rel")))
            or not BYLINE_CLASSES.isdisjoint(words)
            or (classes is not None and "post-author" in classes)
            or (element.get("itemprop") == "author" and tag not in ("meta", "link"))
        ):
            found.bylines.append(element)
        if tag == "a" and element.get("href") is not None:
            found.links.append(element)
            with_href.append(element)
            if (
                "next" in words
                or "next" in tokens(element.get("rel"))
                or (classes is not None and "blog-pager-older-link" in classes)
            ):
                next_candidates.append(element)
        elif tag == "link" and element.get("href") is not None:
            with_href.append(element)
            if "next" in tokens(element.get("rel")):
                next_candidates.append(element)
        if classes is not None and any(name in classes for name in NEXT_CONTAINERS):
            in_next_containers.update(element.iterdescendants("a"))
        if tag in ("p", "span", "address") or (
            tag == "div" and not any(isinstance(child.tag, str) for child in element)
        ):
            found.by_lines.append(element)
    if in_next_containers:  # rare: most pages name no such container
        chosen = set(next_candidates) | in_next_containers
        next_candidates = [e for e in with_href if e in chosen]
    found.next_links = next_candidates
    _last_scan[:] = [(root, found)]
    return found


def links_home(element: etree._Element, page_url: str) -> bool:
    """Tell whether an element is a link to the site's home page (the site, not an author)."""
    href = element.get("href") if element.tag == "a" else None
    return href is not None and urlsplit(join_url(page_url, href.strip())).path in ("", "/")


def in_author_list(element: etree._Element) -> bool:
    """Tell whether an element sits in a list of several authors (a menu, not a byline)."""
    for ancestor in element.iterancestors("ul", "ol"):
        hrefs = {h for h in ancestor.xpath(".//a/@href") if AUTHOR_ARCHIVE_RE.search(h)}
        return len(hrefs) >= 2
    return False


def post_navigation(sel: Selector, page_url: str) -> Evidence | None:
    """Return rel=prev/next links to pages that are not a listing's other pages."""
    own = canonicalize_url(page_url)
    for href in sel.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')"
        " or contains(concat(' ', normalize-space(@rel), ' '), ' prev ')]/@href"
        " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')"
        " or contains(concat(' ', normalize-space(@rel), ' '), ' prev ')]/@href"
    ).getall():
        target = canonicalize_url(join_url(page_url, href.strip()))
        if target == own or is_pagination_url(target) or is_archive_url(target):
            continue
        if urlsplit(target).path in ("", "/"):
            continue
        return Evidence("post-navigation", 1, target)
    return None


def teasers(sel: Selector, page_url: str) -> list[str]:
    """Return the other pages that headings (``h2``-``h4``) outside furniture link to.

    A list of headings each leading to another page of the site is a listing, whatever
    wraps it (minima's ``ul.post-list``): its entries are elsewhere.
    """
    own = canonicalize_url(page_url)
    found: list[str] = []
    for href in sel.xpath(
        "//*[self::h2 or self::h3 or self::h4][not(ancestor::aside or ancestor::nav"
        " or ancestor::footer)]//a/@href"
    ).getall():
        target = canonicalize_url(join_url(page_url, href.strip()))
        if target == own or urlsplit(target).netloc != urlsplit(own).netloc:
            continue
        if is_archive_url(target) or urlsplit(target).path in ("", "/"):
            continue
        if target not in found:
            found.append(target)
    return found


def main_block(sel: Selector, entries: list[Selector]) -> Selector:
    """Return the page's main content block: its one entry, else <main>, else <body>."""
    if len(entries) == 1:
        return entries[0]
    for xpath in ("//main", "//*[@role='main']", "//*[@id='content']", "//article", "//body"):
        found = sel.xpath(xpath)
        if found:
            return found[0]
    return sel


def headline_and_text(sel: Selector, block: Selector) -> Evidence | None:
    """Return evidence of one main block holding a headline and a long text."""
    headline = block.xpath(
        ".//h1 | .//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]"
        " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' post-title ')]"
        " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' headline ')]"
    ) or sel.xpath("//h1")
    if not headline:
        return None
    memo: dict[etree._Element, bool] = {}
    words = sum(
        len(_text(p).split())
        for p in block.root.iterdescendants("p")
        if not not_own(p, memo) and next(p.iterancestors("a"), None) is None
    )
    if words < LONG_TEXT_WORDS:
        return None
    return Evidence("headline-and-text", 1, f"{_text(headline[0].root)[:60]!r}, {words} words")


def site_evidence(url: str, site: SiteEvidence | None) -> list[Evidence]:
    """Return what the crawl learned of the site that speaks for this URL being a post."""
    if site is None:
        return []
    found = []
    canonical = canonicalize_url(url)
    if canonical in site.feed_urls:
        found.append(Evidence("in-feed", 2, "the site's feed lists this URL"))
    seen = site.post_shapes.get(url_shape(canonical), 0)
    if seen:
        found.append(Evidence("post-url-shape", 2, f"{url_shape(canonical)} held {seen} posts"))
    return found


def _attrs(element: etree._Element) -> str:
    return " ".join(f'{k}="{v}"' for k, v in element.attrib.items() if k in ("class", "rel"))
