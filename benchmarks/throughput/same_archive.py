"""Do two archives hold the same? ``python -m benchmarks.throughput.same_archive OLD.db NEW.db``.

For a change to the store that must not change what the archive holds or answers (the
serving build run by both versions, :mod:`benchmarks.throughput.serving`): every table but
FTS5's own (the index's layout may differ) compared row by row, every column but those the
clock writes (the near-duplicate band keys as one table, wherever they wait); the posts'
rowid order (the full-text index points at rowids); the same words searched in both, rowids
and bm25 scores; FTS5's integrity check on both. Prints a line a table and exits 1 on any
difference.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import click

# Written from the clock or the process, not from what was stored.
CLOCK = {
    "first_seen_at", "last_seen_at", "last_changed_at", "computed_at", "seen_at", "started_at",
    "finished_at", "detected_at", "at", "applied_at", "published_at", "run_finished_at",
    "stored_at", "saved_at", "pid", "args",
}  # fmt: skip
# Tables that are one table's rows in two places: compared as their union. Near-duplicate
# band keys wait in the recent table until enough posts' keys move together (m020).
SPLIT = {"post_signature_bands": ("post_signature_bands", "post_signature_bands_recent")}
SEARCH = (
    "SELECT rowid, round(bm25(posts_fts, 5.0, 1.0), 9) AS score FROM posts_fts"
    " WHERE posts_fts MATCH ? ORDER BY score, rowid"
)


def _tables(conn: sqlite3.Connection) -> set[str]:
    names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {
        name
        for (name,) in names
        if not name.startswith(("sqlite_", "_sqlite_")) and "_fts_" not in name
        and not any(name in parts[1:] for parts in SPLIT.values())
    }  # fmt: skip


def _digest(conn: sqlite3.Connection, table: str, columns: list[str]) -> tuple[int, bytes]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    held = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    source = " UNION ALL ".join(
        f'SELECT {quoted} FROM "{part}"' for part in SPLIT.get(table, (table,)) if part in held
    )
    digest, rows = hashlib.sha256(), 0
    for row in conn.execute(f"SELECT * FROM ({source}) ORDER BY {quoted}"):
        digest.update(repr(row).encode())
        rows += 1
    return rows, digest.digest()


def compare(old: Path, new: Path, words: int = 80) -> list[str]:
    """Return what differs between the archives at ``old`` and ``new`` (nothing: the same)."""
    a, b = sqlite3.connect(old), sqlite3.connect(new)
    try:
        differ = []
        only = _tables(a) ^ _tables(b)
        if only:
            differ.append(f"tables in one only: {sorted(only)}")
        for table in sorted(_tables(a) & _tables(b)):
            columns = [r[1] for r in a.execute(f'PRAGMA table_info("{table}")')]
            columns = [c for c in columns if c not in CLOCK]
            found = _digest(a, table, columns), _digest(b, table, columns)
            click.echo(f"{table}: {found[0][0]} / {found[1][0]} rows" + (
                " same" if found[0] == found[1] else " DIFFERENT"))  # fmt: skip
            if found[0] != found[1]:
                differ.append(table)
        order = "SELECT url FROM posts ORDER BY rowid"
        if a.execute(order).fetchall() != b.execute(order).fetchall():
            differ.append("the posts' rowid order")
        titles = [t for (t,) in a.execute("SELECT title FROM posts ORDER BY rowid LIMIT 200")]
        vocabulary = {w.strip(",.:;!?()").lower() for t in titles for w in t.split()}
        searched = sorted(w for w in vocabulary if len(w) > 3 and w.isalpha())[:words]
        answers = [
            w
            for w in searched
            if a.execute(SEARCH, [w]).fetchall() != b.execute(SEARCH, [w]).fetchall()
        ]
        click.echo(f"{len(searched)} words searched, {len(answers)} answered differently")
        if answers:
            differ.append(f"search answers for {answers[:5]}")
        for conn in (a, b):
            conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")
        return differ
    finally:
        a.close()
        b.close()


@click.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def main(old: Path, new: Path) -> None:
    """Compare what two archives hold and answer; exit 1 if they differ."""
    differ = compare(old, new)
    click.echo("the same" if not differ else f"different: {', '.join(differ)}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
