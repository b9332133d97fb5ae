"""Read the article-extraction-benchmark from where it lies; nothing is copied."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path


class DatasetError(Exception):
    """The dataset directory is missing files or they do not match the ground truth."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class Page:
    """One benchmark page: where its HTML is and what its article body should be."""

    item_id: str
    url: str
    truth: str
    html_path: Path


def load_pages(root: Path) -> list[Page]:
    """Load ground truth and pair every item with its ``html/<id>.html.gz``."""
    truth_path = root / "ground-truth.json"
    if not truth_path.is_file():
        raise DatasetError(truth_path, "no ground-truth.json (is --dataset the right folder?)")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = []
    for item_id, item in sorted(truth.items()):
        html_path = root / "html" / f"{item_id}.html.gz"
        if not html_path.is_file():
            raise DatasetError(html_path, f"missing HTML for item {item_id}")
        pages.append(Page(item_id, item.get("url", ""), item.get("articleBody") or "", html_path))
    return pages


def read_html(path: Path) -> str:
    """Return a page's HTML as text, decoded as upstream's runners do (UTF-8)."""
    with gzip.open(path, "rt", encoding="utf8") as f:
        return f.read()


def split_halves(pages: list[Page]) -> tuple[list[Page], list[Page]]:
    """Split pages, in item id order, into the development half (even) and the held-out half.

    Rules are tuned by looking at the development half only; the held-out half shows whether
    they generalise. The split is fixed so that every run reports the same two halves.
    """
    ordered = sorted(pages, key=lambda page: page.item_id)
    return ordered[0::2], ordered[1::2]
