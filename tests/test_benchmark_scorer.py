"""The benchmark scorer on hand-made texts: upstream evaluate.py's conventions, no dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.extraction.dataset import Page, split_halves
from benchmarks.extraction.diff import leaked_and_lost
from benchmarks.extraction.report import changes_table
from benchmarks.extraction.runner import PageResult, SystemResult
from benchmarks.extraction.scorer import aggregate, score_page, shingles, tokenize

TEXT = "The council opened a new library in the town centre on Monday."


def test_tokens_are_word_runs_with_case_kept() -> None:
    assert tokenize("Don't stop—café 2019!") == ["Don", "t", "stop", "café", "2019"]
    assert tokenize(None) == []


def test_identical_text_scores_one_and_counts_as_exact() -> None:
    page = score_page(TEXT, TEXT)
    assert (page.precision, page.recall, page.f1, page.exact) == (1.0, 1.0, 1.0, True)
    metrics = aggregate([page], resamples=10)
    assert (metrics.f1, metrics.precision, metrics.recall, metrics.accuracy) == (1, 1, 1, 1)


def test_punctuation_and_spacing_do_not_matter_but_case_does() -> None:
    assert score_page(TEXT, TEXT.replace(" ", "\n  ").replace(".", "")).exact
    assert not score_page(TEXT, TEXT.upper()).exact
    assert score_page(TEXT, TEXT.upper()).f1 == 0.0


def test_disjoint_text_scores_zero() -> None:
    page = score_page(TEXT, "Cookie settings and newsletter sign-up for all readers here")
    assert page.tp == 0.0
    assert (page.precision, page.recall, page.f1) == (0.0, 0.0, 0.0)


def test_counts_are_normalised_so_every_page_weighs_the_same() -> None:
    # 9 truth shingles, prediction adds "Share this" + 3 more boundary shingles -> 2 extra
    page = score_page(TEXT, TEXT + " Share this")
    assert page.tp + page.fp + page.fn == pytest.approx(1.0)
    assert page.recall == 1.0
    assert page.precision == pytest.approx(9 / 11)


def test_shingles_are_a_multiset_so_repeats_must_be_matched() -> None:
    page = score_page("a b c d", "a b c d a b c d")
    # prediction has 5 shingles, one of which ("a b c d") matches the single true one
    assert page.tp == pytest.approx(1 / 5)
    assert page.precision == pytest.approx(1 / 5)
    assert page.recall == 1.0


def test_text_shorter_than_four_tokens_is_one_short_shingle() -> None:
    assert shingles("Hello world") == {("Hello", "world"): 1}
    assert score_page("Hello world", "Hello world").f1 == 1.0
    assert score_page("Hello world", "Hello there").f1 == 0.0
    assert score_page("Hello world", "Hello world again").f1 == 0.0


def test_empty_prediction_is_left_out_of_precision_but_counts_in_recall() -> None:
    good = score_page(TEXT, TEXT)
    empty = score_page(TEXT, "")
    assert not empty.has_prediction
    assert (empty.precision, empty.recall) == (0.0, 0.0)
    metrics = aggregate([good, empty], resamples=10)
    assert metrics.precision == 1.0  # the empty page is not averaged in
    assert metrics.recall == 0.5
    assert metrics.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert metrics.accuracy == 0.5


def test_page_with_empty_truth_is_left_out_of_recall() -> None:
    metrics = aggregate([score_page(TEXT, TEXT), score_page("", "Subscribe now")], resamples=10)
    assert metrics.recall == 1.0
    assert metrics.precision == 0.5


def test_bootstrap_is_seeded_and_zero_for_identical_pages() -> None:
    scores = [score_page(TEXT, TEXT[: 20 * i]) for i in range(1, 4)] + [score_page(TEXT, TEXT)]
    assert aggregate(scores, seed=3) == aggregate(scores, seed=3)
    assert aggregate(scores).f1_std > 0
    assert aggregate([score_page(TEXT, TEXT)] * 5).f1_std == 0.0


def test_diagnosis_names_the_leaked_and_the_lost_text() -> None:
    truth = "the council opened a new library in the town centre today"
    prediction = "Share on Twitter and Facebook now the council opened a new library in the town"
    assert leaked_and_lost(truth, prediction) == (
        "Share on Twitter and Facebook now",
        "in the town centre today",
    )
    assert leaked_and_lost(truth, truth) == ("", "")


def test_halves_alternate_in_item_id_order_and_cover_every_page() -> None:
    pages = [Page(item_id, "", "", Path(f"{item_id}.html.gz")) for item_id in "dbeac"]
    development, held_out = split_halves(pages)
    assert [p.item_id for p in development] == ["a", "c", "e"]
    assert [p.item_id for p in held_out] == ["b", "d"]


def test_changes_against_a_baseline_list_every_page_that_lost_recall() -> None:
    truth = TEXT + " The reading room opens at nine every morning."
    pages = [
        PageResult("kept", "u1", truth, None, 0.0, score_page(truth, truth)),
        PageResult("lost", "u2", TEXT, None, 0.0, score_page(truth, TEXT)),
    ]
    result = SystemResult("ours", "1", aggregate([p.score for p in pages], 1), pages, 0.0)
    perfect = {"f1": 1.0, "precision": 1.0, "recall": 1.0}
    table = changes_table(
        result, {"kept": perfect, "lost": perfect}, {"kept": truth, "lost": truth}
    )
    assert "1 lost recall" in table
    assert "| lost | u2 |" in table
    assert "| kept |" not in table
    assert "reading room opens at nine" in table
