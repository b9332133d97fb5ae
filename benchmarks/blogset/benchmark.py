"""Run extractors over the blog set and score text, furniture leaks and metadata."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.extraction.scorer import Metrics, PageScore, aggregate, score_page
from benchmarks.extraction.systems import readability_lxml

PAGES = Path(__file__).parent / "pages"


@dataclass(frozen=True)
class Extracted:
    """What one system made of one page; None where the system does not say."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Expected:
    """One page of the set with its truth."""

    name: str
    html_path: Path
    url: str
    platform: str
    title: str
    author: str
    date: str
    site: str
    text: str
    furniture: list[str]


@dataclass
class PageOutcome:
    """One system on one page."""

    system: str
    page: Expected
    extracted: Extracted
    error: str | None
    score: PageScore
    leaked: list[str] = field(default_factory=list)

    def field_ok(self, name: str) -> bool | None:
        """Return whether a metadata field is exactly right (None: the system has no such field)."""
        if name not in SYSTEM_FIELDS[self.system]:
            return None
        got = getattr(self.extracted, name)
        want = getattr(self.page, name)
        if name == "date":
            return (got or "")[:10] == want
        return " ".join((got or "").split()) == want


@dataclass
class SystemOutcome:
    """One system over the whole set."""

    name: str
    pages: list[PageOutcome]
    seconds: float
    metrics: Metrics

    @property
    def pages_leaking(self) -> int:
        """Return how many pages leaked at least one furniture string."""
        return sum(1 for p in self.pages if p.leaked)

    @property
    def strings_leaked(self) -> int:
        """Return how many furniture strings leaked, over all pages."""
        return sum(len(p.leaked) for p in self.pages)

    @property
    def strings_total(self) -> int:
        """Return how many furniture strings the set holds."""
        return sum(len(p.page.furniture) for p in self.pages)

    def accuracy(self, name: str) -> float | None:
        """Return the share of pages whose field is exactly right, None if not extracted."""
        marks = [p.field_ok(name) for p in self.pages]
        if all(m is None for m in marks):
            return None
        return sum(1 for m in marks if m) / len(marks)


def load_set(pages: Path = PAGES) -> list[Expected]:
    """Read every page's expected JSON."""
    found = []
    for path in sorted(pages.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(
            Expected(
                name=path.stem,
                html_path=path.with_suffix(".html"),
                url=data["url"],
                platform=data["platform"],
                title=data["title"],
                author=data["author"],
                date=data["date"],
                site=data["site"],
                text=data["text"],
                furniture=data["furniture"],
            )
        )
    if not found:
        raise FileNotFoundError(f"no pages in {pages}; run python -m benchmarks.blogset.generate")
    return found


def trafilatura_system(**options: Any) -> Callable[[str, str], Extracted]:
    """Return trafilatura with ``options``: text from ``extract``, metadata from its record."""

    def run(html: str, url: str) -> Extracted:
        import trafilatura

        text = trafilatura.extract(html, url=url, **options) or ""
        meta = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
        return Extracted(
            text=text,
            title=getattr(meta, "title", None),
            author=getattr(meta, "author", None),
            date=getattr(meta, "date", None),
            site=getattr(meta, "sitename", None),
        )

    return run


def blogarchive(html: str, url: str) -> Extracted:
    """Run our pipeline as the crawler does (bytes + URL)."""
    from pipeline.extract import extract_post

    record = extract_post(html.encode("utf-8"), url)
    return Extracted(record.text, record.title, record.author, record.published, record.site)


def readability(html: str, url: str) -> Extracted:
    """Run readability-lxml: text as in benchmarks.extraction, title from ``short_title``."""
    from readability import Document

    return Extracted(readability_lxml(html, url), title=Document(html).short_title())


SYSTEMS: dict[str, Callable[[str, str], Extracted]] = {
    "trafilatura-default": trafilatura_system(),
    "trafilatura-precision": trafilatura_system(favor_precision=True, include_comments=False),
    "blogarchive": blogarchive,
    "readability-lxml": readability,
}
# Fields each system extracts at all; readability-lxml has no author or date.
SYSTEM_FIELDS = {
    "trafilatura-default": {"title", "author", "date", "site"},
    "trafilatura-precision": {"title", "author", "date", "site"},
    "blogarchive": {"title", "author", "date", "site"},
    "readability-lxml": {"title"},
}


def _extract(task: tuple[str, str, str]) -> tuple[Extracted, str | None]:
    system, path, url = task
    try:
        return SYSTEMS[system](Path(path).read_text(encoding="utf-8"), url), None
    except Exception as exc:  # a page that breaks an extractor scores as an empty prediction
        return Extracted(""), f"{type(exc).__name__}: {exc}"


def run_system(name: str, pages: list[Expected], pool: ProcessPoolExecutor | None) -> SystemOutcome:
    """Extract every page with one system and score it."""
    tasks = [(name, str(p.html_path), p.url) for p in pages]
    started = time.perf_counter()
    outputs = list(pool.map(_extract, tasks)) if pool else [_extract(t) for t in tasks]
    seconds = time.perf_counter() - started
    outcomes = []
    for page, (extracted, error) in zip(pages, outputs, strict=True):
        leaked = [s for s in page.furniture if s in extracted.text]
        score = score_page(page.text, extracted.text)
        outcomes.append(PageOutcome(name, page, extracted, error, score, leaked))
    return SystemOutcome(name, outcomes, seconds, aggregate([o.score for o in outcomes]))
