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
- *Query names that canonicalise away* (:class:`QueryCopies`). Blogger links every comment
  as ``POST?showComment=N#cN``, a copy of the post whose ``rel=canonical`` is the bare post
  URL; a 100,000-post crawl spent a sixth of its extractions on them. Per host, a content
  page whose URL carries query name ``Q`` is an example when its ``rel=canonical`` is its
  own URL without ``Q`` (and perhaps without other names: same path, none of its pairs
  added) and it is not a listing (a listing's ``?offset=`` or ``?page=`` shows other posts
  even when a theme names page 1 canonical); any other page with ``Q`` (no canonical, one
  that keeps ``Q`` or names another page, a listing) is a counter-example and opens ``Q``
  on that host for the rest of the crawl. After ``BLOGARCHIVE_QUERY_COPY_LIMIT`` examples
  and no counter-example, links with ``Q`` on that host are followed without it: dropped
  when the URL without ``Q`` was requested already, else requested as that URL (so no
  post is lost even when only a ``Q`` link leads to it), also for requests already queued.
  Names the project knows to select content (``crawler.urls.CONTENT_PARAMS``: ``p``,
  ``page``, ``paged``, ...) are never learned; tracking names (``utm_*``, ``replytocom``,
  ...) never reach here (:func:`crawler.urls.canonicalize_url` drops them). What is kept:
  at most ``MAX_QUERY_NAMES`` counters a host. Each crawl learns anew; a re-crawl learns
  from the pages with ``Q`` the earlier runs kept, answered from their links records (the
  URL their post was stored under stands for their canonical); so that these go first, a
  request whose name is undecided and that no earlier run captured is sent to the back of
  the queue once, and is usually dropped when it comes back. In a fleet each crawler
  learns for itself: at most the limit plus the requests in flight per crawler, host and
  name.

Each rule reports its first drop per source and pattern as a ``CrawlError`` (stage
``limit``) and counts every drop in the stats (``blogarchive/limit/<rule>``), which the
summary line reads. A query name learned loses no page, so it is no error: it is logged,
and counted (``blogarchive/limit/query_names``, ``blogarchive/limit/query``). Setting a
limit to 0 turns that rule off (the tests do, to show the trap it stops).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.history import history_of
from crawler.items import CrawlError, PageLinks
from crawler.meta import (
    ANSWERED,
    CONTENT,
    EXPECT,
    PAGE_KIND,
    QUERY_DEFERRED,
    SETTLE_LATE,
    SOURCE,
    STORED_POSTS,
)
from crawler.outcome import STAT_LIMIT_PREFIX
from crawler.urls import CONTENT_PARAMS, canonicalize_url, netloc, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DIGITS = re.compile(r"\d+")
BUDGET, PATTERN, PATH_DEPTH, PATH_REPEAT = "budget", "pattern", "path-depth", "path-repeat"
QUERY = "query"
# Query names whose examples a host's counters keep, at most: a site whose links carry more
# names (facets, filters) learns the first ones only.
MAX_QUERY_NAMES = 32
REFUTED = -1  # a query name a page showed to matter on its host
# How far back a request with an undecided query name and no capture goes in the queue.
DEFERRED_PRIORITY = 1000


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


def _key_parts(url: str) -> tuple[str, set[str]]:
    """Return a URL's key without its query, and its query's ``name=value`` pairs."""
    key, _, query = url_key(url).partition("?")
    return key, {pair for pair in query.split("&") if pair}


def _name(pair: str) -> str:
    return pair.split("=", 1)[0]


class QueryCopies:
    """Per host, the query names whose pages are copies of the URL without them.

    ``limit`` examples and no counter-example close a name (see the module's docstring).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # host -> query name -> examples so far (``limit``: closed; REFUTED: open for good).
        self.hosts: dict[str, dict[str, int]] = {}
        self.closing: set[str] = set()  # hosts with a name closed

    def to_learn(self, url: str) -> bool:
        """Tell whether a page at ``url`` would teach something: a query name still undecided."""
        if not self.limit or "?" not in url:
            return False
        _, pairs = _key_parts(url)
        names = self.hosts.get(netloc(url), {})
        return any(self._undecided(names, _name(pair)) is not None for pair in pairs)

    def _undecided(self, names: dict[str, int], name: str) -> int | None:
        """Return the examples so far of a query name still to learn on a host; else None.

        None for a name that selects content, one closed or refuted, and a name not yet
        counted when the host's counters are full.
        """
        if name.lower() in CONTENT_PARAMS:
            return None
        state = names.get(name)
        if state is None:
            return 0 if len(names) < MAX_QUERY_NAMES else None
        return state if 0 <= state < self.limit else None

    def observe(self, url: str, canonical: str | None, listing: bool) -> list[str]:
        """Weigh a page fetched at ``url``; return the query names it closed on its host.

        ``canonical``: the page's rel=canonical (None: it declares none); ``listing``: the
        crawl took the page for a listing (not for a post with a pager: Blogger's post pages
        link the older post as their next page).
        """
        path, pairs = _key_parts(url)
        host = netloc(url)
        if canonical is not None and netloc(canonical) == host:
            canonical_path, canonical_pairs = _key_parts(canonical)
        else:
            canonical_path, canonical_pairs = None, set()
        kept = {_name(pair) for pair in canonical_pairs}
        copy = not listing and canonical_path == path and canonical_pairs <= pairs
        names = self.hosts.setdefault(host, {})
        closed = []
        for name in sorted({_name(pair) for pair in pairs}):
            state = self._undecided(names, name)
            if state is None:
                continue
            state = state + 1 if copy and name not in kept else REFUTED
            names[name] = state
            if state == self.limit:
                closed.append(name)
                self.closing.add(host)
        return closed

    def bare(self, url: str) -> str | None:
        """Return ``url`` (canonical) without the query names closed on its host; None if none."""
        if not self.closing or "?" not in url:
            return None  # most links: no work, whatever the crawl learned
        names = self.hosts.get(netloc(url))
        if not names or not self.limit:
            return None
        canonical = canonicalize_url(url)
        parts = urlsplit(canonical)
        if not parts.query:
            return None
        pairs = parts.query.split("&")
        kept = [pair for pair in pairs if names.get(_name(pair), 0) < self.limit]
        if len(kept) == len(pairs):
            return None
        return urlunsplit(parts._replace(query="&".join(kept)))


class TrapRules:
    """The limits of one crawl and what they dropped so far (shared by both middlewares)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.budget = settings.getint("BLOGARCHIVE_PAGE_BUDGET")
        self.pattern_limit = settings.getint("BLOGARCHIVE_PATTERN_LIMIT")
        self.max_segments = settings.getint("BLOGARCHIVE_MAX_PATH_SEGMENTS")
        self.max_repeats = settings.getint("BLOGARCHIVE_MAX_SEGMENT_REPEATS")
        self.copies = QueryCopies(settings.getint("BLOGARCHIVE_QUERY_COPY_LIMIT"))
        self.crawler = crawler
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

    def without_copies(self, request: Request) -> Request | None:
        """Return the request without the query names closed on its host; None: drop it.

        None when the URL without them was requested already (the spider's ``requested``),
        else a request for that URL; ``request`` itself when none of its names is closed.
        """
        if request.meta.get(EXPECT) != CONTENT or request.meta.get(SETTLE_LATE):
            return request
        bare = self.copies.bare(request.url)
        if bare is None:
            return request
        self.stats.inc_value(f"blogarchive/limit/{QUERY}")
        if bare in getattr(self.crawler.spider, "requested", ()):
            return None
        return request.replace(url=bare)

    def defer(self, request: Request) -> Request | None:
        """Return the request sent to the back of the queue, if it should wait; else None.

        It should when its query name is undecided on its host and no earlier run captured
        it: pages that were captured, answered from their links records, teach the same at
        no cost (a re-crawl would otherwise extract the copies the first run left out).
        """
        if request.meta.get(EXPECT) != CONTENT or request.meta.get(SETTLE_LATE):
            return None
        if request.meta.get(QUERY_DEFERRED) or not self.copies.to_learn(request.url):
            return None
        if history_of(self.crawler).validators(request.url) is not None:
            return None
        self.stats.inc_value(f"blogarchive/limit/{QUERY}_deferred")
        return request.replace(
            priority=request.priority - DEFERRED_PRIORITY,
            dont_filter=True,
            meta={**request.meta, QUERY_DEFERRED: True},
        )

    def learn(self, response: Response) -> None:
        """Weigh a content page whose URL has a query name undecided on its host."""
        kind = response.meta.get(PAGE_KIND)
        if kind is None or not isinstance(response, TextResponse) or response.status != 200:
            return
        if not self.copies.to_learn(response.url):
            return
        if response.body:
            href = (
                response.xpath("//head/link[@rel='canonical']/@href").get()
                or response.xpath("//link[@rel='canonical']/@href").get()
            )
            canonical = urljoin(response.url, href.strip()) if href else None
        else:
            # Answered from its links record (an unchanged page of a re-crawl): the URL the
            # archive stored its post under is the canonical an earlier run read. Without
            # one, the page says nothing either way.
            stored = response.meta.get(STORED_POSTS) or {}
            canonical = stored.get(canonicalize_url(response.url))
            if canonical is None:
                return
        for name in self.copies.observe(response.url, canonical, kind == "listing"):
            self.stats.inc_value(f"blogarchive/limit/{QUERY}_names")
            logger.info(
                "%s: query name %r canonicalises away (%d pages with it named the URL without"
                " it canonical, none kept it; BLOGARCHIVE_QUERY_COPY_LIMIT): its links are"
                " followed without it",
                netloc(response.url),
                name,
                self.copies.limit,
            )

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
        obj = rules.without_copies(obj)
        if obj is None:
            return None, False
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
        if not isinstance(response, Response) or response.meta.get(EXPECT) != CONTENT:
            return
        if SOURCE not in response.meta:
            return
        self.rules.learn(response)
        if led_somewhere:
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


class QueryCopyGate:
    """Downloader middleware: queued requests with a query name learned to canonicalise away.

    Such a request is dropped, or scheduled again without the name
    (:meth:`TrapRules.without_copies`); one whose name is undecided may be sent to the back
    of the queue once (:meth:`TrapRules.defer`). Before the page count (SourceScopeMiddleware),
    so that what it drops is not counted as a page fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.gate = TrapGate(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QueryCopyGate:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        """Return the request to schedule instead, or raise IgnoreRequest to drop it."""
        rules = self.gate.rules
        if rules is None or SOURCE not in request.meta:
            return None
        bare = rules.without_copies(request)
        if bare is None:
            raise IgnoreRequest(f"{request.url}: a copy of a page requested already")
        if bare is not request:
            return bare
        return rules.defer(request)
