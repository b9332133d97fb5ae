"""MinHash signatures, bit for bit datasketch's ``affine32`` scheme, without importing datasketch.

Importing anything from datasketch runs its package ``__init__``, which imports every sketch
it has, among them ``MinHashLSH`` and ``WeightedMinHash`` and with them scipy: about 69 MB
of resident memory and 0.6 to 1.0 s of CPU in every process that makes or reads a signature
(each extraction worker, the crawler storing posts). The part used here is small: datasketch
2.0's MinHash with its default permutation scheme (SHA-1's first 4 bytes of each token,
MurmurHash3's 32-bit finalizer, then ``a * h + b`` modulo 2^32 for 128 seeded odd ``a``) and
its LeanMinHash byte format, which the archive stores. Tests check the values and the bytes
against datasketch itself (tests/test_pipeline_minhash.py), so stored signatures stay
readable both ways.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SCHEME = "affine32"
# LeanMinHash's byte format for the affine schemes: seed (int64), minus the number of
# permutations (int32: negative marks a format with a scheme code), the scheme's code (1 for
# affine32), then the values as uint32, in native order and alignment ("@").
_SCHEME_CODE = 1
_HEADER = struct.Struct("@qiB")
_VALUES_AT = struct.calcsize("@qiB0I")
_EMPTY = np.uint32(0xFFFFFFFF)
# MurmurHash3's 32-bit finalizer: shifts and multipliers.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``(a, b)`` of ``num_perm`` affine permutations, as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix(hv: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


@dataclass(frozen=True, eq=False)
class MinHash:
    """A set's MinHash: ``hashvalues`` (uint32, one per permutation) under ``seed``."""

    seed: int
    hashvalues: np.ndarray

    @classmethod
    def of(
        cls, tokens: Iterable[bytes], perms: tuple[np.ndarray, np.ndarray], seed: int
    ) -> MinHash:
        """Return the MinHash of a set of byte strings under permutations ``perms``."""
        a, b = perms
        hashed = [struct.unpack("<I", hashlib.sha1(t).digest()[:4])[0] for t in tokens]
        values = np.full(len(a), _EMPTY, dtype=np.uint32)
        if hashed:
            hv = _fmix(np.array(hashed, dtype=np.uint32).reshape(-1, 1))
            values = np.minimum(values, (hv * a + b).min(axis=0))
        return cls(seed, values)

    def __len__(self) -> int:
        return len(self.hashvalues)

    def jaccard(self, other: MinHash) -> float:
        """Estimate the Jaccard similarity of the two sets: the share of equal values."""
        if other.seed != self.seed or len(other) != len(self):
            raise ValueError("cannot compare MinHashes of different seeds or sizes")
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self)

    def to_bytes(self) -> bytes:
        """Serialise in datasketch's LeanMinHash format (``serialize``, native byte order)."""
        header = _HEADER.pack(self.seed, -len(self), _SCHEME_CODE)
        padding = b"\0" * (_VALUES_AT - len(header))
        return header + padding + self.hashvalues.astype("=u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> MinHash:
        """Read bytes written by :meth:`to_bytes` or by datasketch's ``LeanMinHash.serialize``."""
        seed, negative, code = _HEADER.unpack_from(data, 0)
        if negative >= 0 or code != _SCHEME_CODE:
            raise ValueError(f"not an {SCHEME} MinHash (size field {negative}, scheme code {code})")
        values = np.frombuffer(data, dtype="=u4", count=-negative, offset=_VALUES_AT)
        return cls(seed, values.astype(np.uint32))
