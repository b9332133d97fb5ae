"""Gate: the pipeline's figures on WCXB's development split (Foley 2026, CC-BY-4.0) must hold.

The whole split takes the pipeline about four CPU-minutes, too long for ``make test``, so the
gate runs a fixed sample of it: the SAMPLE_SIZE pages that come first when ordered by
sha256("gate/" + page id), whatever their type or half. The minimums are the figures measured
on that sample (``python -m benchmarks.extraction.wcxb`` gives the whole split's) less a small
tolerance, so a change that loses them fails here with the pages that got worse named.

The dataset lies beside the repository (``../shared/datasets/wcxb-dev``, or under
``$BLOGARCHIVE_DATASETS``); without it the gate skips, unless BLOGARCHIVE_REQUIRE_DATASETS=1
(set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from benchmarks.extraction.systems import BLOGARCHIVE
from benchmarks.extraction.wcxb_data import WcxbPage, load_wcxb
from benchmarks.extraction.wcxb_report import mean_f1
from benchmarks.extraction.wcxb_run import Scored, run_systems

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SIZE = 150
TOLERANCE = 0.005

# Measured on the sample on 2026-12-07, session 7, after the recall rules for lists in table
# cells and for a post body trafilatura does not know (all 0.8164, article 0.9650, development
# 0.8086, held-out 0.8291; dates 58 of 68 right, 4 of 9 invented; titles 68 of 77); the gate
# allows TOLERANCE below each F1 and one page on each count.
MIN_F1 = {"all": 0.816, "article": 0.965, "development": 0.808, "held-out": 0.829}
MIN_DATES_RIGHT = 57  # article pages whose truth has a date, ours equal on YYYY-MM-DD
MAX_DATES_INVENTED = 5  # article pages whose truth has no date where we give one
MIN_TITLES_RIGHT = 67  # article pages


def _dataset() -> Path:
    base = os.environ.get("BLOGARCHIVE_DATASETS")
    return (Path(base) if base else ROOT.parent / "shared" / "datasets") / "wcxb-dev"


def _sample(pages: list[WcxbPage]) -> list[WcxbPage]:
    def key(page: WcxbPage) -> str:
        return hashlib.sha256(f"gate/{page.page_id}".encode()).hexdigest()

    return sorted(pages, key=key)[:SAMPLE_SIZE]


@pytest.fixture(scope="module")
def ours() -> list[Scored]:
    root = _dataset()
    if not (root / "index.json").is_file():
        message = f"WCXB development split not found at {root}"
        if os.environ.get("BLOGARCHIVE_REQUIRE_DATASETS") == "1":
            pytest.fail(message + " (BLOGARCHIVE_REQUIRE_DATASETS=1)")
        pytest.skip(message)
    return run_systems(_sample(load_wcxb(root)), [BLOGARCHIVE], jobs=2)[BLOGARCHIVE]


def _worst(rows: list[Scored]) -> list[tuple[str, str, float]]:
    worst = sorted(rows, key=lambda r: r.score.f1)[:5]
    return [(r.page.page_id, r.page.page_type, round(r.score.f1, 3)) for r in worst]


@pytest.mark.parametrize("part", sorted(MIN_F1))
def test_word_f1_stays_above_the_gate(ours: list[Scored], part: str) -> None:
    rows = [r for r in ours if part == "all" or part in (r.page.page_type, r.page.half)]
    assert rows
    assert mean_f1(rows) >= MIN_F1[part] - TOLERANCE, (
        f"{part}: word F1 {mean_f1(rows):.4f} < {MIN_F1[part]} - {TOLERANCE}; "
        f"worst pages {_worst(rows)}"
    )


def test_dates_titles_are_right_and_dates_not_invented(ours: list[Scored]) -> None:
    articles = [r for r in ours if r.page.page_type == "article"]
    right = sum(r.date_ok for r in articles if r.page.date)
    invented = [r.page.page_id for r in articles if not r.page.date and r.output.date]
    titles = sum(r.title_ok for r in articles)
    assert right >= MIN_DATES_RIGHT, f"dates right on {right} article pages"
    assert len(invented) <= MAX_DATES_INVENTED, f"dates invented on {invented}"
    assert titles >= MIN_TITLES_RIGHT, f"titles right on {titles} article pages"
