"""Fetch side of raw captures and conditional requests: one downloader middleware.

It sits next to the downloader (after every middleware that sets request headers, before
HttpCompressionMiddleware and RedirectMiddleware on the way back), so it sees the request
as sent and the response as received: body still content-encoded, redirects not yet
followed. Each kept response is handed to the item pipelines as a
:class:`~crawler.items.Capture` (plain data); whoever stores captures (the archive) takes it
there, as it takes the spider's items.

Conditional requests: the validators of a URL's last capture come from the crawl's history
(:mod:`crawler.history`, the archive's answers through one port). A 304 is answered with
the stored response, flagged ``meta[NOT_MODIFIED]``, so the spider parses it as usual and
discovery goes on; for post pages the spider reports the stored post as unchanged instead
of extracting it again.

Links of unchanged pages: the spider yields what each page it parsed is and where it
leads as a :class:`~crawler.items.PageLinks` item, keyed by URL, payload digest and the
classifier's key (``meta[LINKS_KEY]``); the archive keeps it. A page answered from its
capture whose payload was parsed before, and whose posts are all stored, is answered from
that record alone (an empty body, ``meta[PAGE_LINKS]``): no WARC read, no HTML parse. A
page dated unchanged by a sitemap or feed is answered that way before it is even scheduled
(:class:`~crawler.dated_shortcut.DatedPageShortcut`, a spider middleware). A 200 whose
payload repeats the URL's last capture (a server without validators) is answered that way
too once it arrives.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes

from crawler.history import History, StoredResponse, history_of
from crawler.items import Capture, payload_digest, utc_now
from crawler.meta import (
    CONDITIONAL,
    LASTMOD,
    LINKS_KEY,
    NOT_MODIFIED,
    PAGE_LINKS,
    PAYLOAD_DIGEST,
    REVALIDATING,
    SOURCE,
    STORED_POSTS,
    STORED_TYPE,
)
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

# Responses worth keeping as evidence and for replay; errors and 304s are not.
KEPT_STATUSES = frozenset(range(200, 300)) | {301, 302, 303, 307, 308}
VALIDATOR_HEADERS = (b"If-None-Match", b"If-Modified-Since")


# Headers that carry credentials or session state: never written to a capture, whoever set
# them (DEFAULT_REQUEST_HEADERS, an auth middleware, the site's Set-Cookie).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "cookie2", "set-cookie", "set-cookie2"}
)


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        if name.decode("latin-1").lower() not in SECRET_HEADERS
        for value in values
    ]


def unchanged_since(lastmod: str | None, fetched_at: str) -> bool:
    """Tell whether a sitemap ``lastmod`` dates the last change before ``fetched_at``.

    A bare date counts as the end of that day (the page may have changed later that day);
    a date that cannot be read proves nothing.
    """
    if not lastmod:
        return False
    try:
        text = lastmod.strip()
        if len(text) == 10:
            changed = datetime.fromisoformat(text).replace(tzinfo=UTC) + timedelta(days=1)
        else:
            changed = datetime.fromisoformat(text)
            if changed.tzinfo is None:
                changed = changed.replace(tzinfo=UTC)
        fetched = datetime.fromisoformat(fetched_at)
    except ValueError:
        return False
    return changed < fetched


def stored_to_response(stored: StoredResponse, request: Request) -> Response:
    """Build a Scrapy response for ``request`` from a stored one (body still encoded)."""
    headers = Headers(stored.headers)
    cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
    return cls(
        url=request.url,
        status=stored.status,
        headers=headers,
        body=stored.body,
        request=request,
        protocol=stored.protocol,
        flags=["stored"],
    )


class CaptureMiddleware:
    """Emit a Capture per kept response; make requests conditional; turn 304s into stored pages.

    Settings (declared with their defaults in crawler/settings.py): ``BLOGARCHIVE_CAPTURE``
    (emit captures), ``BLOGARCHIVE_CONDITIONAL`` (send validators; ``crawl --full`` turns
    it off), ``BLOGARCHIVE_TRUST_LASTMOD`` (believe sitemap dates); the history is the
    crawl's (``BLOGARCHIVE_HISTORY``, see :mod:`crawler.history`).
    A request with ``meta[CONDITIONAL] = False`` is always sent unconditionally.
    """

    def __init__(self, crawler: Crawler, lookup: History) -> None:
        self.crawler = crawler
        self.lookup = lookup
        settings = crawler.settings
        self.capture = settings.getbool("BLOGARCHIVE_CAPTURE")
        self.conditional = settings.getbool("BLOGARCHIVE_CONDITIONAL")
        self.trust_lastmod = settings.getbool("BLOGARCHIVE_TRUST_LASTMOD")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        """Build the middleware over the crawl's history."""
        return cls(crawler, history_of(crawler))

    def process_request(self, request: Request) -> Request | Response | None:
        """Add If-None-Match / If-Modified-Since from the URL's last capture.

        A page whose sitemap ``<lastmod>`` or Atom ``<updated>`` (``meta[LASTMOD]``) is
        older than its last capture is answered from the capture without a request.
        """
        if not self._may_use_capture(request) or any(
            name in request.headers for name in VALIDATOR_HEADERS
        ):
            return None
        validators = self.lookup.validators(request.url)
        if validators is None:
            return None
        lastmod = request.meta.get(LASTMOD)
        request.meta[PAYLOAD_DIGEST] = validators.payload_digest
        request.meta[STORED_TYPE] = validators.content_type
        if self.trust_lastmod and unchanged_since(lastmod, validators.fetched_at):
            # The sitemap or feed dates the page's last change before our capture: no request.
            self.crawler.stats.inc_value("blogarchive/lastmod_skipped")
            return self._from_capture(request, validators.capture_id)
        if validators.etag:
            request.headers[b"If-None-Match"] = validators.etag
        if validators.last_modified:
            request.headers[b"If-Modified-Since"] = validators.last_modified
        request.meta[REVALIDATING] = validators.capture_id
        if validators.etag or validators.last_modified:
            self.crawler.stats.inc_value("blogarchive/conditional_requests")
        return None

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Answer a 304 with the stored page; hand every other kept response on as a Capture."""
        if response.status == 304 and REVALIDATING in request.meta:
            self.crawler.stats.inc_value("blogarchive/not_modified")
            return self._from_capture(request, int(request.meta[REVALIDATING]))
        if NOT_MODIFIED in request.meta:
            return response  # answered from a capture: nothing new to keep
        # The payload the spider will see (a redirect's copy of meta must not keep an old one).
        stored_digest = request.meta.pop(PAYLOAD_DIGEST, None)
        if response.status in KEPT_STATUSES:
            request.meta[PAYLOAD_DIGEST] = digest = payload_digest(response.body)
            if response.status == 200 and REVALIDATING in request.meta and digest == stored_digest:
                # A server that sends no validators (WordPress) answers 200 with the bytes
                # we captured: as good as a 304, so nothing is captured or extracted again
                # (a page: if this classifier and extractor parsed these bytes last).
                answer = self._same_payload(request, int(request.meta[REVALIDATING]))
                if answer is not None:
                    return answer
        if self.capture and response.status in KEPT_STATUSES:
            capture = Capture(
                url=response.url,
                fetched_at=utc_now(),
                status=response.status,
                request_headers=_header_pairs(request.headers),
                response_headers=_header_pairs(response.headers),
                body=response.body,
                method=request.method,
                protocol=response.protocol or "HTTP/1.1",
                ip_address=str(response.ip_address) if response.ip_address else None,
                source=str(request.meta.get(SOURCE, "")),
                payload_digest=request.meta[PAYLOAD_DIGEST],
            )
            await self._hand_over(capture)
            self.crawler.stats.inc_value("blogarchive/captures")
        return response

    async def _hand_over(self, capture: Capture) -> None:
        """Pass ``capture`` through the item pipelines, stored before the response goes on.

        Not a scraped item: no ``item_scraped`` signal, log line or item count, as for the
        captures of requests that no callback sees (robots.txt, redirects).
        """
        assert self.crawler.engine is not None
        try:
            await self.crawler.engine.scraper.itemproc.process_item_async(capture)
        except Exception:
            # Logged, never the response's failure: a page is worth more than its capture.
            logger.exception("could not hand over the capture of %s", capture.url)

    def _same_payload(self, request: Request, capture_id: int) -> Request | Response | None:
        """Answer a 200 that repeats capture ``capture_id`` as a 304 would be, or None.

        A page (one with a links key) only from its page_links record: without one under
        this classifier's and extractor's key, or with a post it yields not stored, its body
        goes on to be parsed and extracted as fetched.
        """
        if not request.meta.get(LINKS_KEY):
            self.crawler.stats.inc_value("blogarchive/unchanged_payloads")
            return self._from_capture(request, capture_id)
        stored_posts = self.lookup.stored_posts(canonicalize_url(request.url))
        cached = self._cached_links(request, stored_posts)
        if cached is None:
            return None
        self.crawler.stats.inc_value("blogarchive/unchanged_payloads")
        return self._from_links(request, capture_id, stored_posts, cached)

    def _from_capture(self, request: Request, capture_id: int) -> Request | Response:
        stored_posts = self.lookup.stored_posts(canonicalize_url(request.url))
        cached = self._cached_links(request, stored_posts)
        if cached is not None:
            return self._from_links(request, capture_id, stored_posts, cached)
        try:
            stored = self.lookup.load(capture_id)
        except Exception as exc:
            # A missing or damaged WARC file costs one more request, never the page.
            logger.warning("stored capture %d of %s unreadable (%s)", capture_id, request.url, exc)
            headers = request.headers.copy()
            for name in VALIDATOR_HEADERS:
                headers.pop(name, None)
            meta = {k: v for k, v in request.meta.items() if k not in (REVALIDATING, LASTMOD)}
            return request.replace(
                headers=headers, meta={**meta, CONDITIONAL: False}, dont_filter=True
            )
        request.meta[NOT_MODIFIED] = capture_id
        request.meta[STORED_POSTS] = stored_posts
        return stored_to_response(stored, request)

    def _from_links(
        self,
        request: Request,
        capture_id: int,
        stored_posts: dict[str, str],
        cached: dict[str, Any],
    ) -> Response:
        """Answer ``request`` with an empty page carrying what its capture was parsed into."""
        request.meta[NOT_MODIFIED] = capture_id
        request.meta[STORED_POSTS] = stored_posts
        request.meta[PAGE_LINKS] = cached
        self.crawler.stats.inc_value("blogarchive/links_cached")
        return HtmlResponse(
            url=request.url,
            status=200,
            headers={"Content-Type": request.meta.get(STORED_TYPE) or "text/html"},
            body=b"",
            request=request,
            flags=["stored", "links"],
        )

    def answer_dated(self, request: Request) -> Response | None:
        """Answer a page dated unchanged from its parsed capture alone, or None.

        None unless the request carries a sitemap/feed date older than the URL's last
        capture, the capture's links are in the archive and the posts it yields are stored.
        """
        if (
            not self.trust_lastmod
            or not request.meta.get(LASTMOD)
            or not self._may_use_capture(request)
        ):
            return None
        validators = self.lookup.validators(request.url)
        if validators is None or not unchanged_since(request.meta[LASTMOD], validators.fetched_at):
            return None
        request.meta[PAYLOAD_DIGEST] = validators.payload_digest
        request.meta[STORED_TYPE] = validators.content_type
        stored_posts = self.lookup.stored_posts(canonicalize_url(request.url))
        cached = self._cached_links(request, stored_posts)
        if cached is None:
            return None
        self.crawler.stats.inc_value("blogarchive/lastmod_skipped")
        return self._from_links(request, validators.capture_id, stored_posts, cached)

    def _may_use_capture(self, request: Request) -> bool:
        """Tell whether ``request`` may be made conditional or answered from a capture."""
        return request.method == "GET" and bool(request.meta.get(CONDITIONAL, self.conditional))

    def _cached_links(
        self, request: Request, stored_posts: dict[str, str]
    ) -> dict[str, Any] | None:
        """Return what the spider found on this payload before, if the body is not needed.

        The body is needed (and read from the capture) when the page yields a post that is
        not stored: an extraction that failed before, or a post lost to a killed run.
        """
        key, digest = request.meta.get(LINKS_KEY), request.meta.get(PAYLOAD_DIGEST)
        if not key or not digest:
            return None
        cached = self.lookup.page_links(canonicalize_url(request.url), str(digest), str(key))
        if cached is None or any(url not in stored_posts for url in cached.get("yields", [])):
            return None
        return cached
