"""New posts' LSH band keys wait in a small table and move to the large one in key order.

Band keys are hashes: stored one post at a time in ``post_signature_bands`` (a B-tree of
millions of rows at 100,000 posts), each of a post's 32 keys dirtied a random page, half the
pages a stored post wrote. Since m020 they wait in ``post_signature_bands_recent`` and
:func:`archive.duplicates.merge_recent_bands` moves them thousands at a time, in key order;
near-duplicates are found in both tables alike.
"""

from __future__ import annotations

import random
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.duplicates import RECENT_BAND_POSTS, merge_recent_bands
from archive.store import Archive
from archive.write_batch import WriteBatch
from tests.test_archive_duplicates import COPY, ORIGINAL, SIBLING, links, record
from tests.test_archive_store import Clock

WAL_HEADER, FRAME_HEADER = 32, 24


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def count(archive: Archive, table: str) -> int:
    return archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_new_keys_wait_in_the_recent_table_and_copies_are_found_in_either(archive):
    run = archive.start_run({})
    archive.store_post(ORIGINAL, run)
    assert count(archive, "post_signature_bands_recent") == 32
    assert count(archive, "post_signature_bands") == 0
    assert merge_recent_bands(archive.db, posts=1) == 32  # moved, in key order
    assert count(archive, "post_signature_bands_recent") == 0
    archive.store_post(SIBLING, run)  # its keys wait in the recent table
    # A copy of a post whose keys moved, and one of a post whose keys wait.
    assert archive.store_post(COPY, run) == "duplicate"
    sibling_copy = record(
        "https://magazine.example.com/b/", "Republished. " + SIBLING.text, published="2024-03-01"
    )
    assert archive.store_post(sibling_copy, run) == "duplicate"
    assert sorted(links(archive)) == sorted(
        [(COPY.url, ORIGINAL.url, "minhash"), (sibling_copy.url, SIBLING.url, "minhash")]
    )


def test_keys_move_once_enough_posts_wait_and_a_post_signed_again_keeps_one_set(archive):
    db = archive.db
    run = archive.start_run({})
    archive.store_post(ORIGINAL, run)
    assert merge_recent_bands(db) == 0  # one post waits: not enough
    archive.store_post(SIBLING, run)
    assert merge_recent_bands(db, posts=2) == 64
    # An edited post is signed again: its old keys leave the large table, the new ones wait.
    edited = record(ORIGINAL.url, SIBLING.text + " And a closing line.", title=ORIGINAL.title)
    archive.store_post(edited, run)
    (signature_id,) = db.execute(
        "SELECT id FROM post_signatures WHERE post_url = ?", [ORIGINAL.url]
    ).fetchone()
    where = "WHERE signature_id = ?"
    assert db.execute(
        f"SELECT count(*) FROM post_signature_bands {where}", [signature_id]
    ).fetchone() == (0,)
    assert db.execute(
        f"SELECT count(*) FROM post_signature_bands_recent {where}", [signature_id]
    ).fetchone() == (32,)


def test_a_batch_commit_moves_the_keys_when_enough_posts_wait(archive, monkeypatch):
    import archive.duplicates as duplicates

    monkeypatch.setattr(duplicates, "RECENT_BAND_POSTS", 2)
    batch = WriteBatch(archive.db, archive.path, rows=10, seconds=3600.0)
    run = archive.start_run({})
    for post in (ORIGINAL, SIBLING):
        batch.begin()
        archive.store_post(post, run)
        batch.wrote()
    assert count(archive, "post_signature_bands_recent") == 64
    batch.commit()
    moved = (count(archive, "post_signature_bands_recent"), count(archive, "post_signature_bands"))
    assert moved == (0, 64)


def wal_pages_of(path: Path, start: int, page_size: int) -> list[int]:
    pages = []
    with open(f"{path}-wal", "rb") as handle:
        handle.seek(max(start, WAL_HEADER))
        while len(header := handle.read(FRAME_HEADER)) == FRAME_HEADER:
            pages.append(struct.unpack(">I", header[:4])[0])
            handle.seek(page_size, 1)
    return pages


def band_pages_written(tmp_path: Path, *, recent: bool) -> int:
    """Store 40 posts in one batch into an archive holding 4,000 posts' band keys; return the
    WAL pages the band tables took. ``recent=False``: keys inserted as before m020."""
    path = tmp_path / ("recent.db" if recent else "direct.db")
    with Archive.open(path, clock=Clock()) as archive:
        db = archive.db
        rng = random.Random(7)
        db.execute("PRAGMA wal_autocheckpoint = 0")
        db.execute("PRAGMA foreign_keys = OFF")  # signatures of posts this test never stores
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO post_signatures (id, post_url, scheme, computed_at)"
                " VALUES (?, ?, 'old', '')",
                [(n, f"https://old.example/{n}/") for n in range(1, 4001)],
            )
            db.conn.executemany(
                "INSERT INTO post_signature_bands (band_key, signature_id) VALUES (?, ?)",
                sorted((rng.getrandbits(63), n) for n in range(1, 4001) for _ in range(32)),
            )
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if not recent:
            # The mechanism off: the recent table is the large one, as before m020.
            db.execute("DROP TABLE post_signature_bands_recent")
            db.execute(
                "CREATE VIEW post_signature_bands_recent AS SELECT * FROM post_signature_bands"
            )
            db.execute(
                "CREATE TRIGGER recent_insert INSTEAD OF INSERT ON post_signature_bands_recent"
                " BEGIN INSERT OR IGNORE INTO post_signature_bands VALUES"
                " (new.band_key, new.signature_id); END"
            )
            db.execute(
                "CREATE TRIGGER recent_delete INSTEAD OF DELETE ON post_signature_bands_recent"
                " BEGIN SELECT 1; END"
            )
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        batch = WriteBatch(db, path, rows=100, seconds=3600.0)
        run = archive.start_run({})
        wal_start = Path(f"{path}-wal").stat().st_size
        words = [f"w{n}" for n in range(3000)]
        for n in range(40):
            batch.begin()
            text = " ".join(rng.choice(words) for _ in range(300))
            archive.store_post(record(f"https://new.example/{n}/", text), run)
            batch.wrote()
        batch.commit()
        owner = dict(db.execute("SELECT pageno, name FROM dbstat").fetchall())
        frames = wal_pages_of(path, wal_start, page_size)
        return sum(1 for page in frames if "signature_bands" in owner.get(page, ""))


def test_a_batch_of_posts_writes_few_band_pages_where_direct_inserts_wrote_one_a_key(tmp_path):
    assert RECENT_BAND_POSTS > 40  # the batch's keys all wait
    recent = band_pages_written(tmp_path, recent=True)
    direct = band_pages_written(tmp_path, recent=False)
    # 40 posts' 1,280 keys: on as many random leaves of the large table (about 600 pages
    # hold 4,000 posts' keys), on a handful of the recent table's.
    assert direct > 400
    assert recent < direct / 10


def test_an_archive_from_before_m020_opens_keeps_its_keys_and_finds_copies(tmp_path):
    path = tmp_path / "old.db"
    with Archive.open(path, clock=Clock()) as archive:
        run = archive.start_run({})
        archive.store_post(ORIGINAL, run)
        archive.finish_run(run, pages_fetched=1)
        # Its keys where m019's code put them, and the schema as m019 left it.
        merge_recent_bands(archive.db, posts=1)
        archive.db.execute("DROP TABLE post_signature_bands_recent")
        archive.db.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm020%'")
    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'post_signature_bands_recent'"
    ).fetchone() == (0,)
    conn.close()
    with Archive.open(path, clock=Clock()) as archive:
        assert count(archive, "post_signature_bands") == 32
        assert count(archive, "post_signature_bands_recent") == 0
        run = archive.start_run({})
        assert archive.store_post(COPY, run) == "duplicate"
        assert links(archive) == [(COPY.url, ORIGINAL.url, "minhash")]
