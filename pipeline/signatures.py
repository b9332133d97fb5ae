"""Near-duplicate signatures: MinHash of word shingles, banded for LSH look-up.

A post republished on another site (a foundation's series reposted by a magazine) keeps its
paragraphs and gains a headline, a standfirst, an editor's note and other furniture. Over
5-word shingles the two texts still share most of their shingles, while two different posts
of one series share only a boilerplate intro. MinHash (datasketch) estimates the Jaccard
similarity of two shingle sets from two 128-number signatures (:mod:`pipeline.minhash`: datasketch's
scheme and byte format, without importing datasketch and its scipy); locality-sensitive hashing
cuts each signature into bands, so that a post is only compared with posts that share a
band: candidates come from an index look-up, not from comparing against every post.

Pure functions and values: the archive stores signatures and band keys
(:mod:`archive.duplicates`) and decides which copy is the original.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pipeline.minhash import SCHEME, MinHash, permutations

# What ``post_duplicates.method`` says for a link found by comparing texts.
METHOD_MINHASH = "minhash"
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DedupSettings:
    """How texts are fingerprinted and compared.

    ``threshold`` is the estimated Jaccard similarity of shingle sets from which two posts
    are the same post; ``candidate_threshold`` (lower) sets the LSH bands, so that pairs
    near ``threshold`` are still found as candidates. ``min_words``: shorter texts are not
    fingerprinted (a two-line note matches too much by chance).
    """

    shingle_words: int = 5
    num_perm: int = 128
    seed: int = 1
    # datasketch's permutation scheme (its default since 2.0), fixed so stored signatures
    # stay comparable across datasketch upgrades.
    scheme: str = "affine32"
    threshold: float = 0.5
    candidate_threshold: float = 0.35
    min_words: int = 40

    def __post_init__(self) -> None:
        if not 0 < self.candidate_threshold <= self.threshold <= 1:
            raise ValueError(
                f"need 0 < candidate_threshold <= threshold <= 1, got {self.candidate_threshold}"
                f" and {self.threshold}"
            )
        if self.scheme != SCHEME:
            raise ValueError(f"only the {SCHEME} MinHash scheme is made, not {self.scheme!r}")

    @property
    def name(self) -> str:
        """Name the signature scheme; signatures of another scheme are recomputed."""
        return f"minhash-{self.scheme}-{self.num_perm}-w{self.shingle_words}-s{self.seed}"


@dataclass(frozen=True)
class Signature:
    """A post's MinHash signature."""

    minhash: MinHash

    def to_bytes(self) -> bytes:
        """Serialise for storage (datasketch's LeanMinHash format, 528 bytes)."""
        return self.minhash.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Read a signature written by :meth:`to_bytes`."""
        return cls(MinHash.from_bytes(data))

    def similarity(self, other: Signature) -> float:
        """Estimate the Jaccard similarity of the two posts' shingle sets."""
        return float(self.minhash.jaccard(other.minhash))


@dataclass(frozen=True)
class Fingerprinter:
    """Make signatures and LSH band keys under one :class:`DedupSettings`."""

    settings: DedupSettings = field(default_factory=DedupSettings)

    @cached_property
    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        # Drawing the permutations is the slow part of a MinHash; do it once.
        return permutations(self.settings.num_perm, self.settings.seed)

    @cached_property
    def bands(self) -> tuple[int, int]:
        """Return (bands, rows per band), datasketch's optimum for the candidate threshold."""
        return lsh_bands(self.settings.candidate_threshold, self.settings.num_perm)

    def signature(self, text: str) -> Signature | None:
        """Return the signature of ``text``, or None when it is too short to compare."""
        found = shingles(text, self.settings.shingle_words, self.settings.min_words)
        if not found:
            return None
        tokens = [s.encode("utf-8") for s in found]
        return Signature(MinHash.of(tokens, self._permutations, self.settings.seed))

    def band_keys(self, signature: Signature) -> list[int]:
        """Return one 63-bit key per band: posts sharing a key are candidate duplicates."""
        bands, rows = self.bands
        values = np.asarray(signature.minhash.hashvalues, dtype=np.uint64)
        keys = []
        for band in range(bands):
            chunk = values[band * rows : (band + 1) * rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, person=struct.pack("<Q", band)).digest()
            # SQLite integers are signed 64-bit: keep 63 bits.
            keys.append(int.from_bytes(digest, "little") >> 1)
        return keys

    def is_duplicate(self, similarity: float) -> bool:
        """Tell whether an estimated similarity makes two posts one post."""
        return similarity >= self.settings.threshold


_DEFAULT = Fingerprinter()


def fingerprint(text: str, fingerprinter: Fingerprinter = _DEFAULT) -> tuple[str, bytes | None]:
    """Return ``text``'s signature as plain data: (scheme name, bytes or None if too short).

    Made in the extraction worker and carried on the record
    (:attr:`pipeline.records.PostRecord.fingerprint`); :func:`from_fingerprint` reads it.
    """
    signature = fingerprinter.signature(text)
    return fingerprinter.settings.name, signature.to_bytes() if signature else None


def from_fingerprint(
    made: tuple[str, bytes | None] | None, text: str, fingerprinter: Fingerprinter = _DEFAULT
) -> Signature | None:
    """Return the signature ``made`` carries if it is of ``fingerprinter``'s scheme, else
    make it from ``text``."""
    if made is not None and made[0] == fingerprinter.settings.name:
        return Signature.from_bytes(made[1]) if made[1] is not None else None
    return fingerprinter.signature(text)


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Return (bands, rows per band) minimising false positives plus false negatives.

    datasketch's MinHashLSH choice (``_optimal_param``, equal weights), without its scipy
    integrals: the probability that two sets of similarity s share a band, 1 - (1 - s^r)^b,
    is a polynomial of degree b*r <= num_perm, which Gauss-Legendre quadrature with
    num_perm / 2 + 1 nodes integrates exactly. Tests check the same choice as datasketch for
    every threshold from 0.01 to 0.99 (stored band keys depend on it).
    """
    from numpy.polynomial.legendre import leggauss

    nodes, weights = leggauss(num_perm // 2 + 1)
    below = (nodes + 1) * threshold / 2  # nodes on [0, threshold]
    below_weights = weights * threshold / 2
    above = threshold + (nodes + 1) * (1 - threshold) / 2  # nodes on [threshold, 1]
    above_weights = weights * (1 - threshold) / 2
    best, chosen = math.inf, (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = float(np.dot(below_weights, 1 - (1 - below**rows) ** bands))
            false_negative = float(np.dot(above_weights, (1 - above**rows) ** bands))
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, chosen = error, (bands, rows)
    return chosen


def words(text: str) -> list[str]:
    """Return the words of ``text``, case-folded, punctuation dropped."""
    return WORD.findall(text.casefold())


def shingles(text: str, size: int = 5, min_words: int = 0) -> set[str]:
    """Return the set of ``size``-word shingles of ``text``; empty below ``min_words`` words."""
    tokens = words(text)
    if len(tokens) < max(min_words, 1):
        return set()
    if len(tokens) < size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: str, b: str, size: int = 5) -> float:
    """Return the exact Jaccard similarity of two texts' shingle sets (for tests and benchmarks)."""
    sa, sb = shingles(a, size), shingles(b, size)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


@dataclass(frozen=True)
class Candidate:
    """A post as the choice of the original sees it."""

    url: str
    published: str | None
    first_seen_at: str
    declares_other: bool = False  # its page names another archived post as the original
    stored_order: int = 0  # order of storing, finer than first_seen_at's seconds


def choose_original(posts: list[Candidate]) -> Candidate:
    """Return which of several copies of one post is the original.

    A post whose page declares another archived post as its original (a cross-site
    rel=canonical) is never chosen while that post is among them; then the earliest
    published (by date: times and zones vary between sites); a post without a date after
    any dated one; then the first stored; then by URL, so the choice is stable.
    """
    if not posts:
        raise ValueError("choose_original needs at least one post")
    return min(
        posts,
        key=lambda p: (
            p.declares_other,
            not p.published,
            (p.published or "")[:10],
            p.first_seen_at,
            p.stored_order,
            p.url,
        ),
    )
