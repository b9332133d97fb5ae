"""The shared frontier: scrapy-redis's scheduler and duplicate filter, with leases.

scrapy-redis pops a request from Redis and forgets it: a crawler killed with requests in
its downloader loses them (rmax/scrapy-redis has no acknowledgement). Here a pop moves the
request, in one Lua script, from the frontier into the crawler's lease hash; the lease is
released only when the request's response was parsed and every item and capture it gave
was handed to the outbox stream, in the same Redis transaction as those messages. So at
any moment each unfinished request is in the frontier or in exactly one lease, and a dead
crawler's leases are put back whole (:meth:`SharedFrontier.reclaim`).

A request that comes back from the downloader as another request (a redirect, a retry)
is pushed to the frontier and its lease released in one transaction, with the captures
taken on the way.
"""

from __future__ import annotations

import contextvars
import logging
import pickle
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import BaseScheduler
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueue

from crawler.fleet import (
    CRAWLERS_KEY,
    LEASED_KEY,
    LIMITS_KEY,
    OUTBOX_KEY,
    QUEUE_KEY,
    SEEN_KEY,
    alive_key,
    holdings_key,
    lease_key,
    queued,
    slot_queue_key,
)
from crawler.meta import CONTENT, EXPECT, FLEET_LEASE
from crawler.urls import netloc, url_key

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# The lease of the request this task works for: set as the engine takes a request, so the
# download task (and the captures its middlewares hand over) inherits it.
current_lease: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_lease", default=None
)

# The frontier is one sorted set of requests per download slot (host:port), and one sorted
# set of the slots that have requests, each scored by its best request. A pop takes the best
# request of the best slot whose leased requests are under the slot's concurrency (a
# downloader-aware queue, as Scrapy's DownloaderAwarePriorityQueue is in one process): a
# crawler pops requests for hosts it can download from, not a run of one host's requests
# that wait in its downloader for the host's fleet-wide slots while its other slots idle.

# KEYS: slots, leased counts, slot limits, lease hash, lease counter. ARGV: default limit,
# prefix of the slot queues. Pops the best request with room into a new lease.
POP = """
local slots = redis.call('ZRANGE', KEYS[1], 0, -1)
local chosen = nil
for _, slot in ipairs(slots) do
  local limit = tonumber(redis.call('HGET', KEYS[3], slot) or ARGV[1])
  if tonumber(redis.call('HGET', KEYS[2], slot) or '0') < limit then
    chosen = slot
    break
  end
end
if not chosen then return false end
local queue = ARGV[2] .. chosen
local popped = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
redis.call('ZREM', queue, popped[1])
local rest = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
if #rest == 0 then
  redis.call('ZREM', KEYS[1], chosen)
else
  redis.call('ZADD', KEYS[1], rest[2], chosen)
end
redis.call('HINCRBY', KEYS[2], chosen, 1)
local id = tostring(redis.call('INCR', KEYS[5]))
redis.call('HSET', KEYS[4], id, popped[1], id .. ':at', popped[2] .. ' ' .. chosen)
return {id, popped[1]}
"""

# KEYS: lease hash, slots, alive key, crawlers set, host slots held, leased counts; ARGV:
# crawler id, prefix of the slot queues. Puts a dead crawler's leased requests back in their
# slots' queues with their priorities and frees the host slots it held
# (crawler.politeness.FleetDownloader); nothing if it is alive.
RECLAIM = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local fields = redis.call('HGETALL', KEYS[1])
local count = 0
for i = 1, #fields, 2 do
  local name = fields[i]
  if not string.find(name, ':', 1, true) then
    local at = redis.call('HGET', KEYS[1], name .. ':at')
    local space = string.find(at, ' ', 1, true)
    local score, slot = string.sub(at, 1, space - 1), string.sub(at, space + 1)
    redis.call('ZADD', ARGV[2] .. slot, score, fields[i + 1])
    redis.call('ZADD', KEYS[2], 'LT', score, slot)
    redis.call('HINCRBY', KEYS[6], slot, -1)
    count = count + 1
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  local space = string.find(entry, ' ', 1, true)
  redis.call('ZREM', string.sub(entry, 1, space - 1), string.sub(entry, space + 1))
end
redis.call('DEL', KEYS[5])
return count
"""

# KEYS: slots, crawlers set. ARGV: prefix of the slot queues. Requests queued plus leased,
# read in one step (a request moves from one to the other atomically, so the sum never
# misses one in transit).
OUTSTANDING = """
local total = 0
for _, slot in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  total = total + redis.call('ZCARD', ARGV[1] .. slot)
end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  total = total + redis.call('HLEN', 'blogarchive:leases:' .. id) / 2
end
return total
"""


UNLIMITED = 2**31  # the slot limit of a pop that ignores leased counts (comparisons only)


class LeasingQueue(RedisQueue):
    """scrapy-redis's priority queue, one per download slot, whose pop leases the request.

    ``key`` names the set of slots with queued requests; each slot's requests are in
    ``key:<slot>`` (see the scripts above).
    """

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.crawler_id = ""
        self.default_limit = 2
        # Per-slot settings (the downloader's DOWNLOAD_SLOTS): a slot's own concurrency.
        self.limits: dict[str, dict[str, Any]] = {}
        self._pop = server.register_script(POP)

    def __len__(self) -> int:
        return queued(self.server)

    def __bool__(self) -> bool:
        return bool(self.server.exists(self.key))

    def encode(self, request: Request) -> bytes:
        """Return the request as stored in Redis."""
        return self._encode_request(request)

    def push(self, request: Request) -> None:
        """Queue a request (higher priority first, as Scrapy's scheduler does)."""
        pipe = self.server.pipeline(transaction=True)
        self.push_into(pipe, request)
        pipe.execute()

    def push_into(self, pipe: Any, request: Request) -> None:
        """Queue a request in its slot's queue, as part of the transaction ``pipe``."""
        slot = request_slot(request)
        score = -request.priority
        pipe.zadd(slot_queue_key(slot), {self.encode(request): score})
        pipe.zadd(self.key, {slot: score}, lt=True)
        limit = self.limits.get(slot, {}).get("concurrency")
        if limit is not None:
            pipe.hset(LIMITS_KEY, slot, int(limit))

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the best request a slot has room for and lease it (meta ``FLEET_LEASE``)."""
        lease_hash = lease_key(self.crawler_id)
        keys = [self.key, LEASED_KEY, LIMITS_KEY, lease_hash, lease_hash + ":n"]
        popped = self._pop(keys=keys, args=[self.default_limit, slot_queue_key("")])
        if not popped:
            return None
        lease, data = popped
        request = self._decode_request(data)
        request.meta[FLEET_LEASE] = lease.decode()
        return request


def request_slot(request: Request) -> str:
    """Return the download slot a request goes through (as crawler.politeness keys them)."""
    slot = request.meta.get("download_slot")
    return str(slot) if slot is not None else netloc(request.url)


class KeyDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter; a content page is one however its URL is spelled.

    The spider asks for each post once by its ``url_key`` (``/Post/`` and ``/post``), which
    one process remembers in memory; across processes the key itself is the fingerprint.
    Redirects and other requests keep scrapy-redis's URL fingerprint.
    """

    def request_fingerprint(self, request: Request) -> str:
        """Return ``key:<url_key>`` for a spider's content request, else the URL's."""
        if request.meta.get(EXPECT) == CONTENT and "redirect_urls" not in request.meta:
            return "key:" + url_key(request.url)
        return super().request_fingerprint(request)

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other crawlers are still using them."""


class Heartbeat:
    """Keep a crawler's alive key in Redis, from a thread, until it stops or the process dies.

    A thread, not the reactor: a crawler busy parsing on a loaded machine is slow, not
    dead, and taking its requests away would fetch them twice.
    """

    def __init__(self, server: Any, key: str, timeout: float) -> None:
        self.server = server
        self.key = key
        self.ttl_ms = max(1, round(timeout * 1000))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fleet-heartbeat", daemon=True)

    def start(self) -> None:
        """Set the key now and renew it four times a timeout."""
        self.server.set(self.key, "1", px=self.ttl_ms)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(self.ttl_ms / 4000):
            try:
                self.server.set(self.key, "1", px=self.ttl_ms)
            except Exception as exc:  # Redis away: the crawler's own calls say so
                logger.debug("heartbeat failed: %s", exc)

    def stop(self) -> None:
        """Stop beating and delete the key: the crawler has left."""
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.server.delete(self.key)


class SharedFrontier(BaseScheduler):
    """A Scrapy scheduler over the shared frontier, that leases what it hands out.

    Also the crawler's outbox: items and captures of a leased request wait here and go to
    the writer's stream with the lease's release (see the module docstring).
    """

    def __init__(self, crawler: Crawler, server: Any, crawler_id: str) -> None:
        self.crawler = crawler
        self.server = server
        self.crawler_id = crawler_id
        self.queue: LeasingQueue | None = None
        self.df = KeyDupeFilter(server, SEEN_KEY)
        self.pending: dict[str, list[bytes]] = defaultdict(list)
        self.active: dict[str, str] = {}  # leases taken and not released: lease -> slot
        self._reclaim = server.register_script(RECLAIM)
        timeout = crawler.settings.getfloat("BLOGARCHIVE_FLEET_TIMEOUT")
        self.heart = Heartbeat(server, alive_key(crawler_id), timeout)
        self._outstanding = server.register_script(OUTSTANDING)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontier:
        """Connect to ``BLOGARCHIVE_REDIS`` as the crawler ``BLOGARCHIVE_FLEET_ID``."""
        from crawler.fleet import connect

        server = connect(crawler.settings["BLOGARCHIVE_REDIS"])
        return cls(crawler, server, crawler.settings["BLOGARCHIVE_FLEET_ID"])

    # -- Scrapy's scheduler interface ----------------------------------------------------------

    def open(self, spider: Spider) -> None:
        """Start the heartbeat, join the fleet and open the shared queue."""
        self.spider = spider
        self.queue = LeasingQueue(self.server, spider, QUEUE_KEY)
        self.queue.crawler_id = self.crawler_id
        settings = self.crawler.settings
        self.queue.default_limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        if not settings.getbool("BLOGARCHIVE_FLEET_SLOT_AWARE"):
            self.queue.default_limit = UNLIMITED
            self.queue.limits = {}
        else:
            # The spider sets its sources' concurrency here as it starts (DOWNLOAD_SLOTS).
            downloader = getattr(self.crawler.engine, "downloader", None)
            self.queue.limits = getattr(downloader, "per_slot_settings", {})
        self.heart.start()
        self.server.sadd(CRAWLERS_KEY, self.crawler_id)

    def close(self, reason: str) -> None:
        """Leave the frontier as it is: other crawlers may go on with it."""

    def has_pending_requests(self) -> bool:
        """Tell whether the shared frontier holds requests."""
        return self.queue is not None and bool(self.queue)

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` unless seen; a leased one (redirect, retry) ends its lease here."""
        lease = request.meta.pop(FLEET_LEASE, None)
        if not request.dont_filter and self.df.request_seen(request):
            if lease is not None:
                self.release(lease)
            return False
        assert self.queue is not None
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        if lease is None:
            self.queue.push(request)
            return True
        pipe = self.server.pipeline(transaction=True)
        self.queue.push_into(pipe, request)
        self._release_into(pipe, lease)
        pipe.execute()
        return True

    def next_request(self) -> Request | None:
        """Lease the best request of the shared frontier, or None."""
        assert self.queue is not None
        request = self.queue.pop()
        if request is not None:
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
            lease = request.meta[FLEET_LEASE]
            self.active[lease] = request_slot(request)
            current_lease.set(lease)
        return request

    def __len__(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    # -- leases and the outbox -----------------------------------------------------------------

    def hold(self, lease: str | None, message: bytes) -> None:
        """Keep a message for the writer until ``lease`` ends; send it now if there is none."""
        if lease is None or lease not in self.active:
            self.server.xadd(OUTBOX_KEY, {"m": message})
        else:
            self.pending[lease].append(message)

    def release(self, lease: str) -> None:
        """End a lease: its messages go to the outbox and the request leaves the lease hash."""
        pipe = self.server.pipeline(transaction=True)
        self._release_into(pipe, lease)
        pipe.execute()

    def _release_into(self, pipe: Any, lease: str, slot: str | None = None) -> None:
        slot = self.active.pop(lease, slot)
        for message in self.pending.pop(lease, []):
            pipe.xadd(OUTBOX_KEY, {"m": message})
        pipe.hdel(lease_key(self.crawler_id), lease, f"{lease}:at")
        if slot is not None:
            pipe.hincrby(LEASED_KEY, slot, -1)

    def release_all(self) -> int:
        """End every lease this crawler still holds (when it is idle: they are finished)."""
        held = self.server.hgetall(lease_key(self.crawler_id))
        leases = {
            name.decode().removesuffix(":at"): value.decode().partition(" ")[2]
            for name, value in held.items()
            if name.endswith(b":at")
        }
        for lease, slot in leases.items():
            pipe = self.server.pipeline(transaction=True)
            self._release_into(pipe, lease, slot)
            pipe.execute()
        return len(leases)

    def reclaim(self) -> int:
        """Put the leased requests of crawlers whose heartbeat stopped back in the frontier."""
        returned = 0
        for member in self.server.smembers(CRAWLERS_KEY):
            other = member.decode()
            if other == self.crawler_id:
                continue
            keys = [lease_key(other), QUEUE_KEY, alive_key(other), CRAWLERS_KEY]
            keys += [holdings_key(other), LEASED_KEY]
            count = int(self._reclaim(keys=keys, args=[other, slot_queue_key("")]))
            if count > 0:
                logger.warning("crawler %s stopped: %d of its requests queued again", other, count)
                returned += count
        return returned

    def give_back(self) -> int:
        """Leave the fleet: put this crawler's leased requests back, drop what they held."""
        self.pending.clear()
        self.active.clear()
        self.heart.stop()
        own = self.crawler_id
        keys = [lease_key(own), QUEUE_KEY, alive_key(own), CRAWLERS_KEY, holdings_key(own)]
        keys.append(LEASED_KEY)
        return max(0, int(self._reclaim(keys=keys, args=[own, slot_queue_key("")])))

    def outstanding(self) -> int:
        """Return the requests queued or leased anywhere in the fleet."""
        return int(self._outstanding(keys=[QUEUE_KEY, CRAWLERS_KEY], args=[slot_queue_key("")]))

    def decode(self, data: bytes) -> Request:
        """Return a request as :class:`LeasingQueue` stored it."""
        return request_from_dict(pickle.loads(data), spider=self.spider)
