"""Stored posts reach the full-text index once a transaction (archive/search_index.py, m018).

FTS5 writes what it holds as a new index segment whenever a savepoint opens, and every write
of a batch is one: indexed by a trigger at each insert, a batch of posts became a segment a
post, merged again and again. The real store, the real migrations and SQLite's FTS5 here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.search_index import PENDING_POSTS
from archive.store import Archive
from archive.write_batch import WriteBatch
from pipeline.records import PostRecord

SITE = "https://index.example.org"


def post(n: int, text: str | None = None) -> PostRecord:
    return PostRecord(
        url=f"{SITE}/post-{n}/",
        title=f"Post {n}",
        text=text or f"Common words of post {n}, and its own word uniq{n}. " * 20,
        source="index",
    )


def found(db: Path, query: str) -> list[str]:
    """Search as a reader does: another connection, committed rows only."""
    conn = sqlite3.connect(db)
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT posts.url FROM posts_fts JOIN posts ON posts.rowid = posts_fts.rowid"
                " WHERE posts_fts MATCH ? ORDER BY posts.url",
                [query],
            )
        ]
    finally:
        conn.close()


def segments(archive: Archive) -> int:
    return int(archive.db.execute("SELECT count(DISTINCT segid) FROM posts_fts_idx").fetchone()[0])


def index_is_sound(archive: Archive) -> None:
    """FTS5's own check of the index against the posts table (raises if they differ)."""
    archive.db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")


def test_a_batchs_posts_are_indexed_in_one_segment_at_its_commit(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive.db")
    batch = WriteBatch(archive.db, archive.path, rows=100, seconds=3600.0)
    run_id = archive.start_run({})
    for n in range(40):
        batch.begin()
        archive.store_post(post(n), run_id)
        batch.wrote()
    assert found(archive.path, "common") == []  # nothing committed yet
    batch.commit()
    # Indexed at each insert, the 40 posts left 10 segments after FTS5's merges.
    assert segments(archive) == 1
    assert len(found(archive.path, "common")) == 40
    assert found(archive.path, "uniq7") == [f"{SITE}/post-7/"]
    index_is_sound(archive)
    archive.close()


def test_a_post_changed_or_deleted_before_its_commit_is_indexed_as_committed(
    tmp_path: Path,
) -> None:
    archive = Archive.open(tmp_path / "archive.db")
    batch = WriteBatch(archive.db, archive.path, rows=100, seconds=3600.0)
    run_id = archive.start_run({})
    batch.begin()
    assert archive.store_post(post(1, "The first words: draftword."), run_id) == "new"
    assert archive.store_post(post(1, "The second words: finalword."), run_id) == "updated"
    archive.store_post(post(2), run_id)
    archive.db.execute("DELETE FROM posts WHERE url = ?", [f"{SITE}/post-2/"])
    archive.store_post(post(3), run_id)
    batch.commit()
    assert found(archive.path, "finalword") == [f"{SITE}/post-1/"]
    assert found(archive.path, "draftword") == []
    assert found(archive.path, "uniq2") == []
    assert found(archive.path, "uniq3") == [f"{SITE}/post-3/"]
    index_is_sound(archive)
    # Once indexed, an update and a delete reach the index at once, as before.
    run_id = archive.start_run({})
    assert archive.store_post(post(3, "Rewritten: laterword."), run_id) == "updated"
    assert found(archive.path, "laterword") == [f"{SITE}/post-3/"]
    assert found(archive.path, "uniq3") == []
    with archive.db.conn:
        archive.db.execute("DELETE FROM posts WHERE url = ?", [f"{SITE}/post-3/"])
    assert found(archive.path, "laterword") == []
    index_is_sound(archive)
    archive.close()


def test_a_write_outside_a_batch_is_indexed_in_its_own_transaction(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive.db")
    run_id = archive.start_run({})
    archive.store_post(post(5), run_id)
    assert found(archive.path, "uniq5") == [f"{SITE}/post-5/"]
    assert archive.db.execute("SELECT count(*) FROM posts_fts_pending").fetchone()[0] == 0
    archive.close()


def test_posts_committed_without_their_index_are_indexed_when_the_archive_opens(
    tmp_path: Path,
) -> None:
    """A writer that commits its own transaction without indexing (none of the project's
    does) leaves the posts pending, not lost: the next open indexes them."""
    archive = Archive.open(tmp_path / "archive.db")
    run_id = archive.start_run({})
    archive.db.execute("BEGIN")  # a transaction committed by hand
    archive.store_post(post(6), run_id)
    archive.db.execute("COMMIT")
    assert found(archive.path, "uniq6") == []
    archive.close()
    with Archive.open(tmp_path / "archive.db") as reopened:
        assert found(reopened.path, "uniq6") == [f"{SITE}/post-6/"]
        index_is_sound(reopened)


def test_indexing_reads_only_the_pending_posts(tmp_path: Path) -> None:
    """The pending rows drive the statement: the plan SQLite chose for a plain join read
    every post in rowid order and looked each up among the pending (1.2 s a batch at
    100,000 posts)."""
    archive = Archive.open(tmp_path / "archive.db")
    plan = [row[3] for row in archive.db.execute(f"EXPLAIN QUERY PLAN {PENDING_POSTS}")]
    plain = PENDING_POSTS.replace("CROSS JOIN", "JOIN").replace(
        "ORDER BY posts_fts_pending.post_rowid", "ORDER BY posts.rowid"
    )
    plain_plan = [row[3] for row in archive.db.execute(f"EXPLAIN QUERY PLAN {plain}")]
    archive.close()
    assert plan[0] == "SCAN posts_fts_pending", plan
    assert plain_plan[0] == "SCAN posts", plain_plan  # what the CROSS JOIN avoids
