"""Near-duplicate detection on real text pairs: a syndicated copy is one, a sibling post is not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from demo import civic_lab_notes, magazine, wordpress
from pipeline.extract import extract_post
from pipeline.records import PostRecord
from pipeline.signatures import (
    Candidate,
    DedupSettings,
    Fingerprinter,
    Signature,
    choose_original,
    fingerprint,
    from_fingerprint,
    jaccard,
    lsh_bands,
    shingles,
)

BASES = {"wordpress": "http://127.0.0.1:8101/", "magazine": "http://127.0.0.1:8102/"}
# The kind of intro a foundation puts on every part of a series.
BOILERPLATE = (
    "Creative Councils is a series from the Civic Lab about how local government can make"
    " room for new ideas. Each month one of the people who did the work writes about what"
    " they tried, what went wrong and what they would tell another council starting out."
    " The series is supported by the Harrowfield Foundation, which funds practical"
    " experiments in public services and publishes everything it learns."
)
FINGERPRINTER = Fingerprinter()
ROOT = Path(__file__).resolve().parents[1]


def original_post(slug: str) -> PostRecord:
    post = civic_lab_notes.SITE.post(slug)
    page = wordpress.render_post(post, BASES)
    return extract_post(page.body, wordpress.permalink(BASES["wordpress"], post))


def magazine_copy() -> PostRecord:
    post = magazine.SITE.post("start-small-learn-fast")
    page = magazine.render_article(post, BASES)
    return extract_post(page.body, magazine.permalink(BASES["magazine"], post))


def similarity(a: str, b: str) -> float:
    sa, sb = FINGERPRINTER.signature(a), FINGERPRINTER.signature(b)
    assert sa is not None
    assert sb is not None
    return sa.similarity(sb)


def test_magazine_copy_with_its_own_headline_and_note_is_a_duplicate() -> None:
    original = original_post("creative-councils-starting-small")
    copy = magazine_copy()
    # Extracted from two different sites' HTML: other title, furniture and an editor's note.
    assert copy.title != original.title
    assert "first appeared on" in copy.text
    assert "first appeared on" not in original.text
    score = similarity(original.text, copy.text)
    assert FINGERPRINTER.is_duplicate(score), score
    assert score == pytest.approx(jaccard(original.text, copy.text), abs=0.1)


def test_copy_with_an_editors_note_and_standfirst_added_is_a_duplicate() -> None:
    original = original_post("creative-councils-starting-small").text
    copy = (
        "Editor's note: we are republishing this piece with permission, as part of our"
        " season on innovation in local government. Views are the author's own.\n\n"
        "Priya Raman on why the smallest useful experiment is the right place to begin.\n\n"
        + original
        + "\n\nPriya Raman leads the Civic Lab. Sign up to our newsletter for more stories."
    )
    assert FINGERPRINTER.is_duplicate(similarity(original, copy))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("creative-councils-permission-to-experiment", "working-with-residents-not-for-them"),
        ("creative-councils-starting-small", "what-we-would-do-differently"),
        ("creative-councils-starting-small", "creative-councils-permission-to-experiment"),
    ],
)
def test_two_parts_of_one_series_sharing_a_boilerplate_intro_are_not(a: str, b: str) -> None:
    slugs = {p.slug for p in civic_lab_notes.SITE.posts}
    assert {a, b} <= slugs, sorted(slugs)
    text_a = BOILERPLATE + "\n\n" + original_post(a).text
    text_b = BOILERPLATE + "\n\n" + original_post(b).text
    # They do share something (the intro), just not enough.
    assert jaccard(text_a, text_b) > 0.05
    assert not FINGERPRINTER.is_duplicate(similarity(text_a, text_b))


def test_a_teaser_of_the_first_paragraph_is_not_a_copy() -> None:
    original = original_post("creative-councils-starting-small").text
    teaser = original.split("\n\n")[0] + " Read the full post on Civic Lab Notes."
    assert not FINGERPRINTER.is_duplicate(similarity(original, teaser))


def test_duplicates_share_a_band_key_and_unrelated_posts_do_not() -> None:
    original = FINGERPRINTER.signature(original_post("creative-councils-starting-small").text)
    copy = FINGERPRINTER.signature(magazine_copy().text)
    other = FINGERPRINTER.signature(original_post("what-we-would-do-differently").text)
    assert original is not None
    assert copy is not None
    assert other is not None
    keys = set(FINGERPRINTER.band_keys(original))
    assert len(keys) == FINGERPRINTER.bands[0]
    assert keys & set(FINGERPRINTER.band_keys(copy))
    assert not keys & set(FINGERPRINTER.band_keys(other))


def test_signature_survives_storage_as_bytes() -> None:
    signature = FINGERPRINTER.signature(original_post("creative-councils-starting-small").text)
    assert signature is not None
    data = signature.to_bytes()
    assert len(data) < 1024
    again = Signature.from_bytes(data)
    assert again.similarity(signature) == 1.0
    assert FINGERPRINTER.band_keys(again) == FINGERPRINTER.band_keys(signature)


def test_the_signature_made_in_the_worker_is_the_one_the_archive_would_make() -> None:
    """extract_page carries the signature on the record; the archive reads it, not the text."""
    from crawler.items import FetchedPage
    from pipeline.extraction_pipeline import extract_page

    post = civic_lab_notes.SITE.post("creative-councils-starting-small")
    page = wordpress.render_post(post, BASES)
    url = wordpress.permalink(BASES["wordpress"], post)
    fetched = FetchedPage(url=url, body=page.body, source="civic", fetched_at="2024-01-01")
    record = extract_page(fetched, signature=True)
    assert record.fingerprint is not None
    assert record.fingerprint[0] == FINGERPRINTER.settings.name
    made = FINGERPRINTER.signature(record.text)
    assert made is not None
    assert record.fingerprint[1] == made.to_bytes()
    # Not part of what the post says, nor of what `blogarchive extract` prints.
    assert record.content_hash() == extract_page(fetched).content_hash()
    assert extract_page(fetched).fingerprint is None
    assert "fingerprint" not in record.to_json()
    # The archive takes the carried signature as it is (another text would give another)...
    carried = from_fingerprint(record.fingerprint, "an unrelated text " * 20)
    assert carried is not None
    assert carried.similarity(made) == 1.0
    # ...unless it is of another scheme: then it is made again from the text.
    other = Fingerprinter(DedupSettings(num_perm=64))
    again = from_fingerprint(record.fingerprint, record.text, other)
    assert again is not None
    assert len(again.minhash.hashvalues) == 64
    assert fingerprint("Too short to compare.") == (FINGERPRINTER.settings.name, None)
    assert from_fingerprint(fingerprint("Too short to compare."), "x " * 100) is None


def test_short_texts_get_no_signature() -> None:
    assert FINGERPRINTER.signature("Photo of the day: the new library at dusk.") is None
    assert shingles("one two three", size=5) == {"one two three"}
    assert shingles("one two three", size=5, min_words=4) == set()


def test_settings_refuse_a_candidate_threshold_above_the_threshold() -> None:
    with pytest.raises(ValueError, match="candidate_threshold"):
        DedupSettings(threshold=0.5, candidate_threshold=0.8)


def test_original_is_the_declared_one_else_earliest_published_else_first_seen() -> None:
    a = Candidate("https://a.example/p", "2024-03-01T10:00:00+00:00", "2024-05-02T00:00:00Z")
    b = Candidate("https://b.example/p", "2024-02-01", "2024-05-03T00:00:00Z")
    undated = Candidate("https://c.example/p", None, "2024-01-01T00:00:00Z")
    assert choose_original([a, b, undated]).url == b.url
    declaring = Candidate(b.url, b.published, b.first_seen_at, declares_other=True)
    assert choose_original([a, declaring]).url == a.url
    same_day = Candidate("https://d.example/p", "2024-02-01T23:00:00+00:00", "2024-04-01T00:00:00Z")
    assert choose_original([b, same_day]).url == same_day.url  # same date: first seen wins
    assert choose_original([undated, Candidate("https://e.example/p", None, "2023-01-01")]).url == (
        "https://e.example/p"
    )
    # Stored in the same second: the order of storing decides, not the URL.
    first = Candidate("https://z.example/p", None, "2024-01-01T00:00:00Z", stored_order=1)
    second = Candidate("https://a.example/p", None, "2024-01-01T00:00:00Z", stored_order=2)
    assert choose_original([second, first]).url == first.url


PAGE = """<!DOCTYPE html><html lang="en"><head><title>Start small</title>
<link rel="canonical" href="{canonical}"></head><body><article><h1>Start small</h1>
<p>{text}</p></article></body></html>"""


@pytest.mark.parametrize(
    ("canonical", "url", "declared"),
    [
        # Same site: another spelling of the fetched host is the post's URL.
        ("https://www.lab.example/start-small/", "https://www.lab.example/start-small/", None),
        # The home page as every post's canonical: a theme's mistake, not trusted.
        ("https://lab.example/", "http://lab.example/start-small/?id=3", None),
        # Another host: not the post's URL, but the original the copy declares.
        ("https://foundation.example/start-small/", "http://lab.example/start-small/?id=3",
         "https://foundation.example/start-small/"),
        ("https://blog.lab.example/p/1/", "http://lab.example/start-small/?id=3",
         "https://blog.lab.example/p/1/"),
    ],
)  # fmt: skip
def test_rel_canonical_is_the_url_within_the_site_and_the_declared_original_across_sites(
    canonical: str, url: str, declared: str | None
) -> None:
    fetched = "http://lab.example/start-small/?id=3&utm_source=feed"
    page = PAGE.format(canonical=canonical, text=" ".join(["Start small and finish."] * 20))
    record = extract_post(page.encode(), fetched)
    assert (record.url, record.declared_original) == (url, declared)


def test_lsh_bands_are_datasketchs() -> None:
    # Stored band keys depend on (bands, rows): the scipy-free computation must not move them.
    # Every threshold in steps of 0.05 (datasketch's integrals take seconds each; a run over
    # 0.01 to 0.99 for 16, 64, 128 and 256 permutations, in benchmarks/RESULTS.md, agreed too).
    from datasketch.lsh import _optimal_param

    for threshold in sorted({DedupSettings().candidate_threshold, *(k / 20 for k in range(1, 20))}):
        expected = _optimal_param(threshold, 128, 0.5, 0.5)
        assert lsh_bands(threshold, 128) == expected, f"threshold {threshold}"


def test_default_bands_are_the_stored_ones() -> None:
    assert FINGERPRINTER.bands == lsh_bands(DedupSettings().candidate_threshold, 128) == (32, 4)


def test_making_no_signature_imports_no_scipy() -> None:
    code = (
        "import sys; from pipeline.signatures import Fingerprinter; f = Fingerprinter();"
        " f.bands; f.signature('too short'); print('scipy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False", done.stderr
