"""Saved HTML files through the pipeline: each paired with its URL, one JSON line each.

What ``blogarchive extract`` prints: a file with no post still gets its line, with the URL,
empty text and an ``error`` field, so the output keeps one line per file in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.extract import ExtractionError, extract_post


class PairingError(ValueError):
    """The files and the URLs given for them do not pair up, in words."""


@dataclass
class SavedPage:
    """One saved file's line: the record (or the error line) and why it failed, if it did."""

    path: Path
    line: dict[str, Any]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the line ``blogarchive extract`` prints for the file."""
        return {"file": str(self.path), **self.line}


def pair_with_urls(
    inputs: Sequence[str], urls: Sequence[str], listed: Iterable[str] | None = None
) -> list[tuple[Path, str]]:
    """Pair each input with its URL: its own ``FILE=URL``, else ``urls`` (one for all, or one
    per file in order), else ``listed`` (one line per file), else the file's ``file://`` URL.

    PairingError when the counts do not match.
    """
    pairs: list[tuple[Path, str | None]] = []
    for item in inputs:
        name, sep, url = item.partition("=")
        if sep and url.startswith(("http://", "https://")) and not Path(item).exists():
            pairs.append((Path(name), url))
        else:
            pairs.append((Path(item), None))
    given: list[str] | None = None
    if listed is not None:
        given = [line.strip() for line in listed if line.strip()]
        if len(given) != len(pairs):
            raise PairingError(
                f"--urls-from has {len(given)} URLs for {len(pairs)} files (one line per file)"
            )
    elif len(urls) == 1:
        given = list(urls) * len(pairs)
    elif urls:
        if len(urls) != len(pairs):
            raise PairingError(f"{len(urls)} --url values for {len(pairs)} files")
        given = list(urls)
    return [
        (path, url or (given[i] if given else None) or path.resolve().as_uri())
        for i, (path, url) in enumerate(pairs)
    ]


def extract_saved_pages(pages: Iterable[tuple[Path, str]]) -> Iterator[SavedPage]:
    """Extract the post of each saved ``(file, url)``, in order; a failure is a line too."""
    for path, url in pages:
        try:
            yield SavedPage(path, extract_post(path.read_bytes(), url).to_json())
        except (ExtractionError, OSError) as exc:
            message = exc.message if isinstance(exc, ExtractionError) else exc.strerror or str(exc)
            yield SavedPage(path, {"url": url, "text": "", "error": message}, message)
