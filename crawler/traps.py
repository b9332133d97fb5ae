"""Crawler traps: rules that end a crawl of a hostile or broken site, whatever its links.

An infinite calendar, a ``?page=N`` that never runs out, session ids in every link and
relative links that grow the path (``/a/b/a/b/...``) all look like new pages forever. The
rules here are mechanisms, not lists of bad URLs:

- *Dead-end URL patterns.* A page's pattern is its host and path with every run of digits
  as ``N`` and its query's names without values (``/cal/N/N/``, ``/archive/?m``). A page is
  a dead end when its parse yielded no item and no link outside its own pattern. After
  ``BLOGARCHIVE_PATTERN_LIMIT`` dead ends a pattern is closed: its links are no longer
  followed, and requests for it already queued are dropped. A pattern whose pages keep
  yielding posts or new kinds of links (pagination, ``?p=N`` permalinks) stays open.
- *Path shape.* More than ``BLOGARCHIVE_MAX_PATH_SEGMENTS`` segments, or a run of
  segments repeated more than ``BLOGARCHIVE_MAX_SEGMENT_REPEATS`` times in a row
  (Heritrix's ``PathologicalPathDecideRule``, extended to runs: ``/a/b/a/b/a/b/``).
- *Page budget.* At most ``BLOGARCHIVE_PAGE_BUDGET`` requests discovered per source.

Each rule reports its first drop per source and pattern as a ``CrawlError`` (stage
``limit``) and counts every drop in the stats (``blogarchive/limit/<rule>``), which the
summary line reads. Setting a limit to 0 turns that rule off (the tests do, to show the
trap it stops).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.items import CrawlError, PageLinks
from crawler.meta import ANSWERED, CONTENT, EXPECT, SETTLE_LATE, SOURCE
from crawler.outcome import STAT_LIMIT_PREFIX
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DIGITS = re.compile(r"\d+")
BUDGET, PATTERN, PATH_DEPTH, PATH_REPEAT = "budget", "pattern", "path-depth", "path-repeat"


def url_pattern(url: str) -> str:
    """Return the URL's pattern: host, path with digit runs as ``N``, sorted query names."""
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    pattern = parts.netloc.lower() + DIGITS.sub("N", parts.path or "/")
    return pattern + ("?" + "&".join(names) if names else "")


def repeated_run(segments: list[str], max_repeats: int) -> list[str] | None:
    """Return a run of segments that occurs more than ``max_repeats`` times in a row."""
    count = len(segments)
    for size in range(1, count // (max_repeats + 1) + 1):
        for start in range(count - size * (max_repeats + 1) + 1):
            run = segments[start : start + size]
            if all(
                segments[start + k * size : start + (k + 1) * size] == run
                for k in range(1, max_repeats + 1)
            ):
                return run
    return None


class TrapRules:
    """The limits of one crawl and what they dropped so far (shared by both middlewares)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.budget = settings.getint("BLOGARCHIVE_PAGE_BUDGET")
        self.pattern_limit = settings.getint("BLOGARCHIVE_PATTERN_LIMIT")
        self.max_segments = settings.getint("BLOGARCHIVE_MAX_PATH_SEGMENTS")
        self.max_repeats = settings.getint("BLOGARCHIVE_MAX_SEGMENT_REPEATS")
        self.scheduled: Counter[str] = Counter()
        self.dead_ends: Counter[str] = Counter()
        self.closed: set[str] = set()
        self.reported: set[tuple[str, str, str]] = set()

    def path_rule(self, url: str) -> tuple[str, str] | None:
        """Return (rule, reason) when the URL's path is too deep or repeats itself."""
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if self.max_segments and len(segments) > self.max_segments:
            return PATH_DEPTH, (
                f"path has {len(segments)} segments, more than BLOGARCHIVE_MAX_PATH_SEGMENTS="
                f"{self.max_segments}"
            )
        if self.max_repeats and (run := repeated_run(segments, self.max_repeats)):
            return PATH_REPEAT, (
                f"path repeats /{'/'.join(run)}/ more than BLOGARCHIVE_MAX_SEGMENT_REPEATS="
                f"{self.max_repeats} times in a row"
            )
        return None

    def drop(self, request: Request, rule: str, reason: str, key: str) -> CrawlError | None:
        """Count a dropped request; return an error to record if it is the first of its kind."""
        source = str(request.meta.get(SOURCE, ""))
        self.stats.inc_value(f"blogarchive/limit/{rule}")
        self.stats.inc_value(f"blogarchive/limit/{rule}/{source}")
        if (source, rule, key) in self.reported:
            return None
        self.reported.add((source, rule, key))
        logger.warning("%s: %s; not followed: %s", source, reason, request.url)
        return CrawlError(url=request.url, stage="limit", message=reason, source=source)

    def dead_end(self, response: Response) -> CrawlError | None:
        """Count a page that led nowhere new; close its pattern at the limit."""
        pattern = url_pattern(response.url)
        self.dead_ends[pattern] += 1
        if not self.pattern_limit or self.dead_ends[pattern] != self.pattern_limit:
            return None
        self.closed.add(pattern)
        self.stats.inc_value("blogarchive/limit/patterns_closed")
        request = response.request or Request(response.url, meta=response.meta)
        return self.drop(
            request,
            PATTERN,
            f"URL pattern {pattern} closed: {self.pattern_limit} of its pages found nothing"
            " new (BLOGARCHIVE_PATTERN_LIMIT)",
            pattern,
        )


class TrapGuard:
    """Spider middleware: follow a page's links only within the crawl's trap rules."""

    def __init__(self, crawler: Crawler) -> None:
        self.rules = TrapRules(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapGuard:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Drop links the rules refuse; count the page as a dead end if it led nowhere new."""
        led_somewhere = False
        for obj in result:
            kept, new = self._check(response, obj)
            led_somewhere |= new
            if kept is not None:
                yield kept
        yield from self._finish(response, led_somewhere)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """The same for asynchronous callbacks and middlewares."""
        led_somewhere = False
        async for obj in result:
            kept, new = self._check(response, obj)
            led_somewhere |= new
            if kept is not None:
                yield kept
        for error in self._finish(response, led_somewhere):
            yield error

    def _check(self, response: Response, obj: Any) -> tuple[Any, bool]:
        """Return (what to pass on, whether it is something new beyond the page's pattern)."""
        if not isinstance(obj, Request):
            # An error or a page's own links record says nothing about where the page leads.
            return obj, not isinstance(obj, (CrawlError, PageLinks))
        source = obj.meta.get(SOURCE)
        if source is None:
            return obj, False
        if obj.meta.get(SETTLE_LATE):
            # The spider asks for the page again later (crawler.pages.settle): not a dead end,
            # and the page was already let through once.
            return obj, True
        rules = self.rules
        if found := rules.path_rule(obj.url):
            return rules.drop(obj, found[0], found[1], found[0]), False
        pattern = url_pattern(obj.url)
        if pattern in rules.closed:
            rules.stats.inc_value(f"blogarchive/limit/{PATTERN}")
            return None, False
        if rules.budget and rules.scheduled[source] >= rules.budget:
            reason = (
                f"page budget reached: {rules.budget} requests for source {source!r}"
                " (BLOGARCHIVE_PAGE_BUDGET)"
            )
            # The run is partial, and says which budget (crawler.outcome).
            rules.stats.set_value(
                STAT_LIMIT_PREFIX + str(source),
                f"page budget of {rules.budget} requests reached (BLOGARCHIVE_PAGE_BUDGET)",
            )
            return rules.drop(obj, BUDGET, reason, ""), False
        rules.scheduled[source] += 1
        return obj, pattern != url_pattern(response.url)

    def _finish(self, response: Response, led_somewhere: bool) -> Iterator[CrawlError]:
        if led_somewhere or not isinstance(response, Response):
            return
        if response.meta.get(EXPECT) != CONTENT or SOURCE not in response.meta:
            return
        error = self.rules.dead_end(response)
        if error is not None:
            yield error


class TrapGate:
    """Downloader middleware: apply the trap rules to queued requests and redirects.

    Requests queued before their pattern closed, and redirects (which never pass the spider
    middlewares), are checked here. It also marks every request that got an answer
    (``meta[ANSWERED]``), so that the spider records a refused answer (too big, too many
    redirects, a redirect off the site) as an error, unlike a request refused unsent.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._rules: TrapRules | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapGate:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    @property
    def rules(self) -> TrapRules | None:
        if self._rules is None:
            guard = self.crawler.get_spider_middleware(TrapGuard)
            self._rules = guard.rules if guard is not None else None
        return self._rules

    def process_request(self, request: Request) -> None:
        """Raise IgnoreRequest for a request whose pattern closed or whose path is a trap."""
        rules = self.rules
        if rules is None or SOURCE not in request.meta:
            return
        if url_pattern(request.url) in rules.closed and not request.meta.get(SETTLE_LATE):
            rules.stats.inc_value(f"blogarchive/limit/{PATTERN}")
            raise IgnoreRequest(f"{request.url}: its URL pattern was closed as a trap")
        if found := rules.path_rule(request.url):
            rules.drop(request, found[0], found[1], found[0])
            raise IgnoreRequest(f"{request.url}: {found[1]}")

    def process_response(self, request: Request, response: Response) -> Response:
        """Mark the request as answered; refuse a redirect back to a URL of its own chain.

        Scrapy's RedirectMiddleware would schedule it and the duplicate filter drop it
        silently, so a page that only redirects in a circle would leave no trace.
        """
        request.meta[ANSWERED] = response.status
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = canonicalize_url(urljoin(request.url, location.decode("latin-1")))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in {canonicalize_url(url) for url in chain}:
                hops = " -> ".join([*chain, target])
                raise IgnoreRequest(f"redirect loop: {hops}")
        return response
