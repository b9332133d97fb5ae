"""Store post signatures and link near-duplicate posts to their original.

Tables (migration m008): ``post_signatures`` (one MinHash signature per post, with the
original its page declares), ``post_signature_bands`` (the LSH band keys, indexed: the
candidates for a post are the posts sharing a band key with it) and ``post_duplicates``
(each copy, its original, their estimated similarity and how the link was found). New band
keys wait in ``post_signature_bands_recent`` (m020) and move to ``post_signature_bands`` in
key order, thousands at a time (:func:`merge_recent_bands`): keys are hashes, so inserted one
post at a time each lands on a random page of a large B-tree. Candidates are read from both.

Links form stars: every copy points at its cluster's original, never at another copy.
Which copy is the original is :func:`pipeline.signatures.choose_original`'s rule: the post other
pages declare as theirs (cross-site rel=canonical), else the earliest published, else the
first stored. A declared original counts only when it is an archived post, which means a post
of a configured source: a page cannot make an unknown host's URL the original of anything.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

from sqlite_utils.db import Database

from crawler.urls import url_key
from pipeline.signatures import (
    METHOD_MINHASH,
    Candidate,
    Fingerprinter,
    Signature,
    choose_original,
    from_fingerprint,
)

logger = logging.getLogger(__name__)

METHOD_REL_CANONICAL = "rel-canonical"
# Posts whose band keys wait in post_signature_bands_recent before they move: at 100,000
# posts, 2,000 posts' 64,000 keys in key order touch most of the large table's leaves once,
# where inserted one post at a time they dirtied 32 random leaves a post.
RECENT_BAND_POSTS = 2_000
BAND_TABLES = ("post_signature_bands", "post_signature_bands_recent")


def merge_recent_bands(db: Database, posts: int | None = None) -> int:
    """Move the recent band keys into ``post_signature_bands`` once ``posts`` posts' wait
    (default :data:`RECENT_BAND_POSTS`).

    Run it in a transaction but outside any savepoint (a batch's commit): a savepoint would
    journal every page the move touches. Return how many keys moved. How many posts wait is
    read from the span of their signature ids (new posts' ids grow), an upper bound: a post
    signed again with an old id moves the keys early, which costs no more than before m020.
    """
    try:
        low, high = db.execute(
            "SELECT min(signature_id), max(signature_id) FROM post_signature_bands_recent"
        ).fetchone()
    except sqlite3.OperationalError:
        return 0  # an archive before m020 (its migrations are under way)
    if low is None or high - low + 1 < (RECENT_BAND_POSTS if posts is None else posts):
        return 0
    moved = db.execute(
        "INSERT OR IGNORE INTO post_signature_bands (band_key, signature_id)"
        " SELECT band_key, signature_id FROM post_signature_bands_recent"
        " ORDER BY band_key, signature_id"
    ).rowcount
    db.execute("DELETE FROM post_signature_bands_recent")
    logger.debug("moved %d recent band keys", moved)
    return moved


class DuplicateIndex:
    """The archive's near-duplicate index; every method runs inside the caller's transaction."""

    def __init__(self, db: Database, fingerprinter: Fingerprinter | None = None) -> None:
        self.db = db
        self.fingerprinter = fingerprinter or Fingerprinter()

    def index_post(
        self,
        url: str,
        text: str,
        *,
        declared_original: str | None,
        outcome: str,
        run_id: int,
        now: str,
        fingerprint: tuple[str, bytes | None] | None = None,
    ) -> bool:
        """Fingerprint a stored post and link it to its copies or original.

        ``fingerprint``: the text's signature made where it was extracted
        (:func:`pipeline.signatures.fingerprint`), used if it is of this index's scheme.

        Return True when the post is new to the archive (``outcome`` "new") but its text,
        or the original its page declares, is already archived under another URL: it is
        then linked, and counted as a duplicate, not as a new post. When a run stores a copy
        first and its original later, the copy's "new" becomes "duplicate" and the original
        stays "new". An unchanged post whose signature is current is not looked at again.
        """
        scheme = self.fingerprinter.settings.name
        declared_key = url_key(declared_original) if declared_original else None
        stored = self.db.execute(
            "SELECT scheme, declared_original_key FROM post_signatures WHERE post_url = ?", [url]
        ).fetchone()
        if outcome == "unchanged" and stored == (scheme, declared_key):
            return False
        signature = from_fingerprint(fingerprint, text, self.fingerprinter)
        self._store_signature(url, signature, declared_key, now)
        cluster = self._relink(url, signature, declared_key, run_id, now)
        if not cluster:
            return False
        return self._settle_counts(url, cluster | {url}, run_id) and outcome == "new"

    def _settle_counts(self, url: str, cluster: set[str], run_id: int) -> bool:
        """Count at most one post of a cluster as new in this run; tell if ``url`` is a copy.

        Posts first stored by this run are new only if the whole cluster is: then its
        original counts as new and the others as duplicates. A cluster that held a post
        before this run has nothing new in it. Outcomes this run already gave its other
        posts are corrected, so the run's counts do not depend on the order of storing.
        """
        rows = self._rows("SELECT url, first_run_id FROM posts WHERE url IN ({})", cluster)
        fresh = {str(url_) for url_, first_run_id in rows if first_run_id == run_id}
        counted = self.original_of(url) or url if fresh == cluster else None
        for other in sorted(fresh - {url}):
            self.db.execute(
                "UPDATE run_posts SET outcome = ? WHERE run_id = ? AND post_url = ?"
                " AND outcome IN ('new', 'duplicate')",
                ["new" if other == counted else "duplicate", run_id, other],
            )
        return url in fresh and url != counted

    def index_stored(self, now: str) -> int:
        """Fingerprint and link every post whose signature is missing or of another scheme.

        For an archive upgraded from before signatures, or after the settings changed, so
        that posts no crawl has seen since are compared too. Returns how many were indexed.
        """
        scheme = self.fingerprinter.settings.name
        stale = self.db.execute(
            "SELECT posts.url, posts.text, post_signatures.declared_original_key FROM posts"
            " LEFT JOIN post_signatures ON post_signatures.post_url = posts.url"
            " WHERE post_signatures.scheme IS NULL OR post_signatures.scheme != ?"
            " ORDER BY posts.first_seen_at, posts.url",
            [scheme],
        ).fetchall()
        for url, text, declared_key in stale:
            signature = self.fingerprinter.signature(text or "")
            self._store_signature(url, signature, declared_key, now)
            self._relink(url, signature, declared_key, None, now)
        return len(stale)

    def original_of(self, url: str) -> str | None:
        """Return the original of ``url`` when it is a copy."""
        row = self.db.execute(
            "SELECT original_url FROM post_duplicates WHERE post_url = ?", [url]
        ).fetchone()
        return row[0] if row else None

    # -- storage -------------------------------------------------------------------------------

    def _store_signature(
        self, url: str, signature: Signature | None, declared_key: str | None, now: str
    ) -> None:
        self.db.execute(
            "INSERT INTO post_signatures"
            " (post_url, scheme, signature, declared_original_key, computed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_url) DO UPDATE SET"
            " scheme = excluded.scheme, signature = excluded.signature,"
            " declared_original_key = excluded.declared_original_key,"
            " computed_at = excluded.computed_at",
            [
                url,
                self.fingerprinter.settings.name,
                signature.to_bytes() if signature else None,
                declared_key,
                now,
            ],
        )
        # Bands point at the signature's integer id, not the URL: 32 rows a post stay small.
        (signature_id,) = self.db.execute(
            "SELECT id FROM post_signatures WHERE post_url = ?", [url]
        ).fetchone()
        for table in BAND_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE signature_id = ?", [signature_id])
        if signature is not None:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO post_signature_bands_recent (band_key, signature_id)"
                " VALUES (?, ?)",
                [(key, signature_id) for key in self.fingerprinter.band_keys(signature)],
            )

    def _signature(self, url: str) -> Signature | None:
        row = self.db.execute(
            "SELECT signature FROM post_signatures WHERE post_url = ? AND scheme = ?",
            [url, self.fingerprinter.settings.name],
        ).fetchone()
        return Signature.from_bytes(row[0]) if row and row[0] is not None else None

    # -- detection -----------------------------------------------------------------------------

    def candidates(self, url: str, signature: Signature) -> list[str]:
        """Return the posts sharing at least one LSH band key with ``signature``."""
        keys = self.fingerprinter.band_keys(signature)
        marks = ", ".join("?" for _ in keys)
        bands = " UNION ALL ".join(
            f"SELECT signature_id FROM {table} WHERE band_key IN ({marks})" for table in BAND_TABLES
        )
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT post_signatures.post_url FROM ({bands}) AS bands"
                " JOIN post_signatures ON post_signatures.id = bands.signature_id"
                " WHERE post_signatures.post_url != ? ORDER BY post_signatures.post_url",
                [*keys, *keys, url],
            )
        ]

    def _matches(self, url: str, signature: Signature | None, declared_key: str | None) -> set[str]:
        """Return the posts that are the same post as ``url`` by text or by declaration."""
        found: set[str] = set()
        if signature is not None:
            for other in self.candidates(url, signature):
                other_signature = self._signature(other)
                if other_signature is not None and self.fingerprinter.is_duplicate(
                    signature.similarity(other_signature)
                ):
                    found.add(other)
        if declared_key:
            found |= {
                row[0]
                for row in self.db.execute(
                    "SELECT url FROM posts WHERE url_key = ? AND url != ?", [declared_key, url]
                )
            }
        found |= {
            row[0]
            for row in self.db.execute(
                "SELECT post_url FROM post_signatures WHERE declared_original_key = ?"
                " AND post_url != ?",
                [url_key(url, keep_fragment=True), url],
            )
        }
        return found

    def _relink(
        self,
        url: str,
        signature: Signature | None,
        declared_key: str | None,
        run_id: int | None,
        now: str,
    ) -> set[str]:
        """Re-decide the links of ``url``; return the other members of its cluster."""
        matches = self._matches(url, signature, declared_key)
        own_copies = self._copies_of([url])
        if not matches:
            # Its text no longer matches anything: it is nobody's copy, and its own copies
            # stay linked only while they still match it.
            self.db.execute("DELETE FROM post_duplicates WHERE post_url = ?", [url])
            for copy in own_copies:
                if copy not in self._matches(copy, self._signature(copy), self._declared(copy)):
                    self.db.execute("DELETE FROM post_duplicates WHERE post_url = ?", [copy])
            return set()
        roots = {self.original_of(m) or m for m in matches}
        cluster = {url} | matches | roots | own_copies | self._copies_of(roots)
        original = self._choose_original(cluster)
        original_signature = self._signature(original)
        for member in sorted(cluster - {original}):
            self._link(member, original, original_signature, run_id, now)
        self.db.execute("DELETE FROM post_duplicates WHERE post_url = ?", [original])
        logger.info("%s: %d copies of %s", url, len(cluster) - 1, original)
        return cluster - {url}

    def _link(
        self,
        copy: str,
        original: str,
        original_signature: Signature | None,
        run_id: int | None,
        now: str,
    ) -> None:
        copy_signature = self._signature(copy)
        similarity = (
            copy_signature.similarity(original_signature)
            if copy_signature is not None and original_signature is not None
            else None
        )
        declared = self._declared(copy)
        method = (
            METHOD_REL_CANONICAL
            if declared is not None and declared == self._url_key_of(original)
            else METHOD_MINHASH
        )
        self.db.execute(
            "INSERT INTO post_duplicates"
            " (post_url, original_url, similarity, method, detected_at, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (post_url) DO UPDATE SET"
            " similarity = excluded.similarity, method = excluded.method,"
            " detected_at = CASE WHEN post_duplicates.original_url = excluded.original_url"
            "  THEN post_duplicates.detected_at ELSE excluded.detected_at END,"
            " run_id = CASE WHEN post_duplicates.original_url = excluded.original_url"
            "  THEN post_duplicates.run_id ELSE excluded.run_id END,"
            " original_url = excluded.original_url",
            [copy, original, similarity, method, now, run_id],
        )

    def _choose_original(self, cluster: set[str]) -> str:
        keys = {self._url_key_of(u): u for u in cluster}
        posts = []
        for url, published, first_seen_at, rowid in self._rows(
            "SELECT url, published, first_seen_at, rowid FROM posts WHERE url IN ({})", cluster
        ):
            declared = self._declared(str(url))
            posts.append(
                Candidate(
                    url=str(url),
                    published=str(published) if published else None,
                    first_seen_at=str(first_seen_at),
                    stored_order=int(str(rowid)),
                    declares_other=declared is not None and keys.get(declared, url) != url,
                )
            )
        return choose_original(posts).url

    def _copies_of(self, originals: Iterable[str]) -> set[str]:
        return {
            str(row[0])
            for row in self._rows(
                "SELECT post_url FROM post_duplicates WHERE original_url IN ({})", originals
            )
        }

    def _declared(self, url: str) -> str | None:
        row = self.db.execute(
            "SELECT declared_original_key FROM post_signatures WHERE post_url = ?", [url]
        ).fetchone()
        return row[0] if row else None

    def _url_key_of(self, url: str) -> str:
        row = self.db.execute("SELECT url_key FROM posts WHERE url = ?", [url]).fetchone()
        return row[0] if row and row[0] else url_key(url, keep_fragment=True)

    def _rows(self, sql: str, values: Iterable[str]) -> list[tuple[object, ...]]:
        values = sorted(values)
        if not values:
            return []
        marks = ", ".join("?" for _ in values)
        return self.db.execute(sql.format(marks), values).fetchall()
