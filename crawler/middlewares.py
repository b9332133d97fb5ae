"""Downloader middlewares: stay on each source's hosts, honour Crawl-delay and Retry-After."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from crawler.addresses import AddressRefused, refused_address
from crawler.meta import CONTENT, COUNTED, EXPECT, SCOPE_EXEMPT, SOURCE
from crawler.outcome import STAT_LIMIT_PREFIX
from crawler.urls import netloc

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


class SourceScopeMiddleware:
    """Drop requests off their source's hosts (host:port), beyond its max_pages, or to a host
    that could not be reached.

    Replaces Scrapy's OffsiteMiddleware, which compares host names only: the demo serves
    different blogs on different ports of 127.0.0.1. Redirects keep ``meta[SOURCE]``, so a
    redirect off the blog is dropped here too.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceScopeMiddleware:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Raise IgnoreRequest for off-host requests and pages over the source's cap."""
        spider: Any = self.crawler.spider
        sources = getattr(spider, "sources", None)
        name = request.meta.get(SOURCE)
        if not sources or name not in sources:
            return
        source = sources[name]
        stats = self.crawler.stats
        if not request.meta.get(SCOPE_EXEMPT) and not source.allows(request.url):
            stats.inc_value("blogarchive/offsite_filtered")
            raise IgnoreRequest(f"{request.url} is not on the hosts of source {name!r}")
        if not source.allows(request.url):
            refused = refused_address(netloc(request.url), spider.source_hostnames)
            if refused is not None:
                stats.inc_value("blogarchive/address_refused")
                raise AddressRefused(refused)
        if netloc(request.url) in getattr(spider, "unreachable_hosts", ()):
            stats.inc_value("blogarchive/unreachable_skipped")
            raise IgnoreRequest(f"{netloc(request.url)} cannot be reached")
        if request.meta.get(EXPECT) != CONTENT or request.meta.get(COUNTED):
            return
        # Counted when sent, not when answered, so concurrency cannot overshoot the cap;
        # the flag travels with retries and redirects (request.copy/replace keep meta).
        if not spider.count_page(source):
            stats.inc_value("blogarchive/max_pages_dropped")
            stats.set_value(f"{STAT_LIMIT_PREFIX}{name}", f"max_pages={source.max_pages} reached")
            raise IgnoreRequest(f"source {name!r} reached max_pages={source.max_pages}")
        request.meta[COUNTED] = True
        stats.inc_value("blogarchive/page_requests")


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, where every request waiting for a host's robots.txt
    gets its rules.

    In Scrapy 2.19 the first request to a host fetches robots.txt and the others await the
    same Deferred as a Future, which hands its result to the first awaiter only (Twisted's
    ``Deferred.asFuture`` consumes it): every other request waiting at that moment went
    out with no rules at all (scrapy/scrapy#6802 made that change; its review notes the
    path is untested). One process rarely had two requests waiting (the spider holds its
    pages until robots.txt is read); a crawler of a fleet takes many pages of a host from
    the shared frontier at once, and fetched disallowed pages.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._read: dict[str, asyncio.Event] = {}

    async def robot_parser(self, request: Request) -> Any:
        """Return the host's rules, waiting with the others while robots.txt is fetched."""
        netloc = urlparse_cached(request).netloc
        if isinstance(self._parsers.get(netloc), Deferred):
            await self._read.setdefault(netloc, asyncio.Event()).wait()
            return self._parsers[netloc]
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        self._read.setdefault(netloc, asyncio.Event()).set()

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        super()._robots_error(exc, netloc)
        self._read.setdefault(netloc, asyncio.Event()).set()


class FleetRobotsTxtMiddleware(SharedRobotsTxtMiddleware):
    """The robots.txt middleware of a fleet's crawler: each host's robots.txt fetched once a fleet.

    The first crawler to need a host's rules claims its robots.txt in Redis, fetches it and
    leaves the answer there (status and body, or that the fetch failed); the others wait for
    it (or take the claim over if the claimer's heartbeat stopped) and parse the same body.
    Each crawler still sends ``robots_parsed``, so Crawl-delay applies in every downloader.
    ``BLOGARCHIVE_FLEET_SHARED_ROBOTS=False``: every crawler fetches it (only to compare).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.board: Any = None
        settings = crawler.settings
        shared = settings.getbool("BLOGARCHIVE_FLEET_SHARED_ROBOTS")
        if settings.get("BLOGARCHIVE_REDIS") and shared:
            from crawler.fleet import RobotsBoard, connect

            claim_ttl = settings.getfloat("DOWNLOAD_TIMEOUT") + 30
            self.board = RobotsBoard(
                connect(settings["BLOGARCHIVE_REDIS"]), settings["BLOGARCHIVE_FLEET_ID"], claim_ttl
            )

    async def robot_parser(self, request: Request) -> Any:
        """Return the host's rules, from the fleet's one fetch of its robots.txt."""
        netloc = urlparse_cached(request).netloc
        if self.board is None or netloc in self._parsers:
            return await super().robot_parser(request)
        self._parsers[netloc] = Deferred()
        parts = urlparse_cached(request)
        url = f"{parts.scheme}://{netloc}/robots.txt"
        try:
            answer = await self.board.answer(url, lambda: self._fetch(url))
        except Exception as exc:
            if not isinstance(exc, IgnoreRequest):
                logger.error("Error downloading %s: %s", url, exc)
            self._robots_error(exc, netloc)
        else:
            if answer is None:  # the fetch failed in the crawler that made it
                self._robots_error(IgnoreRequest(f"{url}: not read"), netloc)
            else:
                status, body = answer
                response = Response(url, status=status, body=body, request=Request(url))
                await self._parse_robots(response, netloc, request)
        return self._parsers[netloc]

    async def _fetch(self, url: str) -> tuple[int, bytes]:
        robots = Request(
            url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        engine = self.crawler.engine
        assert engine is not None
        response = await engine.download_async(robots)
        self._stats.inc_value("robotstxt/request_count")
        return response.status, response.body


class CrawlDelayMiddleware:
    """Apply robots.txt ``Crawl-delay`` (for our user agent) to the host's download slot.

    Scrapy parses robots.txt in RobotsTxtMiddleware but ignores Crawl-delay; its
    ``robots_parsed`` signal fires before the first request to the host is let through, so
    the delay is in place for every page. AutoThrottle lowers slot delays after each
    response; the floor is re-applied on ``response_downloaded`` (connected after
    AutoThrottle's handler) so the next request still waits.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent: str = (
            crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings["USER_AGENT"]
        )
        self.floors: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Record the host's Crawl-delay and apply it to its slot."""
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay or delay <= 0:
            return
        downloader = self.crawler.engine.downloader
        keys = {downloader.get_slot_key(request), request.meta.get("download_slot")}
        keys |= {netloc(request.url)}
        for key in filter(None, keys):
            self.floors[key] = max(self.floors.get(key, 0.0), delay)
            # New slots (and slots re-created after idle GC) read their delay from here.
            entry = downloader.per_slot_settings.setdefault(key, {})
            entry["delay"] = max(float(entry.get("delay", 0.0)), delay)
            entry["jitter"] = 0.0
            self._floor(key)
        self.crawler.stats.set_value("blogarchive/crawl_delay_max", max(self.floors.values()))
        logger.info("Crawl-delay %.2fs for %s", delay, netloc(request.url))

    def response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        """Re-apply the Crawl-delay floor after AutoThrottle adjusted the slot."""
        key = request.meta.get("download_slot")
        if key in self.floors:
            self._floor(key)

    def _floor(self, key: str) -> None:
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, self.floors[key])
            # Jitter would let half the gaps fall below the delay robots.txt asked for.
            slot.jitter = 0.0


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks us to wait (delta-seconds or HTTP-date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Retry 429/503 answers that carry Retry-After no sooner than the server asked.

    Scrapy's RetryMiddleware retries them at once; this one (placed before it on the
    response path) waits without blocking the reactor, capped by
    ``BLOGARCHIVE_MAX_RETRY_AFTER``, and shares RetryMiddleware's ``retry_times`` counter.
    """

    STATUSES = (429, 503)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("BLOGARCHIVE_MAX_RETRY_AFTER")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        """Build the middleware for ``crawler``."""
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Wait Retry-After seconds, then return the request again; give up after RETRY_TIMES."""
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        wait = min(wait, self.max_wait)
        spider = self.crawler.spider
        assert spider is not None  # responses only flow while a spider is open
        retry = get_retry_request(
            request,
            spider=spider,
            reason=f"{response.status} Retry-After",
            stats_base_key="blogarchive/retry_after",
        )
        if retry is None:
            # RetryMiddleware would retry at once; the spider's errback records the failure.
            request.meta["dont_retry"] = True
            return response
        logger.info("Retry-After %.1fs for %s (status %d)", wait, request.url, response.status)
        # Imported here: importing the reactor at module level would install Twisted's default
        # one before Scrapy installs the asyncio reactor.
        from twisted.internet import reactor

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return retry
