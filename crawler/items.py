"""Items the crawler hands to the pipeline: what was fetched, never what it means."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPage:
    """One page the spider judged to hold exactly one post.

    ``kind`` is ``"post"`` for a permalink page, or ``"entry"`` for a post cut out of a
    listing whose posts have no permalink (``body`` is then that entry's HTML, wrapped in
    the listing's ``<head>``, and ``url`` is the listing URL with a fragment naming it).
    """

    url: str
    body: bytes
    source: str
    fetched_at: str  # ISO 8601 UTC
    status: int = 200
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "post"
    # Series pages that listed this URL, as (series name, series page URL) pairs.
    listed_in_series: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SeriesListing:
    """A series archive page and the post permalinks it lists, in page order."""

    name: str
    url: str
    source: str
    post_urls: list[str]
    description: str = ""


@dataclass
class CrawlError:
    """A page that could not be fetched or used; stored in the archive's ``errors`` table."""

    url: str
    stage: str  # "fetch" | "discover" | "extract" | "store"
    message: str
    source: str = ""
