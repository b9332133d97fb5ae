"""The fleet's one writer: the crawlers' items (records, captures, page links) into the archive.

Crawlers (crawler/fleet_member.py) send what one process's archive pipeline would have
received to the ``blogarchive:outbox`` stream. The writer reads it as the consumer group
``writer`` and hands each message to the same :class:`~archive.archive_pipeline.ArchivePipeline`
a one-process crawl uses, a batch at a time, in one transaction that also records the last
stream entry applied (``queue_positions``). Only then are the entries acknowledged and
deleted. A writer killed anywhere in between finds its entries pending again when it
restarts and skips those the archive already has: nothing lost, nothing stored twice. The
crawl run it started goes on under the same id.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from archive.access import describe_sqlite_error
from archive.archive_pipeline import ArchivePipeline
from archive.errors import ArchiveError
from crawler.fleet import (
    CRAWLERS_KEY,
    OUTBOX_KEY,
    REFUSED,
    STATE_KEY,
    STATS_KEY,
    WRITER_GROUP,
    Fleet,
    FleetError,
)
from crawler.fleet_run import start_fleet_crawl
from crawler.items import RunEnd
from crawler.outcome import STAT_SIGNAL
from crawler.remote_history import CALLS_KEY, reply_key
from crawler.remote_history import METHODS as HISTORY_METHODS
from crawler.run import CrawlOptions, CrawlSummary, crawl_settings, summarize

logger = logging.getLogger(__name__)

BATCH = 500  # stream entries per transaction
CONSUMER = "writer"  # one writer a crawl: a restarted one takes over its pending entries


def stream_id(entry_id: bytes | str) -> tuple[int, int]:
    """Return a stream entry id (``1700000000000-3``) as a comparable pair."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class _Refused(Exception):
    """The archive refused one of a batch's writes: the batch is rolled back, not acknowledged."""


@dataclass
class WriterCrawler:
    """What the run's summary (crawler.run.summarize) reads of a crawler: settings, stats."""

    settings: Settings
    stats: Any = None

    def __post_init__(self) -> None:
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]


class Writer:
    """Apply the crawl's outbox to the archive until the fleet is done (see the module doc)."""

    def __init__(self, fleet: Fleet, settings: Settings, *, poll: float = 0.2) -> None:
        self.fleet = fleet
        self.crawler = WriterCrawler(settings)
        self.pipeline = ArchivePipeline.for_settings(settings)
        self.poll = poll
        self.position = (0, 0)
        self.applied = 0
        self.signum: int | None = None

    @property
    def stats(self) -> Any:
        """Return the run's stats (the writer's counts and, at the end, the crawlers')."""
        return self.crawler.stats

    def open(self) -> int:
        """Go on with the crawl's run if a killed writer left it running, else start one."""
        client = self.fleet.client
        # A writer before this one refused the crawl's records: this one takes them again.
        client.hdel(STATE_KEY, REFUSED)
        earlier = self.fleet.state("run_id")
        if earlier is None or not self.pipeline.resume_spider(int(earlier)):
            self.pipeline.open_spider()
            client.hset(STATE_KEY, "run_id", str(self.pipeline.run_id))
        assert self.pipeline.archive is not None
        assert self.pipeline.run_id is not None
        self.position = self.pipeline.archive.queue_position(OUTBOX_KEY)
        try:
            client.xgroup_create(OUTBOX_KEY, WRITER_GROUP, id="0", mkstream=True)
        except Exception as exc:  # BUSYGROUP: a writer before this one made it
            if "BUSYGROUP" not in str(exc):
                raise
        return self.pipeline.run_id

    def run(self) -> str:
        """Apply the outbox until the crawl is done; return Scrapy's close reason for the run."""
        client = self.fleet.client
        # Entries a killed writer read and did not acknowledge come first.
        while entries := self._read("0"):
            self._apply(entries)
        while True:
            if self.signum is not None:
                return "shutdown"
            if self.pipeline.failure is not None:
                # Crawlers started by hand stop too (crawler.fleet_member.FleetMember.tick).
                client.hset(STATE_KEY, REFUSED, f"archive not writable: {self.pipeline.failure}")
                return "archive_error"
            entries = self._read(">")
            if entries:
                self._apply(entries)
                continue
            self.fleet.check()
            state = {k.decode(): v.decode() for k, v in client.hgetall(STATE_KEY).items()}
            if "abort" in state:
                logger.error("%s", state["abort"])
                return "crawlers_stopped"
            if "done" in state and not client.xlen(OUTBOX_KEY) and not client.scard(CRAWLERS_KEY):
                # A fleet-wide budget ended it (CLOSESPIDER_TIMEOUT...): partial, not finished.
                return state.get("limit", "finished")

    def _read(self, start: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
        block = None if start == "0" else max(1, int(self.poll * 1000))
        answer = self.fleet.client.xreadgroup(
            WRITER_GROUP, CONSUMER, {OUTBOX_KEY: start}, count=BATCH, block=block
        )
        if not answer:
            return []
        return [(entry_id, fields) for entry_id, fields in answer[0][1] if fields]

    def _apply(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        archive = self.pipeline.archive
        assert archive is not None
        last = self.position
        try:
            with archive.db.atomic():
                for entry_id, fields in entries:
                    position = stream_id(entry_id)
                    if position <= self.position:
                        continue  # applied before a kill, not acknowledged
                    self._apply_one(fields[b"m"])
                    if self.pipeline.failure is not None:
                        # The archive refused a write, and the pipeline skips what follows:
                        # keep none of the batch and acknowledge nothing, for a writer
                        # started again where the archive takes them.
                        raise _Refused
                    last = position
                self.pipeline.flush()
                if last != self.position:
                    archive.save_queue_position(OUTBOX_KEY, last)
        except _Refused:
            return
        except (sqlite3.Error, ArchiveError) as exc:
            # A full disk, a file made read-only: the run stops as a crawl's would. The
            # entries stay unacknowledged, for a writer started again where there is room.
            if archive.db.conn.in_transaction:
                archive.db.conn.rollback()
            if not isinstance(exc, ArchiveError):
                why = f"commit {len(entries)} records: {describe_sqlite_error(exc)}"
                exc = ArchiveError(self.pipeline.db_path, why)
            self.pipeline.archive_failed(exc)
            return
        self.position = last
        ids = [entry_id for entry_id, _ in entries]
        pipe = self.fleet.client.pipeline(transaction=True)
        pipe.xack(OUTBOX_KEY, WRITER_GROUP, *ids)
        pipe.xdel(OUTBOX_KEY, *ids)
        pipe.execute()
        self.applied += len(entries)

    def _apply_one(self, data: bytes) -> None:
        try:
            self.pipeline.process_item(pickle.loads(data))
        except DropItem as exc:
            logger.warning("%s", exc)

    def finish(self, reason: str) -> None:
        """Merge the crawlers' stats, end the run with its outcome and publish the archive."""
        try:
            pushed = self.fleet.client.hgetall(STATS_KEY)
        except redis.RedisError:
            pushed = {}  # Redis gone: the run ends with the writer's own counts
        for key, raw in pushed.items():
            name = key.decode()
            if name in self.stats.get_stats():
                continue
            self.stats.set_value(name, _number_or_json(raw.decode()))
        if self.signum is not None:
            self.stats.set_value(STAT_SIGNAL, self.signum)
        said: dict[str, Any] = {}
        try:
            self.pipeline.end_run(RunEnd(reason, dict(self.stats.get_stats())), said)
        finally:
            for key, value in said.items():  # what the archive recorded, and its counts
                self.stats.set_value(key, value)

    def stop(self, signum: int, _frame: Any = None) -> None:
        """Stop after the batch under way (SIGINT, SIGTERM); the run is interrupted."""
        self.signum = signum


class HistoryServer:
    """Answer the crawlers' history lookups from the archive, in a thread of the writer.

    The crawlers' :class:`crawler.remote_history.RemoteHistory` asks through Redis; this
    answers from :class:`archive.history.ArchiveHistory` on a read-only connection of its own,
    so a crawler sees what a one-process crawl's history shows: the archive's captures and
    posts, those of this run included as soon as the writer committed them.
    """

    def __init__(self, url: str, db_path: Path) -> None:
        from archive.history import ArchiveHistory
        from crawler.fleet import connect

        self.client = connect(url)
        self.history = ArchiveHistory(db_path)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="history-server", daemon=True)

    def start(self) -> None:
        """Start answering."""
        self.thread.start()

    def stop(self) -> None:
        """Stop answering (within a second) and close the archive's read-only connection."""
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.history.close()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                call = self.client.brpop([CALLS_KEY], timeout=1)
            except redis.RedisError as exc:  # the writer's own loop says so too
                logger.debug("history server: %s", exc)
                self.stopped.wait(1)
                continue
            if call is not None:
                self.answer(call[1])

    def answer(self, raw: bytes) -> None:
        """Answer one call: ``(call id, method, arguments)``, pickled."""
        call_id, method, args = pickle.loads(raw)
        try:
            if method not in HISTORY_METHODS:
                raise LookupError(f"no history method {method!r}")
            reply: tuple[bool, Any] = (True, plain(getattr(self.history, method)(*args)))
        except Exception as exc:  # the crawler's call raises it (an unreadable WARC...)
            reply = (False, f"{type(exc).__name__}: {exc}")
        pipe = self.client.pipeline(transaction=True)
        pipe.lpush(reply_key(call_id), pickle.dumps(reply, protocol=-1))
        pipe.expire(reply_key(call_id), 300)  # a crawler that gave up never reads it
        pipe.execute()


def plain(value: Any) -> Any:
    """Return a history answer as plain data (the port's value types as tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.astuple(value)
    return value


def _number_or_json(text: str) -> Any:
    """Return a stat as the crawlers pushed it: a number (summed) or JSON (set once)."""
    try:
        number = float(text)
    except ValueError:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return int(number) if number.is_integer() else number


def run_writer(url: str, db_path: Path, settings: Settings) -> Writer:
    """Write the crawl at Redis ``url`` into ``db_path`` until it is done; return the writer.

    FleetError if Redis has no crawl or loses it (the run is then closed as failed).
    """
    fleet = Fleet.join(url)
    settings.set("BLOGARCHIVE_DB", str(db_path), priority="cmdline")
    writer = Writer(fleet, settings)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, writer.stop)
    writer.open()
    history = HistoryServer(url, db_path)
    history.start()
    try:
        reason = writer.run()
    except (FleetError, redis.RedisError) as exc:
        why = str(exc) if isinstance(exc, FleetError) else f"{url}: Redis not reachable: {exc}"
        writer.stats.set_value("blogarchive/fleet_error", why)
        writer.finish("fleet_error")
        raise FleetError(why) from exc
    finally:
        history.stop()
    writer.finish(reason)
    return writer


def writer_settings(options: CrawlOptions, config: dict[str, Any]) -> Settings:
    """Return the writer's Scrapy settings: its own options', under the crawl's ones it reads.

    ``config`` is the crawl's definition in Redis (:func:`crawler.fleet_run.crawl_definition`):
    the settings the crawl was started with that the writer reads win (``writer_settings``:
    near-duplicates, write batches, the snapshot, the run's arguments, the page budget its
    summary names), so the writer stores what the crawlers extract as one process would,
    wherever the crawl was started. The crawlers' settings (Scrapy's, the trap rules, ...)
    stay with the crawlers.
    """
    settings = crawl_settings(options)
    for name, value in config.get("writer_settings", {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def write_fleet_crawl(url: str, options: CrawlOptions) -> CrawlSummary:
    """Write the crawl at Redis ``url`` into ``options.db_path``; return the run's summary.

    With start URLs or a sources file in ``options`` it first puts a new crawl of them there
    for crawlers to join; without, it writes the crawl already there (a writer started again
    after it stopped goes on where it was). FleetError if there is no crawl, one is already
    under way or Redis loses it; CrawlFailed if the run never started; ArchiveError.
    """
    started = time.monotonic()
    if options.urls or options.sources_path:
        start_fleet_crawl(url, options)
    settings = writer_settings(options, Fleet.join(url).config())
    done = run_writer(url, options.db_path, settings)
    return summarize(done.crawler, options, started, signum=done.signum)
