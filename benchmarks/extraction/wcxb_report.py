"""Tables for the WCXB run: word F1 per page type and half, and metadata on article pages."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from benchmarks.extraction.systems import BLOGARCHIVE
from benchmarks.extraction.wcxb_run import TRAFILATURA, TRAFILATURA_DEFAULT, Scored

# A page counts as lost to trafilatura when our page F1 is this much below its.
LOSS_MARGIN = 0.05
HALVES = ("development", "held-out")
PAGE_TYPES = ("article", "listing", "forum", "service", "product", "collection", "documentation")


@dataclass(frozen=True)
class TypeFigures:
    """One page type in one half: each system's mean word F1, and how often we lose."""

    pages: int
    f1: dict[str, float]
    best_trafilatura: str
    lost_share: float

    @property
    def margin(self) -> float:
        """Return our F1 minus the best trafilatura setting's."""
        return self.f1[BLOGARCHIVE] - self.f1[self.best_trafilatura]


def mean_f1(rows: list[Scored]) -> float:
    """Return WCXB's corpus F1: the mean of the page F1s."""
    return statistics.fmean(r.score.f1 for r in rows) if rows else 0.0


def type_figures(
    results: dict[str, list[Scored]], page_type: str | None, half: str | None
) -> TypeFigures | None:
    """Return the figures of one page type (None: all) in one half (None: both)."""

    def keep(row: Scored) -> bool:
        return (page_type is None or row.page.page_type == page_type) and (
            half is None or row.page.half == half
        )

    chosen = {name: [r for r in rows if keep(r)] for name, rows in results.items()}
    ours = chosen.get(BLOGARCHIVE, [])
    if not ours:
        return None
    f1 = {name: mean_f1(rows) for name, rows in chosen.items()}
    present = [name for name in TRAFILATURA if name in f1] or [BLOGARCHIVE]
    best = max(present, key=lambda name: f1[name])
    theirs = {r.page.page_id: r.score.f1 for r in chosen[best]}
    lost = sum(1 for r in ours if r.score.f1 < theirs[r.page.page_id] - LOSS_MARGIN)
    return TypeFigures(len(ours), f1, best, lost / len(ours))


def f1_table(results: dict[str, list[Scored]], half: str | None) -> str:
    """Return word F1 per page type for every system, in one half (None: both)."""
    names = list(results)
    lines = [
        "| page type | pages | " + " | ".join(names) + " | Δ vs best trafilatura "
        f"| pages lost by > {LOSS_MARGIN} |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " | --- | --- |",
    ]
    for page_type in (*PAGE_TYPES, None):
        figures = type_figures(results, page_type, half)
        if figures is None:
            continue
        cells = []
        for name in names:
            cell = f"{figures.f1[name]:.3f}"
            cells.append(f"**{cell}**" if name == figures.best_trafilatura else cell)
        label = page_type or "all pages"
        lines.append(
            f"| {label} | {figures.pages} | {' | '.join(cells)} | {figures.margin:+.3f} "
            f"| {figures.lost_share:.1%} |"
        )
    return "\n".join(lines)


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({hits / total:.1%})" if total else "—"


def metadata_table(results: dict[str, list[Scored]], half: str | None) -> str:
    """Return title, author and date figures on article pages in one half (None: both)."""
    lines = [
        "| system | title right | author right | author invented | date right | date invented |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, rows in results.items():
        if name == TRAFILATURA_DEFAULT.replace("default", "precision"):
            continue  # the same metadata call as trafilatura-default
        articles = [
            r
            for r in rows
            if r.page.page_type == "article" and (half is None or r.page.half == half)
        ]
        titled = [r for r in articles if r.page.title]
        authored = [r for r in articles if r.page.author]
        unauthored = [r for r in articles if not r.page.author]
        dated = [r for r in articles if r.page.date]
        undated = [r for r in articles if not r.page.date]
        has_author = any(r.output.author for r in rows)
        has_date = any(r.output.date for r in rows)
        label = "trafilatura (metadata)" if name == TRAFILATURA_DEFAULT else name
        lines.append(
            f"| {label} | {_share(sum(r.title_ok for r in titled), len(titled))} "
            + (
                f"| {_share(sum(r.author_ok for r in authored), len(authored))} "
                f"| {_share(sum(bool(r.output.author) for r in unauthored), len(unauthored))} "
                if has_author
                else "| — | — "
            )
            + (
                f"| {_share(sum(r.date_ok for r in dated), len(dated))} "
                f"| {_share(sum(bool(r.output.date) for r in undated), len(undated))} |"
                if has_date
                else "| — | — |"
            )
        )
    return "\n".join(lines)


def losses_table(results: dict[str, list[Scored]], count: int) -> str:
    """List our worst losses to the best trafilatura setting, development half only."""
    ours = {r.page.page_id: r for r in results[BLOGARCHIVE] if r.page.half == "development"}
    peers = [name for name in TRAFILATURA if name in results]
    rows = []
    for name in peers:
        for r in results[name]:
            mine = ours.get(r.page.page_id)
            if mine is not None:
                rows.append((mine.score.f1 - r.score.f1, name, mine, r))
    worst: dict[str, tuple[float, str, Scored, Scored]] = {}
    for row in sorted(rows, key=lambda row: row[0]):
        worst.setdefault(row[2].page.page_id, row)
    lines = [
        "| page | type | ours F1 (P/R) | best trafilatura F1 (P/R) | url |",
        "| --- | --- | --- | --- | --- |",
    ]
    for delta, name, mine, theirs in list(worst.values())[:count]:
        if delta >= 0:
            break
        m, t = mine.score, theirs.score
        lines.append(
            f"| {mine.page.page_id} | {mine.page.page_type} | {m.f1:.2f} ({m.precision:.2f}/"
            f"{m.recall:.2f}){' ' + (mine.output.error or '') if mine.output.error else ''} "
            f"| {t.f1:.2f} ({t.precision:.2f}/{t.recall:.2f}) {name} | {mine.page.url} |"
        )
    return "\n".join(lines)
