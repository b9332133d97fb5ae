"""Series evidence the archive writes, and what it reads from several posts' titles at once.

Titles of one site that share a series prefix (``title-prefix``) or only count "(k/N)"
(``title-count``) say something only together, so the archive, which holds the site's other
posts, adds that evidence; :mod:`archive.series.memberships` resolves it. Runs in the
caller's transaction.
"""

from __future__ import annotations

import json
from datetime import date

from sqlite_utils.db import Database

from crawler.urls import canonicalize_url
from pipeline.records import SeriesMembership
from pipeline.series.detect import series_key
from pipeline.series.titles import (
    COUNT_GAP_DAYS,
    CountedTitle,
    affix_series,
    counted_name,
    counted_series,
    title_affix,
    title_count,
)


def add_evidence(db: Database, post_url: str, signal: SeriesMembership) -> None:
    db.execute(
        "INSERT INTO series_evidence (post_url, signal, name, stated_part, stated_total, url,"
        " evidence, neighbours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            post_url,
            signal.signal or "unknown",
            signal.name,
            signal.position,
            signal.total,
            signal.url,
            signal.evidence,
            json.dumps([canonicalize_url(u) for u in signal.neighbours]),
        ],
    )


# The titles are matched in the index of (site_id, title) (migration m019), and only the
# posts that match are read: matched against the table, every post of the site was read
# (18 ms of CPU for a site of 5,000 posts, for each post whose title has an affix).
TITLE_SIBLINGS = (
    "SELECT url, title, tags FROM posts WHERE rowid IN (SELECT rowid FROM posts"
    " WHERE site_id IS ? AND (title LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\'))"
    " ORDER BY rowid"
)


def add_title_prefix(db: Database, post_url: str) -> set[str]:
    """Join posts of one site whose titles share a series prefix; return those touched."""
    row = db.execute("SELECT title, site_id FROM posts WHERE url = ?", [post_url]).fetchone()
    if row is None or not row[0]:
        return set()
    affix = title_affix(row[0])
    if affix is None:
        return set()
    pattern = affix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    siblings = db.execute(TITLE_SIBLINGS, [row[1], pattern + "%", "%" + pattern]).fetchall()
    key = series_key(affix)
    group = [
        (url, title, _tags(tags))
        for url, title, tags in siblings
        if series_key(title_affix(title) or "") == key
    ]
    urls = [g[0] for g in group]
    marks = ", ".join("?" for _ in urls)
    named = [
        name
        for (name,) in db.execute(
            f"SELECT name FROM series_evidence WHERE post_url IN ({marks})"
            " AND signal != 'title-prefix'",
            urls,
        )
    ]
    if not affix_series(affix, [tags for _, _, tags in group], named):
        return set()
    touched = {post_url}
    for url, title, _ in group:
        has = db.execute(
            "SELECT name, evidence FROM series_evidence WHERE post_url = ?"
            " AND signal = 'title-prefix'",
            [url],
        ).fetchall()
        if has == [(affix, title)]:
            continue  # already joined: re-resolving it would change nothing
        db.execute(
            "DELETE FROM series_evidence WHERE post_url = ? AND signal = 'title-prefix'", [url]
        )
        add_evidence(db, url, SeriesMembership(affix, signal="title-prefix", evidence=title))
        touched.add(url)
    return touched


def add_title_count(db: Database, post_url: str) -> set[str]:
    """Join posts of one site numbered "(k/N)" and named by nothing else; return those touched.

    :func:`pipeline.series.titles.counted_series` says when they are one series; the series
    gets a generated name ("Untitled 3-part series by ..."), its ``title-count`` evidence
    saying why. Every post of the site counted out of the same N is re-grouped, so a post
    that a later one shows to be in another series loses the evidence it no longer has.
    """
    row = db.execute("SELECT title, site_id FROM posts WHERE url = ?", [post_url]).fetchone()
    count = title_count(row[0] or "") if row else None
    if row is None or count is None:
        return set()
    touched = set()
    if not _named_only_by_title(db, post_url):
        # Another signal names its series now: the count no longer says anything.
        cursor = db.execute(
            "DELETE FROM series_evidence WHERE post_url = ? AND signal = 'title-count'",
            [post_url],
        )
        if cursor.rowcount:
            touched.add(post_url)
    cohort = [
        CountedTitle(url, title, author, date.fromisoformat(published[:10]))
        for url, title, author, published in db.execute(
            "SELECT url, title, author, published FROM posts WHERE site_id IS ?"
            " AND author IS NOT NULL AND published IS NOT NULL",
            [row[1]],
        ).fetchall()
        if (title_count(title) or (0, 0))[1] == count[1] and _named_only_by_title(db, url)
    ]
    for member in cohort:
        run = counted_series(member, cohort)
        wanted = (
            [
                (
                    counted_name(run),
                    f"{len(run)} titles by {member.author} numbered out of {count[1]},"
                    f" in order, each within {COUNT_GAP_DAYS} days: "
                    + "; ".join(p.title for p in run),
                )
            ]
            if run
            else []
        )
        has = db.execute(
            "SELECT name, evidence FROM series_evidence WHERE post_url = ?"
            " AND signal = 'title-count'",
            [member.url],
        ).fetchall()
        if [tuple(h) for h in has] == wanted:
            continue
        db.execute(
            "DELETE FROM series_evidence WHERE post_url = ? AND signal = 'title-count'",
            [member.url],
        )
        for name, evidence in wanted:
            add_evidence(
                db, member.url, SeriesMembership(name, signal="title-count", evidence=evidence)
            )
        touched.add(member.url)
    return touched


def _named_only_by_title(db: Database, post_url: str) -> bool:
    """Tell whether nothing but the post's title ("(k/N)") says it is in a series."""
    return (
        db.execute(
            "SELECT 1 FROM series_evidence WHERE post_url = ?"
            " AND signal NOT IN ('title-part', 'title-count')",
            [post_url],
        ).fetchone()
        is None
    )


def _tags(value: str | None) -> list[str]:
    try:
        return [str(t) for t in json.loads(value or "[]")]
    except ValueError:
        return []
