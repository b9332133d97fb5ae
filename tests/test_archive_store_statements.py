"""What storing a post asks of SQLite: no work that grows with the archive when none is needed.

The crawler process stores every post; each statement it runs per post is CPU the crawl
pays a post (benchmarks/RESULTS.md, "Crawler CPU, session 8"). Statements are read with
SQLite's own trace callback on the archive's connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store import Archive
from tests.test_archive_store import Clock, post


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def statements(archive: Archive, record, run_id: int) -> list[str]:
    seen: list[str] = []
    archive.db.conn.set_trace_callback(seen.append)
    try:
        archive.store_post(record, run_id)
    finally:
        archive.db.conn.set_trace_callback(None)
    return seen


def test_a_new_post_adds_one_to_its_sites_count_without_counting_the_sites_posts(archive):
    run_id = archive.start_run({})
    for n in range(5):
        archive.store_post(post(f"post-{n}"), run_id)
    ran = statements(archive, post("post-5"), run_id)
    assert not [s for s in ran if "count(*) from posts where" in s.lower()]
    # Updated posts keep the count; a post of another host opens its own site.
    archive.store_post(post("post-2", text="Edited body about procurement."), run_id)
    archive.store_post(post("other", url="https://b.example.org/other/"), run_id)
    counts = archive.db.execute(
        "SELECT post_count, (SELECT count(*) FROM posts WHERE site_id = sites.id) FROM sites"
        " ORDER BY id"
    ).fetchall()
    assert counts == [(6, 6), (1, 1)]


def test_a_post_in_no_series_and_with_no_evidence_leaves_the_series_tables_unwritten(archive):
    run_id = archive.start_run({})
    archive.store_post(post("first"), run_id)
    ran = statements(archive, post("second"), run_id)
    writes = [s for s in ran if s.split()[0].upper() in ("DELETE", "UPDATE", "INSERT")]
    assert not [s for s in writes if "series_posts" in s or "series_evidence SET" in s]
