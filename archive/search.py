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


# The posts matching :q and the facet filters, with what the facets count: no score and no
# snippet, which cost more than the rest together when computed for every match.
MATCHED_SQL = """
select p.url, p.site, p.author, substr(p.published, 1, 4) as year
from posts_fts join posts as p on p.rowid = posts_fts.rowid
where posts_fts match :q
  and (:site = '' or p.site = :site)
  and (:author = '' or p.author = :author)
  and (:year = '' or substr(p.published, 1, 4) = :year)
  and (:series = '' or exists (
      select 1 from series_posts as sp where sp.post_url = p.url and sp.series_id = :series))
"""
# The total and every facet in one statement over the matches, read once (materialised).
FACET_SQL = {
    "site": "select site as value, site as label, count(*) as n from matched group by 1",
    "author": "select author as value, author as label, count(*) as n from matched group by 1",
    "year": "select year as value, year as label, count(*) as n from matched group by 1",
    "series": """select s.id as value, s.name as label, count(*) as n from matched
                 join series_posts as sp on sp.post_url = matched.url
                 join series as s on s.id = sp.series_id group by s.id""",
}
FACETS_SQL = (
    f"with matched as materialized ({MATCHED_SQL})"
    " select 'total' as facet, null as value, null as label, count(*) as n from matched"
    + "".join(
        f" union all select * from (select '{name}' as facet, * from ({sql})"
        " where value is not null order by n desc, label limit 10)"
        for name, sql in FACET_SQL.items()
    )
)
# One page of matches by relevance (bm25 weights a title match over a text match; equal
# scores, newest first), then the snippets of that page's posts alone. Unfiltered, only the
# posts scoring at most the page's last score are read from the posts table.
PAGE_SQL = """
with scored as materialized (
    select rowid as rid, bm25(posts_fts, 5.0, 1.0) as score from posts_fts
    where posts_fts match :q
),
cut as (select score from scored order by score limit 1 offset :last)
select scored.rid, scored.score from scored join posts as p on p.rowid = scored.rid
where (:filtered or scored.score <= coalesce((select score from cut), 1e308))
  and (:site = '' or p.site = :site)
  and (:author = '' or p.author = :author)
  and (:year = '' or substr(p.published, 1, 4) = :year)
  and (:series = '' or exists (
      select 1 from series_posts as sp where sp.post_url = p.url and sp.series_id = :series))
order by scored.score, p.published desc
limit :limit offset :offset
"""
SNIPPETS_SQL = """
select posts_fts.rowid as rid, p.url, p.title, p.author, p.published, p.site,
       substr(p.published, 1, 4) as year,
       snippet(posts_fts, 1, char(2), char(3), ' … ', 24) as snippet
from posts_fts join posts as p on p.rowid = posts_fts.rowid
where posts_fts match :q and posts_fts.rowid in (select value from json_each(:rids))
"""
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
    offset = (max(page, 1) - 1) * PAGE_SIZE
    ranked = await db.execute(
        PAGE_SQL,
        params
        | {"limit": PAGE_SIZE, "offset": offset, "last": offset + PAGE_SIZE - 1}
        | {"filtered": any(params[name] for name in FACETS)},
    )
    order = {row["rid"]: (row["score"], i) for i, row in enumerate(ranked)}
    rows = await db.execute(SNIPPETS_SQL, {"q": expression, "rids": json.dumps(list(order))})
    posts = sorted(rows, key=lambda row: order[row["rid"]][1])
    results.posts = [
        {key: row[key] for key in row.keys() if key != "rid"}  # noqa: SIM118 (a Row)
        | {"score": order[row["rid"]][0], "snippet": highlighted(row["snippet"])}
        for row in posts
    ]
    urls = json.dumps([post["url"] for post in results.posts])
    memberships: dict[str, list[dict[str, Any]]] = {}
    for row in await db.execute(SERIES_OF_SQL, {"urls": urls}):
        memberships.setdefault(row["post_url"], []).append(dict(row))
    for post in results.posts:
        post["series"] = memberships.get(post["url"], [])
    results.facets = {name: [] for name in FACET_SQL}
    for row in await db.execute(FACETS_SQL, params):
        if row["facet"] == "total":
            results.total = row["n"]
        else:
            results.facets[row["facet"]].append(
                {"value": row["value"], "label": row["label"], "n": row["n"]}
            )
    if await db.table_exists("series_fts"):
        results.series = [
            dict(row) | {"snippet": highlighted(row["snippet"])}
            for row in await db.execute(SERIES_SQL, {"q": expression})
        ]
    return results
