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
    """One page of results: posts by relevance, their facets, and matching series.

    ``total`` counts every match; the facets count the best ``counted`` of them (all of them
    when there are no more), which the page says.
    """

    query: str
    expression: str
    total: int = 0
    counted: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    series: list[dict[str, Any]] = field(default_factory=list)


# The facets count the best FACET_MATCHES matches (or as many as the page reached): ranking
# every match costs about a microsecond each in the FTS index alone, but reading each match's
# site, author and date from the posts table costs several, 60 ms for a word in a sixth of
# 100,000 posts. The count of all matches comes from the FTS index alone.
FACET_MATCHES = 1000

# Which posts a facet filter leaves, each from an index (m014's, idx_posts_published,
# series_posts'): a set of rowids the FTS matches are tested against, never a posts row read
# per match. An empty filter is no condition.
_FILTERS = """
  and (:site = '' or posts_fts.rowid in (select rowid from posts where site = :site))
  and (:author = '' or posts_fts.rowid in (select rowid from posts where author = :author))
  and (:year = '' or posts_fts.rowid in (
      select rowid from posts where published >= :year and published < :year_after))
  and (:series = '' or posts_fts.rowid in (
      select p.rowid from series_posts as sp join posts as p on p.url = sp.post_url
      where sp.series_id = :series))
"""
# How many posts match :q and the filters: the FTS index and the filters' indexes alone.
COUNT_SQL = "select count(*) from posts_fts where posts_fts match :q" + _FILTERS
# The best :best matches by relevance (bm25 weights a title match over a text match), ranked
# in the FTS index alone, then read from the posts table, once (materialised): the page's
# rows (equal scores, newest first), how many were counted, and each facet's ten largest
# values among them, in one statement; no row per match reaches Python.
_BEST = (
    """
with best as materialized (
    select posts_fts.rowid as rid, bm25(posts_fts, 5.0, 1.0) as score from posts_fts
    where posts_fts match :q"""
    + _FILTERS
    + """    order by score limit :best
),
matched as materialized (
    select best.rid, best.score, p.url, p.site, p.author, p.published,
           substr(p.published, 1, 4) as year
    from best join posts as p on p.rowid = best.rid
)
"""
)
FACET_SQL = {
    "site": "select site as value, site as label, count(*) as n from matched group by 1",
    "author": "select author as value, author as label, count(*) as n from matched group by 1",
    "year": "select year as value, year as label, count(*) as n from matched group by 1",
    "series": """select s.id as value, s.name as label, count(*) as n from matched
                 join series_posts as sp on sp.post_url = matched.url
                 join series as s on s.id = sp.series_id group by s.id""",
}
BEST_SQL = (
    _BEST
    + """select * from (
    select 'page' as facet, rid, score, url, site, author, published, year,
           null as value, null as label, null as n
    from matched order by score, published desc limit :limit offset :offset)
union all select 'counted', null, null, null, null, null, null, null, null, null, count(*)
    from matched"""
    + "".join(
        f"""
union all select * from (select '{name}', null, null, null, null, null, null, null, *
    from ({sql}) where value is not null order by n desc, label limit 10)"""
        for name, sql in FACET_SQL.items()
    )
)
SNIPPETS_SQL = """
select posts_fts.rowid as rid, p.title,
       snippet(posts_fts, 1, char(2), char(3), ' … ', 24) as snippet
from posts_fts join posts as p on p.rowid = posts_fts.rowid
where posts_fts match :q and posts_fts.rowid in (select value from json_each(:rids))
"""
# The series of the page's posts.
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


def _year_after(year: str) -> str:
    return str(int(year) + 1) if year.isdigit() else year


async def search_archive(
    db: Any, query: str, filters: dict[str, str], page: int = 1
) -> SearchResults:
    """Search posts and series in Datasette database ``db`` for what the reader typed."""
    expression = reader_query(query)
    results = SearchResults(query=query, expression=expression)
    if expression == '""':
        return results
    params = {"q": expression} | {name: filters.get(name, "") for name in FACETS}
    params["year_after"] = _year_after(params["year"])
    offset = (max(page, 1) - 1) * PAGE_SIZE
    results.total = (await db.execute(COUNT_SQL, params)).first()[0]
    best = max(FACET_MATCHES, offset + PAGE_SIZE)
    shown = []
    results.facets = {name: [] for name in FACET_SQL}
    for row in await db.execute(
        BEST_SQL, params | {"best": best, "limit": PAGE_SIZE, "offset": offset}
    ):
        if row["facet"] == "page":
            shown.append(row)
        elif row["facet"] == "counted":
            results.counted = row["n"]
        else:
            results.facets[row["facet"]].append(
                {"value": row["value"], "label": row["label"], "n": row["n"]}
            )
    rids = json.dumps([row["rid"] for row in shown])
    made = {
        row["rid"]: row for row in await db.execute(SNIPPETS_SQL, {"q": expression, "rids": rids})
    }
    memberships: dict[str, list[dict[str, Any]]] = {}
    urls = json.dumps([row["url"] for row in shown])
    for row in await db.execute(SERIES_OF_SQL, {"urls": urls}):
        memberships.setdefault(row["post_url"], []).append(dict(row))
    results.posts = [
        {
            "url": row["url"],
            "title": made[row["rid"]]["title"],
            "author": row["author"],
            "published": row["published"],
            "site": row["site"],
            "year": row["year"],
            "score": row["score"],
            "snippet": highlighted(made[row["rid"]]["snippet"]),
            "series": memberships.get(row["url"], []),
        }
        for row in shown
    ]
    if await db.table_exists("series_fts"):
        results.series = [
            dict(row) | {"snippet": highlighted(row["snippet"])}
            for row in await db.execute(SERIES_SQL, {"q": expression})
        ]
    return results
