"""Series signals in a page's markup: series boxes, tables of contents, series navigation.

Used by :func:`pipeline.series.detect.detect_series`; see there for how signals rank and merge.
"""

from __future__ import annotations

import re
from itertools import islice
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.html import HtmlElement

from crawler.series import SERIES_HEADING_RE
from pipeline.records import SeriesMembership

# "Creative Councils", "Social Care at the Crossroads": capitalised words, small joiners.
_JOINER = r"(?:(?:at|the|of|and|for|in|on|to|a|an|&)\s+)*"
CAPITALISED = r"[A-Z][\w'\u2019&-]*(?:\s+" + _JOINER + r"[A-Z][\w'\u2019&-]*)*"

# Series names that say what kind of thing it is, not which blog series.
NOT_SERIES_NAMES = frozenset(
    ("tv", "television", "netflix", "bbc", "a", "the", "this", "our", "new", "short", "blog")
)
BOX_PATTERNS = (
    # "This entry is part 3 of 5 in the series Creative Councils"
    re.compile(
        r"(?:this\s+(?:entry|post|article)\s+is\s+)?part\s+(?P<pos>\d+)\s+of\s+(?P<total>\d+)"
        r"\s+in\s+the\s+series\s*[:\-\u2013]?\s*[\"\u201c']?(?P<name>[^\"\u201d\n.]+?)"
        r"[\"\u201d']?\s*(?:[.:]|$)",
        re.I,
    ),
    # "This post is part 2 of the Creative Councils series", "... part 2 of 4 in our X series"
    re.compile(
        r"this\s+(?:entry|post|article|blog(?:\s+post)?)\s+is\s+part\s+(?P<pos>\d+)"
        r"(?:\s+of\s+(?P<total>\d+)\s+in)?\s+(?:of\s+)?(?:the|our|my)\s+"
        r"(?P<name>[\w'\u2019&:, -]{2,60}?)\s+(?:blog\s+)?series\b",
        re.I,
    ),
)
# Table-of-contents headings: "Series: X", "Posts in the X series", "In this series".
TOC_HEADINGS = (
    SERIES_HEADING_RE,
    re.compile(
        r"^(?:all\s+|other\s+|more\s+)?(?:posts|parts|entries|articles|blogs)\s+(?:in|of|from)"
        r"\s+(?:this|the|our)\s+(?:(?P<name>.+?)\s+)?(?:blog\s+)?series$",
        re.I,
    ),
    re.compile(r"^(?:in|from)\s+this\s+series$", re.I),
    re.compile(
        r"^(?:the\s+)?(?P<name>.+?)\s+(?:blog\s+)?series"
        r"(?:\s*[:\-\u2013\u2014]\s*(?:contents|all\s+parts|table\s+of\s+contents))?$",
        re.I,
    ),
)
NAV_NAME = re.compile(
    r"\b(?:previous|next|more|earlier|later)\s+(?:post\s+|part\s+)?(?:in|from)\s+(?:the\s+)?"
    r"(?:series\s*[:\-\u2013]?\s*(?P<name>[^:\u2190\u2192|]+?)\s*(?:[:\u2190\u2192|]|$)"
    r"|(?P<name2>" + CAPITALISED + r")\s+series\b)",
    re.I,
)
_CURRENT_CLASSES = frozenset(("current", "active", "current-post", "this-post", "is-current"))
_BOX_TAGS = ("p", "div", "aside", "span", "section", "em", "small", "strong")
_BOX_MAX_CHARS = 300
_SERIES_WORD = re.compile("series", re.I)


def _classes(element: HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def _text(element: HtmlElement) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _short_texts(tree: HtmlElement, limit: int) -> dict[HtmlElement, str]:
    """Return ``_text`` of every element of the tree whose text is at most ``limit`` long.

    One pass from the leaves up: an element holding a long one is long itself, so the text
    of the page's outer blocks (the whole page, over and over) is never read.
    """
    words: dict[HtmlElement, list[str]] = {}
    for node in reversed(list(tree.iter())):  # every node after its descendants
        # As itertext() reads: an element's text (not a comment's), then each child's, and
        # each child's tail.
        own = (node.text or "").split() if isinstance(node.tag, str) else []
        for child in node:
            if child not in words:
                break
            own += words[child]
            own += (child.tail or "").split()
        else:
            if sum(map(len, own)) + len(own) - 1 <= limit:
                words[node] = own
    return {node: " ".join(text) for node, text in words.items()}


def markup_signals(tree: HtmlElement, url: str) -> list[SeriesMembership]:
    """Return the page's series boxes, then its tables of contents, then its series links."""
    # Box and named-link patterns all need the word "series" (as the IGNORECASE patterns
    # match it): on a page whose text never has it, no block's text is worth reading.
    page_text = lxml.etree.tostring(tree, method="text", encoding="unicode")
    texts = _short_texts(tree, _BOX_MAX_CHARS) if _SERIES_WORD.search(page_text) else {}
    return [
        *series_boxes(tree, url, texts),
        *series_tocs(tree, url),
        *series_navs(tree, url, texts),
    ]


def series_boxes(
    tree: HtmlElement, url: str, texts: dict[HtmlElement, str]
) -> list[SeriesMembership]:
    """Read a series box: "This entry is part 3 of 5 in the series X" in any short block.

    ``texts`` are the tree's short blocks' texts (:func:`_short_texts`).
    """
    found = []
    for box in tree.iter(*_BOX_TAGS):
        text = texts.get(box)
        if text is None or "part" not in text.lower():
            continue
        for pattern in BOX_PATTERNS:
            match = pattern.search(text)
            if not match or int(match.group("pos")) < 1:
                continue
            total = int(match.group("total")) if match.group("total") else None
            if total is not None and int(match.group("pos")) > total:
                continue
            link = box.xpath(".//a[@href]")
            found.append(
                SeriesMembership(
                    name=match.group("name").strip(" :,"),
                    position=int(match.group("pos")),
                    total=total,
                    url=urljoin(url, link[0].get("href", "")) if link else None,
                    signal="series-box",
                    evidence=text,
                )
            )
            break
    return found


def _toc_name(heading: str) -> str | None:
    """Return the series a table-of-contents heading names ("" for "In this series")."""
    heading = heading.strip(" :")
    for pattern in TOC_HEADINGS:
        match = pattern.match(heading)
        if match:
            name = (match.groupdict().get("name") or "").strip()
            if name.lower().removeprefix("the ") in NOT_SERIES_NAMES or " of " in f" {name} ":
                return None
            return name
    return None


def series_tocs(tree: HtmlElement, url: str) -> list[SeriesMembership]:
    """Read a table of contents of the series that marks this post's own entry."""
    found = []
    own = _path(url)
    for listing in tree.iter("ol", "ul"):
        items = [li for li in listing if isinstance(li.tag, str) and li.tag == "li"]
        if len(items) < 2:
            continue
        name = _toc_heading_name(listing)
        if name is None:
            continue
        current = [
            i
            for i, li in enumerate(items)
            if _CURRENT_CLASSES & set(_classes(li).split())
            or li.get("aria-current")
            or li.xpath(".//*[@aria-current]")
            or any(_path(urljoin(url, a.get("href", ""))) == own for a in li.iter("a"))
        ]
        if not current:
            unlinked = [i for i, li in enumerate(items) if not li.xpath(".//a[@href]")]
            current = unlinked if len(unlinked) == 1 else []
        if len(current) != 1:
            continue
        parent = listing.getparent()
        scope_classes = _classes(listing) + (_classes(parent) if parent is not None else "")
        neighbours = tuple(
            urljoin(url, a.get("href", ""))
            for i in (current[0] - 1, current[0] + 1)
            if 0 <= i < len(items)
            for a in items[i].xpath(".//a[@href]")[:1]
        )
        found.append(
            SeriesMembership(
                name=name,
                position=current[0] + 1,
                total=len(items) if listing.tag == "ol" or "series" in scope_classes else None,
                signal="series-toc",
                evidence=f"{name or 'series'} contents, entry {current[0] + 1} of {len(items)}: "
                + _text(items[current[0]])[:120],
                neighbours=neighbours,
            )
        )
    return found


def _toc_heading_name(listing: HtmlElement) -> str | None:
    """Return the series name a list's heading (or series-classed container) gives, if any."""
    container = listing.getparent()
    scopes = [container] if container is not None else []
    if container is not None and container.getparent() is not None:
        scopes.append(container.getparent())
    for scope in scopes:
        headings = (
            h
            for h in scope.iter("h2", "h3", "h4", "h5", "strong", "p", "summary", "caption")
            if h is not listing and listing not in h.iterancestors() and h not in listing.iter()
        )
        for heading in islice(headings, 2):
            name = _toc_name(_text(heading))
            if name is not None:
                return name
        if "series" in _classes(scope) and "nav" not in _classes(scope):
            for a in scope.xpath(".//a[contains(@href, '/series/')]"):
                if a not in listing.iter():
                    return _text(a)
    return None


def series_navs(
    tree: HtmlElement, url: str, texts: dict[HtmlElement, str]
) -> list[SeriesMembership]:
    """Read previous/next-in-series links; name the series when their text does.

    ``texts`` are the tree's short blocks' texts (:func:`_short_texts`).
    """
    found = []
    for nav in tree.iter("nav", "div", "p", "section", "aside"):
        classes = _classes(nav)
        text = texts.get(nav)
        named = NAV_NAME.search(text) if text is not None and len(text) < _BOX_MAX_CHARS else None
        if not ("series" in classes and "nav" in classes) and not named:
            continue
        if text is None:
            text = _text(nav)
        if any("series" in _classes(a) and "nav" in _classes(a) for a in nav.iterancestors()):
            continue
        neighbours = tuple(
            urljoin(url, a.get("href", ""))
            for a in nav.xpath(".//a[@href]")
            if _path(urljoin(url, a.get("href", ""))) != _path(url)
        )
        if not neighbours:
            continue
        name = ""
        if named:
            name = (named.group("name") or named.group("name2") or "").strip()
            if name.lower() in NOT_SERIES_NAMES:
                continue
        found.append(
            SeriesMembership(
                name=name, signal="series-nav", evidence=text[:200], neighbours=neighbours
            )
        )
    return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower() + (parts.path.rstrip("/") or "/")
