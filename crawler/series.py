"""Series on the crawler's side: what says a page is a series, its name and its parts.

The crawler reads a page's URL, headings and lists (:func:`crawler.pages.read_page` selects
them; :func:`series_name` and :func:`series_parts` decide) to tell a series page, and
remembers which series pages list a post (:class:`SeriesMembers`) for the posts it fetches.
The pipeline reads the same heading pattern on a post's table of contents
(:mod:`pipeline.series.markup`): written once here, the earliest stage, so the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

SERIES_URL_RE = re.compile(r"/series/[^/]+", re.IGNORECASE)
# "Series: Budgets" names the series "Budgets".
SERIES_HEADING_RE = re.compile(r"^\s*series\s*[:\-\u2013\u2014]\s*(?P<name>.+)$", re.IGNORECASE)
SERIES_WORD_RE = re.compile(r"\bseries\b", re.IGNORECASE)
# "Budgets: a blog series" names the series "Budgets"; "The Budget Series" keeps its word.
SERIES_SUFFIX_RE = re.compile(
    r"\s*[:\-\u2013\u2014|]\s*(an?\s+|the\s+|our\s+)?(blog\s+)?series\s*$", re.IGNORECASE
)
# "Category: Budgets" (an archive page's heading) names the series "Budgets".
ARCHIVE_PREFIX_RE = re.compile(
    r"^\s*(category|tag|archives?|topic)\s*[:\-\u2013\u2014]\s*", re.IGNORECASE
)
# Where a series page without entries lists its parts: a plain (ordered) list of links in its
# main content (the first of these elements, else the whole page).
PARTS_SCOPE_CSS = "main, #content, .entry-content, .series-toc, article"
PARTS_LINKS_CSS = "ol li a::attr(href), ul li a::attr(href)"


@dataclass
class SeriesInfo:
    """A page that presents itself as a series and the post links it lists, in order."""

    name: str
    description: str
    post_urls: list[str]


def looks_like_series(url: str, patterns: tuple[str, ...] = ()) -> bool:
    """Tell whether a URL alone says it is a series page."""
    # The path is part of the URL: where the whole URL has no match, the path has none, and
    # most links have none (the spider asks this of every link of every page).
    return bool(SERIES_URL_RE.search(url) and SERIES_URL_RE.search(urlsplit(url).path)) or any(
        re.search(p, url) for p in patterns
    )


def series_name(
    page_url: str,
    patterns: tuple[str, ...],
    *,
    headings: list[str],
    descriptions: str,
    body_classes: set[str],
    listing: bool,
    title: Callable[[], str],
) -> str | None:
    """Return the series name if the page calls itself a series, else None.

    ``headings`` are the page's heading texts (h1, archive and series titles), in order;
    ``descriptions`` its archive and series descriptions' text; ``title`` reads its
    ``<title>`` (asked only when no heading names the series). The word "series" in a
    heading or description only counts on an archive-like page (``listing``): a post
    announcing "a new blog series" is still a post.
    """
    for heading in headings:
        match = SERIES_HEADING_RE.match(heading)
        if match:
            return match.group("name").strip()
    named = (
        looks_like_series(page_url, patterns)
        or "series" in body_classes
        or (listing and any(SERIES_WORD_RE.search(h) for h in headings[:1]))
        or (listing and SERIES_WORD_RE.search(descriptions))
    )
    if not named:
        return None
    if headings:
        return SERIES_SUFFIX_RE.sub("", ARCHIVE_PREFIX_RE.sub("", headings[0])).strip()
    return re.split(r"\s+[|\u2013\u2014-]\s+", title())[0].strip() or urlsplit(page_url).path.strip(
        "/"
    )


def series_parts(
    page_url: str, permalinks: list[str], listed: Callable[[], list[str]]
) -> list[str]:
    """Return the posts a series page lists, in order: its entries' ``permalinks``, else the
    links its plain lists hold (``listed`` reads them, :data:`PARTS_SCOPE_CSS`), but the
    page's own (all URLs canonical)."""
    if permalinks:
        return permalinks
    found: list[str] = []
    for url in listed():
        if url not in found and url != page_url:
            found.append(url)
    return found


class SeriesMembers:
    """Which series pages (name, page URL) list each post URL, as a crawl meets them: a post
    fetched before or after its series page is stored knowing its series."""

    def __init__(self) -> None:
        self._members: dict[str, list[tuple[str, str]]] = {}

    def remember(self, post_url: str, member: tuple[str, str]) -> None:
        """Note that the series page ``member`` (name, page URL) lists ``post_url``."""
        members = self._members.setdefault(post_url, [])
        if member not in members:
            members.append(member)

    def of(self, post_url: str) -> list[tuple[str, str]]:
        """Return the (series name, series page URL) pairs seen listing ``post_url``."""
        return self._members.get(post_url, [])
