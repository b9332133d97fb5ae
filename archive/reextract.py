"""Re-extraction (``blogarchive reextract``): rebuild every post from the stored captures.

The archive's half: which crawl to replay (the last run's sources, from ``crawl_runs``),
running it, and what the replayed run changed (``run_posts``). The replay itself is the
crawler's (:mod:`crawler.replay`: a download handler that answers each request with its
last capture, never the network), in an ordinary crawl: same spider, extraction and store.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.access import connect_read_only
from archive.errors import ArchiveError
from crawler.replay import replay_settings
from crawler.run import CrawlOptions, CrawlSummary, run_crawl
from crawler.sources import run_sources


@dataclass
class ReplayPlan:
    """The sources a re-extraction replays: a sources file, or start URLs."""

    sources_path: Path | None = None
    urls: list[str] = field(default_factory=list)


@dataclass
class ReextractReport:
    """What a re-extraction run did to the archive's posts."""

    run_id: int
    new: list[str]
    updated: list[str]
    unchanged: int
    not_rebuilt: list[str]  # stored posts no capture could rebuild
    duplicate: list[str] = field(default_factory=list)  # rebuilt as copies of another post
    gone: list[str] = field(default_factory=list)  # their stored page answered 404/410

    def lines(self) -> list[dict[str, str]]:
        """Return one JSON-ready line per post whose stored row changed or was not rebuilt."""
        out = [{"url": url, "outcome": "new"} for url in self.new]
        out += [{"url": url, "outcome": "updated"} for url in self.updated]
        out += [{"url": url, "outcome": "duplicate"} for url in self.duplicate]
        out += [{"url": url, "outcome": "gone"} for url in self.gone]
        out += [{"url": url, "outcome": "not-rebuilt"} for url in self.not_rebuilt]
        return out

    def summary(self) -> str:
        """Return the one-line summary of the run."""
        return (
            f"reextract run {self.run_id}: {len(self.updated)} posts changed, {len(self.new)} new,"
            f" {self.unchanged} unchanged, {len(self.duplicate)} duplicate, {len(self.gone)} gone,"
            f" {len(self.not_rebuilt)} not rebuilt (no capture)"
        )


def _connect(db_path: Path) -> sqlite3.Connection:
    if not db_path.exists():
        raise ArchiveError(db_path, "no such archive")
    return connect_read_only(db_path.resolve())


def last_crawl_plan(db_path: Path) -> ReplayPlan:
    """Return the sources of the archive's last crawl run that named any."""
    conn = _connect(db_path)
    try:
        rows = conn.execute("SELECT args FROM crawl_runs ORDER BY id DESC").fetchall()
    finally:
        conn.close()
    for (raw,) in rows:
        args: dict[str, Any] = json.loads(raw or "{}")
        if args.get("sources"):
            return ReplayPlan(sources_path=Path(args["sources"]))
        if args.get("urls"):
            return ReplayPlan(urls=list(args["urls"]))
    raise ArchiveError(db_path, "no crawl run names its sources; give URLS or --sources")


def replay_plan(db_path: Path, sources_path: Path | None, urls: list[str]) -> ReplayPlan:
    """Return what a re-extraction replays: the sources given, else the last crawl's.

    A sources file that is no longer there is an :class:`ArchiveError`.
    """
    plan = ReplayPlan(sources_path, urls) if urls or sources_path else last_crawl_plan(db_path)
    if plan.sources_path is not None and not plan.sources_path.is_file():
        raise ArchiveError(plan.sources_path, "sources file of the last crawl is gone")
    return plan


def report(db_path: Path, run_id: int) -> ReextractReport:
    """Read what run ``run_id`` did to each post from ``run_posts``."""
    conn = _connect(db_path)
    try:
        outcomes = conn.execute(
            "SELECT post_url, outcome FROM run_posts WHERE run_id = ? ORDER BY post_url", [run_id]
        ).fetchall()
        missing = conn.execute(
            "SELECT url FROM posts WHERE url NOT IN (SELECT post_url FROM run_posts"
            " WHERE run_id = ?) ORDER BY url",
            [run_id],
        ).fetchall()
    finally:
        conn.close()
    return ReextractReport(
        run_id=run_id,
        new=[url for url, outcome in outcomes if outcome == "new"],
        updated=[url for url, outcome in outcomes if outcome == "updated"],
        unchanged=sum(1 for _, outcome in outcomes if outcome == "unchanged"),
        not_rebuilt=[url for (url,) in missing],
        duplicate=[url for url, outcome in outcomes if outcome == "duplicate"],
        gone=[url for url, outcome in outcomes if outcome == "gone"],
    )


@dataclass
class Reextraction:
    """A re-extraction's run (its summary, exit status) and what it changed in the archive."""

    summary: CrawlSummary
    report: ReextractReport


def reextract(options: CrawlOptions) -> Reextraction:
    """Rebuild the archive's posts by replaying its crawl from the stored captures.

    ``options.sources_path`` or ``options.urls`` name what to replay (neither: what the last
    crawl used); ``options.settings`` override the replay's own. ArchiveError if there is
    nothing to replay, SourcesError for a bad sources file, CrawlFailed if the run could not
    run.
    """
    plan = replay_plan(options.db_path, options.sources_path, options.urls)
    sources = run_sources(plan.sources_path, plan.urls)
    replay = dataclasses.replace(
        options,
        sources_path=plan.sources_path,
        urls=plan.urls,
        settings=replay_settings(plan.sources_path, plan.urls) | options.settings,
    )
    summary = run_crawl(sources, replay)
    assert summary.run_id is not None
    return Reextraction(summary, report(options.db_path, summary.run_id))
