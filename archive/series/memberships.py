"""Series in the archive: every signal kept as evidence, merged into memberships and parts.

``series_evidence`` holds every signal for every post (what the page said, what series pages
listed it, shared title prefixes, copies of a series part on other sites); ``series_posts``
is derived from it by :func:`pipeline.series.detect.merge_memberships`, one row per post and series,
with the strongest signal, the conflict if any, and the reading position. A post that says
it closes the series, and states no part itself, is numbered the series' declared length
(:func:`_final_part_takes_total`), so ``series_gaps`` lists the parts missing before it.
All functions run inside the caller's transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from sqlite_utils.db import Database

from archive.series.evidence import add_evidence, add_title_count, add_title_prefix
from crawler.items import SeriesListing
from crawler.urls import canonicalize_url
from pipeline.records import PostRecord, SeriesMembership
from pipeline.series.detect import merge_memberships, says_final, series_key

logger = logging.getLogger(__name__)


def store_post_series(db: Database, record: PostRecord) -> None:
    """Replace a post's series evidence with what it says now, and re-resolve what it touches."""
    db.execute("DELETE FROM series_evidence WHERE post_url = ?", [record.url])
    raw = [signal for m in record.series for signal in (m.signals or (m,))]
    for signal in raw:
        add_evidence(db, record.url, signal)
    _add_listed(db, record)
    touched = {record.url}
    touched |= add_title_prefix(db, record.url)
    touched |= add_title_count(db, record.url)
    touched |= _add_copies(db, record.url, as_copy=True)
    resolve_posts(db, touched)
    # Copies stored before their original join its series now that it has them.
    resolve_posts(db, _add_copies(db, record.url, as_copy=False))


def _add_listed(db: Database, record: PostRecord) -> None:
    """Add the series pages seen earlier (in this run or before) that list this post."""
    candidates = {record.url, canonicalize_url(record.url)}
    if record.fetched_url:
        candidates |= {record.fetched_url, canonicalize_url(record.fetched_url)}
    marks = ", ".join("?" for _ in candidates)
    listed = db.execute(
        "SELECT series.name, series.url, series_listings.listing_url FROM series_listings"
        " JOIN series ON series.id = series_listings.series_id"
        f" WHERE series_listings.post_url IN ({marks})",
        sorted(candidates),
    ).fetchall()
    already = {
        (name, evidence)
        for name, evidence in db.execute(
            "SELECT name, evidence FROM series_evidence WHERE post_url = ?"
            " AND signal = 'series-page'",
            [record.url],
        )
    }
    for name, url, listing_url in listed:
        if (name, listing_url) not in already:
            add_evidence(
                db,
                record.url,
                SeriesMembership(name, url=url, signal="series-page", evidence=listing_url),
            )


def add_listing_evidence(db: Database, post_url: str, name: str, listing_url: str) -> None:
    """Record that a series page lists an archived post, and re-resolve the post."""
    exists = db.execute(
        "SELECT 1 FROM series_evidence WHERE post_url = ? AND signal = 'series-page'"
        " AND name = ? AND evidence = ?",
        [post_url, name, listing_url],
    ).fetchone()
    if exists is None:
        url = db.execute("SELECT url FROM series WHERE slug = ?", [series_key(name)]).fetchone()
        add_evidence(
            db,
            post_url,
            SeriesMembership(
                name, url=url[0] if url else None, signal="series-page", evidence=listing_url
            ),
        )
    resolve_posts(db, {post_url})


def _add_copies(db: Database, post_url: str, *, as_copy: bool) -> set[str]:
    """Give copies of a series part (issue 5's post_duplicates) the part they copy.

    ``as_copy``: the post is the copy (else: the post is the original of copies stored
    before it). Returns the posts whose evidence changed.
    """
    column = "post_url" if as_copy else "original_url"
    pairs = db.execute(
        f"SELECT post_url, original_url FROM post_duplicates WHERE {column} = ?",
        [post_url],
    ).fetchall()
    touched = set()
    for copy_url, original_url in pairs:
        touched |= _copy_series(db, copy_url, original_url)
    return touched


def _copy_series(db: Database, copy_url: str, original_url: str) -> set[str]:
    if db.execute("SELECT 1 FROM posts WHERE url = ?", [copy_url]).fetchone() is None:
        return set()
    db.execute(
        "DELETE FROM series_evidence WHERE post_url = ? AND signal = 'copy-of' AND url = ?",
        [copy_url, original_url],
    )
    parts = db.execute(
        "SELECT series.name, series_posts.stated_part, series_posts.stated_total"
        " FROM series_posts JOIN series ON series.id = series_posts.series_id"
        " WHERE series_posts.post_url = ? AND series_posts.copy_of IS NULL",
        [original_url],
    ).fetchall()
    # A copy is the lowest signal: a post that names a series of its own joins the
    # original's series only if it names that one too, never because its text is alike.
    own = {
        series_key(name)
        for (name,) in db.execute(
            "SELECT name FROM series_evidence WHERE post_url = ? AND signal != 'copy-of'"
            " AND coalesce(name, '') != ''",
            [copy_url],
        ).fetchall()
    }
    for name, part, total in parts:
        if own and series_key(name) not in own:
            logger.info(
                "%s copies %s but names its own series; not added to %r",
                copy_url,
                original_url,
                name,
            )
            continue
        add_evidence(
            db,
            copy_url,
            SeriesMembership(
                name, part, total, url=original_url, signal="copy-of", evidence=original_url
            ),
        )
    return {copy_url}


def relink_copies(db: Database) -> int:
    """Re-derive every copy's series from ``post_duplicates``; return the copies touched."""
    touched: set[str] = set()
    for copy_url, original_url in db.execute(
        "SELECT post_url, original_url FROM post_duplicates"
    ).fetchall():
        touched |= _copy_series(db, copy_url, original_url)
    resolve_posts(db, touched)
    return len(touched)


def resolve_posts(db: Database, post_urls: Iterable[str]) -> None:
    """Re-derive ``series_posts`` of these posts from their evidence, then renumber.

    A post whose only signals are unnamed (previous/next links, a table of contents without
    a heading) joins the series its linked neighbours are in; resolving one post can settle
    such a neighbour, so the work spreads until nothing changes.
    """
    pending = list(dict.fromkeys(post_urls))
    affected: set[int] = set()
    seen: set[str] = set()
    while pending:
        post_url = pending.pop(0)
        if post_url in seen:
            continue
        seen.add(post_url)
        before, after = _resolve_one(db, post_url)
        affected |= before | after
        if after - before:
            pending.extend(_waiting_on(db, post_url))
    recompute_series(db, affected)


def _resolve_one(db: Database, post_url: str) -> tuple[set[int], set[int]]:
    rows = db.execute(
        "SELECT id, signal, name, stated_part, stated_total, url, evidence, neighbours"
        " FROM series_evidence WHERE post_url = ? ORDER BY id",
        [post_url],
    ).fetchall()
    signals = []
    for _, signal, name, part, total, url, evidence, neighbours in rows:
        linked = tuple(json.loads(neighbours or "[]"))
        if not name and linked:
            name = _neighbours_series(db, linked)
        signals.append(
            SeriesMembership(name, part, total, url, signal, evidence, neighbours=linked)
        )
    before = {
        sid
        for (sid,) in db.execute(
            "SELECT series_id FROM series_posts WHERE post_url = ?", [post_url]
        ).fetchall()
    }
    if not rows and not before:
        return before, set()  # no evidence and in no series: most posts, nothing to undo
    db.execute("DELETE FROM series_posts WHERE post_url = ?", [post_url])
    db.execute("UPDATE series_evidence SET series_id = NULL WHERE post_url = ?", [post_url])
    site_name, source = db.execute(
        "SELECT site, source FROM posts WHERE url = ?", [post_url]
    ).fetchone() or (None, None)
    after = set()
    for membership in merge_memberships(signals):
        if not membership.name:
            continue  # nothing names the series yet; the evidence waits for a name
        series_id = series_row(db, membership.name, url=membership.url, site=site_name or source)
        if site_name:
            # A series first stored from its listing page (named after the source) takes the
            # site's own name once a post states it, whichever the crawl reached first.
            db.execute(
                "UPDATE series SET site = ? WHERE id = ? AND (site IS NULL OR site = ?)",
                [site_name, series_id, source],
            )
        after.add(series_id)
        copy_of = next((s.url for s in membership.signals if s.signal == "copy-of"), None)
        own = [s for s in membership.signals if s.signal != "copy-of"]
        db.execute(
            "INSERT INTO series_posts (series_id, post_url, stated_part, stated_total, signal,"
            " evidence, conflict, copy_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                series_id,
                post_url,
                membership.position,
                membership.total,
                membership.signal,
                membership.evidence,
                membership.conflict,
                copy_of if not own else None,
            ],
        )
        for signal in membership.signals:
            db.execute(
                "UPDATE series_evidence SET series_id = ? WHERE post_url = ? AND signal = ?"
                " AND evidence = ? AND (name = ? OR name = '')",
                [series_id, post_url, signal.signal, signal.evidence, signal.name],
            )
    return before, after


def _neighbours_series(db: Database, neighbours: tuple[str, ...]) -> str:
    """Return the one series the linked neighbours are in, else ""."""
    marks = ", ".join("?" for _ in neighbours)
    names = db.execute(
        "SELECT DISTINCT series.name FROM series_posts"
        " JOIN series ON series.id = series_posts.series_id"
        f" WHERE series_posts.post_url IN ({marks})",
        list(neighbours),
    ).fetchall()
    return str(names[0][0]) if len(names) == 1 else ""


def _waiting_on(db: Database, post_url: str) -> list[str]:
    """Return posts with unnamed signals that link to ``post_url``."""
    return [
        url
        for (url,) in db.execute(
            "SELECT DISTINCT series_evidence.post_url FROM series_evidence,"
            " json_each(series_evidence.neighbours) WHERE series_evidence.name = ''"
            " AND json_each.value = ? AND series_evidence.post_url != ?",
            [post_url, post_url],
        ).fetchall()
    ]


def store_listing(db: Database, listing: SeriesListing, run_id: int) -> int:
    """Store a series page's list of posts, link those already archived; return the series id.

    Listed posts not archived yet are remembered in ``series_listings`` and joined to the
    series when they are stored (:func:`store_post_series`), in this run or a later one.
    """
    series_id = series_row(db, listing.name, url=listing.url, site=listing.source or None)
    if listing.description:
        db.execute(
            "UPDATE series SET description = ? WHERE id = ? AND description IS NULL",
            [listing.description, series_id],
        )
    # The series' name as first stored (the listing may spell it differently).
    (name,) = db.execute("SELECT name FROM series WHERE id = ?", [series_id]).fetchone()
    for position, listed in enumerate(listing.post_urls, 1):
        post_url = canonicalize_url(listed)
        db.execute(
            "INSERT INTO series_listings"
            " (series_id, post_url, listed_position, listing_url, first_run_id)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (series_id, post_url) DO UPDATE SET"
            "  listed_position = excluded.listed_position,"
            "  listing_url = excluded.listing_url",
            [series_id, post_url, position, listing.url, run_id],
        )
        stored = db.execute(
            "SELECT url FROM posts WHERE url IN (?, ?) OR fetched_url IN (?, ?) LIMIT 1",
            [listed, post_url, listed, post_url],
        ).fetchone()
        if stored is not None:
            add_listing_evidence(db, stored[0], name, listing.url)
    recompute_series(db, {series_id})
    return series_id


def series_row(db: Database, name: str, *, url: str | None, site: str | None) -> int:
    """Return the id of the series called ``name`` (by slug, on any site), creating it."""
    slug = series_key(name)
    found = db.execute("SELECT id, url FROM series WHERE slug = ?", [slug]).fetchone()
    if found is None:
        cursor = db.execute(
            "INSERT INTO series (name, slug, url, site) VALUES (?, ?, ?, ?)",
            [name, slug, url, site],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid
    if url and found[1] is None:
        db.execute("UPDATE series SET url = ? WHERE id = ?", [url, found[0]])
    return int(found[0])


def _members(db: Database, series_id: int) -> list[tuple]:
    """Return (post url, stated part, position, published, copy of) of the series' posts."""
    return db.execute(
        "SELECT sp.post_url, sp.stated_part, sp.position, p.published, sp.copy_of"
        " FROM series_posts sp JOIN posts p ON p.url = sp.post_url WHERE sp.series_id = ?",
        [series_id],
    ).fetchall()


def _final_part_takes_total(db: Database, series_id: int, members: list[tuple]) -> bool:
    """Number a post that says it closes the series as the series' declared last part.

    "This post closes the series" states no number; when the series declares its length
    ("part 3 of 7" on another post), the closing post is part 7 (its ``series_evidence``
    keeps the sentence). Left unnumbered, and logged, when two posts claim the end, another
    post states that part, or a stated part lies beyond the declared length. Returns whether
    a stated part changed.
    """
    row = db.execute(
        "SELECT coalesce((SELECT max(stated_total) FROM series_posts WHERE series_id = :id),"
        " declared_total) FROM series WHERE id = :id",
        {"id": series_id},
    ).fetchone()
    total = row[0] if row else None
    own_part: set[str] = set()
    final: set[str] = set()
    for post_url, signal, part, evidence in db.execute(
        "SELECT post_url, signal, stated_part, evidence FROM series_evidence WHERE series_id = ?",
        [series_id],
    ).fetchall():
        if part is not None:
            own_part.add(post_url)
        if says_final(SeriesMembership("", signal=signal, evidence=evidence)):
            final.add(post_url)
    closing = sorted(final - own_part)
    if not closing:
        return False
    stated = [m[1] for m in members if m[1] is not None and m[0] not in closing]
    part = total
    if total and (len(closing) > 1 or total in stated or any(p > total for p in stated)):
        logger.info("series %s: closing posts %s not numbered %s", series_id, closing, total)
        part = None
    current = {m[0]: m[1] for m in members}
    changed = False
    for post_url in closing:
        if current.get(post_url) != part:
            db.execute(
                "UPDATE series_posts SET stated_part = ? WHERE series_id = ? AND post_url = ?",
                [part, series_id, post_url],
            )
            changed = True
    return changed


Part = tuple[str, int | None, str | None]  # post url, stated part, published


def reading_order(parts: list[Part]) -> list[str]:
    """Return the posts' URLs in reading order.

    Stated part numbers first decide; a part without one goes after the stated parts
    published no later than it (by date among such parts), never before a stated part 1,
    and last without a date; then URL, so the order is stable.
    """
    stated = [(part, published) for _, part, published in parts if part is not None]

    def key(item: Part) -> tuple[int, int, str, str]:
        url, part, published = item
        if part is not None:
            return (part, 0, published or "", url)
        if not published:
            return (10**6, 1, "", url)
        before = [p for p, date in stated if date and date <= published]
        # Nothing goes before a stated part 1, whatever its date.
        first = 1 if any(p == 1 for p, _ in stated) else 0
        return (max([first, *before]), 1, published, url)

    return [url for url, _, _ in sorted(parts, key=key)]


def recompute_series(db: Database, series_ids: Iterable[int]) -> None:
    """Renumber each series' parts and refresh its summary columns.

    Position is the stated part number's order; a part without one goes after the stated
    parts published no later than it (so by date among them), and a copy of a part on
    another site shares the position of the part it copies. A series left without parts
    or listings is deleted.
    """
    for series_id in sorted(set(series_ids)):
        members = _members(db, series_id)
        if (
            not members
            and not db.execute(
                "SELECT 1 FROM series_listings WHERE series_id = ?", [series_id]
            ).fetchone()
        ):
            db.execute("DELETE FROM series WHERE id = ?", [series_id])
            continue
        if _final_part_takes_total(db, series_id, members):
            members = _members(db, series_id)
        held = {m[0] for m in members}
        # A copy whose original is held takes the original's place, not one of its own.
        parts = [(m[0], m[1], m[3]) for m in members if m[4] is None or m[4] not in held]
        positions = {url: n for n, url in enumerate(reading_order(parts), 1)}
        for url, _, current, _, copy_of in members:
            position = positions.get(url) or positions.get(copy_of or "")
            if current != position:
                db.execute(
                    "UPDATE series_posts SET position = ? WHERE series_id = ? AND post_url = ?",
                    [position, series_id, url],
                )
        db.execute(
            "UPDATE series SET"
            " parts_held = (SELECT count(DISTINCT position) FROM series_posts"
            "   WHERE series_id = :id),"
            " declared_total = coalesce((SELECT max(stated_total) FROM series_posts"
            "   WHERE series_id = :id), declared_total),"
            " first_published = (SELECT min(p.published) FROM series_posts sp"
            "   JOIN posts p ON p.url = sp.post_url WHERE sp.series_id = :id),"
            " last_published = (SELECT max(p.published) FROM series_posts sp"
            "   JOIN posts p ON p.url = sp.post_url WHERE sp.series_id = :id),"
            " sites = (SELECT json_group_array(DISTINCT coalesce(p.site, p.source))"
            "   FROM series_posts sp JOIN posts p ON p.url = sp.post_url"
            "   WHERE sp.series_id = :id AND coalesce(p.site, p.source) IS NOT NULL)"
            " WHERE id = :id",
            {"id": series_id},
        )
