"""Gate: our pipeline on the blog set (benchmarks/blogset) must keep its scores.

Like trafilatura's ``tests/eval_gate.py``: the minimums are pinned here, so a change that
leaks furniture, loses text or gets metadata wrong fails the suite, with the pages named.
``python -m benchmarks.blogset --details`` shows the same figures for every system.
"""

from __future__ import annotations

import pytest

from benchmarks.blogset import generate
from benchmarks.blogset.benchmark import (
    Expected,
    SystemOutcome,
    load_set,
    run_system,
)

MIN_PAGES = 40
MIN_PLATFORM_STYLES = 6
MIN_TOKEN_F1 = 0.99  # issue 3 asks 0.97; the pipeline scores 1.000, so pin closer to it
MIN_FIELD_ACCURACY = 0.97  # title, author and date each; one wrong page in 44 is 97.7%
MAX_FURNITURE_LEAKS = 0


@pytest.fixture(scope="module")
def pages() -> list[Expected]:
    return load_set()


@pytest.fixture(scope="module")
def ours(pages: list[Expected]) -> SystemOutcome:
    return run_system("blogarchive", pages, pool=None)


def test_the_set_is_large_and_varied_enough(pages: list[Expected]) -> None:
    assert len(pages) >= MIN_PAGES
    families = {p.platform.split("-")[0] for p in pages}
    assert len(families) >= MIN_PLATFORM_STYLES, families
    consent = {p.platform for p in pages if p.platform.startswith("wordpress-")}
    assert {"wordpress-cookieyes", "wordpress-complianz", "wordpress-cookiebot",
            "wordpress-onetrust"} <= consent  # fmt: skip
    assert all(p.furniture for p in pages)


def test_committed_pages_match_the_generator() -> None:
    assert generate.main(["--check"]) == 0, "run python -m benchmarks.blogset.generate"


def test_no_furniture_leaks_into_the_text(ours: SystemOutcome) -> None:
    leaks = {p.page.name: p.leaked for p in ours.pages if p.leaked}
    assert ours.strings_leaked <= MAX_FURNITURE_LEAKS, f"furniture leaked: {leaks}"


def test_token_f1_stays_above_the_gate(ours: SystemOutcome) -> None:
    worst = sorted(ours.pages, key=lambda p: p.score.f1)[:3]
    assert ours.metrics.f1 >= MIN_TOKEN_F1, [(p.page.name, round(p.score.f1, 3)) for p in worst]
    assert not [p.page.name for p in ours.pages if p.error]


def test_no_page_loses_a_paragraph(ours: SystemOutcome) -> None:
    # Furniture sits right next to real paragraphs; removing it must not take one with it.
    lost = []
    for p in ours.pages:
        text = " ".join(p.extracted.text.split())
        for block in p.page.text.split("\n\n"):
            if " ".join(block.split()) not in text:
                lost.append(f"{p.page.name}: {block[:70]!r}")
    assert not lost, "\n".join(lost)


@pytest.mark.parametrize("field", ["title", "author", "date", "site"])
def test_metadata_is_exact_on_enough_pages(ours: SystemOutcome, field: str) -> None:
    wrong = [
        f"{p.page.name}: got {getattr(p.extracted, field)!r}, want {getattr(p.page, field)!r}"
        for p in ours.pages
        if not p.field_ok(field)
    ]
    accuracy = ours.accuracy(field)
    assert accuracy is not None
    assert accuracy >= MIN_FIELD_ACCURACY, "\n".join(wrong)


def test_the_gate_fails_without_furniture_removal(pages: list[Expected]) -> None:
    from pipeline.extract import extract_post

    leaked = 0
    for page in pages:
        record = extract_post(page.html_path.read_bytes(), page.url, clean=False)
        leaked += sum(1 for s in page.furniture if s in record.text)
    assert leaked > MAX_FURNITURE_LEAKS
