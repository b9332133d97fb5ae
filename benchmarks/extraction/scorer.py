"""Score predicted article bodies against the truth, exactly as upstream ``evaluate.py`` does.

Upstream: https://github.com/scrapinghub/article-extraction-benchmark/blob/master/evaluate.py
(the version that reports ``*_std`` and accuracy). The only deliberate difference is that the
bootstrap uses a seeded ``random.Random`` so the ± figures are reproducible run to run.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

SHINGLE_SIZE = 4
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0

# Upstream compiles with UNICODE|MULTILINE|IGNORECASE|DOTALL; none change what \w+ matches on str.
_TOKEN_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class PageScore:
    """Normalised shingle counts for one page (tp + fp + fn == 1 unless both texts are empty)."""

    tp: float
    fp: float
    fn: float
    exact: bool  # token sequences identical

    @property
    def has_prediction(self) -> bool:
        """Return whether the prediction had any shingle (counts towards precision)."""
        return self.tp + self.fp > 0

    @property
    def has_truth(self) -> bool:
        """Return whether the truth had any shingle (counts towards recall)."""
        return self.tp + self.fn > 0

    @property
    def precision(self) -> float:
        """Return the page precision with upstream's conventions for empty sides."""
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        """Return the page recall with upstream's conventions for empty sides."""
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Return the page F1 (for ranking pages; the corpus F1 is not a mean of these)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Metrics:
    """Corpus-level figures; ``*_std`` are bootstrap standard deviations."""

    pages: int
    f1: float
    precision: float
    recall: float
    accuracy: float
    f1_std: float
    precision_std: float
    recall_std: float
    accuracy_std: float


def tokenize(text: str | None) -> list[str]:
    """Split text into ``\\w+`` tokens, case kept."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Return the multiset of ``size``-token shingles (one shorter shingle for short texts)."""
    tokens = tokenize(text)
    count = max(1, len(tokens) - size + 1)
    return Counter(tuple(tokens[i : i + size]) for i in range(count) if tokens[i : i + size])


def score_page(truth: str | None, prediction: str | None) -> PageScore:
    """Compare one prediction with its truth."""
    true_sh, pred_sh = shingles(truth), shingles(prediction)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp=tp, fp=fp, fn=fn, exact=tokenize(truth) == tokenize(prediction))


def _mean(values: list[float]) -> float:
    # Upstream raises here; a (re)sample with no usable page only happens on tiny inputs.
    return statistics.mean(values) if values else 0.0


def _point(scores: Sequence[PageScore]) -> tuple[float, float, float, float]:
    precision = _mean([s.precision for s in scores if s.has_prediction])
    recall = _mean([s.recall for s in scores if s.has_truth])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = _mean([float(s.exact) for s in scores])
    return f1, precision, recall, accuracy


def aggregate(
    scores: Sequence[PageScore],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Metrics:
    """Average page scores and bootstrap their standard deviations over resampled pages."""
    f1, precision, recall, accuracy = _point(scores)
    rng = random.Random(seed)
    n = len(scores)
    samples: list[tuple[float, float, float, float]] = []
    for _ in range(resamples):
        samples.append(_point([scores[rng.randint(0, n - 1)] for _ in range(n)]))
    if resamples > 1:
        stds = [statistics.stdev(column) for column in zip(*samples, strict=True)]
    else:
        stds = [0.0] * 4
    return Metrics(
        pages=n,
        f1=f1,
        precision=precision,
        recall=recall,
        accuracy=accuracy,
        f1_std=stds[0],
        precision_std=stds[1],
        recall_std=stds[2],
        accuracy_std=stds[3],
    )
