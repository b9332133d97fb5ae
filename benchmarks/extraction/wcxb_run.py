"""Run every system over WCXB pages (text and metadata) in a process pool, and score them."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from benchmarks.extraction.systems import BLOGARCHIVE, READABILITY, flatten_summary
from benchmarks.extraction.wcxb_data import (
    WcxbPage,
    WordScore,
    author_matches,
    date_matches,
    read_page_bytes,
    title_matches,
    word_score,
)

logger = logging.getLogger(__name__)

TRAFILATURA_DEFAULT = "trafilatura-default"
TRAFILATURA_PRECISION = "trafilatura-precision"
TRAFILATURA = (TRAFILATURA_DEFAULT, TRAFILATURA_PRECISION)
WCXB_SYSTEMS = (BLOGARCHIVE, TRAFILATURA_DEFAULT, TRAFILATURA_PRECISION, READABILITY)


@dataclass(frozen=True)
class Output:
    """What one system gave for one page; metadata it does not extract is None."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Scored:
    """One system's output on one page, scored against the page's truth."""

    page: WcxbPage
    output: Output
    score: WordScore

    @property
    def title_ok(self) -> bool:
        return title_matches(self.page.title, self.output.title)

    @property
    def author_ok(self) -> bool:
        return author_matches(self.page.author, self.output.author)

    @property
    def date_ok(self) -> bool:
        return date_matches(self.page.date, self.output.date)


def _blogarchive(body: bytes, url: str) -> Output:
    from pipeline.extract import ExtractionError, extract_post

    try:
        record = extract_post(body, url)
    except ExtractionError as exc:
        return Output("", error=exc.message)
    return Output(record.text or "", record.title, record.author, record.published)


def _trafilatura(body: bytes, url: str, *, precision: bool) -> Output:
    import trafilatura

    if precision:
        text = trafilatura.extract(body, url=url, favor_precision=True, include_comments=False)
    else:
        text = trafilatura.extract(body, url=url)
    if precision:  # the same metadata as the defaults' (one call, shared in _task)
        return Output(text or "")
    meta = trafilatura.extract_metadata(body, default_url=url)  # empty when nothing is found
    return Output(text or "", meta.title, meta.author, meta.date)


def _readability(body: bytes, url: str) -> Output:
    from readability import Document

    document = Document(body, url=url)
    return Output(flatten_summary(document.summary(html_partial=True)), document.short_title())


def run_one(name: str, body: bytes, url: str) -> Output:
    """Run one system on one page's bytes; a page that raises is an empty output."""
    started = time.perf_counter()
    try:
        if name == BLOGARCHIVE:
            out = _blogarchive(body, url)
        elif name in TRAFILATURA:
            out = _trafilatura(body, url, precision=name == TRAFILATURA_PRECISION)
        elif name == READABILITY:
            out = _readability(body, url)
        else:
            raise ValueError(f"unknown system {name}")
    except Exception as exc:  # a page that breaks a peer scores as an empty prediction
        out = Output("", error=f"{type(exc).__name__}: {exc}")
    return Output(out.text, out.title, out.author, out.date, out.error,
                  time.perf_counter() - started)  # fmt: skip


def _task(job: tuple[WcxbPage, tuple[str, ...]]) -> dict[str, Output]:
    page, names = job
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("readability").setLevel(logging.ERROR)
    body = read_page_bytes(page.html_path)
    outputs = {name: run_one(name, body, page.url) for name in names}
    if TRAFILATURA_DEFAULT in outputs and TRAFILATURA_PRECISION in outputs:
        meta, out = outputs[TRAFILATURA_DEFAULT], outputs[TRAFILATURA_PRECISION]
        outputs[TRAFILATURA_PRECISION] = Output(
            out.text, meta.title, meta.author, meta.date, out.error, out.seconds
        )
    return outputs


def run_systems(pages: list[WcxbPage], names: Iterable[str], jobs: int) -> dict[str, list[Scored]]:
    """Run the systems on every page (``jobs`` processes; 1 runs in this process)."""
    names = tuple(names)
    work = [(page, names) for page in pages]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outputs = list(pool.map(_task, work, chunksize=8))
    else:
        outputs = [_task(job) for job in work]
    results: dict[str, list[Scored]] = {name: [] for name in names}
    for page, by_system in zip(pages, outputs, strict=True):
        for name, out in by_system.items():
            results[name].append(Scored(page, out, word_score(page.text, out.text)))
    return results
