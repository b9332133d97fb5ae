"""Near-duplicate posts in the archive: linked to their original, never counted as new."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.store import Archive
from demo import civic_lab_notes
from pipeline.records import PostRecord
from tests.conftest import run_cli
from tests.test_archive_store import Clock, rows

FOUNDATION = "https://foundation.example.org"
MAGAZINE = "https://magazine.example.com"
POSTS = {p.slug: "\n\n".join(p.paragraphs) for p in civic_lab_notes.SITE.posts}
PART_1 = POSTS["creative-councils-starting-small"]
NOTE = "Editor's note: this piece first appeared on Civic Lab Notes and is republished with thanks."


def record(url: str, text: str, **fields: Any) -> PostRecord:
    defaults: dict[str, Any] = {
        "title": url.rsplit("/", 2)[-2].replace("-", " "),
        "source": url.split("/")[2],
        "fetched_url": url,
        "published": "2024-01-16",
    }
    defaults.update(fields)
    return PostRecord(url=url, text=text, **defaults)


ORIGINAL = record(f"{FOUNDATION}/2024/01/starting-small/", PART_1, published="2024-01-16")
COPY = record(f"{MAGAZINE}/features/start-small/", NOTE + "\n\n" + PART_1, published="2024-02-13")
SIBLING = record(
    f"{FOUNDATION}/2024/02/permission/",
    POSTS["creative-councils-permission-to-experiment"],
    published="2024-02-20",
)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def links(archive: Archive) -> list[tuple[Any, ...]]:
    return rows(archive, "SELECT post_url, original_url, method FROM post_duplicates")


def counts(archive: Archive, run: int) -> dict[str, int]:
    row = archive.finish_run(run, pages_fetched=1)
    return {k: row[f"posts_{k}"] for k in ("new", "updated", "unchanged", "duplicate")}


def test_copy_stored_after_its_original_is_linked_not_new(archive: Archive) -> None:
    run = archive.start_run({})
    assert archive.store_post(ORIGINAL, run) == "new"
    assert archive.store_post(SIBLING, run) == "new"
    assert archive.store_post(COPY, run) == "duplicate"
    assert links(archive) == [(COPY.url, ORIGINAL.url, "minhash")]
    similarity = rows(archive, "SELECT similarity FROM post_duplicates")[0][0]
    assert 0.6 < similarity < 1.0
    assert counts(archive, run) == {"new": 2, "updated": 0, "unchanged": 0, "duplicate": 1}
    # The copy keeps its own row (its page, headline and note are archived as they are).
    assert rows(archive, "SELECT count(*) FROM posts") == [(3,)]


def test_without_detection_the_copy_counts_as_a_new_post(tmp_path: Path) -> None:
    """The mechanism off: the same three posts with dedup disabled."""
    with Archive.open(tmp_path / "off.db", clock=Clock(), dedup=False) as archive:
        run = archive.start_run({})
        for post in (ORIGINAL, SIBLING, COPY):
            assert archive.store_post(post, run) == "new"
        assert links(archive) == []
        assert counts(archive, run)["new"] == 3


def test_original_stored_after_its_copy_in_one_run_takes_over_the_new_count(
    archive: Archive,
) -> None:
    run = archive.start_run({})
    assert archive.store_post(COPY, run) == "new"
    assert archive.store_post(ORIGINAL, run) == "new"
    # Earliest published is the original, whichever came first.
    assert links(archive) == [(COPY.url, ORIGINAL.url, "minhash")]
    assert rows(archive, "SELECT post_url, outcome FROM run_posts ORDER BY post_url") == [
        (ORIGINAL.url, "new"),
        (COPY.url, "duplicate"),
    ]
    assert counts(archive, run) == {"new": 1, "updated": 0, "unchanged": 0, "duplicate": 1}


def test_one_run_counts_one_new_post_per_cluster_whatever_the_order(archive: Archive) -> None:
    paragraphs = PART_1.split("\n\n")
    # Two partial copies: each like the whole post, not like each other.
    first_half = record(f"{MAGAZINE}/a/", "\n\n".join(paragraphs[:3]), published="2024-01-10")
    second_half = record(f"{MAGAZINE}/b/", "\n\n".join(paragraphs[2:]), published="2024-02-01")
    run = archive.start_run({})
    assert archive.store_post(first_half, run) == "new"
    assert archive.store_post(second_half, run) == "new"  # nothing like it yet
    assert archive.store_post(ORIGINAL, run) == "duplicate"
    # The earliest published is the original of all three, and the only one counted new.
    assert sorted(links(archive)) == [
        (ORIGINAL.url, first_half.url, "minhash"),
        (second_half.url, first_half.url, "minhash"),
    ]
    assert counts(archive, run) == {"new": 1, "updated": 0, "unchanged": 0, "duplicate": 2}


def test_original_found_in_a_later_run_is_not_new_content(archive: Archive) -> None:
    first = archive.start_run({})
    archive.store_post(COPY, first)
    second = archive.start_run({})
    assert archive.store_post(ORIGINAL, second) == "duplicate"
    assert links(archive) == [(COPY.url, ORIGINAL.url, "minhash")]
    assert counts(archive, first)["new"] == 1  # history is not rewritten


def test_undated_copies_point_at_the_first_seen(archive: Archive) -> None:
    run = archive.start_run({})
    first = record(f"{MAGAZINE}/a/", PART_1, published=None)
    second = record(f"{FOUNDATION}/b/", PART_1 + "\n\n" + NOTE, published=None)
    archive.store_post(first, run)
    archive.store_post(second, run)
    assert links(archive) == [(second.url, first.url, "minhash")]


def test_a_third_copy_joins_the_cluster_under_the_same_original(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(COPY, run)
    third = record("https://news.example.net/p/start-small/", PART_1, published="2024-03-01")
    archive.store_post(third, run)
    archive.store_post(ORIGINAL, run)
    assert sorted(links(archive)) == sorted(
        [(COPY.url, ORIGINAL.url, "minhash"), (third.url, ORIGINAL.url, "minhash")]
    )
    assert counts(archive, run)["new"] == 1


def test_a_copy_edited_into_another_post_is_unlinked(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(ORIGINAL, run)
    archive.store_post(COPY, run)
    rewritten = record(COPY.url, POSTS["why-we-stopped-writing-strategies"], published="2024-02-13")
    assert archive.store_post(rewritten, archive.start_run({})) == "updated"
    assert links(archive) == []


def test_unchanged_posts_keep_their_signature_and_links(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(ORIGINAL, run)
    archive.store_post(COPY, run)
    before = rows(archive, "SELECT post_url, computed_at FROM post_signatures ORDER BY post_url")
    again = archive.start_run({})
    assert archive.store_post(COPY, again) == "unchanged"
    assert archive.store_post(ORIGINAL, again) == "unchanged"
    after = rows(archive, "SELECT post_url, computed_at FROM post_signatures ORDER BY post_url")
    assert after == before
    assert links(archive) == [(COPY.url, ORIGINAL.url, "minhash")]
    assert rows(archive, "SELECT run_id FROM post_duplicates") == [(run,)]


def test_cross_site_canonical_to_an_archived_post_names_the_original(archive: Archive) -> None:
    run = archive.start_run({})
    # Published earlier than the original it names, and its text would not match on its own.
    declaring = record(
        f"{MAGAZINE}/features/short/",
        PART_1.split("\n\n")[0],
        published="2023-12-01",
        declared_original="http://www.foundation.example.org/2024/01/starting-small",
    )
    assert archive.store_post(declaring, run) == "new"
    assert links(archive) == []  # the named post is not archived yet
    assert archive.store_post(ORIGINAL, run) == "new"
    assert links(archive) == [(declaring.url, ORIGINAL.url, "rel-canonical")]
    assert counts(archive, run)["duplicate"] == 1


def test_a_canonical_added_later_to_an_unchanged_page_links_it(archive: Archive) -> None:
    teaser = record(f"{MAGAZINE}/features/teaser/", PART_1.split("\n\n")[0])
    archive.store_post(ORIGINAL, archive.start_run({}))
    assert archive.store_post(teaser, archive.start_run({})) == "new"
    assert links(archive) == []
    declaring = dataclasses.replace(teaser, declared_original=ORIGINAL.url)
    # The declaration is about the page, not the post: the post is unchanged, yet linked.
    assert archive.store_post(declaring, archive.start_run({})) == "unchanged"
    assert links(archive) == [(teaser.url, ORIGINAL.url, "rel-canonical")]


def test_cross_site_canonical_to_an_unknown_host_links_nothing(archive: Archive) -> None:
    run = archive.start_run({})
    claim = record(
        f"{MAGAZINE}/features/claim/",
        POSTS["open-sourcing-our-bin-collection-app"],
        declared_original="https://unknown.example/some/page/",
    )
    assert archive.store_post(claim, run) == "new"
    assert links(archive) == []


def test_another_spelling_of_a_stored_url_updates_the_same_row(archive: Archive) -> None:
    run = archive.start_run({})
    archive.store_post(ORIGINAL, run)
    spelled = record(
        "http://www.foundation.example.org/2024/01/starting-small",
        PART_1 + "\n\nUpdated with a correction.",
        fetched_url="http://www.foundation.example.org/2024/01/starting-small/index.html",
    )
    assert archive.store_post(spelled, archive.start_run({})) == "updated"
    assert rows(archive, "SELECT url, url_key FROM posts") == [
        (ORIGINAL.url, "foundation.example.org/2024/01/starting-small")
    ]


def test_entries_of_one_listing_page_stay_two_posts(archive: Archive) -> None:
    run = archive.start_run({})
    for n in (7, 8):
        entry = record(f"{FOUNDATION}/page/2/#post-{n}", f"Entry {n} of the page.")
        assert archive.store_post(entry, run) == "new"
    assert rows(archive, "SELECT count(*) FROM posts") == [(2,)]


def test_candidates_come_from_the_band_index_not_from_every_post(archive: Archive) -> None:
    run = archive.start_run({})
    texts = list(POSTS.values())
    # Many unrelated posts: mixtures of paragraphs from different demo posts.
    paragraphs = [p for text in texts for p in text.split("\n\n")]
    for i in range(60):
        text = "\n\n".join(paragraphs[(i * 7 + j * 11) % len(paragraphs)] for j in range(2))
        archive.store_post(record(f"{MAGAZINE}/mix/{i}/", f"Mix {i}.\n\n{text}"), run)
    archive.store_post(ORIGINAL, run)
    signature = archive.duplicates.fingerprinter.signature(COPY.text)  # type: ignore[union-attr]
    assert signature is not None
    found = archive.duplicates.candidates(COPY.url, signature)  # type: ignore[union-attr]
    assert ORIGINAL.url in found
    assert len(found) < 30, len(found)


def test_duplicates_command_links_posts_stored_before_detection(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with Archive.open(db, clock=Clock(), dedup=False) as archive:
        run = archive.start_run({})
        for post in (COPY, ORIGINAL, SIBLING):
            archive.store_post(post, run)
    result = run_cli("duplicates", "--db", str(db))
    assert result.returncode == 0, result.stderr
    pairs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(p["post_url"], p["original_url"], p["method"]) for p in pairs] == [
        (COPY.url, ORIGINAL.url, "minhash")
    ]
    assert "1 posts are copies" in result.stderr
    # Signatures are now stored: a second pass fingerprints nothing and finds the same pair.
    with Archive.open(db) as archive:
        assert archive.duplicates is not None
        assert archive.duplicates.index_stored("2025-02-01T00:00:00Z") == 0
        assert rows(archive, "SELECT count(*) FROM post_signatures") == [(3,)]


def test_duplicates_command_on_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database")
    result = run_cli("duplicates", "--db", str(bogus))
    assert result.returncode == 1
    assert str(bogus) in result.stderr
    assert "Traceback" not in result.stderr
