"""The history port: what the crawler asks about what earlier runs captured and stored.

Every question the crawler has for the archive goes through one :class:`History`, opened
once per crawl by the spider (:func:`open_history`) from the class the
``BLOGARCHIVE_HISTORY`` setting names (a dotted path, so this package never imports the
archive; empty: no history, every page is new). The answers are plain data, of the value
types declared here once (:class:`Validators`, :class:`StoredResponse`), which every
implementation returns: the archive's and the fleet's (:mod:`crawler.remote_history`, which
the writer answers). What the crawler tells the archive goes the other way as items
(:mod:`crawler.items`: captures, pages' links, posts, errors), through the item pipelines,
so both directions could cross a queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredResponse:
    """A response read back from a capture: status, headers and body as received."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class Validators:
    """What the last kept capture of a URL lets a conditional request send."""

    capture_id: int
    etag: str | None
    last_modified: str | None
    fetched_at: str
    payload_digest: str
    content_type: str | None


class History(Protocol):
    """What was captured and stored before (``archive.history.ArchiveHistory`` answers)."""

    def validators(self, url: str) -> Validators | None:
        """Return the validators of the last kept 200 capture of ``url``."""
        ...

    def load(self, capture_id: int) -> StoredResponse:
        """Return the stored response of one capture (raise if it cannot be read)."""
        ...

    def latest(self, url: str) -> StoredResponse | None:
        """Return the last kept response of ``url``, or None when it was never captured."""
        ...

    def stored_posts(self, url: str) -> dict[str, str]:
        """Map the fetched URLs on page ``url`` (itself, or its ``#entries``) to stored posts."""
        ...

    def page_links(self, url: str, payload_digest: str, links_key: str) -> dict[str, Any] | None:
        """Return what page ``url`` was and linked to when this payload was parsed last."""
        ...

    def recheck_urls(self) -> list[str]:
        """Return the pages stored posts were fetched from (no listing entries)."""
        ...

    def post_pages(self) -> list[tuple[str, str]]:
        """Return (source, page URL) of every page a stored post was extracted from."""
        ...

    def close(self) -> None:
        """Release what the history holds open."""
        ...


class NoHistory:
    """The history of a crawl with none: nothing was captured or stored before."""

    def validators(self, url: str) -> Validators | None:
        """Return None: no capture."""
        return None

    def load(self, capture_id: int) -> StoredResponse:
        """Raise: there is no capture to load."""
        raise LookupError(f"no capture with id {capture_id}: the crawl has no history")

    def latest(self, url: str) -> StoredResponse | None:
        """Return None: no capture."""
        return None

    def stored_posts(self, url: str) -> dict[str, str]:
        """Return no posts."""
        return {}

    def page_links(self, url: str, payload_digest: str, links_key: str) -> dict[str, Any] | None:
        """Return None: no page was parsed before."""
        return None

    def recheck_urls(self) -> list[str]:
        """Return no URLs."""
        return []

    def post_pages(self) -> list[tuple[str, str]]:
        """Return no pages."""
        return []

    def close(self) -> None:
        """Nothing to close."""


def open_history(crawler: Crawler) -> History:
    """Build the crawl's history from ``BLOGARCHIVE_HISTORY`` (empty: :class:`NoHistory`)."""
    path = crawler.settings.get("BLOGARCHIVE_HISTORY")
    if not path:
        return NoHistory()
    history: History = build_from_crawler(load_object(path), crawler)
    return history


def history_of(crawler: Crawler) -> History:
    """Return the history the crawl's spider opened (:class:`NoHistory` for another spider)."""
    history = getattr(crawler.spider, "history", None)
    return history if history is not None else NoHistory()
