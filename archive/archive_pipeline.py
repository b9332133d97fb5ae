"""The Scrapy item pipeline that writes the crawl's items to the archive.

Records, series listings, errors, unchanged posts, raw captures and pages' links: all of
it plain data from the crawler (:mod:`crawler.items`), taken here as items; the crawl's end
comes as data too (a :class:`crawler.items.RunEnd`). The pipeline never reads or writes the
crawler's stats nor drives its engine: it keeps its own counts, answers the run's end with
what it recorded, and says when it refuses more (the signals of :mod:`crawler.outcome`). Nor
does it look up the spider or the engine: in a crawl's process it lends the crawl's history
a reader of its batch under way (:data:`archive.history.WRITING`; queries only) and
ends batches by age once the engine has started (Scrapy's ``engine_started``); built for a
fleet's writer (:meth:`ArchivePipeline.for_settings`) it does neither, and works the same.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings
from scrapy.utils.conf import build_component_list

from archive.access import settle_transaction
from archive.capture_store import CaptureStore
from archive.errors import ArchiveError
from archive.history import WRITING
from archive.lock import RunLock
from archive.publish import default_snapshot_path
from archive.store import Archive
from archive.write_batch import BatchReader, WriteBatch
from crawler.items import (
    Capture,
    CrawlError,
    PageLinks,
    RunEnd,
    SeriesListing,
    UnchangedPage,
    utc_now,
)
from crawler.outcome import (
    RUN_END_EXTENSION,
    RUN_ENDED,
    RUN_REFUSED,
    STAT_ARCHIVE_ERROR,
    STAT_REASON,
    STAT_STATUS,
    Outcome,
    crawl_outcome,
)
from pipeline.records import PostRecord

logger = logging.getLogger(__name__)

UNCHANGED_BATCH = 500

if TYPE_CHECKING:
    from twisted.internet.task import LoopingCall


class ArchivePipeline:
    """Store every item of a crawl (PostRecord, SeriesListing, CrawlError, UnchangedPage,
    Capture, PageLinks) as one crawl run.

    Settings (declared with their defaults in crawler/settings.py): ``BLOGARCHIVE_DB``
    (required, the working database), ``BLOGARCHIVE_SNAPSHOT`` (where the published copy
    goes; unset: :func:`archive.publish.default_snapshot_path`, empty: not published),
    ``BLOGARCHIVE_RUN_ARGS`` (a dict kept with the run), ``BLOGARCHIVE_DEDUP`` (false
    stores near-duplicate posts unlinked) and ``BLOGARCHIVE_WRITE_BATCH`` /
    ``BLOGARCHIVE_WRITE_BATCH_SECONDS``: writes are committed together, a batch of that many
    or that old at most (:mod:`archive.write_batch`); the crawl's history reads through a
    reader of the batch (:data:`archive.history.WRITING`), so it sees the batch under way. A
    kill loses the uncommitted batch only, and the next run fetches what it held again.
    The run is finished and the snapshot published when its end comes (:meth:`end_run`: in a
    crawl, ``RUN_ENDED`` from :class:`crawler.run_end.RunEnds` as it closes; in the fleet's
    writer, from the crawlers' stats); :func:`crawler.outcome.crawl_outcome` turns the close
    reason and stats into the run's status and reason, which the CLI's exit status follows.
    The pipeline's own counts (``stats``: run id, posts by outcome, errors...) go back with
    the answer. A write the archive refuses stops the crawl through ``refused``.
    The run holds the archive's run lock (:mod:`archive.lock`) from start to end; runs a
    killed crawl left "running" are closed as "interrupted" before the new one starts.
    """

    def __init__(
        self,
        settings: BaseSettings,
        db_path: Path,
        snapshot_path: Path | None,
        run_args: dict[str, Any],
    ) -> None:
        self.db_path = db_path
        self.snapshot_path = snapshot_path
        self.run_args = run_args
        # What the archive did, counted here ("blogarchive/..." keys): said at the run's end.
        self.stats: dict[str, Any] = {}
        # Told once when the archive refuses a write: the crawl should stop (reason in words).
        self.refused: Callable[[str], None] | None = None
        # Told a reader of the batch under way when the archive is opened, None when it is let
        # go: a history of the same archive in this process reads through it (a crawl's).
        self.writing: Callable[[Path, BatchReader | None], None] | None = None
        # Whether a batch also ends by age, on the reactor's clock (a crawl's running engine).
        self.clock = False
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.captures: CaptureStore | None = None
        self.lock: RunLock | None = None
        self.dedup = settings.getbool("BLOGARCHIVE_DEDUP")
        self.batch_rows = settings.getint("BLOGARCHIVE_WRITE_BATCH")
        self.batch_seconds = settings.getfloat("BLOGARCHIVE_WRITE_BATCH_SECONDS")
        self.batch: WriteBatch | None = None
        self.ticker: LoopingCall | None = None
        # Unchanged posts are recorded in batches: one transaction (one fsync) per batch.
        self.unchanged: list[str] = []
        # So are the links of parsed pages (a cache: a batch lost to a kill costs a re-parse).
        self.page_links: list[dict[str, Any]] = []
        # Set when the archive refused a write: the crawl stops, nothing more is written.
        self.failure: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        """The pipeline of a crawl: its end and refusals travel on crawler.outcome's signals,
        a reader of its batch on :data:`archive.history.WRITING`; batches end by age once
        the engine runs.

        A crawl without the extension that sends the run's end is refused: its run would
        never be finished.
        """
        pipeline = cls.for_settings(crawler.settings)
        enabled = build_component_list(crawler.settings.getwithbase("EXTENSIONS"))
        names = {c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in enabled}
        if RUN_END_EXTENSION not in names:
            raise ArchiveError(
                None,
                f"the archive pipeline needs the extension {RUN_END_EXTENSION} in EXTENSIONS:"
                " it hands over the crawl's end",
            )
        crawler.signals.connect(pipeline.run_ended, signal=RUN_ENDED)
        crawler.signals.connect(pipeline.start_clock, signal=signals.engine_started)

        def refused(reason: str) -> None:
            crawler.signals.send_catch_log(signal=RUN_REFUSED, reason=reason)

        def writing(db_path: Path, reader: BatchReader | None) -> None:
            crawler.signals.send_catch_log(signal=WRITING, db_path=db_path, reader=reader)

        pipeline.refused = refused
        pipeline.writing = writing
        return pipeline

    @classmethod
    def for_settings(cls, settings: BaseSettings) -> ArchivePipeline:
        """Read the archive settings; without BLOGARCHIVE_DB the pipeline is refused."""
        db = settings.get("BLOGARCHIVE_DB")
        if not db:
            raise ArchiveError(
                None,
                "setting BLOGARCHIVE_DB is required: the path of the archive database "
                "(e.g. -s BLOGARCHIVE_DB=archive.db)",
            )
        db_path = Path(db)
        snapshot = settings.get("BLOGARCHIVE_SNAPSHOT")
        if snapshot is None:
            snapshot = default_snapshot_path(db_path)
        run_args = dict(settings.getdict("BLOGARCHIVE_RUN_ARGS"))
        return cls(settings, db_path, Path(snapshot) if snapshot else None, run_args)

    def open_spider(self) -> None:
        """Take the run lock, open the archive, close interrupted runs and start a run."""
        self.lock = RunLock.acquire(self.db_path, started_at=utc_now())
        try:
            self.archive = Archive.open(self.db_path, dedup=self.dedup)
            interrupted = self.archive.close_interrupted_runs()
            self.run_id = self.archive.start_run(self.run_args)
            self.captures = CaptureStore.open(self.archive, self.run_id)
        except BaseException:
            self._release()
            raise
        self._start_batches(self.archive)
        self.lock.record(run_id=self.run_id)
        self.stats["blogarchive/run_id"] = self.run_id
        self.stats["blogarchive/interrupted_runs"] = len(interrupted)
        logger.info("archive %s: crawl run %d started", self.db_path, self.run_id)

    def resume_spider(self, run_id: int) -> bool:
        """Take the run lock and go on with run ``run_id`` if it is still running.

        For the fleet's writer (archive/writer.py) restarted after a kill; False (and
        nothing held) if the run was closed meanwhile.
        """
        self.lock = RunLock.acquire(self.db_path, started_at=utc_now())
        try:
            self.archive = Archive.open(self.db_path, dedup=self.dedup)
            if self.archive.run_status(run_id) != "running":
                self._release()
                return False
            self.run_id = run_id
            self.captures = CaptureStore.open(self.archive, run_id)
        except BaseException:
            self._release()
            raise
        self._start_batches(self.archive)
        self.lock.record(run_id=run_id)
        self.stats["blogarchive/run_id"] = run_id
        logger.info("archive %s: crawl run %d resumed", self.db_path, run_id)
        return True

    def _start_batches(self, archive: Archive) -> None:
        """Batch the run's writes; lend a reader of the batch under way (:attr:`writing`)."""
        self.batch = WriteBatch(
            archive.db,
            self.db_path,
            rows=self.batch_rows,
            seconds=self.batch_seconds,
            before_commit=self.flush,
        )
        if self.writing is not None:
            self.writing(self.db_path, self.batch.reader)
        self._start_ticker()

    def start_clock(self, **_: Any) -> None:
        """End batches by age from now on (the crawl's engine has started: a reactor runs)."""
        self.clock = True
        self._start_ticker()

    def _start_ticker(self) -> None:
        if not self.clock or self.batch is None or self.ticker is not None:
            return
        if self.batch_rows > 1:
            # A batch also ends by age when no write comes to end it.
            from twisted.internet.task import LoopingCall

            self.ticker = LoopingCall(self._commit_due)
            self.ticker.start(max(0.05, self.batch_seconds / 2), now=False)

    def _commit_due(self) -> None:
        if self.batch is None or self.failure is not None or not self.batch.due():
            return
        try:
            self.batch.commit()
        except ArchiveError as exc:
            self.archive_failed(exc)

    def commit(self) -> None:
        """Commit the batch under way now (ArchiveError if the archive refuses it)."""
        if self.batch is not None:
            self.batch.commit()

    def flush(self) -> None:
        """Write the batched unchanged posts and page links now (in the open transaction) and
        settle it (:func:`archive.access.settle_transaction`: the fleet writer's too)."""
        self._flush_unchanged()
        self._flush_page_links()
        if self.archive is not None:
            settle_transaction(self.archive.db)

    def process_item(self, item: Any) -> Any:
        """Store the item according to its type and count the outcome in the crawl stats.

        The write joins the batch under way (:mod:`archive.write_batch`). An archive that
        cannot be written at all (a full disk, a file made read-only) stops the crawl: see
        :meth:`archive_failed`.
        """
        if self.failure is not None:
            if not isinstance(item, (Capture, PageLinks)):
                self._count("blogarchive/items_not_stored")
            return item
        if self.batch is not None:
            try:
                self.batch.begin()
            except ArchiveError as exc:
                self.archive_failed(exc)
                return item
        try:
            if isinstance(item, Capture):
                self.store_capture(item)
            elif isinstance(item, PageLinks):
                self.store_page_links(item)
            else:
                try:
                    self._store_item(item)
                except ArchiveError as exc:
                    self.archive_failed(exc)
        finally:
            self._wrote()
        return item

    def _wrote(self) -> None:
        """Count a write in the batch, which commits when full or old enough."""
        if self.batch is None or self.failure is not None:
            return
        try:
            self.batch.wrote()
        except ArchiveError as exc:
            self.archive_failed(exc)

    def archive_failed(self, exc: ArchiveError) -> None:
        """Stop the crawl after a write the archive refused, saying so once.

        What was stored stays (every write is one transaction); the run is closed as failed
        with the reason if the archive still takes that write (crawler/outcome.py).
        """
        if self.failure is not None:
            return
        self.failure = exc.message
        if self.batch is not None:
            # Keep what the batch holds if the archive still takes it; else it is lost and
            # the run ends failed, counted from what it did store.
            try:
                self.batch.commit()
            except ArchiveError:
                self.batch.rollback()
        self.stats[STAT_ARCHIVE_ERROR] = exc.message
        logger.error("%s: archive not writable, stopping the crawl: %s", self.db_path, exc.message)
        if self.refused is not None:
            self.refused(exc.message)

    def _store_item(self, item: Any) -> None:
        archive, run_id = self._open_run()
        if isinstance(item, PostRecord):
            try:
                outcome = archive.store_post(item, run_id)
            except ArchiveError as exc:
                # One post that cannot be stored must not end the crawl: keep it as an error.
                archive.record_error(
                    CrawlError(item.url, "store", exc.message, item.source), run_id
                )
                self._count("blogarchive/errors")
                raise DropItem(f"could not store {item.url}: {exc.message}") from exc
            self._count(f"blogarchive/posts_{outcome}")
        elif isinstance(item, SeriesListing):
            archive.store_series_listing(item, run_id)
            self._count("blogarchive/series_listings")
        elif isinstance(item, CrawlError):
            if archive.record_error(item, run_id) is not None:
                self._count("blogarchive/errors")
        elif isinstance(item, UnchangedPage):
            self.unchanged.append(item.post_url)
            if len(self.unchanged) >= UNCHANGED_BATCH:
                self._flush_unchanged()

    def _flush_unchanged(self) -> None:
        if not self.unchanged:
            return
        archive, run_id = self._open_run()
        recorded = archive.record_unchanged(self.unchanged, run_id)
        self.unchanged.clear()
        self._count("blogarchive/posts_unchanged", recorded)

    def store_capture(self, capture: Capture) -> None:
        """Write a raw capture to WARC and index it; a refused write is kept as an error."""
        archive, run_id = self._open_run()
        if self.captures is None:
            raise ArchiveError(self.db_path, "the archive pipeline was not opened")
        if self.failure is not None:
            return
        try:
            self.captures.store(capture)
        except ArchiveError as exc:
            # One capture that cannot be stored must not end the crawl: keep it as an error.
            try:
                archive.record_error(
                    CrawlError(capture.url, "store", exc.message, capture.source), run_id
                )
            except ArchiveError as again:
                self.archive_failed(again)
                return
            self._count("blogarchive/errors")

    def store_page_links(self, links: PageLinks) -> None:
        """Keep what a parsed page is and links to (batched: a cache, see UNCHANGED_BATCH)."""
        self.page_links.append(
            {
                "url": links.url,
                "payload_digest": links.payload_digest,
                "links_key": links.links_key,
                "page": links.page,
            }
        )
        if len(self.page_links) >= UNCHANGED_BATCH:
            self._flush_page_links()

    def _flush_page_links(self) -> None:
        if not self.page_links or self.captures is None:
            return
        try:
            stored = self.captures.store_page_links(self.page_links)
        except ArchiveError as exc:
            # Only a cache: the next run parses these pages again.
            logger.warning("%s", exc)
        else:
            self._count("blogarchive/page_links_stored", stored)
        self.page_links.clear()

    def _count(self, key: str, count: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + count

    def run_ended(self, end: RunEnd) -> dict[str, Any]:
        """Answer ``RUN_ENDED``: end the run (:meth:`end_run`) and return what was recorded.

        What was said before an unexpected error is still returned (and the error logged).
        """
        said: dict[str, Any] = {}
        try:
            self.end_run(end, said)
        except Exception:
            logger.exception("%s: ending crawl run %s failed", self.db_path, self.run_id)
        return said

    def end_run(self, end: RunEnd, said: dict[str, Any] | None = None) -> dict[str, Any]:
        """Finish the run with its outcome and counts, publish the snapshot and close.

        ``end`` is data (a one-process crawl's close, or a fleet writer's merged stats);
        return the stats the archive sets (in ``said`` if given, as they are set): the
        pipeline's counts (:attr:`stats`), ``STAT_STATUS``, ``STAT_REASON``, the posts' counts
        as the archive holds them and the captures stored. A write that fails here (a full
        disk, a file made read-only) is reported, not raised: the run is marked failed if
        anything can still be written, and the CLI says why.
        """
        said = {} if said is None else said
        if self.archive is None or self.run_id is None:
            return said
        # A write refused here is the crawl's outcome too (a fleet's crawlers never knew).
        outcome = crawl_outcome(end.reason, {**end.stats, **self.stats})
        said[STAT_STATUS], said[STAT_REASON] = outcome.status, outcome.reason
        try:
            self._finish(outcome, end, said)
        except ArchiveError as exc:
            logger.debug("finishing run %s failed", self.run_id, exc_info=True)
            why = outcome.reason if self.failure else f"archive not writable: {exc.message}"
            # When even this cannot be written, the next crawl closes the run as interrupted.
            with contextlib.suppress(ArchiveError):
                self._end_run(Outcome("failed", why), end, said)
        finally:
            for key, value in self.stats.items():
                said.setdefault(key, value)  # the archive's own counts of posts come first
            self._release()
        return said

    def _finish(self, outcome: Outcome, end: RunEnd, said: dict[str, Any]) -> None:
        assert self.archive is not None
        assert self.run_id is not None
        if self.failure is not None:
            # Only the run's end: batches and the snapshot would be refused as the write was.
            if self.batch is not None:
                self.batch.rollback()
            self._end_run(outcome, end, said)
            return
        self._stop_ticker()
        if self.batch is not None:
            self.batch.commit()  # with the batched unchanged posts and page links
        self.flush()  # the fleet's writer: inside no batch of ours
        if self.captures is not None:
            self.captures.close()
            said["blogarchive/captures_stored"] = self.captures.stored
        if self.snapshot_path is not None:
            problem = self.archive.publish_space_problem(self.snapshot_path)
            if problem is not None:
                logger.info("%s: %s", self.db_path, problem)  # the summary line says it
                self._end_run(Outcome("failed", f"archive not writable: {problem}"), end, said)
                return
        run = self._end_run(outcome, end, said)
        # The archive's counts are the true ones: a copy stored before its original
        # was counted new, then became a duplicate when the original came.
        for kind in ("new", "updated", "unchanged", "gone", "duplicate"):
            key, count = f"blogarchive/posts_{kind}", run[f"posts_{kind}"]
            if count or key in self.stats or end.stats.get(key) is not None:
                said[key] = count
        logger.info(
            "crawl run %d %s (%s): %d new, %d updated, %d unchanged, %d gone,"
            " %d duplicate, %d errors",
            run["id"],
            outcome.status,
            outcome.reason,
            run["posts_new"],
            run["posts_updated"],
            run["posts_unchanged"],
            run["posts_gone"],
            run["posts_duplicate"],
            run["errors"],
        )
        if self.snapshot_path is not None:
            self.archive.publish(self.snapshot_path)

    def _end_run(self, outcome: Outcome, end: RunEnd, said: dict[str, Any]) -> dict[str, Any]:
        """Record the run's end with ``outcome``; ``said`` (and so the CLI) says the same."""
        assert self.archive is not None
        assert self.run_id is not None
        said[STAT_STATUS], said[STAT_REASON] = outcome.status, outcome.reason
        return self.archive.finish_run(
            self.run_id,
            pages_fetched=int(end.stats.get("downloader/response_count") or 0),
            status=outcome.status,
            reason=outcome.reason,
        )

    def _stop_ticker(self) -> None:
        if self.ticker is not None:
            if self.ticker.running:
                self.ticker.stop()
            self.ticker = None

    def _release(self) -> None:
        self._stop_ticker()
        if self.writing is not None and self.archive is not None:
            self.writing(self.db_path, None)
        if self.batch is not None:
            # Only a batch an error left open: a finished run committed it.
            with contextlib.suppress(Exception):
                self.batch.rollback()
            self.batch = None
        if self.captures is not None:
            try:
                self.captures.close()
            except (OSError, ArchiveError) as exc:
                # Only after a refused write: the open WARC file is closed by the next crawl.
                logger.info("could not close the WARC file: %s", exc)
            self.captures = None
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _open_run(self) -> tuple[Archive, int]:
        if self.archive is None or self.run_id is None:
            raise ArchiveError(self.db_path, "the archive pipeline was not opened")
        return self.archive, self.run_id
