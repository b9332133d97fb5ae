"""Near-duplicates in Datasette: a copy names its original, the original lists its copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.publish import default_snapshot_path
from archive.store import Archive
from demo import civic_lab_notes
from pipeline.records import PostRecord
from tests.test_archive_datasette import get

TEXT = "\n\n".join(civic_lab_notes.SITE.post("creative-councils-starting-small").paragraphs)
ORIGINAL = PostRecord(
    url="https://civiclab.example.org/2024/01/starting-small/",
    title="Creative Councils: Starting small",
    text=TEXT,
    site="Civic Lab Notes",
    published="2024-01-16",
)
COPY = PostRecord(
    url="https://review.example.com/features/start-small-learn-fast",
    title="Start small, learn fast",
    text=TEXT + "\n\nThis post first appeared on Civic Lab Notes.",
    site="Local Gov Innovation Review",
    published="2024-02-13",
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dups") / "archive.db"
    with Archive.open(db) as archive:
        run = archive.start_run({})
        archive.store_post(COPY, run)
        archive.store_post(ORIGINAL, run)
        archive.finish_run(run, pages_fetched=2)
        return archive.publish(default_snapshot_path(db))


def row_page(snapshot: Path, url: str) -> str:
    from datasette.utils import tilde_encode

    response = get(snapshot, f"/archive/posts/{tilde_encode(url)}")
    assert response.status_code == 200
    return str(response.text)


def test_copy_page_names_its_original(snapshot: Path) -> None:
    page = row_page(snapshot, COPY.url)
    assert 'class="duplicate-of"' in page
    assert ORIGINAL.title in page
    assert "of the text alike" in page
    assert 'class="duplicate-copies"' not in page


def test_original_page_lists_its_copies(snapshot: Path) -> None:
    page = row_page(snapshot, ORIGINAL.url)
    assert 'class="duplicate-copies"' in page
    assert COPY.title in page
    assert 'class="duplicate-of"' not in page


def test_duplicate_pairs_view_and_canned_query(snapshot: Path) -> None:
    pairs = get(snapshot, "/archive/duplicate_pairs.json?_shape=objects").json()["rows"]
    assert [(r["post_url"], r["original_url"], r["method"]) for r in pairs] == [
        (COPY.url, ORIGINAL.url, "minhash")
    ]
    assert 0.6 < pairs[0]["similarity"] <= 1
    canned = get(snapshot, "/archive/duplicate_posts.json?_shape=objects").json()["rows"]
    assert [(r["original_url"], r["copies"]) for r in canned] == [(ORIGINAL.url, 1)]
