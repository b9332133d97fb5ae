"""Posts reach the full-text index once a transaction, not once a post.

FTS5 writes what it has pending as a new segment of its index whenever a savepoint opens
(its ``xSavepoint``), and every write of a batch is a savepoint
(:mod:`archive.write_batch`): indexed by a trigger, each post became a segment of its own
and FTS5's merges rewrote them over and over (1.9 of the 5.7 ms of CPU a post stored into
a 100,000-post archive; ``benchmarks/throughput/store_writes.py``). So since migration m018
a stored post's rowid goes to ``posts_fts_pending``, and :func:`index_pending_posts` indexes
every pending post in one statement just before the transaction commits: the batch's commit,
a write's own transaction when no batch is open (:func:`archive.access.writing`), the fleet
writer's stream batch (through the pipeline's flush), publishing. An update or a delete of a
post still pending leaves the index alone (the triggers check): the index learns the post's
values when it is indexed. What the index holds after a commit, and so every search's
answer, is what the per-post trigger gave.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

# The pending rows drive (CROSS JOIN): left to itself the planner may read every post in
# rowid order and look each up among the pending ones (1.2 s a batch at 100,000 posts).
PENDING_POSTS = (
    'SELECT posts.rowid, posts."title", posts."text" FROM posts_fts_pending'
    " CROSS JOIN posts ON posts.rowid = posts_fts_pending.post_rowid"
    " ORDER BY posts_fts_pending.post_rowid"
)


def index_pending_posts(db: sqlite_utils.Database) -> int:
    """Index the posts stored since the last call, in the caller's transaction; return how many.

    Outside a transaction the statements commit on their own. An archive from before m018
    has no pending table and nothing pending.
    """
    conn = db.conn
    try:
        pending = conn.execute("SELECT count(*) FROM posts_fts_pending").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not migrated to m018 yet (a migration's own writes)
    if not pending:
        return 0
    conn.execute(f'INSERT INTO posts_fts (rowid, "title", "text") {PENDING_POSTS}')
    conn.execute("DELETE FROM posts_fts_pending")
    return int(pending)
