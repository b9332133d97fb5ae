"""How two versions of a post differ, for the reading view: changed fields, text diffs.

Versions are the ``posts`` row and its ``post_revisions`` (:mod:`archive.revisions`).
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

# Fields shown in a diff, in reading order ("html" renders "text" again; links come last).
DIFF_FIELDS = ("title", "author", "published", "updated", "site", "description", "tags", "language")


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
