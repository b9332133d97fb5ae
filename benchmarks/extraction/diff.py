"""Say what a prediction got wrong: the longest run of leaked and of lost text."""

from __future__ import annotations

from benchmarks.extraction.scorer import SHINGLE_SIZE, shingles, tokenize


def _longest_unmatched_run(text: str, other: str, words: int) -> str:
    tokens = tokenize(text)
    present = shingles(other)
    starts = max(1, len(tokens) - SHINGLE_SIZE + 1) if tokens else 0
    best_start = best_len = 0
    start: int | None = None
    # a token is unmatched when the shingle starting at it is absent from the other text
    for i in range(starts + 1):
        unmatched = i < starts and tuple(tokens[i : i + SHINGLE_SIZE]) not in present
        if unmatched and start is None:
            start = i
        elif not unmatched and start is not None:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = None
    if not best_len:
        return ""
    end = best_start + best_len
    # the last shingle's tail tokens belong to the run too
    run = tokens[best_start : len(tokens) if end == starts else end]
    snippet = " ".join(run[:words])
    return f"{snippet} … (+{len(run) - words} words)" if len(run) > words else snippet


def leaked_and_lost(truth: str, prediction: str, words: int = 12) -> tuple[str, str]:
    """Return the longest predicted run absent from the truth, and the longest true run missed."""
    return (
        _longest_unmatched_run(prediction, truth, words),
        _longest_unmatched_run(truth, prediction, words),
    )
