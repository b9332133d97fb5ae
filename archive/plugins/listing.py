"""Datasette plugin: tables and query results a reader can scan, and a home page that says
what the archive holds.

- Bodies (text, HTML, Markdown) show as a one-line excerpt in every listing; the posts table
  hides its HTML and Markdown unless ``?_col=`` asks for them (the JSON, CSV and the download
  keep everything). The reading view is where a post is read.
- A post URL in any listing links the archived copy first and the original second; a post's
  title shows its series; a site links to its posts; a crawl run shows how long it took.
- The home page and the database page open with the archive's summary and its entry points.

Loaded from ``--plugins-dir`` by archive/serve.py. The listing rules are in archive/listing.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup

from archive.listing import (
    archive_database,
    archive_summary,
    cell_markup,
    default_hidden_columns,
    reader_table_order,
)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str | None, datasette: Any
) -> Callable[[], Awaitable[Markup | None]] | None:
    """Render bodies as excerpts, post URLs as archived-then-original links, and so on."""
    if database is None or value is None:
        return None

    async def inner() -> Markup | None:
        return await cell_markup(datasette, database, table, column, value, row)

    return inner


@hookimpl
def extra_template_vars(
    template: str, database: str | None, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | dict[str, Any]:
    """Give the home and database pages the archive's summary and the reader's table order."""
    if template not in ("index.html", "database.html") or request is None:
        return {}

    async def inner() -> dict[str, Any]:
        name = database or await archive_database(datasette)
        summary = await archive_summary(datasette, name) if name else None
        return {"archive_summary": summary, "reader_tables": reader_table_order}

    return inner


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Hide a table's bulky columns from its HTML page unless the reader asks with ``_col``."""

    def wrap(app: Any) -> Any:
        async def hide_bulky_columns(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                scope = await with_default_columns(scope, datasette)
            await app(scope, receive, send)

        return hide_bulky_columns

    return wrap


async def with_default_columns(scope: dict[str, Any], datasette: Any) -> dict[str, Any]:
    """Return ``scope`` with ``_nocol`` added for columns hidden by default on this HTML page."""
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or "." in parts[1] or parts[0] not in datasette.databases:
        return scope
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(key in ("_col", "_format") for key, _ in query):
        return scope
    db = datasette.databases[parts[0]]
    if not await db.table_exists(parts[1]):
        return scope
    hidden = [c for c in default_hidden_columns(parts[1]) if c in await db.table_columns(parts[1])]
    if not hidden:
        return scope
    already = {value for key, value in query if key == "_nocol"}
    query += [("_nocol", column) for column in hidden if column not in already]
    return {**scope, "query_string": urlencode(query).encode("latin-1")}
