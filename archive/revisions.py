"""Revisions of posts: earlier versions kept when a post changes, posts found gone.

The ``posts`` row always holds the newest version; ``post_revisions`` holds every version it
replaced, numbered from 1 (the first version stored), with the run that stored it
(``from_run_id``) and the run that replaced it (``run_id``). A post that answers 404 or 410
is kept as it was and recorded as ``gone`` in that run's ``run_posts``. How two versions
differ, for the reading view, is :mod:`archive.diffs`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlite_utils

# The columns of ``posts`` that make up what a post says; a change in any is a new version.
VERSIONED_FIELDS = (
    "title",
    "author",
    "published",
    "updated",
    "site",
    "description",
    "tags",
    "language",
    "text",
    "html",
)
# Columns copied from ``posts`` into a revision besides the versioned ones.
KEPT_FIELDS = ("site_id", "word_count", "source", "fetched_url", "content_hash", "markdown")
GONE_MESSAGE = re.compile(r"HTTP (404|410)\b")


def post_links(db: sqlite_utils.Database, post_url: str) -> list[list[str]]:
    """Return a stored post's links as ``[url, text]`` pairs, in order."""
    return [
        [url, text]
        for url, text in db.execute(
            "SELECT url, text FROM links WHERE post_url = ? ORDER BY position", [post_url]
        ).fetchall()
    ]


def changed_fields(
    db: sqlite_utils.Database, post_url: str, values: dict[str, Any], links: list[list[str]]
) -> list[str]:
    """Return which versioned fields (and ``links``) of a stored post ``values`` would change.

    Compares values, not hashes, so that a change in how the content hash is computed, or in
    what a crawl happened to learn from other pages (a series page listing the post), never
    makes a version out of a post that says the same as before.
    """
    columns = ", ".join(VERSIONED_FIELDS)
    row = db.execute(f"SELECT {columns} FROM posts WHERE url = ?", [post_url]).fetchone()
    if row is None:
        return []
    changed = [f for f, old in zip(VERSIONED_FIELDS, row, strict=True) if old != values.get(f)]
    if post_links(db, post_url) != links:
        changed.append("links")
    return changed


def save_revision(
    db: sqlite_utils.Database, post_url: str, *, run_id: int, now: str, changed: list[str]
) -> int:
    """Copy the stored version of a post into ``post_revisions`` before it is replaced.

    Call inside the transaction that replaces it; return the revision number given.
    """
    columns = VERSIONED_FIELDS + KEPT_FIELDS + ("last_run_id", "last_changed_at")
    row = db.execute(f"SELECT {', '.join(columns)} FROM posts WHERE url = ?", [post_url]).fetchone()
    if row is None:
        raise ValueError(f"no stored post {post_url} to keep a revision of")
    old = dict(zip(columns, row, strict=True))
    series = [
        {"name": name, "part": part, "total": total, "signal": signal}
        for name, part, total, signal in db.execute(
            "SELECT series.name, sp.stated_part, sp.stated_total, sp.signal"
            " FROM series_posts sp JOIN series ON series.id = sp.series_id"
            " WHERE sp.post_url = ? ORDER BY series.name",
            [post_url],
        ).fetchall()
    ]
    (revision,) = db.execute(
        "SELECT coalesce(max(revision), 0) + 1 FROM post_revisions WHERE post_url = ?", [post_url]
    ).fetchone()
    stored_at = old.pop("last_changed_at")
    db.table("post_revisions").insert(
        {
            "post_url": post_url,
            "revision": revision,
            "from_run_id": old.pop("last_run_id"),
            "run_id": run_id,
            "changed": json.dumps(changed),
            **old,
            "links": json.dumps(post_links(db, post_url), ensure_ascii=False),
            "series": json.dumps(series, ensure_ascii=False),
            "stored_at": stored_at,
            "saved_at": now,
        }
    )
    return int(revision)


def mark_gone(
    db: sqlite_utils.Database, url: str, message: str, *, run_id: int, now: str
) -> str | None:
    """Record a stored post whose page answered 404 or 410 as ``gone`` in the run.

    The post itself is kept as it was last archived. Return its URL, or None when ``url``
    is not an archived post or the failure does not mean the page is gone.
    """
    if not GONE_MESSAGE.match(message):
        return None
    found = db.execute(
        "SELECT url FROM posts WHERE url = ? OR fetched_url = ? LIMIT 1", [url, url]
    ).fetchone()
    if found is None:
        return None
    db.execute(
        "INSERT OR IGNORE INTO run_posts (run_id, post_url, outcome, seen_at)"
        " VALUES (?, ?, 'gone', ?)",
        [run_id, found[0], now],
    )
    return str(found[0])
