"""pipeline.minhash against datasketch itself: the same values, the same stored bytes, no scipy."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import LeanMinHash
from datasketch import MinHash as DatasketchMinHash

from crawler.items import FetchedPage
from crawler.workers import Workers
from demo import civic_lab_notes, wordpress
from pipeline.extraction_pipeline import extract_page
from pipeline.minhash import MinHash, permutations
from pipeline.signatures import DedupSettings, Fingerprinter, Signature, shingles
from tests import worker_probe

SETTINGS = DedupSettings()


def texts(count: int) -> list[str]:
    rng = random.Random(13)
    vocabulary = [f"word{i}" for i in range(400)] + ["naïve", "café", "日本語", "x"]
    return [" ".join(rng.choice(vocabulary) for _ in range(40 + 37 * n)) for n in range(count)]


def datasketch_signature(text: str) -> LeanMinHash:
    minhash = DatasketchMinHash(num_perm=SETTINGS.num_perm, seed=SETTINGS.seed, scheme="affine32")
    minhash.update_batch([s.encode("utf-8") for s in shingles(text, SETTINGS.shingle_words)])
    return LeanMinHash(minhash)


def datasketch_bytes(lean: LeanMinHash) -> bytes:
    buf = bytearray(lean.bytesize())
    lean.serialize(buf)
    return bytes(buf)


def test_permutations_are_datasketchs() -> None:
    ours = permutations(SETTINGS.num_perm, SETTINGS.seed)
    theirs = DatasketchMinHash(num_perm=SETTINGS.num_perm, seed=SETTINGS.seed).permutations
    assert np.array_equal(ours[0], theirs[0])
    assert np.array_equal(ours[1], theirs[1])


def test_signatures_and_their_bytes_are_datasketchs_and_read_both_ways() -> None:
    fingerprinter = Fingerprinter(SETTINGS)
    for text in texts(40):
        ours = fingerprinter.signature(text)
        assert ours is not None
        theirs = datasketch_signature(text)
        assert np.array_equal(ours.minhash.hashvalues, theirs.hashvalues)
        assert ours.to_bytes() == datasketch_bytes(theirs)
        # Stored by datasketch (archives written before), read here; and the reverse.
        assert np.array_equal(
            Signature.from_bytes(datasketch_bytes(theirs)).minhash.hashvalues, theirs.hashvalues
        )
        assert np.array_equal(
            LeanMinHash.deserialize(ours.to_bytes()).hashvalues, theirs.hashvalues
        )


def test_similarity_is_datasketchs_estimate() -> None:
    fingerprinter = Fingerprinter(SETTINGS)
    base = texts(1)[0].split()
    for cut in (0, 10, 40, 90):
        a, b = " ".join(base), " ".join(base[cut:] + base[:cut][::-1])
        ours = fingerprinter.signature(a), fingerprinter.signature(b)
        assert ours[0] is not None
        assert ours[1] is not None
        theirs = datasketch_signature(a).jaccard(datasketch_signature(b))
        assert ours[0].similarity(ours[1]) == theirs


def test_bytes_of_another_scheme_or_size_are_refused() -> None:
    legacy = DatasketchMinHash(num_perm=16, seed=1, scheme="legacy")
    legacy.update(b"one")
    with pytest.raises(ValueError, match="affine32"):
        MinHash.from_bytes(datasketch_bytes(LeanMinHash(legacy)))
    with pytest.raises(ValueError, match="affine32"):
        DedupSettings(scheme="affine64")
    short = Fingerprinter(DedupSettings(num_perm=64)).signature(texts(1)[0])
    full = Fingerprinter(SETTINGS).signature(texts(1)[0])
    assert short is not None
    assert full is not None
    with pytest.raises(ValueError, match="sizes"):
        short.similarity(full)


def test_a_worker_extracting_and_signing_a_page_has_not_imported_scipy() -> None:
    """datasketch's package imports scipy (69 MB, ~0.6 s a process); signing must not."""
    post = civic_lab_notes.SITE.post("creative-councils-starting-small")
    base = "http://127.0.0.1:8101/"
    page = wordpress.render_post(post, {"wordpress": base})
    url = wordpress.permalink(base, post)
    fetched = FetchedPage(url=url, body=page.body, source="civic", fetched_at="2024-01-01")
    workers = Workers(1)
    pool = workers.start()
    try:
        record = pool.submit(extract_page, fetched, True, True).result(timeout=120)
        loaded = pool.submit(worker_probe.loaded_modules).result(timeout=60)
    finally:
        workers.shutdown()
    assert record.fingerprint is not None
    assert record.fingerprint[1] is not None
    assert not [m for m in loaded if m.split(".")[0] in {"scipy", "datasketch"}]
    assert "pipeline.minhash" in loaded  # the worker did make a signature
