"""Datasette plugin: Atom feeds of the latest posts (``/-/feed.atom``) and of each series
(``/-/series/<id>.atom``), advertised on the home page and the series' pages.

Entries link the archived copy first (``alternate``) and the original second (``via``);
the documents are made by archive/feed.py.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response

from archive.feed import LATEST_SQL, SERIES_SQL, atom_feed
from archive.listing import archive_database

ATOM_TYPE = "application/atom+xml; charset=utf-8"


async def _feed(
    datasette: Any, request: Any, title: str, sql: str, params: dict[str, Any]
) -> Response:
    database = await archive_database(datasette)
    if database is None:
        raise NotFound("no archive is served here")
    db = datasette.get_database(database)
    posts = [dict(row) for row in await db.execute(sql, params)]

    def archived(url: str) -> str:
        path = datasette.urls.row(database, "posts", tilde_encode(url))
        return str(datasette.absolute_url(request, path))

    body = atom_feed(
        title=title,
        feed_url=str(datasette.absolute_url(request, request.path)),
        home_url=str(datasette.absolute_url(request, datasette.urls.instance())),
        posts=posts,
        archived_url=archived,
    )
    return Response(body, content_type=ATOM_TYPE)


async def latest_feed(datasette: Any, request: Any) -> Response:
    """Serve the feed of the latest posts."""
    title = datasette.metadata("title") or "blogarchive"
    return await _feed(datasette, request, f"{title}: latest posts", LATEST_SQL, {})


async def series_feed(datasette: Any, request: Any) -> Response:
    """Serve the feed of one series' parts, the last part first."""
    database = await archive_database(datasette)
    series_id = request.url_vars["id"]
    row = None
    if database is not None:
        sql = "select name from series where id = :id"
        row = (await datasette.get_database(database).execute(sql, {"id": series_id})).first()
    if row is None:
        raise NotFound(f"no series {series_id}")
    return await _feed(datasette, request, f"Series: {row['name']}", SERIES_SQL, {"id": series_id})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the feeds."""
    return [
        (r"^/-/feed\.atom$", latest_feed),
        (r"^/-/series/(?P<id>\d+)\.atom$", series_feed),
    ]
