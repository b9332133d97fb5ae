"""Read WCXB's development split (Foley 2026, CC-BY-4.0) from where it lies, and score on it.

The dataset's README (``../shared/datasets/wcxb-dev/README.md``) gives the layout and the
metric this module implements: word tokens (``\\w+`` of the lower-cased text) as a multiset,
page precision, recall and F1, corpus figures as plain means over pages.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.extraction.dataset import DatasetError

_WORD = re.compile(r"\w+")
# Names in an author string: "A, B and C", "A & B", "A; B".
_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)


@dataclass(frozen=True)
class WcxbPage:
    """One WCXB page: where its HTML is and what it should give."""

    page_id: str
    url: str
    page_type: str
    text: str
    title: str
    author: str
    date: str
    html_path: Path

    @property
    def half(self) -> str:
        """Return the page's half: "development" (rules written from it) or "held-out"."""
        return half_of(self.page_id)


def half_of(page_id: str) -> str:
    """Return the fixed half a page id belongs to: by the parity of sha256(id).

    Fixed before any failure was looked at. Rules may be written only from pages of the
    development half; the held-out half says whether they generalise.
    """
    digest = hashlib.sha256(page_id.encode("utf-8")).digest()
    return "development" if digest[-1] % 2 == 0 else "held-out"


def load_wcxb(root: Path) -> list[WcxbPage]:
    """Load every page of the split, in id order."""
    index_path = root / "index.json"
    if not index_path.is_file():
        raise DatasetError(index_path, "no index.json (is --dataset the WCXB folder?)")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(index):
        truth_path = root / "ground-truth" / f"{page_id}.json"
        html_path = root / "html" / f"{page_id}.html.gz"
        if not truth_path.is_file() or not html_path.is_file():
            raise DatasetError(html_path, f"missing HTML or ground truth for page {page_id}")
        item = json.loads(truth_path.read_text(encoding="utf-8"))
        truth = item.get("ground_truth") or {}
        pages.append(
            WcxbPage(
                page_id=page_id,
                url=item.get("url") or "",
                page_type=index[page_id].get("page_type") or "?",
                text=truth.get("main_content") or "",
                title=truth.get("title") or "",
                author=truth.get("author") or "",
                date=truth.get("publish_date") or "",
                html_path=html_path,
            )
        )
    return pages


def read_page_bytes(path: Path) -> bytes:
    """Return a page's HTML bytes as fetched."""
    with gzip.open(path, "rb") as f:
        return f.read()


@dataclass(frozen=True)
class WordScore:
    """WCXB's word-level precision, recall and F1 for one page."""

    precision: float
    recall: float
    f1: float


def word_score(truth: str, prediction: str) -> WordScore:
    """Score one prediction as WCXB does (multiset of lower-cased ``\\w+`` tokens)."""
    want = Counter(_WORD.findall(truth.lower()))
    got = Counter(_WORD.findall(prediction.lower()))
    if not want:
        score = 1.0 if not got else 0.0
        return WordScore(score, score, score)
    if not got:
        return WordScore(0.0, 0.0, 0.0)
    shared = sum((want & got).values())
    precision = shared / sum(got.values())
    recall = shared / sum(want.values())
    f1 = 2 * precision * recall / (precision + recall) if shared else 0.0
    return WordScore(precision, recall, f1)


def title_matches(truth: str, got: str | None) -> bool:
    """Compare titles after Unicode NFC and whitespace collapse."""

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return bool(got) and norm(truth) == norm(got or "")


def _name_key(name: str) -> str:
    kept = "".join(c for c in name.casefold() if c not in string.punctuation)
    return " ".join(kept.split())


def _names(text: str) -> set[str]:
    return {_name_key(n) for n in _NAME_SPLIT.split(text) if _name_key(n)}


def author_matches(truth: str, got: str | None) -> bool:
    """Compare authors ignoring case and punctuation: the whole string or any one name in it.

    The prediction matches when it, or its first name of several, equals the truth or one
    of the truth's names.
    """
    if not got:
        return False
    want = {_name_key(truth), *_names(truth)}
    first = _NAME_SPLIT.split(got)[0]
    return _name_key(got) in want or _name_key(first) in want


def date_matches(truth: str, got: str | None) -> bool:
    """Compare dates on YYYY-MM-DD (a datetime is compared on its date as written)."""
    return bool(got) and truth[:10] == (got or "")[:10]
