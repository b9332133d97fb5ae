"""Items the crawler hands to the pipeline: what was fetched, never what it means.

Plain data, every one: what the crawler tells the archive travels as these items through
the item pipelines (never as signals or object references), so it could cross a queue.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """Return the current time as ISO 8601 UTC, the form of every ``*_at`` field and column."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class FetchedPage:
    """One page the spider judged to hold exactly one post.

    ``kind`` is ``"post"`` for a permalink page, or ``"entry"`` for a post cut out of a
    listing whose posts have no permalink (``body`` is then that entry's HTML, wrapped in
    the listing's ``<head>``, and ``url`` is the listing URL with a fragment naming it).
    """

    url: str
    # Not in the repr: a log line about the item (Scrapy's "Error processing ...") must not
    # carry the whole page.
    body: bytes = field(repr=False)
    source: str
    fetched_at: str  # ISO 8601 UTC
    status: int = 200
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "post"
    # Series pages that listed this URL, as (series name, series page URL) pairs.
    listed_in_series: list[tuple[str, str]] = field(default_factory=list)
    # What the worker that read the page extracted (crawler.workers.Extracted); ``body`` is
    # then empty: the page is not extracted again.
    extracted: Any = field(default=None, repr=False)


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


@dataclass
class UnchangedPage:
    """A post page the server answered 304 Not Modified for: the stored post still holds.

    ``post_url`` is the archive's key for the post stored from ``fetched_url`` earlier.
    """

    post_url: str
    fetched_url: str
    source: str
    fetched_at: str  # ISO 8601 UTC


@dataclass
class PageLinks:
    """What a classified HTML page is and where it leads, for a later run to reuse.

    Kept by the archive under the page's canonical ``url``, its ``payload_digest`` and the
    classifier's ``links_key``; ``page`` is JSON-able (``crawler.pages.PageInfo``'s record
    plus ``yields``, the posts the page yields).
    """

    url: str
    payload_digest: str
    links_key: str
    page: dict[str, Any] = field(repr=False)


@dataclass
class Capture:
    """One HTTP exchange exactly as sent and received, for the archive's WARC files.

    Plain data (no file handles, no Scrapy objects), so a capture can travel from any
    crawler process to the one archive writer. ``body`` is the payload as it came off the
    wire, still content-encoded; header names are as Twisted hands them over.
    """

    url: str
    fetched_at: str  # ISO 8601 UTC
    status: int
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    body: bytes = field(repr=False)
    method: str = "GET"
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    source: str = ""
    # The body's WARC-Payload-Digest (:func:`payload_digest`) when the crawler has made it
    # already (the capture middleware has, to compare the payload with its last capture);
    # empty: whoever needs it makes it.
    payload_digest: str = field(default="", repr=False)

    def digest(self) -> str:
        """Return the body's WARC-Payload-Digest, made only if the crawler did not bring it."""
        return self.payload_digest or payload_digest(self.body)

    def header(self, name: str) -> str | None:
        """Return the first response header called ``name`` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)


@dataclass(frozen=True)
class RunEnd:
    """How a crawl ended, as data for whoever keeps the run (the archive): Scrapy's close
    ``reason`` and the crawl's ``stats`` when it closed (plain values; a fleet's writer
    merges its crawlers'). :func:`crawler.outcome.crawl_outcome` reads both."""

    reason: str
    stats: dict[str, Any] = field(repr=False)


def payload_digest(body: bytes) -> str:
    """Return a payload's WARC-Payload-Digest (SHA-1, base32), as warcio writes it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
