"""How a crawl ended, in one place: its run status, the reason in words, and the exit status.

The archive pipeline records the outcome in ``crawl_runs`` (status and reason) and the CLI
exits with its code; both call :func:`crawl_outcome` on the same stats, so they always agree.

- ``finished``: the crawl ran to its end and fetched pages of every source.
- ``partial``: it stopped early at a limit (a source's page budget, a time budget, a close
  condition) or some of its sources could not be reached; what it stored is good.
- ``failed``: it did nothing useful (no page fetched, every source unreachable) or broke.
- ``interrupted``: Ctrl-C, SIGTERM, or a process that died (closed by the next crawl).
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Scrapy close reasons of a crawl that ran out of work.
COMPLETE_REASONS = frozenset({"finished"})
# Close reasons of a crawl stopped at a limit it was given (CLOSESPIDER_* and our budgets).
LIMIT_REASONS = {
    "closespider_pagecount": "CLOSESPIDER_PAGECOUNT reached",
    "closespider_pagecount_no_item": "CLOSESPIDER_PAGECOUNT_NO_ITEM reached",
    "closespider_itemcount": "CLOSESPIDER_ITEMCOUNT reached",
    "closespider_timeout": "time budget reached (CLOSESPIDER_TIMEOUT)",
    "closespider_timeout_no_item": "no item for CLOSESPIDER_TIMEOUT_NO_ITEM seconds",
}
# Scrapy closes with "shutdown" on SIGINT/SIGTERM.
INTERRUPT_REASONS = frozenset({"shutdown"})

STATUSES = ("finished", "partial", "failed", "interrupted")
EXIT_CODES = {"finished": 0, "failed": 1, "partial": 3, "interrupted": 130}

# Stats the crawl leaves for this module (set by the spider and its middlewares).
STAT_SIGNAL = "blogarchive/signal"  # number of the signal that stopped the crawl
STAT_LIMIT_PREFIX = "blogarchive/limit_hit/"  # + source name: the limit it hit, in words
STAT_UNREACHABLE_PREFIX = "blogarchive/unreachable/"  # + source name: why, in words
STAT_SOURCES = "blogarchive/sources"  # how many sources the crawl had
STAT_ARCHIVE_ERROR = "blogarchive/archive_error"  # the write the archive refused, in words
# What the archive recorded (the archive's answer to RUN_ENDED; the CLI reports these).
STAT_STATUS = "blogarchive/status"
STAT_REASON = "blogarchive/status_reason"

# Scrapy signals between a crawl and whoever keeps its run (the archive's item pipeline);
# what they carry is data, as a fleet carries it through Redis. crawler.run_end.RunEnds
# sends RUN_ENDED with ``end``, a crawler.items.RunEnd, when the crawl closes; the keeper
# returns the stats it recorded (STAT_STATUS, STAT_REASON, its counts), which the crawl's
# stats then say. The keeper sends RUN_REFUSED with ``reason`` (in words) when it can take
# nothing more (a write the archive refused); the crawl then closes as "archive_error".
RUN_ENDED = object()
RUN_REFUSED = object()
# The extension that sends RUN_ENDED and obeys RUN_REFUSED (the project's EXTENSIONS).
RUN_END_EXTENSION = "crawler.run_end.RunEnds"


@dataclass(frozen=True)
class Outcome:
    """A run's status and why, in words."""

    status: str
    reason: str
    signum: int | None = None  # the signal that interrupted the crawl

    @property
    def exit_code(self) -> int:
        """Return the process exit status: 0, 1, 3, or 128 + the signal (130 for Ctrl-C)."""
        if self.status == "interrupted" and self.signum:
            return 128 + self.signum
        return EXIT_CODES[self.status]


def interrupted(signum: int | None) -> Outcome:
    """Return the outcome of a crawl stopped by signal ``signum`` (None: unknown)."""
    if not signum:
        return Outcome("interrupted", "interrupted")
    return Outcome("interrupted", f"interrupted by {signal.Signals(signum).name}", int(signum))


def crawl_outcome(close_reason: str, stats: Mapping[str, Any]) -> Outcome:
    """Return the outcome of a crawl that closed with ``close_reason`` and left ``stats``."""
    if stats.get(STAT_ARCHIVE_ERROR):
        return Outcome("failed", f"archive not writable: {stats[STAT_ARCHIVE_ERROR]}")
    if close_reason in INTERRUPT_REASONS:
        return interrupted(stats.get(STAT_SIGNAL))
    unreachable = _by_source(stats, STAT_UNREACHABLE_PREFIX)
    limits = _by_source(stats, STAT_LIMIT_PREFIX)
    sources = int(stats.get(STAT_SOURCES) or 0)
    responses = int(stats.get("downloader/response_count") or 0)
    if close_reason not in COMPLETE_REASONS and close_reason not in LIMIT_REASONS:
        return Outcome("failed", f"crawl stopped: {close_reason}")
    if unreachable and (responses == 0 or len(unreachable) >= max(sources, 1)):
        return Outcome("failed", "every source unreachable: " + _join(unreachable))
    if responses == 0:
        return Outcome("failed", "nothing fetched")
    reasons = []
    if close_reason in LIMIT_REASONS:
        reasons.append(LIMIT_REASONS[close_reason])
    reasons += [f"{name}: {what}" for name, what in sorted(limits.items())]
    reasons += [f"{name}: unreachable ({why})" for name, why in sorted(unreachable.items())]
    if reasons:
        return Outcome("partial", "; ".join(reasons))
    return Outcome("finished", "finished")


def _by_source(stats: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): str(v) for k, v in stats.items() if k.startswith(prefix)}


def _join(by_source: dict[str, str]) -> str:
    return "; ".join(f"{name} ({why})" for name, why in sorted(by_source.items()))
