"""Search the archive as a reader types: words, OR, "phrases" and prefix*, by relevance.

:func:`reader_query` turns what a reader typed into an FTS5 expression that is always valid
(a stray quote or dash never makes an error page). :func:`search_archive` runs it over the
posts (bm25, title weighted above text, highlighted snippets, facets by site, author,
series and year) and over series names and descriptions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

OPERATORS = ("OR", "AND", "NOT")
_TOKEN = re.compile(r'"([^"]*)"?(\*?)|([^\s"()]+)')
_WORD = re.compile(r"\w")

# snippet() marks a match with these control characters; escaped text then gets <mark>.
_MARK_START, _MARK_END = "\x02", "\x03"
PAGE_SIZE = 20
FACETS = ("site", "author", "series", "year")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def reader_query(text: str | None) -> str:
    """Return an FTS5 expression for a reader's query; ``'""'`` (matches nothing) if empty.

    Upper-case OR, AND and NOT between terms are operators; ``"a phrase"`` stays a phrase;
    ``word*`` is a prefix; every other word is quoted, so punctuation is never syntax.
    Terms side by side must all match.
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        phrase, star, bare = match.groups()
        if bare is not None and bare in OPERATORS:
            if parts and parts[-1] not in OPERATORS:
                parts.append(bare)
            continue
        if phrase is not None:
            term, prefix = phrase, star
        else:
            term, prefix = bare.rstrip("*"), "*" if bare.endswith("*") else ""
        if not _WORD.search(term):
            continue
        parts.append(_quoted(" ".join(term.split())) + prefix)
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    return " ".join(parts) or '""'


def highlighted(snippet: str | None) -> Markup:
    """Return an FTS5 snippet as HTML: the text escaped, the matches in ``<mark>``."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))


@dataclass
class SearchResults:
    """One page of results: posts by relevance, their facets, and matching series."""

    query: str
    expression: str
    total: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    series: list[dict[str, Any]] = field(default_factory=list)


# The posts matching :q and the facet filters; bm25 weights a title match over a text match.
MATCHED_SQL = """
with hits as (
    select posts_fts.rowid as rid, bm25(posts_fts, 5.0, 1.0) as score,
           snippet(posts_fts, 1, char(2), char(3), ' … ', 24) as snippet
    from posts_fts where posts_fts match :q
)
select p.url, p.title, p.author, p.published, p.site, hits.score, hits.snippet,
       substr(p.published, 1, 4) as year
from hits join posts as p on p.rowid = hits.rid
where (:site = '' or p.site = :site)
  and (:author = '' or p.author = :author)
  and (:year = '' or substr(p.published, 1, 4) = :year)
  and (:series = '' or exists (
      select 1 from series_posts as sp where sp.post_url = p.url and sp.series_id = :series))
"""
FACET_SQL = {
    "site": "select site as value, site as label, count(*) as n from matched group by 1",
    "author": "select author as value, author as label, count(*) as n from matched group by 1",
    "year": "select year as value, year as label, count(*) as n from matched group by 1",
    "series": """select s.id as value, s.name as label, count(*) as n from matched
                 join series_posts as sp on sp.post_url = matched.url
                 join series as s on s.id = sp.series_id group by s.id""",
}
SERIES_OF_SQL = """
select sp.post_url, s.id, s.name, sp.stated_part from series_posts as sp
join series as s on s.id = sp.series_id where sp.post_url in (select value from json_each(:urls))
"""
SERIES_SQL = """
select s.id, s.name, s.parts_held, s.declared_total, s.sites,
       snippet(series_fts, -1, char(2), char(3), ' … ', 16) as snippet
from series_fts join series as s on s.id = series_fts.rowid
where series_fts match :q order by bm25(series_fts, 5.0, 1.0) limit 10
"""


async def search_archive(
    db: Any, query: str, filters: dict[str, str], page: int = 1
) -> SearchResults:
    """Search posts and series in Datasette database ``db`` for what the reader typed."""
    expression = reader_query(query)
    results = SearchResults(query=query, expression=expression)
    if expression == '""':
        return results
    params = {"q": expression} | {name: filters.get(name, "") for name in FACETS}
    matched = f"with matched as ({MATCHED_SQL})"
    results.total = (await db.execute(f"{matched} select count(*) from matched", params)).first()[0]
    rows = await db.execute(
        f"{matched} select * from matched order by score, published desc limit :limit"
        " offset :offset",
        params | {"limit": PAGE_SIZE, "offset": (max(page, 1) - 1) * PAGE_SIZE},
    )
    results.posts = [dict(row) | {"snippet": highlighted(row["snippet"])} for row in rows]
    urls = json.dumps([post["url"] for post in results.posts])
    memberships: dict[str, list[dict[str, Any]]] = {}
    for row in await db.execute(SERIES_OF_SQL, {"urls": urls}):
        memberships.setdefault(row["post_url"], []).append(dict(row))
    for post in results.posts:
        post["series"] = memberships.get(post["url"], [])
    for name, sql in FACET_SQL.items():
        facet = await db.execute(f"{matched} {sql} order by n desc, label limit 10", params)
        results.facets[name] = [dict(row) for row in facet if row["value"] is not None]
    if await db.table_exists("series_fts"):
        results.series = [
            dict(row) | {"snippet": highlighted(row["snippet"])}
            for row in await db.execute(SERIES_SQL, {"q": expression})
        ]
    return results
