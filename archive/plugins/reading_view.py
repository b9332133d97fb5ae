"""Datasette plugin: a post's row page opens with the post itself, readable, before its record;
a series' row page opens with its parts in reading order, missing parts marked.

Loaded from ``--plugins-dir`` by archive/serve.py, so it only ever runs over our archives.
The templates are archive/templates/_post_reading.html and _series_page.html.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components

from archive.body import post_body
from archive.diffs import history

logger = logging.getLogger(__name__)

POST_SQL = """
select url, title, author, published, updated, site, site_id, language, word_count, tags,
       html, text, description, url_key
from posts where url = :url
"""

LINKS_SQL = "select url, text from links where post_url = :url order by position"
REVISIONS_SQL = "select * from post_revisions where post_url = :url order by revision"
# What the latest run that looked at the post found: "gone" when its page answered 404/410.
LAST_SEEN_SQL = """
select run_id, outcome, seen_at from run_posts where post_url = :url order by run_id desc limit 1
"""

# One row per series the post is in, with its neighbours by reading order.
SERIES_SQL = """
select
    series.id, series.name, series.declared_total, series.parts_held,
    series_posts.position, series_posts.stated_part, series_posts.signal,
    series_posts.evidence, series_posts.conflict, series_posts.copy_of,
    (select json_group_array(missing_part) from series_gaps
      where series_gaps.series_id = series.id) as missing,
    (select json_group_array(distinct evidence.signal) from series_evidence as evidence
      where evidence.post_url = :url and evidence.series_id = series.id
        and evidence.signal != series_posts.signal) as other_signals,
    (select json_object('url', p.url, 'title', p.title)
       from series_posts as before join posts as p on p.url = before.post_url
      where before.series_id = series.id and before.position < series_posts.position
      order by before.position desc limit 1) as previous,
    (select json_object('url', p.url, 'title', p.title)
       from series_posts as after join posts as p on p.url = after.post_url
      where after.series_id = series.id and after.position > series_posts.position
      order by after.position limit 1) as next
from series_posts join series on series.id = series_posts.series_id
where series_posts.post_url = :url
order by series.name
"""

# The post's original when it is a copy, and its copies when it is an original.
DUPLICATES_SQL = """
select 'original' as role, posts.url, posts.title, posts.site, similarity, method
from post_duplicates join posts on posts.url = post_duplicates.original_url
where post_duplicates.post_url = :url
union all
select 'copy', posts.url, posts.title, posts.site, similarity, method
from post_duplicates join posts on posts.url = post_duplicates.post_url
where post_duplicates.original_url = :url
order by role desc, url
"""


def json_strings(value: str | None, what: str) -> list[str]:
    """Return a stored JSON array as strings; a value that is not one shows as empty."""
    try:
        return [str(item) for item in json.loads(value or "[]")]
    except (ValueError, TypeError):
        logger.warning("%s are not a JSON array", what)
        return []


def _neighbour(value: str | None, row_link: Callable[[str], str]) -> dict[str, str] | None:
    if not value:
        return None
    data: dict[str, str] = json.loads(value)
    return {"title": data["title"], "link": row_link(data["url"])}


async def reading_context(datasette: Any, database: str, url: str) -> dict[str, Any]:
    """Return the template variables of one post's reading view, or none for an unknown post."""
    db = datasette.get_database(database)
    post = (await db.execute(POST_SQL, {"url": url})).first()
    if post is None:
        return {}

    def row_link(table: str, key: object) -> str:
        link: str = datasette.urls.row(database, table, tilde_encode(str(key)))
        return link

    series = []
    for row in await db.execute(SERIES_SQL, {"url": url}):
        series.append(
            {
                "name": row["name"],
                "link": row_link("series", row["id"]),
                "position": row["position"],
                "total": row["declared_total"],
                "held": row["parts_held"],
                "previous": _neighbour(row["previous"], lambda u: row_link("posts", u)),
                "next": _neighbour(row["next"], lambda u: row_link("posts", u)),
                "signal": row["signal"],
                "evidence": row["evidence"],
                "conflict": row["conflict"],
                "copy_of": row_link("posts", row["copy_of"]) if row["copy_of"] else None,
                "missing": json.loads(row["missing"] or "[]"),
                "other_signals": json_strings(row["other_signals"], "signals"),
            }
        )
    changes, gone = await _history(db, url, dict(post))
    for change in changes:
        key = ",".join(tilde_encode(str(v)) for v in (url, change["revision"]))
        change["link"] = datasette.urls.row(database, "post_revisions", key)
        change["run_link"] = row_link("crawl_runs", change["run_id"])
    if gone is not None:
        gone["link"] = row_link("crawl_runs", gone["run_id"])
    duplicates = [
        {
            "role": row["role"],
            "title": row["title"],
            "site": row["site"],
            "link": row_link("posts", row["url"]),
            "similarity": row["similarity"],
            "method": row["method"],
        }
        for row in await db.execute(DUPLICATES_SQL, {"url": url})
    ]
    tags = json_strings(post["tags"], f"tags of post {url}")
    return {
        "reading": {
            "url": post["url"],
            "permalink": datasette.urls.path(f"/-/posts/{post['url_key']}"),
            "title": post["title"],
            "author": post["author"],
            "published": post["published"],
            "updated": post["updated"] if post["updated"] != post["published"] else None,
            "site": post["site"],
            "site_link": row_link("sites", post["site_id"]) if post["site_id"] else None,
            "language": post["language"],
            "word_count": post["word_count"],
            "tags": tags,
            "body": post_body(post["html"], post["text"]),
            "series": series,
            "history": changes,
            "gone": gone,
            "original": next((d for d in duplicates if d["role"] == "original"), None),
            "copies": [d for d in duplicates if d["role"] == "copy"],
        }
    }


SERIES_PAGE_SQL = """
select id, name, slug, url, description, sites, declared_total, parts_held, first_published,
       last_published
from series where id = :id
"""
SERIES_PARTS_SQL = """
select sp.position, sp.stated_part, sp.signal, sp.evidence, sp.conflict, sp.copy_of,
       p.url, p.title, p.author, p.published, p.site
from series_posts as sp join posts as p on p.url = sp.post_url
where sp.series_id = :id
order by sp.position, sp.copy_of is not null, p.published, p.url
"""


async def series_context(datasette: Any, database: str, series_id: str) -> dict[str, Any]:
    """Return the template variables of a series page: parts in order, missing parts marked."""
    db = datasette.get_database(database)
    series = (await db.execute(SERIES_PAGE_SQL, {"id": series_id})).first()
    if series is None:
        return {}
    missing = [
        row["missing_part"]
        for row in await db.execute(
            "select missing_part from series_gaps where series_id = :id order by missing_part",
            {"id": series_id},
        )
    ]
    parts: list[dict[str, Any]] = []
    for row in await db.execute(SERIES_PARTS_SQL, {"id": series_id}):
        entry = {
            "url": row["url"],
            "link": datasette.urls.row(database, "posts", tilde_encode(row["url"])),
            "title": row["title"],
            "author": row["author"],
            "published": row["published"],
            "site": row["site"],
            "signal": row["signal"],
            "evidence": row["evidence"],
            "conflict": row["conflict"],
        }
        if row["copy_of"] and parts and parts[-1]["position"] == row["position"]:
            parts[-1]["copies"].append(entry)
            continue
        parts.append(
            {"position": row["position"], "part": row["stated_part"], "copies": []} | entry
        )
    slots: list[dict[str, Any]] = []
    pending = list(missing)
    for part in parts:
        while pending and part["part"] is not None and pending[0] < part["part"]:
            slots.append({"missing": pending.pop(0)})
        slots.append(part)
    slots.extend({"missing": number} for number in pending)
    sites = json_strings(series["sites"], f"sites of series {series_id}")
    return {
        "series_page": {
            "name": series["name"],
            "url": series["url"],
            "description": series["description"],
            "sites": sites,
            "declared_total": series["declared_total"],
            "parts_held": series["parts_held"],
            "first_published": series["first_published"],
            "last_published": series["last_published"],
            "authors": list(dict.fromkeys(p["author"] for p in parts if p["author"])),
            "slots": slots,
            "missing": missing,
            "permalink": datasette.urls.path(f"/-/series/{series['slug']}"),
            "feed": datasette.urls.path(f"/-/series/{tilde_encode(str(series_id))}.atom"),
        }
    }


async def _history(
    db: Any, url: str, post: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Return the post's changes (newest first) and, if its page is gone, when that was seen."""
    if not await db.table_exists("post_revisions"):
        return [], None  # an archive from before revisions were kept
    links = [[row["url"], row["text"]] for row in await db.execute(LINKS_SQL, {"url": url})]
    revisions = [dict(row) for row in await db.execute(REVISIONS_SQL, {"url": url})]
    last = (await db.execute(LAST_SEEN_SQL, {"url": url})).first()
    gone = dict(last) if last is not None and last["outcome"] == "gone" else None
    return history(revisions, {**post, "links": links}), gone


@hookimpl
def extra_template_vars(
    view_name: str, table: str | None, database: str | None, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | dict[str, Any]:
    """Give a post's row page its reading view, and a series' row page its parts."""
    if view_name != "row" or table not in ("posts", "series") or not database or not request:
        return {}
    pks = urlsafe_components(request.url_vars["pks"])

    async def inner() -> dict[str, Any]:
        if table == "series":
            return await series_context(datasette, database, pks[0])
        return await reading_context(datasette, database, pks[0])

    return inner
