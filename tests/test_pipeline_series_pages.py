"""Series signals on whole pages: one parametrised test over tests/fixtures/series/.

Each ``<platform>-<slug>.html`` is a real page written for the project; its sibling ``.json``
holds the memberships the real pipeline (``extract_post``) must find, including none for the
pages that say "series" in other senses ("a series of meetings", "a TV series").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import extract_post

FIXTURES = Path(__file__).parent / "fixtures" / "series"
PAGES = sorted(FIXTURES.glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_gives_the_expected_series(page: Path) -> None:
    expected = json.loads(page.with_suffix(".json").read_text())
    record = extract_post(page.read_bytes(), expected["url"])
    found = [
        {key: getattr(m, key) for key in wanted}
        for m, wanted in zip(record.series, expected["series"], strict=False)
    ]
    for got, wanted in zip(found, expected["series"], strict=False):
        if "neighbours" in wanted:
            got["neighbours"] = list(got["neighbours"])
    assert len(record.series) == len(expected["series"]), (
        f"{page.name}: expected {len(expected['series'])} series, got {record.series}"
        " (pipeline/series/detect.py)"
    )
    assert found == expected["series"], f"{page.name}: fix pipeline/series/detect.py"
    for membership in record.series:
        # Every membership keeps the evidence of every signal that agreed.
        assert membership.signals
        assert membership.signals[0].signal == membership.signal
        assert all(s.evidence for s in membership.signals)


def test_set_covers_every_page_signal_and_the_negatives() -> None:
    signals = set()
    negatives = 0
    for page in PAGES:
        series = json.loads(page.with_suffix(".json").read_text())["series"]
        signals |= {s["signal"] for s in series}
        negatives += not series
    assert signals >= {"series-box", "series-toc", "series-nav", "title-part", "sentence"}
    assert negatives >= 2
