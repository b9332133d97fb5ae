"""Datasette plugin: readable permalinks, ``/-/posts/<host>/<path>`` for a post (its URL
without scheme, ``www.`` or trailing slash: ``posts.url_key``) and ``/-/series/<slug>`` for
a series, each redirecting to the page Datasette keys by the tilde-encoded URL or the id.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response

from archive.listing import archive_database


async def _redirect(datasette: Any, sql: str, key: str, table: str) -> Response:
    database = await archive_database(datasette)
    row = None
    if database is not None:
        row = (await datasette.get_database(database).execute(sql, {"key": key})).first()
    if row is None:
        raise NotFound(f"nothing archived at {key}")
    return Response.redirect(datasette.urls.row(database, table, tilde_encode(str(row[0]))))


async def post_permalink(datasette: Any, request: Any) -> Response:
    """Redirect ``/-/posts/<url key>`` to the post's page."""
    key = request.url_vars["key"].rstrip("/")
    return await _redirect(datasette, "select url from posts where url_key = :key", key, "posts")


async def series_permalink(datasette: Any, request: Any) -> Response:
    """Redirect ``/-/series/<slug>`` to the series' page."""
    sql = "select id from series where slug = :key"
    return await _redirect(datasette, sql, request.url_vars["slug"], "series")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the permalinks."""
    return [
        (r"^/-/posts/(?P<key>.+)$", post_permalink),
        (r"^/-/series/(?P<slug>[^/.]+)$", series_permalink),
    ]
