"""Read a blog page's shape: post, listing or other, its entries, pagination and series.

Pure functions over HTML (parsel/lxml); the spider turns the result into requests and items.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from crawler.evidence import (
    COMMENT_BLOCK,
    Evidence,
    SiteEvidence,
    byline,
    headline_and_text,
    is_archive_url,
    main_block,
    own_date,
    post_navigation,
    scan,
    site_evidence,
    structured_evidence,
    teasers,
    tokens,
    url_shape,
)
from crawler.parsed import JsonLd, ParsedPage
from crawler.series import (
    PARTS_LINKS_CSS,
    PARTS_SCOPE_CSS,
    SeriesInfo,
    series_name,
    series_parts,
)
from crawler.settings import USER_AGENT
from crawler.urls import canonicalize_url, join_url

ENTRY_CSS = "article, .post, .hentry, .h-entry, .type-post, .node--type-article, .blog-post, .entry"
# Entries inside these are widgets (recent posts, related posts, comments), not the page's own.
FURNITURE_XPATH = (
    "ancestor-or-self::*[self::aside or self::nav or self::footer"
    # Blogger wraps the posts themselves in div.widget.Blog: that widget is the page's own.
    " or (contains(concat(' ', normalize-space(@class), ' '), ' widget ')"
    " and not(contains(concat(' ', normalize-space(@class), ' '), ' Blog ')))"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sidebar ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' related ')"
    " or @id='sidebar' or " + COMMENT_BLOCK + "]"
)
# Body classes are weak evidence: some themes put "home" or "blog" on every page.
LISTING_BODY_CLASSES = {
    "home",
    "blog",
    "archive",
    "category",
    "tag",
    "search",
    "paged",
    "author",
    "path-taxonomy",  # Drupal taxonomy term pages list articles, even when only one.
}
PAGE_N_RE = re.compile(r"/page/\d+/?$")
NEXT_TEXT_RE = re.compile(
    r"^\s*(older posts|older entries|older|next page|next posts?|more posts"
    r"|next\s*[\u00bb\u203a\u2192]"
    r"|[\u00ab\u2039\u2190]?\s*older posts|next)\s*[\u00bb\u203a\u2192]?\s*$",
    re.IGNORECASE,
)
READ_MORE_RE = re.compile(
    r"continue reading|read more|read the rest|full post|more\s*[\u00bb\u203a\u2192]", re.I
)
# Links to files, admin screens and alternate renderings of pages we already fetch.
SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|docx?|xlsx?|pptx?|odt|ods"
    r"|css|js|json|md|markdown|rst|mp3|mp4|m4a|mov|avi|wmv|webm|ogg|wav|exe|dmg|iso|epub|mobi|csv|txt)$",
    re.IGNORECASE,
)
SKIP_PATH_RE = re.compile(
    r"/wp-admin|/wp-login|/wp-json/|/xmlrpc\.php|/feed/?$|/comments/feed|/trackback/?$"
    r"|/print/?$|/amp/?$|/cdn-cgi/|/share/?$|/embed/?$",
    re.IGNORECASE,
)
SKIP_QUERY_RE = re.compile(
    r"(^|&)(replytocom|share|print|format=print|output=print|action=|like_comment|s=|"
    r"preview=|feed=|attachment_id=|add-to-cart=|redirect_to=)",
    re.IGNORECASE,
)


@dataclass
class Entry:
    """One post teaser or full post on a listing page."""

    permalink: str | None
    title: str
    anchor: str
    html: str


@dataclass
class PageInfo:
    """What a page is and where it leads."""

    kind: str  # "post" | "listing" | "other"
    # Why: each piece of evidence weighed, and whether the page alone settles a post.
    evidence: list[Evidence] = field(default_factory=list)
    settled: bool = True
    entries: list[Entry] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    series: SeriesInfo | None = None
    head_html: str = ""

    def links_record(self) -> dict[str, Any]:
        """Return the page as JSON-able data without its HTML: what it is, where it leads."""
        data = asdict(self)
        data.pop("head_html")
        data.pop("evidence")
        data.pop("settled")
        for entry in data["entries"]:
            entry.pop("html")
        return data

    def explain(self, url: str) -> dict[str, Any]:
        """Return the decision and its evidence as JSON-able data (``blogarchive classify``)."""
        return {
            "url": url,
            "kind": self.kind,
            "settled": self.settled,
            "score": sum(e.weight for e in self.evidence),
            "evidence": [asdict(e) for e in self.evidence],
            "url_shape": url_shape(url),
            "entries": [
                {"title": e.title, "permalink": e.permalink, "anchor": e.anchor}
                for e in self.entries
            ],
            "series": asdict(self.series) if self.series else None,
            **(
                {}
                if self.settled
                else {
                    "note": "a post by its declared metadata alone: a crawl stores it only if"
                    " the site's posts share its URL shape (or it holds no other posts)"
                }
            ),
        }

    @classmethod
    def from_links_record(cls, data: dict[str, Any]) -> PageInfo:
        """Rebuild a page from :meth:`links_record` (entries and head without their HTML)."""
        series = data.get("series")
        return cls(
            kind=data["kind"],
            entries=[Entry(html="", **entry) for entry in data.get("entries", [])],
            next_pages=list(data.get("next_pages", [])),
            feeds=list(data.get("feeds", [])),
            links=list(data.get("links", [])),
            series=SeriesInfo(**series) if series else None,
        )


def links_key(
    post_patterns: tuple[str, ...], series_patterns: tuple[str, ...], extraction: str = ""
) -> str:
    """Return the key under which a page's links record stays valid.

    It changes with the source's patterns and with this module's and the URL rules' code, so
    a classifier change re-parses every page once instead of trusting old records; and with
    ``extraction`` (the extractor's key, see ``BLOGARCHIVE_EXTRACTION_KEY``), so a page whose
    200 repeats its capture is extracted again once after the extractor changed.
    """
    digest = hashlib.sha1()
    here = Path(__file__)
    for module in (here, here.with_name("urls.py"), here.with_name("evidence.py")):
        digest.update(Path(module).read_bytes())
    digest.update(json.dumps([list(post_patterns), list(series_patterns), extraction]).encode())
    return digest.hexdigest()[:20]


def fetch_page(url: str, timeout: float = 30) -> bytes:
    """Fetch one page's bytes, for looking at a single page outside a crawl."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
    return body


def is_crawlable(url: str) -> bool:
    """Tell whether a link may lead to an HTML page worth fetching."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return False
    return not (
        SKIP_EXTENSIONS.search(parts.path)
        or SKIP_PATH_RE.search(parts.path)
        or SKIP_QUERY_RE.search(parts.query)
    )


def _text(sel: Selector) -> str:
    # What sel.css("::text") selects, read from lxml without a Selector per text node.
    return " ".join(" ".join(sel.root.xpath("descendant-or-self::text()")).split())


ENTRY_CLASSES = frozenset(
    {"post", "hentry", "h-entry", "type-post", "node--type-article", "blog-post", "entry"}
)
HEADING_CSS = "h1, .page-title, .archive-title, .series-title, .taxonomy-title"
HEADING_CLASSES = frozenset({"page-title", "archive-title", "series-title", "taxonomy-title"})
DESCRIPTION_CSS = ".archive-description, .taxonomy-description, .series-description"
DESCRIPTION_CLASSES = frozenset(
    {"archive-description", "taxonomy-description", "series-description"}
)


@dataclass
class Selected:
    """What the reader's CSS selections pick on a page, from one pass over its elements.

    ``entries``: ``sel.css(ENTRY_CSS)``; ``headings``: ``sel.css(HEADING_CSS)``;
    ``descriptions``: ``sel.css(DESCRIPTION_CSS)``; ``feed``: whether
    ``sel.css(".h-feed, .hfeed.blog")`` selects anything. Each CSS selection is an XPath
    union that walks the page once per selector.
    """

    entries: list[Selector] = field(default_factory=list)
    headings: list[Selector] = field(default_factory=list)
    descriptions: list[Selector] = field(default_factory=list)
    feed: bool = False


_last_selected: list[tuple[Any, Selected]] = []


def select(sel: Selector) -> Selected:
    """Return the selections on ``sel``'s page (the last page's are kept: one at a time)."""
    root = sel.root
    if _last_selected and _last_selected[0][0] is root:
        return _last_selected[0][1]
    found = Selected()
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        words = tokens(element.get("class"))
        if tag == "article" or not ENTRY_CLASSES.isdisjoint(words):
            found.entries.append(Selector(root=element, type="html"))
        if tag == "h1" or not HEADING_CLASSES.isdisjoint(words):
            found.headings.append(Selector(root=element, type="html"))
        if not DESCRIPTION_CLASSES.isdisjoint(words):
            found.descriptions.append(Selector(root=element, type="html"))
        if "h-feed" in words or ("hfeed" in words and "blog" in words):
            found.feed = True
    _last_selected[:] = [(root, found)]
    return found


def _abs(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
        return None
    return canonicalize_url(join_url(base, href))


def slugify(text: str) -> str:
    """Return a lower-case ASCII-ish slug of ``text`` for URL fragments."""
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")
    return slug[:80] or "entry"


def _body_classes(sel: Selector) -> set[str]:
    return set(" ".join(sel.xpath("//body/@class").getall()).split())


def find_entries(sel: Selector) -> list[Selector]:
    """Return the page's own outermost entry elements, in document order."""
    candidates = [
        s
        for s in select(sel).entries
        # Some themes put "post" on <body>; that is the page, not an entry in it.
        if s.root.tag not in {"body", "html"} and not s.xpath(FURNITURE_XPATH)
    ]
    roots = {id(s.root) for s in candidates}
    outer = []
    for s in candidates:
        if not any(id(a) in roots for a in s.root.iterancestors()):
            outer.append(s)
    return outer


def holds_post_text(element: Selector, page_url: str) -> bool:
    """Tell whether an entry without a permalink holds a post: text of its own, not links.

    Archives wrap their list in one ``<article>`` (Nikola's tag, author and date pages): it
    has no paragraph of its own words, and its links to other pages are most of its text.
    """
    own_words = 0
    for paragraph in element.xpath(".//p"):
        linked = sum(len(_text(a).split()) for a in paragraph.xpath(".//a"))
        own_words += max(len(_text(paragraph).split()) - linked, 0)
    if not own_words:
        return False
    own = canonicalize_url(page_url)
    host = urlsplit(own).netloc
    link_chars = 0
    for link in element.xpath(".//a[@href]"):
        url = _abs(page_url, link.attrib.get("href"))
        if url and url != own and urlsplit(url).netloc == host and not is_archive_url(url):
            link_chars += len(_text(link))
    return link_chars < 0.4 * max(len(_text(element)), 1)


def entry_permalink(entry: Selector, page_url: str) -> str | None:
    """Return the link an entry gives to its own page, or None."""
    xpaths = (
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]//a/@href",
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' post-title ')]//a/@href",
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' p-name ')]//a/@href",
        ".//a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href",
        ".//a[contains(concat(' ', normalize-space(@class), ' '), ' u-url ')]/@href",
        "(.//h1|.//h2|.//h3)//a/@href",
    )
    own = canonicalize_url(page_url)
    for xp in xpaths:
        for href in entry.xpath(xp).getall():
            url = _abs(page_url, href)
            if url and url != own:
                return url
    for link in entry.css("a"):
        if READ_MORE_RE.search(_text(link)):
            url = _abs(page_url, link.attrib.get("href"))
            if url and url != own:
                return url
    for href in entry.xpath(".//time/parent::a/@href").getall():
        url = _abs(page_url, href)
        if url and url != own:
            return url
    return None


def _entry_title(entry: Selector) -> str:
    for css in (".entry-title", ".post-title", ".p-name", "h1", "h2", "h3"):
        found = entry.css(css)
        if found:
            return _text(found[0])
    return ""


NEXT_PAGE_XPATH = (
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    " | //a[contains(concat(' ', normalize-space(@class), ' '), ' next ')]/@href"
    " | //*[contains(@class, 'nav-previous')]//a/@href"
    " | //a[contains(@class, 'blog-pager-older-link')]/@href"
    " | //*[contains(@class, 'pager__item--next') or contains(@class, 'pager-next')]//a/@href"
)
# Every word of NEXT_TEXT_RE's alternatives holds one of these (in lower case).
NEXT_TEXT_WORDS = ("older", "next", "more")


def find_next_pages(sel: Selector, page_url: str) -> list[str]:
    """Return pagination links towards older posts.

    What ``NEXT_PAGE_XPATH`` selects (read off the page's one scan), then the links whose
    text says "older posts" or "next", then links to ``/page/N``.
    """
    root = sel.root
    hrefs = [link.get("href") for link in scan(root).next_links]
    links = list(root.iter("a"))
    for link in links:
        # A cheap look first: a link whose text holds none of the words cannot match.
        words = "".join(link.itertext()).lower()
        if any(word in words for word in NEXT_TEXT_WORDS) and NEXT_TEXT_RE.match(
            _text(Selector(root=link, type="html"))
        ):
            hrefs.append(link.get("href", ""))
    for link in links:
        href = link.get("href")
        if href is not None and PAGE_N_RE.search(href.split("?")[0]):
            hrefs.append(href)
    urls: list[str] = []
    for href in hrefs:
        url = _abs(page_url, href)
        if url and url not in urls and url != canonicalize_url(page_url):
            urls.append(url)
    return urls


def find_feeds(sel: Selector, page_url: str) -> list[str]:
    """Return RSS/Atom feeds the page advertises with <link rel=alternate>."""
    hrefs = sel.xpath(
        "//link[contains(@rel, 'alternate')][contains(@type, 'rss+xml')"
        " or contains(@type, 'atom+xml')]/@href"
    ).getall()
    feeds = []
    for href in hrefs:
        url = _abs(page_url, href)
        if url and "/comments/feed" not in url and url not in feeds:
            feeds.append(url)
    return feeds


def find_links(sel: Selector, page_url: str) -> list[str]:
    """Return every crawlable link of the page, canonical and de-duplicated, in order."""
    seen: dict[str, None] = {}
    for href in sel.xpath("//a/@href").getall():
        url = _abs(page_url, href)
        if url and is_crawlable(join_url(page_url, href.strip())):
            seen.setdefault(url, None)
    return list(seen)


def _series_name(
    sel: Selector, page_url: str, patterns: tuple[str, ...], listing: bool
) -> str | None:
    """Return the series name if the page calls itself a series (crawler.series decides)."""

    def title() -> str:
        titles = sel.css("title")
        return _text(titles[0]) if titles else ""

    return series_name(
        page_url,
        patterns,
        headings=[_text(h) for h in select(sel).headings if _text(h)],
        descriptions=" ".join(_text(d) for d in select(sel).descriptions),
        body_classes=_body_classes(sel),
        listing=listing,
        title=title,
    )


def _series_links(sel: Selector, entries: list[Entry], page_url: str) -> list[str]:
    def listed() -> list[str]:
        scope = sel.css(PARTS_SCOPE_CSS) or [sel]
        links = (_abs(page_url, href) for href in scope[0].css(PARTS_LINKS_CSS).getall())
        return [url for url in links if url]

    permalinks = [e.permalink for e in entries if e.permalink]
    return series_parts(canonicalize_url(page_url), permalinks, listed)


def _head_html(sel: Selector) -> str:
    head = sel.css("head")
    return head[0].get() if head else "<head></head>"


def entry_document(head_html: str, entry_html: str) -> bytes:
    """Wrap one entry's HTML in the listing's <head> so metadata extraction still works."""
    doc = f"<!DOCTYPE html>\n<html>{head_html}<body>{entry_html}</body></html>"
    return doc.encode("utf-8")


# A page's own evidence must reach this to be a post; with less, what the crawl learned
# about the site (feeds, the URL shapes of its posts) may settle it.
POST_SCORE = 3


def classify_page(
    url: str,
    body: bytes | str,
    *,
    encoding: str = "utf-8",
    post_patterns: tuple[str, ...] = (),
    series_patterns: tuple[str, ...] = (),
    site: SiteEvidence | None = None,
) -> PageInfo:
    """Tell whether a page is a post, a listing or other, why, and collect where it leads.

    ``site`` is what the crawl learned about the page's site; without it the page is judged
    on its own, and a post that its declared metadata alone supports is called a post but
    not ``settled`` (the crawler may weigh it against the site's other posts).
    """
    reading = read_page(
        url, body, encoding=encoding, post_patterns=post_patterns, series_patterns=series_patterns
    )
    return decide(reading, url, site)


@dataclass
class PageReading:
    """All that one parse of a page tells, before what the crawl learned about its site.

    ``info`` is the page's :class:`PageInfo` with its kind as far as the page alone settles
    it; ``own`` (None when the page alone settled it) is the page's own evidence of being a
    post, which :func:`decide` weighs with the site's. Plain data: a worker process reads
    the page and sends this back.
    """

    info: PageInfo
    own: list[Evidence] | None = None
    listing_signals: bool = False
    # Other pages its headings link to; read only when the decision may need them.
    teasers: list[str] | None = None

    def may_be_post(self) -> bool:
        """Tell whether :func:`decide` may call the page a post, whatever the site."""
        if self.own is None:
            return self.info.kind == "post"
        return sum(e.weight for e in self.own) >= 1

    def compact(self) -> PageReading:
        """Drop the HTML that no caller uses: entries' and head's, unless an entry has no link.

        A listing's entry without a permalink is cut out of the page with its head
        (:func:`entry_document`); nothing else reads the HTML, so the reading sent back from a
        worker leaves it out.
        """
        if all(entry.permalink for entry in self.info.entries):
            self.info.head_html = ""
            for entry in self.info.entries:
                entry.html = ""
        return self


def read_page(
    url: str,
    body: bytes | str,
    *,
    encoding: str = "utf-8",
    post_patterns: tuple[str, ...] = (),
    series_patterns: tuple[str, ...] = (),
    parsed: ParsedPage | None = None,
) -> PageReading:
    """Parse a page once and read everything the classifier and the crawl need of it.

    ``parsed``: the page already parsed (:class:`crawler.parsed.ParsedPage`), which a worker
    hands to extraction afterwards; ``body`` and ``encoding`` are then not read.
    """
    if parsed is None:
        parsed = ParsedPage.parse(url, body, encoding)
    sel = parsed.selector()
    entry_sels, entries = [], []
    for element in find_entries(sel):
        permalink = entry_permalink(element, url)
        if permalink is None and not holds_post_text(element, url):
            continue
        entry_sels.append(element)
        entries.append(
            Entry(
                permalink=permalink,
                title=_entry_title(element),
                anchor=element.attrib.get("id") or "",
                html=element.get(),
            )
        )
    for index, entry in enumerate(entries, start=1):
        entry.anchor = entry.anchor or (slugify(entry.title) if entry.title else f"entry-{index}")
    info = PageInfo(
        kind="other",
        entries=entries,
        next_pages=find_next_pages(sel, url),
        feeds=find_feeds(sel, url),
        links=find_links(sel, url),
        head_html=_head_html(sel),
    )
    body_classes = _body_classes(sel)
    is_post_url = any(re.search(p, url) for p in post_patterns)
    archive = is_archive_url(url)
    listing_signals = bool(body_classes & LISTING_BODY_CLASSES or archive or select(sel).feed)
    series_name = (
        None
        if is_post_url
        else _series_name(sel, url, series_patterns, listing_signals or len(entries) >= 2)
    )
    if series_name is not None:
        info.kind = "listing"
        info.evidence = [Evidence("series", 0, series_name)]
        info.series = SeriesInfo(
            name=series_name,
            description=" ".join(_text(d) for d in select(sel).descriptions),
            post_urls=_series_links(sel, entries, url),
        )
        return PageReading(info)
    if is_post_url:
        info.kind = "post"
        info.evidence = [Evidence("post-patterns", POST_SCORE, "the source's post_patterns")]
        return PageReading(info)
    if archive:
        info.kind = "listing"
        info.evidence = [Evidence("archive-url", 0, "a tag, category, author, date or page N")]
        return PageReading(info)
    if len(entries) >= 2:
        info.kind = "listing"
        info.evidence = [Evidence("entries", 0, f"{len(entries)} entries")]
        return PageReading(info)
    own = post_evidence(sel, url, entry_sels, parsed.json_ld())
    reading = PageReading(info, own=own, listing_signals=listing_signals)
    if sum(e.weight for e in own) < POST_SCORE - 1 and not (entries and listing_signals):
        reading.teasers = teasers(sel, url)
    return reading


def decide(reading: PageReading, url: str, site: SiteEvidence | None = None) -> PageInfo:
    """Weigh a page's own evidence with what the crawl learned about its site (``site``)."""
    info = reading.info
    if reading.own is None:
        return info
    info.evidence = list(reading.own)
    own = sum(e.weight for e in info.evidence)
    learned = site_evidence(url, site)
    info.evidence += learned
    score = own + sum(e.weight for e in learned)
    if own >= POST_SCORE or (own >= 1 and score >= POST_SCORE):
        info.kind = "post"
    elif own >= POST_SCORE - 1:
        info.kind, info.settled = "post", False
    elif info.entries and reading.listing_signals:
        info.kind = "listing"
    elif len(linked := reading.teasers or []) >= 2:
        info.kind = "listing"
        info.evidence.append(Evidence("teasers", 0, f"{len(linked)} headings link elsewhere"))
    return info


def post_evidence(
    sel: Selector, url: str, entries: list[Selector], json_ld: list[JsonLd] | None = None
) -> list[Evidence]:
    """Return the page's own evidence of being one post (and against: being the home page)."""
    found = structured_evidence(sel, json_ld)
    block = main_block(sel, entries)
    for reading in (
        own_date(sel, url),
        byline(sel, url),
        headline_and_text(sel, block),
        post_navigation(sel, url),
    ):
        if reading is not None:
            found.append(reading)
    if urlsplit(url).path in ("", "/"):
        found.append(Evidence("home-page", -2, "the site's root"))
    return found


def settle(info: PageInfo, url: str, site: SiteEvidence) -> None:
    """Decide a post its declared metadata alone supports, by the site's other posts.

    Engines declare "article" on static pages too (an About page): when the site's posts
    live under other URL shapes, the page is not one of them.
    """
    if info.kind == "post" and site.post_shapes and url_shape(url) not in site.post_shapes:
        info.kind = "other"
        shapes = ", ".join(sorted(site.post_shapes))
        info.evidence.append(Evidence("unlike-site-posts", -1, f"the site's posts: {shapes}"))
    info.settled = True
