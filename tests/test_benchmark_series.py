"""The series benchmark's scorer: what each figure counts, on small hand-made cases."""

from __future__ import annotations

from benchmarks.series.__main__ import score

LABELS = {
    "a1": {"url": "a1", "series": "A", "part": 1},
    "a2": {"url": "a2", "series": "A", "part": 2},
    "b1": {"url": "b1", "series": "B", "part": 1},
    "n": {"url": "n", "series": None, "part": None},
}


def test_perfect_prediction_scores_one_everywhere() -> None:
    found = score(LABELS, {"a1": "1", "a2": "1", "b1": "2"}, {"1": ["a1", "a2"], "2": ["b1"]})
    assert (found["precision"], found["recall"], found["exact_order"]) == (1.0, 1.0, 1.0)
    assert (found["pair_precision"], found["pair_recall"]) == (1.0, 1.0)


def test_a_negative_in_a_series_costs_precision() -> None:
    found = score(
        LABELS, {"a1": "1", "a2": "1", "b1": "2", "n": "1"}, {"1": ["a1", "a2", "n"], "2": ["b1"]}
    )
    assert found["precision"] == 3 / 4
    assert found["recall"] == 1.0


def test_a_split_series_costs_pair_recall_and_order_not_membership() -> None:
    found = score(
        LABELS, {"a1": "1", "a2": "3", "b1": "2"}, {"1": ["a1"], "3": ["a2"], "2": ["b1"]}
    )
    assert found["recall"] == 1.0
    assert found["pair_recall"] == 0.0
    assert found["exact_order"] == 1 / 2
    assert found["missed"] == ["A (split or partly missed)"]


def test_parts_in_the_wrong_order_cost_exact_order() -> None:
    found = score(LABELS, {"a1": "1", "a2": "1", "b1": "2"}, {"1": ["a2", "a1"], "2": ["b1"]})
    assert found["exact_order"] == 1 / 2
    assert found["missed"] == ["A (out of order)"]
