"""One crawler process of a fleet: the spider's shared memory, leases, liveness and the end.

:class:`FleetMember` (a Scrapy extension) ends each lease once its request was parsed and
its items processed, sends items, captures and page links to the writer's stream, keeps
the crawler's heartbeat, pauses the engine while the writer is behind (back-pressure),
puts dead crawlers' requests back, and decides with the others when the crawl is over:
the frontier empty, no request leased anywhere, the start requests queued and the
archive's unreached posts re-checked once, by one crawler.

:class:`FleetSpider` is the blog spider with what one process kept in memory and a fleet
must share: series memberships and which robots.txt files were read.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import pickle
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from crawler.fleet import (
    OUTBOX_KEY,
    PAGES_KEY,
    REFUSED,
    ROBOTS_KEY,
    SERIES_KEY,
    STATE_KEY,
    STATS_KEY,
    Fleet,
    FleetError,
    alive_key,
)
from crawler.items import Capture
from crawler.meta import FLEET_LEASE
from crawler.outcome import (
    LIMIT_REASONS,
    STAT_LIMIT_PREFIX,
    STAT_SOURCES,
    STAT_UNREACHABLE_PREFIX,
)
from crawler.shared_frontier import SharedFrontier, current_lease
from crawler.spiders.blog import BlogSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from crawler.sources import Source

logger = logging.getLogger(__name__)

TICK = 0.05  # seconds between wake-ups of an engine with room for requests
BACKLOG_EVERY = 0.25  # seconds between looks at the writer's backlog (back-pressure)
STAT_FLEET_ERROR = "blogarchive/fleet_error"
# Stats every crawler sets to the same value: kept once, not summed.
SHARED_STATS = frozenset({STAT_SOURCES})


# KEYS: pages sent per source. ARGV: source, its max_pages. 1: counted; 0: the cap is reached.
COUNT_PAGE = """
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1
"""


def message(item: Any) -> bytes:
    """Return one outbox message: an item (plain data: a record, capture, page's links...)."""
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


class FleetSpider(BlogSpider):
    """The blog spider for a fleet: one crawler queues the start requests for all.

    Series memberships (which series pages list a post) are kept in Redis, since the post
    may be fetched by another crawler than its series page; and the robots.txt files read
    by any crawler release the seeder's wait for them.
    """

    fleet: Fleet

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources_full: set[str] = set()  # max_pages used up by the fleet (it only fills)

    async def start(self) -> AsyncIterator[Any]:
        """Queue the start requests if this crawler is the first; else only get ready."""
        self.fleet = self.crawler.fleet  # type: ignore[attr-defined]
        client = self.fleet.client
        if not client.hsetnx(STATE_KEY, "seeder", self.crawler.settings["BLOGARCHIVE_FLEET_ID"]):
            self._apply_politeness()
            self._allow_source_addresses()
            self.crawler.stats.set_value(STAT_SOURCES, len(self.sources))
            return
        watch = asyncio.ensure_future(self._watch_robots())
        try:
            async for request in super().start():
                yield request
        finally:
            watch.cancel()
        client.hset(STATE_KEY, "seeded", "1")

    def seed_again(self) -> int:
        """Queue every start request (the seeder died before it finished); return how many."""
        self._allow_source_addresses()
        count = 0
        for source in self.sources.values():
            for request in self._start_requests(source):
                self.crawler.engine.crawl(request)
                count += 1
        return count

    async def _watch_robots(self) -> None:
        while True:
            done = {m.decode() for m in self.fleet.client.smembers(ROBOTS_KEY)}
            for url, event in self.robots_read.items():
                if url in done:
                    event.set()
            await asyncio.sleep(0.05)

    def _robots_done(self, url: str) -> None:
        super()._robots_done(url)
        self.fleet.client.sadd(ROBOTS_KEY, url)

    def source_full(self, source: Source) -> bool:
        """Tell whether the fleet has sent the source's max_pages pages."""
        if source.max_pages is None:
            return False
        if source.name in self.sources_full:
            return True
        sent = int(self.fleet.client.hget(PAGES_KEY, source.name) or 0)
        if sent >= source.max_pages:
            self.sources_full.add(source.name)
            return True
        return False

    def count_page(self, source: Source) -> bool:
        """Count one page against the source's max_pages for the whole fleet."""
        if source.max_pages is None:
            self.pages_sent[source.name] += 1
            return True
        if source.name in self.sources_full:
            return False
        if not self._count_page(keys=[PAGES_KEY], args=[source.name, source.max_pages]):
            self.sources_full.add(source.name)
            return False
        self.pages_sent[source.name] += 1
        return True

    @functools.cached_property
    def _count_page(self) -> Any:
        return self.fleet.client.register_script(COUNT_PAGE)

    def remember_series_member(self, post_url: str, member: tuple[str, str]) -> None:
        """Note that series page ``member`` lists ``post_url``, for every crawler."""
        client = self.fleet.client
        raw = client.hget(SERIES_KEY, post_url)
        members = json.loads(raw) if raw else []
        if list(member) not in members:
            members.append(list(member))
            client.hset(SERIES_KEY, post_url, json.dumps(members))

    def series_members_of(self, post_url: str) -> list[tuple[str, str]]:
        """Return the (series name, series page URL) pairs any crawler saw list ``post_url``."""
        raw = self.fleet.client.hget(SERIES_KEY, post_url)
        return [(name, url) for name, url in json.loads(raw)] if raw else []

    def recheck_when_idle(self) -> None:
        """Re-check only when the whole fleet is idle (FleetMember calls :meth:`fleet_recheck`)."""

    def fleet_recheck(self) -> int:
        """Queue the archived posts no crawler reached; return how many."""
        with contextlib.suppress(DontCloseSpider):
            BlogSpider.recheck_when_idle(self)
        return int(self.crawler.stats.get_value("blogarchive/rechecked", 0))


class FleetMember:
    """A Scrapy extension that makes this crawler one of a fleet (see the module docstring).

    Settings: ``BLOGARCHIVE_REDIS`` (the crawl's Redis URL; empty: not a fleet),
    ``BLOGARCHIVE_FLEET_ID`` (this crawler's name), ``BLOGARCHIVE_FLEET_TIMEOUT`` (seconds
    without a heartbeat before a crawler counts as dead), ``BLOGARCHIVE_OUTBOX_MAX`` (the
    stream length at which crawlers pause until the writer catches up).
    """

    def __init__(self, crawler: Crawler, fleet: Fleet) -> None:
        self.crawler = crawler
        self.fleet = fleet
        settings = crawler.settings
        self.crawler_id: str = settings["BLOGARCHIVE_FLEET_ID"]
        self.timeout = settings.getfloat("BLOGARCHIVE_FLEET_TIMEOUT")
        self.outbox_max = settings.getint("BLOGARCHIVE_OUTBOX_MAX")
        self.frontier: SharedFrontier | None = None
        self.paused = False
        self.closing = False
        self.last_check = 0.0
        self.last_backlog = 0.0
        self.backlog = 0
        self.ticker = LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetMember:
        """Join the crawl at ``BLOGARCHIVE_REDIS``; NotConfigured without one."""
        url = crawler.settings.get("BLOGARCHIVE_REDIS")
        if not url:
            raise NotConfigured("not a fleet crawl")
        fleet = Fleet.join(url)
        crawler.fleet = fleet  # type: ignore[attr-defined]
        member = cls(crawler, fleet)
        connect = crawler.signals.connect
        connect(member.spider_opened, signal=signals.spider_opened)
        connect(member.spider_idle, signal=signals.spider_idle)
        connect(member.spider_closed, signal=signals.spider_closed)
        connect(member.item_scraped, signal=signals.item_scraped)
        return member

    # -- leases --------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Find the frontier, end each lease when its response was processed, start ticking."""
        engine = self.crawler.engine
        assert engine is not None
        scheduler = engine._slot.scheduler if engine._slot else None
        if not isinstance(scheduler, SharedFrontier):
            raise NotConfigured(
                "FleetMember needs SCHEDULER = crawler.shared_frontier.SharedFrontier"
            )
        self.frontier = scheduler
        scraper = engine.scraper
        enqueue_scrape = scraper.enqueue_scrape

        # Scrapy has no signal for "this response's callback output and its items are
        # done"; the Deferred that enqueue_scrape returns fires exactly then.
        def scrape_then_release(result: Any, request: Request) -> Any:
            d = enqueue_scrape(result, request)
            d.addBoth(self._finished, request)
            return d

        scraper.enqueue_scrape = scrape_then_release  # type: ignore[method-assign]
        self.ticker.start(TICK, now=False)

    def _finished(self, value: Any, request: Request) -> Any:
        lease = request.meta.pop(FLEET_LEASE, None)
        if lease is not None and self.frontier is not None:
            self.frontier.release(lease)
        return value

    def item_scraped(self, item: Any, response: Any, **_: Any) -> None:
        """Hold the item for the writer until its request's lease ends."""
        self._hold(response, message(item))

    def _hold(self, response: Any, data: bytes) -> None:
        request = getattr(response, "request", None)
        meta = request.meta if request is not None else {}
        assert self.frontier is not None
        self.frontier.hold(meta.get(FLEET_LEASE), data)

    # -- liveness, back-pressure, wake-ups -----------------------------------------------------

    def tick(self) -> None:
        """Check Redis still has the crawl, apply back-pressure, wake an idle engine."""
        if self.closing:
            return
        engine = self.crawler.engine
        try:
            if time.monotonic() - self.last_check > 1.0:
                self.last_check = time.monotonic()
                self.fleet.check()
                limit, refused = self.fleet.client.hmget(STATE_KEY, "limit", REFUSED)
                if refused is not None:
                    # The writer takes nothing more: crawling on would fill the outbox for
                    # nobody. The requests held go back to the frontier for a later writer.
                    self._stop(f"the writer stopped: {refused.decode()}", "archive_error")
                    return
                if limit is not None:
                    # Another crawler reached the fleet's budget: the crawl ends for all.
                    self._close(limit.decode())
                    return
            backlog = self.backlog
            if time.monotonic() - self.last_backlog > BACKLOG_EVERY:
                self.last_backlog = time.monotonic()
                backlog = self.backlog = int(self.fleet.client.xlen(OUTBOX_KEY))
        except FleetError as exc:
            self._stop(str(exc))
            return
        except Exception as exc:  # redis.RedisError and socket errors alike
            self._stop(f"{self.fleet.url}: Redis not reachable: {exc}")
            return
        if not self.paused and backlog >= self.outbox_max:
            self.paused = True
            engine.pause()
            self.crawler.stats.inc_value("blogarchive/fleet/paused")
            logger.info("writer behind (%d records queued): pausing", backlog)
        elif self.paused and backlog < self.outbox_max // 2:
            self.paused = False
            engine.unpause()
        if not self.paused and engine._slot is not None and not engine.downloader.needs_backout():
            # Scrapy looks at an idle scheduler every 5 s; other crawlers fill this one, and
            # free the host slots its pop waits for (SharedFrontier leases by host).
            engine._slot.nextcall.schedule()

    def _stop(self, why: str, reason: str = "fleet_error") -> None:
        logger.error("%s", why)
        self.crawler.stats.set_value(STAT_FLEET_ERROR, why)
        self._close(reason)

    def _close(self, reason: str) -> None:
        self.closing = True
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    # -- the end -------------------------------------------------------------------------------

    def spider_idle(self, spider: Spider) -> None:
        """Close only when the whole fleet is out of work; re-check once before that."""
        if self.closing or self.frontier is None:
            return
        frontier, client = self.frontier, self.fleet.client
        frontier.reclaim()
        # Idle: every response was processed, so a lease still held is finished.
        if dangling := frontier.release_all():
            self.crawler.stats.inc_value("blogarchive/fleet/leases_released_idle", dangling)
        state = {k.decode(): v.decode() for k, v in client.hgetall(STATE_KEY).items()}
        if "done" in state:
            return
        if "seeded" not in state:
            seeder = state.get("seeder")
            if seeder and not client.exists(alive_key(seeder)):
                # The seeder died before it queued every start request: queue them again
                # (the duplicate filter drops those it did queue).
                client.hset(STATE_KEY, "seeder", self.crawler_id)
                count = spider.seed_again()  # type: ignore[attr-defined]
                logger.warning("seeder %s stopped: %d start requests queued", seeder, count)
                client.hset(STATE_KEY, "seeded", "1")
            raise DontCloseSpider
        if frontier.outstanding():
            raise DontCloseSpider
        if "rechecked" not in state:
            if client.hsetnx(STATE_KEY, "rechecker", self.crawler_id):
                count = spider.fleet_recheck()  # type: ignore[attr-defined]
                client.hset(STATE_KEY, "rechecked", str(count))
            elif not client.exists(alive_key(state.get("rechecker", ""))):
                client.hdel(STATE_KEY, "rechecker")
            raise DontCloseSpider
        client.hsetnx(STATE_KEY, "done", self.crawler_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Leave the fleet: unfinished leases go back to the frontier, stats to the writer."""
        self.closing = True
        if self.ticker.running:
            self.ticker.stop()
        if self.paused and self.crawler.engine is not None:
            self.crawler.engine.unpause()
        try:
            if reason in LIMIT_REASONS:
                # A budget of the whole fleet (the time budget's deadline is the fleet's):
                # the crawl ends here for every crawler, partial; what is queued stays.
                client = self.fleet.client
                client.hsetnx(STATE_KEY, "limit", reason)
                client.hsetnx(STATE_KEY, "done", self.crawler_id)
            self._push_stats(reason)
            if self.frontier is not None and (returned := self.frontier.give_back()):
                logger.info("%d requests this crawler held queued again", returned)
        except Exception as exc:  # Redis gone: the writer's check says so too
            logger.error("could not leave the fleet cleanly: %s", exc)

    def _push_stats(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        pipe = self.fleet.client.pipeline(transaction=True)
        for key, value in stats.items():
            if key in SHARED_STATS or key.startswith((STAT_LIMIT_PREFIX, STAT_UNREACHABLE_PREFIX)):
                pipe.hset(STATS_KEY, key, json.dumps(value))
            elif isinstance(value, bool) or not isinstance(value, int | float):
                continue
            else:
                pipe.hincrbyfloat(STATS_KEY, key, value)
        pipe.hincrby(STATS_KEY, f"blogarchive/fleet/closed/{reason}", 1)
        pipe.execute()


class OutboxPipeline:
    """The last item pipeline of a fleet's crawler: captures go to the writer's outbox.

    A capture is handed to the item pipelines by the downloader middleware that took it, in
    the task of the request's download, so :data:`crawler.shared_frontier.current_lease` names the
    request it belongs to; it waits for that lease's end as the request's items do (which
    :class:`FleetMember` takes from ``item_scraped``, with their response).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutboxPipeline:
        """Build the pipeline for ``crawler``."""
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """Hold a capture for the writer; pass every other item on."""
        if isinstance(item, Capture):
            engine = self.crawler.engine
            scheduler = engine._slot.scheduler if engine and engine._slot else None
            if isinstance(scheduler, SharedFrontier):
                scheduler.hold(current_lease.get(), message(item))
        return item
