"""Datasette plugin: one search page across posts and series, and reader syntax everywhere.

- ``/-/search?q=`` searches posts (by relevance, with highlighted snippets and facets by
  site, author, series and year) and series (names and descriptions).
- A table's own ``?_search=`` reads OR, "phrases" and prefix* as the reader typed them:
  Datasette's ``escape_fts`` SQL function (its default "escaped" search mode) is replaced by
  :func:`archive.search.reader_query`, registered last so it wins over Datasette's own.

Loaded from ``--plugins-dir`` by archive/serve.py; the page is archive/templates/search.html.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from archive.listing import archive_database
from archive.search import FACETS, reader_query, search_archive


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    """Make ``escape_fts`` read a reader's query (OR, phrases, prefix*), still never failing."""
    conn.create_function("escape_fts", 1, reader_query, deterministic=True)


async def search_page(datasette: Any, request: Any) -> Response:
    """Render the search page for ``?q=`` (and facet filters)."""
    database = await archive_database(datasette)
    query = request.args.get("q", "").strip()
    filters = {name: request.args.get(name, "") for name in FACETS}
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    results = None
    if database and query:
        results = await search_archive(datasette.get_database(database), query, filters, page)
        for post in results.posts:
            post["link"] = datasette.urls.row(database, "posts", tilde_encode(post["url"]))
    context = {"q": query, "filters": filters, "page": page, "results": results, "db": database}
    return Response.html(await datasette.render_template("search.html", context, request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the search page at ``/-/search``."""
    return [(r"^/-/search$", search_page)]
