"""The history port of a fleet's crawler: the writer answers it, through Redis.

A crawler of a fleet never opens the archive (it may run on a machine without it): each
question of :class:`crawler.history.History` goes to the list ``blogarchive:history:calls``
as ``(call id, method, arguments)``, and the writer, which owns the archive, answers it from
the archive as a one-process crawl's history does (``archive.writer.HistoryServer``) on
``blogarchive:history:reply:<call id>``. Answers travel as plain data (tuples, dicts, lists);
the port's value types (:class:`crawler.history.Validators`, ``StoredResponse``) are rebuilt
from their fields here. The writer answers from what it has committed, on a read-only
connection of its own: a one-process crawl's history also sees the batch under way, through a
SELECT-only reader the archive's pipeline lends it (``archive.write_batch.BatchReader``), which
no queue carries (README: the robots.txt revisit this leaves in a fleet).
"""

from __future__ import annotations

import pickle
import secrets
from typing import TYPE_CHECKING, Any

from crawler.fleet import PREFIX, FleetError, connect
from crawler.history import StoredResponse, Validators

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

CALLS_KEY = PREFIX + "history:calls"
# The History methods a crawler may call (the writer answers no other name).
METHODS = frozenset(
    {"validators", "load", "latest", "stored_posts", "page_links", "recheck_urls", "post_pages"}
)


def reply_key(call_id: str) -> str:
    """Return the list the answer of one history call is pushed to."""
    return f"{PREFIX}history:reply:{call_id}"


class RemoteHistory:
    """What was captured and stored before, asked of the fleet's writer (module docstring).

    ``timeout``: seconds to wait for an answer (a writer being restarted answers late); past
    it, FleetError.
    """

    def __init__(self, client: Any, timeout: float) -> None:
        self.client = client
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemoteHistory:
        """Ask the writer of the crawl at ``BLOGARCHIVE_REDIS``."""
        settings = crawler.settings
        # The writer may be restarted (crawl --crawlers does it): wait several heartbeats.
        timeout = 6 * settings.getfloat("BLOGARCHIVE_FLEET_TIMEOUT")
        return cls(connect(settings["BLOGARCHIVE_REDIS"]), timeout)

    def _call(self, method: str, *args: Any) -> Any:
        call_id = secrets.token_hex(8)
        self.client.lpush(CALLS_KEY, pickle.dumps((call_id, method, args), protocol=-1))
        answer = self.client.brpop([reply_key(call_id)], timeout=max(1, round(self.timeout)))
        if answer is None:
            raise FleetError(f"the writer did not answer a history lookup in {self.timeout:.0f} s")
        ok, value = pickle.loads(answer[1])
        if not ok:
            raise LookupError(value)
        return value

    def validators(self, url: str) -> Validators | None:
        """Return the validators of the last kept 200 capture of ``url``."""
        found = self._call("validators", url)
        return Validators(*found) if found is not None else None

    def load(self, capture_id: int) -> StoredResponse:
        """Return the stored response of one capture (LookupError if it cannot be read)."""
        return StoredResponse(*self._call("load", capture_id))

    def latest(self, url: str) -> StoredResponse | None:
        """Return the last kept response of ``url``, or None when it was never captured."""
        found = self._call("latest", url)
        return StoredResponse(*found) if found is not None else None

    def stored_posts(self, url: str) -> dict[str, str]:
        """Map the fetched URLs on page ``url`` (itself, or its ``#entries``) to stored posts."""
        return dict(self._call("stored_posts", url))

    def page_links(self, url: str, payload_digest: str, links_key: str) -> dict[str, Any] | None:
        """Return what page ``url`` was and linked to when this payload was parsed last."""
        found: dict[str, Any] | None = self._call("page_links", url, payload_digest, links_key)
        return found

    def recheck_urls(self) -> list[str]:
        """Return the pages stored posts were fetched from (no listing entries)."""
        return list(self._call("recheck_urls"))

    def post_pages(self) -> list[tuple[str, str]]:
        """Return (source, page URL) of every page a stored post was extracted from."""
        return [(source, url) for source, url in self._call("post_pages")]

    def close(self) -> None:
        """Nothing to close: the writer holds the archive."""
