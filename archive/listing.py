"""How the archive's tables read in Datasette's listings (used by archive/plugins/listing.py).

Rules go by what a value is, not by which page shows it: a stored post's URL anywhere links
the archived copy first and the original second; a body is an excerpt; a run has a duration.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from datasette.utils import tilde_encode
from markupsafe import Markup, escape

# Columns holding a whole post body: an excerpt in listings, the reading view shows the post.
BODY_COLUMNS = ("text", "html", "markdown")
EXCERPT_CHARS = 160
# Columns of dates a site gives (or datetimes it gives as dates): shown as the date.
DATE_COLUMNS = ("published", "updated", "first_published", "last_published")

# Columns a table's HTML page leaves out unless ``?_col=`` names them (data keeps them all).
BULKY_COLUMNS = ("html", "markdown")
HIDDEN_BY_DEFAULT: dict[str, tuple[str, ...]] = {
    "posts": (
        *BULKY_COLUMNS,
        "site_id",
        "updated",
        "description",
        "language",
        "source",
        "fetched_url",
        "content_hash",
        "first_seen_at",
        "last_seen_at",
        "last_changed_at",
        "first_run_id",
        "last_run_id",
        "url_key",
    ),
}

# The order a reader meets the tables in; the rest follow alphabetically.
READER_TABLES = (
    "posts",
    "series",
    "series_posts",
    "sites",
    "crawl_runs",
    "errors",
    "post_revisions",
    "post_duplicates",
    "links",
)

_TAG = re.compile(r"<[^>]*>")


def default_hidden_columns(table: str) -> tuple[str, ...]:
    """Return the columns ``table``'s HTML page hides unless the reader asks for them."""
    return HIDDEN_BY_DEFAULT.get(table, BULKY_COLUMNS)


def reader_table_order(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return Datasette's table list with the reader's tables first and hidden ones last."""

    def key(table: dict[str, Any]) -> tuple[bool, int, str]:
        name = table["name"]
        rank = READER_TABLES.index(name) if name in READER_TABLES else len(READER_TABLES)
        return (bool(table.get("hidden")), rank, name)

    return sorted(tables, key=key)


def excerpt(value: str, column: str, limit: int = EXCERPT_CHARS) -> str | None:
    """Return a body's first words as plain text, or none when it is short enough to show."""
    text = html.unescape(_TAG.sub(" ", value)) if column == "html" else value
    text = " ".join(text.split())
    if len(text) <= limit:
        return None if column != "html" else text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut} …"


def duration(started: str | None, finished: str | None) -> str | None:
    """Return how long a run took, as "1h 2m", "3m 4s" or "5s"; none if it has not ended."""
    try:
        seconds = int(
            (
                datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
            ).total_seconds()
        )
    except (TypeError, ValueError):
        return None
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {seconds}s" if minutes else f"{seconds}s"


async def _cached(datasette: Any, database: str, key: str, sql: str) -> dict[Any, Any]:
    """Return ``sql``'s first two columns as a dict, kept on the Database object.

    The published snapshot is immutable, and a new snapshot is a new Database object, so the
    cache lives exactly as long as the data it reflects.
    """
    db = datasette.get_database(database)
    cache: dict[str, dict[Any, Any]] = db.__dict__.setdefault("_blogarchive_cache", {})
    if key not in cache:
        try:
            rows = await db.execute(sql)
        except Exception:  # a database that is not an archive (no such table)
            rows = []
        cache[key] = {row[0]: row[1] for row in rows}
    return cache[key]


async def post_urls(datasette: Any, database: str) -> dict[str, str]:
    """Return every stored post's URL mapped to its title."""
    return await _cached(datasette, database, "posts", "select url, title from posts")


async def series_names(datasette: Any, database: str) -> dict[int, str]:
    """Return every series' id mapped to its name."""
    return await _cached(datasette, database, "series", "select id, name from series")


async def post_series(datasette: Any, database: str) -> dict[str, str]:
    """Return each post URL mapped to a JSON list of [series id, name, stated part]."""
    return await _cached(
        datasette,
        database,
        "post_series",
        """select sp.post_url, json_group_array(json_array(s.id, s.name, sp.stated_part))
           from series_posts as sp join series as s on s.id = sp.series_id
           group by sp.post_url""",
    )


def archived_link(datasette: Any, database: str, url: str, label: str | None = None) -> Markup:
    """Return a link to the archived copy of post ``url``, then a link to the original."""
    row = datasette.urls.row(database, "posts", tilde_encode(url))
    return Markup(
        f'<a class="archived" href="{escape(row)}">{escape(label or url)}</a>'
        f' <a class="original" href="{escape(url)}" rel="noopener noreferrer nofollow"'
        f' title="The original page">original ↗</a>'
    )


def _series_line(datasette: Any, database: str, memberships: str) -> str:
    parts = []
    for series_id, name, part in json.loads(memberships):
        link = datasette.urls.row(database, "series", tilde_encode(str(series_id)))
        prefix = f"part {part} of " if part else "in "
        parts.append(f'{prefix}<a href="{escape(link)}">{escape(name)}</a>')
    return f'<br><span class="series">{"; ".join(parts)}</span>'


def _tag_links(datasette: Any, database: str, table: str, column: str, value: str) -> Markup | None:
    try:
        tags = [str(tag) for tag in json.loads(value)]
    except (ValueError, TypeError):
        return None
    base = datasette.urls.table(database, table)
    links = [
        f'<a href="{escape(base)}?{escape(urlencode({"_tag": tag.lower()}))}">{escape(tag)}</a>'
        for tag in tags
    ]
    return Markup(", ".join(links))


async def cell_markup(
    datasette: Any, database: str, table: str | None, column: str, value: Any, row: Any
) -> Markup | None:
    """Return how a listing shows one cell, or none to leave it to Datasette."""
    keys = row.keys() if hasattr(row, "keys") else []
    if table == "posts" and column == "title" and "url" in keys:
        memberships = (await post_series(datasette, database)).get(row["url"])
        line = _series_line(datasette, database, memberships) if memberships else ""
        return Markup(archived_link(datasette, database, row["url"], str(value)) + Markup(line))
    if column == "tags" and table is not None and isinstance(value, str):
        return _tag_links(datasette, database, table, column, value)
    if table == "sites" and column == "post_count" and "id" in keys:
        link = datasette.urls.table(database, "posts") + "?" + urlencode({"site_id": row["id"]})
        return Markup(f'<a href="{escape(link)}">{escape(value)} posts</a>')
    if column == "finished_at" and "started_at" in keys:
        took = duration(row["started_at"], value)
        if took is not None:
            return Markup(f'{escape(value)} <span class="duration">(took {took})</span>')
        return None
    if column == "series_id" and table != "series_posts" and isinstance(value, int):
        name = (await series_names(datasette, database)).get(value)
        if name is not None:
            link = datasette.urls.row(database, "series", tilde_encode(str(value)))
            return Markup(f'<a href="{escape(link)}">{escape(name)}</a>')
    if not isinstance(value, str):
        return None
    if column in DATE_COLUMNS and len(value) > 10 and value[4:5] == "-":
        return Markup(
            f'<time datetime="{escape(value)}" title="{escape(value)}">{escape(value[:10])}</time>'
        )
    if column in BODY_COLUMNS:
        short = excerpt(value, column)
        return Markup(f'<span class="excerpt">{escape(short)}</span>') if short else None
    if value.startswith(("http://", "https://")) and value in await post_urls(datasette, database):
        return archived_link(datasette, database, value)
    return None


async def archive_database(datasette: Any) -> str | None:
    """Return the name of the first database served that is an archive (has posts)."""
    for name, db in datasette.databases.items():
        if name != "_internal" and not db.is_memory and await db.table_exists("posts"):
            return str(name)
    return None


SUMMARY_SQL = {
    "sites": "select count(*) from sites",
    "posts": "select count(*) from posts",
    "series": "select count(*) from series",
    "missing_parts": "select count(*) from series_gaps",
}
LATEST_RUN_SQL = """
select id, started_at, finished_at, status, posts_new, posts_updated, posts_gone, errors
from crawl_runs order by id desc limit 1
"""


async def archive_summary(datasette: Any, database: str) -> dict[str, Any] | None:
    """Return what the archive holds (counts, the latest run), or none if it is no archive."""
    db = datasette.get_database(database)
    if not await db.table_exists("posts"):
        return None
    summary: dict[str, Any] = {"database": database}
    for key, sql in SUMMARY_SQL.items():
        try:
            summary[key] = (await db.execute(sql)).first()[0]
        except Exception:  # an archive from before that table
            summary[key] = None
    run = (await db.execute(LATEST_RUN_SQL)).first()
    if run is not None:
        summary["latest_run"] = dict(run) | {
            "took": duration(run["started_at"], run["finished_at"]),
            "link": datasette.urls.row(database, "crawl_runs", str(run["id"])),
        }
    if await db.table_exists("snapshot"):
        made = (await db.execute("select * from snapshot limit 1")).first()
        summary["snapshot"] = dict(made) if made is not None else None
    return summary
