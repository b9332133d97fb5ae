"""Run extractors over every page in a process pool and score the results."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.extraction.dataset import Page, read_html
from benchmarks.extraction.scorer import Metrics, PageScore, aggregate, score_page
from benchmarks.extraction.systems import SYSTEMS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageResult:
    """One system's output on one page, with its score."""

    item_id: str
    url: str
    prediction: str
    error: str | None
    seconds: float
    score: PageScore


@dataclass(frozen=True)
class SystemResult:
    """One system over the whole dataset."""

    name: str
    version: str
    metrics: Metrics
    pages: list[PageResult]
    wall_seconds: float

    @property
    def errors(self) -> int:
        """Return how many pages raised (scored as an empty prediction)."""
        return sum(1 for page in self.pages if page.error)


def _extract(task: tuple[str, str, str]) -> tuple[str, str | None, float]:
    system, html_path, url = task
    started = time.perf_counter()
    try:
        text = SYSTEMS[system](read_html(Path(html_path)), url)
        error = None
    except Exception as exc:  # a page that breaks an extractor scores as an empty prediction
        text, error = "", f"{type(exc).__name__}: {exc}"
    return text, error, time.perf_counter() - started


def run_system(
    name: str, version: str, pages: list[Page], pool: ProcessPoolExecutor
) -> SystemResult:
    """Extract every page with one system in ``pool`` and score it."""
    tasks = [(name, str(page.html_path), page.url) for page in pages]
    started = time.perf_counter()
    outputs = list(pool.map(_extract, tasks, chunksize=4))
    wall = time.perf_counter() - started
    results = []
    for page, (text, error, seconds) in zip(pages, outputs, strict=True):
        if error:
            logger.warning("%s failed on %s (%s): %s", name, page.item_id, page.url, error)
        score = score_page(page.truth, text)
        results.append(PageResult(page.item_id, page.url, text, error, seconds, score))
    metrics = aggregate([r.score for r in results])
    return SystemResult(name, version, metrics, results, wall)
