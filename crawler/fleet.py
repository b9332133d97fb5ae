"""A fleet of crawler processes sharing one crawl through Redis: keys, config and liveness.

One crawl lives under one Redis database (the URL's ``/N``). Its keys:

- ``blogarchive:requests:<host:port>`` (sorted sets): the frontier, one scrapy-redis
  priority queue per download slot; ``blogarchive:requests`` (sorted set) names the slots
  with queued requests, scored by their best request; ``blogarchive:leased`` (hash) counts
  each slot's requests leased to crawlers, ``blogarchive:limits`` (hash) its concurrency.
- ``blogarchive:seen`` (set): scrapy-redis's duplicate filter, one fingerprint a request.
- ``blogarchive:leases:<crawler>`` (hash): requests a crawler took from the frontier and has
  not finished; a dead crawler's are put back (:mod:`crawler.shared_frontier`).
- ``blogarchive:alive:<crawler>`` (string with a time to live): the crawler's heartbeat.
- ``blogarchive:outbox`` (stream): items, captures and page links for the one writer.
- ``blogarchive:hosts:<host:port>`` / ``blogarchive:next:<host:port>`` /
  ``blogarchive:answered:<host:port>``: the per-host slots, next start time and last answer
  every crawler's downloader asks for (:mod:`crawler.politeness`).
- ``blogarchive:robots-answers`` (hash: robots.txt URL -> status and body, or null) and
  ``blogarchive:robots-claim:<url>`` (the crawler fetching it): each robots.txt is fetched
  once a fleet (:class:`RobotsBoard`).
- ``blogarchive:config`` (what to crawl, as JSON), ``blogarchive:state`` (hash: seeding,
  re-check, done, the writer's refusal), ``blogarchive:stats`` (the crawlers' summed Scrapy stats),
  ``blogarchive:epoch`` (a token naming this crawl; see :meth:`Fleet.check`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

PREFIX = "blogarchive:"
QUEUE_KEY = PREFIX + "requests"  # the slots with queued requests; each has QUEUE_KEY:<slot>
LEASED_KEY = PREFIX + "leased"
LIMITS_KEY = PREFIX + "limits"
SEEN_KEY = PREFIX + "seen"
OUTBOX_KEY = PREFIX + "outbox"
CONFIG_KEY = PREFIX + "config"
STATE_KEY = PREFIX + "state"
STATS_KEY = PREFIX + "stats"
EPOCH_KEY = PREFIX + "epoch"
CRAWLERS_KEY = PREFIX + "crawlers"  # set of crawler ids that joined (and did not leave)
SERIES_KEY = PREFIX + "series"  # hash: post URL -> JSON [[series name, series page URL]]
PAGES_KEY = PREFIX + "pages"  # hash: source name -> pages sent (counted against max_pages)
ROBOTS_KEY = PREFIX + "robots"  # set: robots.txt URLs read (the seeder waits for them)
WRITER_GROUP = "writer"
# The state field a writer sets when the archive refused the crawl's records (the reason in
# words): every crawler then stops, as a one-process crawl closes as "archive_error".
REFUSED = "refused"
# Crawler processes one machine's `blogarchive crawl --redis` starts when not told how many
# (crawler/fleet_run.py's run_fleet; the CLI's --crawlers).
CRAWLERS = 2


def lease_key(crawler_id: str) -> str:
    """Return the key of the hash holding ``crawler_id``'s leased requests."""
    return f"{PREFIX}leases:{crawler_id}"


def alive_key(crawler_id: str) -> str:
    """Return the key whose presence says ``crawler_id`` is alive."""
    return f"{PREFIX}alive:{crawler_id}"


def holdings_key(crawler_id: str) -> str:
    """Return the key of the set of host slots ``crawler_id`` holds (host key, holder)."""
    return f"{PREFIX}holdings:{crawler_id}"


def host_keys(slot: str) -> tuple[str, str, str]:
    """Return the keys of a download slot's (host:port's) holders, next start time and the
    time its last request was answered."""
    return f"{PREFIX}hosts:{slot}", f"{PREFIX}next:{slot}", f"{PREFIX}answered:{slot}"


def slot_queue_key(slot: str) -> str:
    """Return the key of the sorted set holding one download slot's queued requests."""
    return f"{QUEUE_KEY}:{slot}"


def queued(client: Any) -> int:
    """Return the requests in the frontier, all slots together."""
    slots = [slot.decode() for slot in client.zrange(QUEUE_KEY, 0, -1)]
    if not slots:
        return 0
    pipe = client.pipeline(transaction=False)
    for slot in slots:
        pipe.zcard(slot_queue_key(slot))
    return sum(int(n) for n in pipe.execute())


def new_crawler_id() -> str:
    """Return a name for this crawler process, unique across machines."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class FleetError(Exception):
    """Redis is unusable for the crawl: unreachable, or it lost the crawl's keys."""


def connect(url: str) -> Any:
    """Return a Redis client for ``url``; FleetError naming the URL if it does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FleetError(f"{url}: Redis not usable: {exc}") from exc
    return client


@dataclass
class Fleet:
    """One crawl's handle on Redis, for a crawler, the writer or the coordinator."""

    client: Any
    url: str
    epoch: str = ""

    @classmethod
    def join(cls, url: str) -> Fleet:
        """Connect to the crawl started at ``url``; FleetError if none was started there."""
        fleet = cls(connect(url), url)
        epoch = fleet.client.get(EPOCH_KEY)
        if epoch is None:
            raise FleetError(
                f"{url}: no crawl here (start one with `blogarchive crawl ... --redis {url}`)"
            )
        fleet.epoch = epoch.decode()
        return fleet

    def check(self) -> None:
        """Raise FleetError if Redis lost this crawl (restarted without persistence, flushed).

        The epoch key is written once at the start and never expires: without it the
        frontier, the duplicate filter and the leases are gone too, and crawling on would
        silently archive half a site.
        """
        epoch = self.client.get(EPOCH_KEY)
        if epoch is None or epoch.decode() != self.epoch:
            raise FleetError(
                f"{self.url}: Redis lost the crawl's state (restarted without persistence,"
                " or flushed): frontier, duplicate filter and leases are gone; the crawl"
                " cannot go on. Turn on appendonly or RDB snapshots and crawl again"
                " (the archive keeps what was written)."
            )

    def now(self) -> float:
        """Return Redis's clock, in seconds (the one clock every machine of the fleet reads)."""
        seconds, micro = self.client.time()
        return float(seconds) + micro / 1_000_000

    def config(self) -> dict[str, Any]:
        """Return what the crawl was asked to do (see :func:`start_crawl`)."""
        raw = self.client.get(CONFIG_KEY)
        return json.loads(raw) if raw else {}

    def state(self, name: str) -> str | None:
        """Return one field of the crawl's state hash, or None."""
        value = self.client.hget(STATE_KEY, name)
        return value.decode() if value is not None else None

    def live_crawlers(self) -> list[str]:
        """Return the ids of crawlers that joined and whose heartbeat is still there."""
        ids = sorted(m.decode() for m in self.client.smembers(CRAWLERS_KEY))
        if not ids:
            return []
        alive = self.client.exists(*[alive_key(i) for i in ids]) if ids else 0
        if alive == len(ids):
            return ids
        return [i for i in ids if self.client.exists(alive_key(i))]

    def queue_status(self) -> dict[str, int]:
        """Return the frontier's size, requests leased, outbox length and crawlers alive."""
        ids = [m.decode() for m in self.client.smembers(CRAWLERS_KEY)]
        leased = sum(self.client.hlen(lease_key(i)) for i in ids) // 2
        return {
            "frontier": queued(self.client),
            "leased": leased,
            "outbox": int(self.client.xlen(OUTBOX_KEY)) if self.client.exists(OUTBOX_KEY) else 0,
            "crawlers": len(self.live_crawlers()),
        }


ROBOTS_ANSWERS_KEY = PREFIX + "robots-answers"  # hash: robots.txt URL -> the fleet's answer
ROBOTS_WAIT = 0.05  # seconds between looks for another crawler's robots.txt answer


def robots_claim_key(url: str) -> str:
    """Return the key naming the crawler that fetches robots.txt ``url`` for the fleet."""
    return f"{PREFIX}robots-claim:{url}"


class RobotsBoard:
    """Each robots.txt fetched once a fleet: claimed by one crawler, its answer in Redis.

    The answer is ``(status, body)``, or None when the fetch failed (every crawler then
    crawls the host without rules, as one process does).
    """

    def __init__(self, client: Any, crawler_id: str, claim_ttl: float) -> None:
        self.client = client
        self.crawler_id = crawler_id
        self.claim_ttl_ms = max(1, round(claim_ttl * 1000))

    async def answer(
        self, url: str, fetch: Callable[[], Awaitable[tuple[int, bytes]]]
    ) -> tuple[int, bytes] | None:
        """Return the fleet's answer for robots.txt ``url``, fetching it if no one has."""
        claim = robots_claim_key(url)
        while True:
            stored = self.client.hget(ROBOTS_ANSWERS_KEY, url)
            if stored is not None:
                found = json.loads(stored)
                return None if found is None else (found[0], base64.b64decode(found[1]))
            if self.client.set(claim, self.crawler_id, nx=True, px=self.claim_ttl_ms):
                break
            holder = self.client.get(claim)
            if holder is not None and not self.client.exists(alive_key(holder.decode())):
                self.client.delete(claim)  # the claimer died before it answered
            await asyncio.sleep(ROBOTS_WAIT)
        try:
            status, body = await fetch()
        except Exception:
            self.client.hset(ROBOTS_ANSWERS_KEY, url, json.dumps(None))
            raise
        except BaseException:  # cancelled (the crawler is closing): another may fetch it
            self.client.delete(claim)
            raise
        self.client.hset(
            ROBOTS_ANSWERS_KEY, url, json.dumps([status, base64.b64encode(body).decode()])
        )
        return status, body


def start_crawl(url: str, config: dict[str, Any]) -> Fleet:
    """Clear the keys a finished crawl left at ``url`` and start a new crawl there.

    FleetError if a crawl is still going on there (a live crawler, or an unfinished one).
    """
    fleet = Fleet(connect(url), url)
    client = fleet.client
    if client.exists(EPOCH_KEY) and client.hget(STATE_KEY, "done") is None:
        live = fleet.live_crawlers()
        status = fleet.queue_status()
        raise FleetError(
            f"{url}: a crawl is already under way here ({len(live)} crawlers alive,"
            f" {status['frontier']} requests queued, {status['outbox']} records for the"
            " writer); let it finish, or resume it with `blogarchive crawler`/`writer`"
        )
    keys = list(client.scan_iter(match=PREFIX + "*", count=1000))
    if keys:
        client.delete(*keys)
    fleet.epoch = secrets.token_hex(8)
    if config.get("time_budget") is not None:
        config = {**config, "deadline": fleet.now() + float(config["time_budget"])}
    pipe = client.pipeline(transaction=True)
    pipe.set(CONFIG_KEY, json.dumps(config))
    pipe.set(EPOCH_KEY, fleet.epoch)
    pipe.execute()
    return fleet
