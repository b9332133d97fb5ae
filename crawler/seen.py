"""A set of hashable values kept as 64-bit hashes: 8 bytes a member (see crawler/frontier.py)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Hashable, Iterable

# Members kept in the Python set before a merge into the sorted array, at least.
MIN_RECENT = 4096


class SeenSet:
    """A set that answers ``in`` and ``add`` for hashable values, storing 8 bytes a member.

    Members are kept as their ``hash()`` (64-bit, stable within one process): recent ones in
    a Python set, the rest in a sorted ``array('q')`` searched by bisection. The set is
    merged into the array when it holds an eighth of the members (at least ``MIN_RECENT``),
    so merging costs O(n log n) over a crawl and the set stays a small share of the memory.
    Members cannot be listed back: only their hashes are kept.
    """

    def __init__(self, values: Iterable[Hashable] = ()) -> None:
        self._sorted = array("q")
        self._recent: set[int] = set()
        self.update(values)

    def __contains__(self, value: object) -> bool:
        return self._has(hash(value))

    def _has(self, digest: int) -> bool:
        if digest in self._recent:
            return True
        at = bisect_left(self._sorted, digest)
        return at < len(self._sorted) and self._sorted[at] == digest

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def add(self, value: Hashable) -> None:
        """Add ``value``."""
        digest = hash(value)
        if self._has(digest):
            return
        self._recent.add(digest)
        if len(self._recent) >= max(MIN_RECENT, len(self._sorted) // 8):
            self._merge()

    def update(self, values: Iterable[Hashable]) -> None:
        """Add every value of ``values``."""
        for value in values:
            self.add(value)

    def _merge(self) -> None:
        merged = array("q", sorted(self._recent))
        merged.extend(self._sorted)
        self._sorted = array("q", sorted(merged))
        self._recent = set()

    def nbytes(self) -> int:
        """Return the bytes the members take (the array's and the recent ints' share)."""
        return self._sorted.itemsize * len(self._sorted) + 64 * len(self._recent)
