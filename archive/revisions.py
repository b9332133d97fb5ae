"""Revisions of posts: earlier versions kept when a post changes, posts found gone, diffs.

The ``posts`` row always holds the newest version; ``post_revisions`` holds every version it
replaced, numbered from 1 (the first version stored), with the run that stored it
(``from_run_id``) and the run that replaced it (``run_id``). A post that answers 404 or 410
is kept as it was and recorded as ``gone`` in that run's ``run_posts``.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import re
from dataclasses import dataclass
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
# Fields shown in a diff, in reading order ("html" renders "text" again; links come last).
DIFF_FIELDS = ("title", "author", "published", "updated", "site", "description", "tags", "language")
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


# Diffs, for the reading view


@dataclass(frozen=True)
class FieldChange:
    """One field of a post that differs between two versions."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class DiffLine:
    """One line (paragraph) of a text diff.

    ``kind`` is "same", "removed", "added", "changed" (an edited paragraph, its words marked
    in ``segments``) or "gap" (unchanged paragraphs left out). ``segments`` are
    ``(kind, text)`` pairs with kind "same", "removed" or "added".
    """

    kind: str
    segments: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """Return the line as it reads in the newer version (the older one if removed)."""
        if self.kind == "removed":
            return "".join(t for _, t in self.segments)
        return "".join(t for k, t in self.segments if k != "removed")


def version_fields(row: dict[str, Any]) -> dict[str, str]:
    """Return a version's fields as display strings (tags and links made readable)."""
    shown = {f: "" if row.get(f) is None else str(row[f]) for f in (*DIFF_FIELDS, "text")}
    with contextlib.suppress(ValueError):
        shown["tags"] = ", ".join(str(t) for t in json.loads(row.get("tags") or "[]"))
    links = row.get("links")
    if isinstance(links, str):
        links = json.loads(links or "[]")
    shown["links"] = "\n".join(f"{text} <{url}>" for url, text in links or [])
    return shown


def diff_versions(
    old: dict[str, Any], new: dict[str, Any], *, context: int = 1
) -> tuple[list[FieldChange], list[DiffLine], list[DiffLine]]:
    """Compare two versions of a post: changed short fields, then the text and links, by line.

    Text lines are paragraphs; unchanged runs longer than ``context`` lines on each side of
    a change collapse into one "gap" line.
    """
    before, after = version_fields(old), version_fields(new)
    fields = [FieldChange(f, before[f], after[f]) for f in DIFF_FIELDS if before[f] != after[f]]
    return (
        fields,
        _line_diff(before["text"], after["text"], context),
        _line_diff(before["links"], after["links"], context),
    )


def _line_diff(old: str, new: str, context: int) -> list[DiffLine]:
    if old == new:
        return []
    a = [line for line in old.splitlines() if line.strip()]
    b = [line for line in new.splitlines() if line.strip()]
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", (("same", "…"),)))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", (("same", line),)) for line in a[i1:i2]]
                continue
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            lines += [_word_diff(a[i1 + k], b[j1 + k]) for k in range(paired)]
            lines += [DiffLine("removed", (("removed", line),)) for line in a[i1 + paired : i2]]
            lines += [DiffLine("added", (("added", line),)) for line in b[j1 + paired : j2]]
    return lines


def _word_diff(old: str, new: str) -> DiffLine:
    """Diff one edited paragraph word by word (whitespace kept with the word before it)."""
    a, b = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("added", "".join(b[j1:j2])))
    return DiffLine("changed", tuple(segments))


def history(revisions: list[dict[str, Any]], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a post's changes, newest first: each kept revision diffed with its successor.

    ``revisions`` are ``post_revisions`` rows in revision order; ``current`` is the post as
    stored now (its ``posts`` columns plus ``links`` as ``[url, text]`` pairs).
    """
    entries = []
    versions = [*revisions, current]
    for older, newer in itertools.pairwise(versions):
        fields, text, links = diff_versions(older, newer)
        try:
            changed = [str(name) for name in json.loads(older.get("changed") or "[]")]
        except ValueError:
            changed = []
        entries.append(
            {
                "revision": older["revision"],
                "newer": newer.get("revision", older["revision"] + 1),
                "from_run_id": older.get("from_run_id"),
                "run_id": older.get("run_id"),
                "stored_at": older.get("stored_at"),
                "saved_at": older.get("saved_at"),
                "changed": changed,
                "fields": fields,
                "text": text,
                "links": links,
            }
        )
    return entries[::-1]
