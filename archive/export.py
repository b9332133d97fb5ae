"""Get the posts out of an archive: JSON Lines, CSV, or a folder of Markdown files.

Every format holds the same fields per post (:data:`FIELDS`), series memberships included.
Markdown files carry YAML front matter and are grouped by site, then series
(``<site>/<series>/<date>-<slug>.md``; posts in no series go in ``<site>/posts/``).
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import yaml

from archive.access import connect_read_only
from archive.errors import ArchiveError

FORMATS = ("jsonl", "csv", "markdown")
FIELDS = (
    "url",
    "title",
    "author",
    "published",
    "updated",
    "site",
    "tags",
    "series",
    "description",
    "language",
    "word_count",
    "first_seen_at",
    "last_changed_at",
    "text",
    "markdown",
)

POSTS_SQL = f"""
select {", ".join(f"posts.{name}" for name in FIELDS if name not in ("series",))},
  (select json_group_array(json_object('name', s.name, 'part', sp.stated_part,
                                       'position', sp.position))
     from series_posts as sp join series as s on s.id = sp.series_id
    where sp.post_url = posts.url) as series
from posts
order by posts.site, posts.published, posts.url
"""


def iter_posts(db_path: Path) -> Iterator[dict[str, Any]]:
    """Yield every post of the archive at ``db_path`` as a dict of :data:`FIELDS`."""
    if not db_path.is_file():
        raise ArchiveError(db_path, "no such archive")
    conn = connect_read_only(db_path)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute(POSTS_SQL):
            post = dict(row)
            post["tags"] = json.loads(post["tags"] or "[]")
            post["series"] = json.loads(post["series"] or "[]")
            yield {name: post[name] for name in FIELDS}
    except sqlite3.Error as exc:
        raise ArchiveError(db_path, f"cannot read posts: {exc}") from exc
    finally:
        conn.close()


def write_jsonl(posts: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write one JSON object per post; return how many."""
    count = 0
    for count, post in enumerate(posts, 1):  # noqa: B007
        out.write(json.dumps(post, ensure_ascii=False) + "\n")
    return count


def write_csv(posts: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write a CSV with a header row; tags joined by "; ", series as "Name (part N)"."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for count, post in enumerate(posts, 1):  # noqa: B007
        flat = dict(post)
        flat["tags"] = "; ".join(post["tags"])
        flat["series"] = "; ".join(
            f"{s['name']} (part {s['part']})" if s["part"] else s["name"] for s in post["series"]
        )
        writer.writerow(flat)
    return count


def slug(text: str | None, fallback: str) -> str:
    """Return ``text`` as a lower-case file name: letters, digits and dashes."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return cleaned[:80].rstrip("-") or fallback


def markdown_path(post: dict[str, Any]) -> Path:
    """Return where a post's Markdown file goes, relative to the export folder."""
    site = slug(post["site"], slug(urlsplit(post["url"]).netloc, "site"))
    group = slug(post["series"][0]["name"], "series") if post["series"] else "posts"
    path = urlsplit(post["url"]).path.rstrip("/")
    name = slug(path.rsplit("/", 1)[-1].removesuffix(".html"), "post")
    date = (post["published"] or "")[:10]
    return Path(site, group, f"{date}-{name}.md" if date else f"{name}.md")


def markdown_file(post: dict[str, Any]) -> str:
    """Return a post as Markdown with YAML front matter."""
    front = {
        key: post[key]
        for key in ("title", "author", "published", "updated", "url", "site", "tags", "language")
        if post[key] not in (None, "", [])
    }
    if post["series"]:
        front["series"] = [
            {k: v for k, v in s.items() if k != "position" and v is not None}
            for s in post["series"]
        ]
    front["archived_at"] = post["first_seen_at"]
    body = post["markdown"] or post["text"] or ""
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n# {post['title']}\n\n{body.strip()}\n"


def write_markdown(posts: Iterator[dict[str, Any]], folder: Path) -> int:
    """Write one Markdown file per post under ``folder``; return how many.

    Two posts that would share a file name get ``~2``, ``~3`` ... rather than overwrite.
    """
    count = 0
    taken: set[Path] = set()
    for post in posts:
        relative = markdown_path(post)
        n = 2
        while relative in taken:
            relative = relative.with_name(f"{relative.stem.rsplit('~', 1)[0]}~{n}.md")
            n += 1
        taken.add(relative)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown_file(post), encoding="utf-8")
        count += 1
    return count


class ExportUsageError(ArchiveError):
    """An export asked for what its format cannot do (Markdown to a stream, to a file)."""


def export_posts(db_path: Path, fmt: str, output: Path | None, stdout: IO[str]) -> int:
    """Export every post of the archive at ``db_path`` as ``fmt`` (one of :data:`FORMATS`);
    return how many.

    JSON Lines and CSV go to the file ``output``, or to ``stdout`` without one; Markdown goes
    to the folder ``output`` (ExportUsageError without one, or if it is a file). ArchiveError
    if the archive cannot be read, OSError if the output cannot be written.
    """
    if fmt not in FORMATS:
        raise ExportUsageError(None, f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt == "markdown":
        if output is None:
            raise ExportUsageError(
                None, "--format markdown writes a folder: give it with -o/--output"
            )
        if output.is_file():
            raise ExportUsageError(output, f"{output} is a file, not a folder")
    posts = iter_posts(db_path)
    if fmt == "markdown":
        assert output is not None
        return write_markdown(posts, output)
    write = write_jsonl if fmt == "jsonl" else write_csv
    if output is None:
        count = write(posts, stdout)
        stdout.flush()
        return count
    with output.open("w", encoding="utf-8") as out:
        return write(posts, out)
