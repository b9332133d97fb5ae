"""A downloader that holds each site's concurrency limit whatever the download delay.

Scrapy 2.19's ``Downloader._process_queue`` starts requests while
``slot.free_transfer_slots() > 0``, but a request only counts as transferring once its
download coroutine runs (``Downloader._download`` adds it to ``slot.transferring``). On the
asyncio reactor ``_schedule_coro`` creates a task that runs later, so without a delay the
loop empties the whole slot queue at once: 8 to 14 requests in flight on one host with
``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` (with a delay the loop breaks after one request,
which hides it). This downloader counts the request as transferring before it schedules it.

It also keys slots by ``host:port`` when a request names none: Scrapy keys them by host
name, so robots.txt requests made by its RobotsTxtMiddleware used a slot of their own,
beside the spider's ``meta["download_slot"]`` (``host:port``) for the same site. Such
requests share the site's slot but do not steer its delay through AutoThrottle (a configured
delay is fixed, see ``autothrottle_dont_adjust_delay`` in the spider).

A fixed delay (no jitter: robots.txt's Crawl-delay, a source's configured delay) is a minimum
gap promised to the site, kept here between the requests' arrivals. Scrapy counts the delay
from when a request leaves its slot's queue; the request is written later, in other turns of
the event loop, after whatever else is ready (a full garbage collection took 57-70 ms there,
SQLite look-ups and the scheduler's disk queue run there too; more on a loaded machine). A
request held back like that shortens the gap to the next one by as much: 0.14-0.19 s from
robots.txt to the first page under a 0.3 s Crawl-delay, and a stall longer than the delay
let the next page out with the held one (0.4 ms apart). So a slot with a fixed delay has one
request in flight at a time, and the next waits the delay after the previous one was
answered or failed (it reached the server before that): one response time more a request.
A fleet (:class:`FleetDownloader`) keeps the same rule across its crawlers, in Redis.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy import Request, signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _process_pending_io, _schedule_coro
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.fleet import host_keys
from crawler.meta import FLEET_SLOT
from crawler.urls import netloc


class PoliteDownloader(Downloader):
    """Scrapy's downloader, with the per-slot concurrency limit held without a delay, and a
    fixed delay held between the requests' arrivals."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # When each slot's last request was answered or failed (kept for every slot: the
        # robots.txt request is answered before its Crawl-delay applies to the slot).
        self.answered: dict[Slot, float] = {}

    def get_slot_key(self, request: Request) -> str:
        """Return the request's slot: its ``download_slot`` meta, else its ``host:port``."""
        meta_slot = request.meta.get(self.DOWNLOAD_SLOT)
        if meta_slot is not None:
            return str(meta_slot)
        if self.ip_concurrency:
            return super().get_slot_key(request)
        return netloc(request.url)

    async def _enqueue_request(self, request: Request) -> Response:
        if self.DOWNLOAD_SLOT not in request.meta:
            request.meta.setdefault("autothrottle_dont_adjust_delay", True)
        return await super()._enqueue_request(request)

    def _process_queue(self, slot: Slot) -> None:
        # Scrapy 2.19's loop, but the request joins slot.transferring as it is taken from
        # the queue, so free_transfer_slots() sees it, and a fixed delay counts from the
        # last answer (see the module docstring).
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            since = slot.lastseen
            if not slot.jitter:
                if slot.transferring:
                    return  # _download calls this again when the request in flight ends
                since = max(since, self.answered.get(slot, 0.0))
            penalty = delay - now + since
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

    async def _download(self, slot: Slot, request: Request) -> Response:
        # Scrapy 2.19's, noting when the request ended before the slot's queue is looked at.
        slot.transferring.add(request)
        try:
            response: Response = await self.handlers.download_request_async(request)
            self.signals.send_catch_log(
                signal=signals.response_downloaded,
                response=response,
                request=request,
                spider=self.crawler.spider,
            )
            return response
        except Exception:
            await _process_pending_io()
            raise
        finally:
            self._answered(slot, request)
            slot.transferring.remove(request)
            self._process_queue(slot)
            self.signals.send_catch_log(
                signal=signals.request_left_downloader,
                request=request,
                spider=self.crawler.spider,
            )

    def _answered(self, slot: Slot, request: Request) -> None:
        """Note that ``request`` was answered or failed, before the slot's queue is looked at."""
        self.answered[slot] = monotonic()

    def _slot_gc(self, age: float = 60) -> None:
        super()._slot_gc(age)
        live = set(self.slots.values())
        self.answered = {slot: at for slot, at in self.answered.items() if slot in live}


# KEYS: the host's holders (sorted set, scored by expiry), its next start time, when its
# last request was answered, the crawler's own holdings (set). ARGV: holder, limit, delay
# (s), time to live (s), 1 if the delay is fixed. A fixed delay lets one request in flight
# and counts from the last answer, as PoliteDownloader does in one process.
# Returns 0 when the slot is taken, else the milliseconds to wait before asking again.
TAKE_SLOT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local fixed = ARGV[5] == '1'
local limit = tonumber(ARGV[2])
if fixed then limit = 1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) >= limit then return 20 end
local start = tonumber(redis.call('GET', KEYS[2]) or '0')
if fixed then
  start = math.max(start, tonumber(redis.call('GET', KEYS[3]) or '0') + tonumber(ARGV[3]))
end
if t < start then return math.max(1, math.ceil((start - t) * 1000)) end
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[2], tostring(t + tonumber(ARGV[3])), 'EX', 3600)
redis.call('SADD', KEYS[4], KEYS[1] .. ' ' .. ARGV[1])
return 0
"""

# KEYS: the host's holders, when its last request was answered, the crawler's holdings.
# ARGV: holder. Gives the slot back and notes the answer's time (Redis's clock).
GIVE_BACK = """
local now = redis.call('TIME')
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], KEYS[1] .. ' ' .. ARGV[1])
redis.call('SET', KEYS[2], tostring(tonumber(now[1]) + tonumber(now[2]) / 1000000), 'EX', 3600)
return 0
"""


class FleetDownloader(PoliteDownloader):
    """The polite downloader, with each host's slots and delay held across a fleet in Redis.

    Before a request starts it takes one of the host's ``concurrency`` slots in Redis and
    the host's next start time moves on by the slot's delay (the download delay, a source's
    configured delay or robots.txt Crawl-delay, as AutoThrottle and CrawlDelayMiddleware
    set it here); the slot is given back, and the time noted, when the answer comes. A
    fixed delay (no jitter) is held between arrivals as in one process (see the module
    docstring): one request of the host in flight across the fleet, and the next starts the
    delay after the last answer, whichever crawler sends it. A crawler that dies holds
    its slots until their time to live (DOWNLOAD_TIMEOUT plus a margin) runs out, or until
    another crawler reclaims its requests and drops them.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        from crawler.fleet import connect, holdings_key

        self.server = connect(crawler.settings["BLOGARCHIVE_REDIS"])
        self.holder_prefix = crawler.settings["BLOGARCHIVE_FLEET_ID"]
        self.holdings_key = holdings_key(self.holder_prefix)
        self.ttl = crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + 30
        self._take = self.server.register_script(TAKE_SLOT)
        self._give = self.server.register_script(GIVE_BACK)
        self._serial = 0

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            request, queue_dfd = slot.queue[0]
            key = self.get_slot_key(request)
            self._serial += 1
            holder = f"{self.holder_prefix}:{self._serial}"
            delay = slot.download_delay()
            fixed = 1 if delay and not slot.jitter else 0
            wait = int(
                self._take(
                    keys=[*host_keys(key), self.holdings_key],
                    args=[holder, slot.concurrency, delay, self.ttl, fixed],
                )
            )
            if wait:
                slot.latercall = call_later(wait / 1000, self._latercall, slot)
                return
            slot.queue.popleft()
            request.meta[FLEET_SLOT] = (key, holder)
            slot.lastseen = monotonic()
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))

    async def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> None:
        try:
            response = await self._download(slot, request)
        except Exception:
            self._give_back(request)
            queue_dfd.errback(Failure())
        else:
            self._give_back(request)
            queue_dfd.callback(response)

    def _answered(self, slot: Slot, request: Request) -> None:
        # Before the queue is looked at again: the slot is free, from the answer's time on.
        super()._answered(slot, request)
        self._give_back(request)

    def _give_back(self, request: Request) -> None:
        key, holder = request.meta.pop(FLEET_SLOT, (None, None))
        if key is None:
            return
        holders, _, answered = host_keys(key)
        self._give(keys=[holders, answered, self.holdings_key], args=[holder])
