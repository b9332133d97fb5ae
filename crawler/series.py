"""What says a series, in a URL or a heading: the words both the crawler and the pipeline read.

The crawler reads them to tell a series page (:func:`crawler.pages.classify_page`); the
pipeline reads the heading pattern on a post's table of contents
(:mod:`pipeline.series.markup`). Written once here, the earliest stage, so the two agree.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SERIES_URL_RE = re.compile(r"/series/[^/]+", re.IGNORECASE)
# "Series: Budgets" names the series "Budgets".
SERIES_HEADING_RE = re.compile(r"^\s*series\s*[:\-\u2013\u2014]\s*(?P<name>.+)$", re.IGNORECASE)
SERIES_WORD_RE = re.compile(r"\bseries\b", re.IGNORECASE)
# "Budgets: a blog series" names the series "Budgets"; "The Budget Series" keeps its word.
SERIES_SUFFIX_RE = re.compile(
    r"\s*[:\-\u2013\u2014|]\s*(an?\s+|the\s+|our\s+)?(blog\s+)?series\s*$", re.IGNORECASE
)


def looks_like_series(url: str, patterns: tuple[str, ...] = ()) -> bool:
    """Tell whether a URL alone says it is a series page."""
    # The path is part of the URL: where the whole URL has no match, the path has none, and
    # most links have none (the spider asks this of every link of every page).
    return bool(SERIES_URL_RE.search(url) and SERIES_URL_RE.search(urlsplit(url).path)) or any(
        re.search(p, url) for p in patterns
    )
