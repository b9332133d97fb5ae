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
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.seen import SeenSet
from crawler.urls import canonicalize_url

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


def jsonld_types(sel: Selector) -> set[str]:
    """Return every ``@type`` the page's JSON-LD blocks declare (``@graph`` included)."""
    types: set[str] = set()
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
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


def structured_evidence(sel: Selector) -> list[Evidence]:
    """Return what the page declares about itself: an article type, a post's body class."""
    found = []
    types = jsonld_types(sel) & JSONLD_POST_TYPES
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
            target = canonicalize_url(urljoin(page_url, href.strip()))
            if target == own or is_archive_url(target) or urlsplit(target).path in ("", "/"):
                continue
            if urlsplit(target).netloc != urlsplit(own).netloc:
                continue
            return True
        return False
    return False


def _own(element: etree._Element, own: str, page_url: str) -> bool:
    return not element.xpath(NOT_OWN_XPATH) and not in_foreign_entry(element, own, page_url)


def own_date(sel: Selector, page_url: str) -> Evidence | None:
    """Return the page's own visible date: a ``<time>`` or date element outside others' blocks."""
    own = canonicalize_url(page_url)
    for element in sel.xpath(DATE_XPATH):
        root = element.root
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
    candidates = list(sel.xpath(BYLINE_XPATH))
    candidates += [
        a for a in sel.xpath("//a[@href]") if AUTHOR_ARCHIVE_RE.search(a.attrib.get("href", ""))
    ]
    candidates += [
        e
        for e in sel.xpath("//p | //span | //div[not(*)] | //address")
        if BY_LINE_RE.match(_text(e.root)) and len(_text(e.root)) <= MAX_BYLINE_CHARS
    ]
    for element in candidates:
        root = element.root
        text = _text(root)
        if not text or len(text) > MAX_BYLINE_CHARS * 3:
            continue
        if in_author_list(root) or links_home(root, page_url):
            continue
        if _own(root, own, page_url):
            return Evidence("byline", 1, f"<{root.tag} {_attrs(root)}> {text[:40]}")
    return None


def links_home(element: etree._Element, page_url: str) -> bool:
    """Tell whether an element is a link to the site's home page (the site, not an author)."""
    href = element.get("href") if element.tag == "a" else None
    return href is not None and urlsplit(urljoin(page_url, href.strip())).path in ("", "/")


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
        target = canonicalize_url(urljoin(page_url, href.strip()))
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
        target = canonicalize_url(urljoin(page_url, href.strip()))
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
    words = sum(
        len(_text(p.root).split())
        for p in block.xpath(".//p")
        if not p.root.xpath(NOT_OWN_XPATH) and not p.root.xpath("ancestor::a")
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
