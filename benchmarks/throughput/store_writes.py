"""Where the store's writes go: ``python -m benchmarks.throughput.store_writes --db ARCHIVE``.

Stores ``--posts`` more posts of the serving benchmark's network into the archive at
``--db`` (a build of :mod:`benchmarks.throughput.serving`, or a copy of one) exactly as
that build does (:meth:`archive.store.Archive.store_post`, ``--batch`` writes a
transaction), with the WAL's automatic checkpoints off, then reads the WAL's frames: every
frame is one page written by one commit, and SQLite's ``dbstat`` table names the table or
index each page belongs to. It prints the pages written a post by table and index, the
distinct pages (what a checkpoint copies into the database file), and the store's CPU a post.

The archive itself is left as it was: the process ends without checkpointing and the WAL it
wrote is deleted (so the posts it stored are not kept). ``--variant`` measures the same
posts with one thing changed (an index dropped, a setting), on the same starting archive.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import struct
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

WAL_HEADER = 32
FRAME_HEADER = 24

VARIANTS = (
    "none",
    "no-dedup",
    "no-fts",
    "secure-delete-off",
    "no-post-indexes",
    "temp-store-memory",
    "fts-at-commit",
    "fts-at-commit+temp-memory",
)


def _io() -> dict[str, int]:
    """Return this process's I/O counters (``/proc/self/io``)."""
    lines = Path("/proc/self/io").read_text().splitlines()
    return {k: int(v) for k, v in (line.split(": ") for line in lines)}


def wal_pages(wal: Path, start: int, page_size: int) -> list[int]:
    """Return the page number of every frame of ``wal`` from byte ``start`` on."""
    pages = []
    with wal.open("rb") as handle:
        handle.seek(start)
        while header := handle.read(FRAME_HEADER):
            if len(header) < FRAME_HEADER:
                break
            pages.append(struct.unpack(">I", header[:4])[0])
            handle.seek(page_size, os.SEEK_CUR)
    return pages


def _measure(db: Path, posts: int, batch: int, variant: str) -> dict[str, Any]:
    """Store ``posts`` more posts into ``db`` and return where their pages went (in a child)."""
    from archive.store import Archive
    from archive.write_batch import WriteBatch
    from benchmarks.throughput.serving import _network, _records

    archive = Archive.open(db, dedup=variant != "no-dedup")
    conn = archive.db
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA cache_size = {-1024 * 256}")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    if variant == "secure-delete-off":
        conn.execute("PRAGMA secure_delete = 0")
    if variant.startswith("fts-at-commit"):
        conn.execute("DROP TRIGGER posts_ai")
    if variant.endswith("temp-memory"):
        conn.execute("PRAGMA temp_store = MEMORY")
    if variant == "temp-store-memory":
        conn.execute("PRAGMA temp_store = MEMORY")
    if variant == "no-fts":
        for trigger in ("posts_ai", "posts_ad", "posts_au"):
            conn.execute(f"DROP TRIGGER {trigger}")
    if variant == "no-post-indexes":
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts'"
            " AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
    held = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    # The network one size up: the posts it has beyond those held are new URLs of the same
    # sites, stored newest first as a build or a crawl stores them.
    network = _network(held + posts)
    stored = {url for (url,) in conn.execute("SELECT url FROM posts")}
    order = [(s.number, n) for k in range(max(s.posts for s in network.sites))
             for s in network.sites if (n := s.posts - 1 - k) >= 0]  # fmt: skip
    sites = network.sites
    order = [(s, n) for s, n in order if sites[s].base + sites[s].post_path(n) not in stored]
    records = _records((held + posts, order[:posts]))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    wal = Path(f"{db}-wal")
    start = wal.stat().st_size if wal.exists() else 0
    indexed = [conn.execute("SELECT max(rowid) FROM posts").fetchone()[0] or 0]

    def index_batch() -> None:
        if variant.startswith("fts-at-commit"):
            conn.execute(
                "INSERT INTO posts_fts (rowid, title, text)"
                " SELECT rowid, title, text FROM posts WHERE rowid > ?",
                indexed,
            )
            indexed[0] = conn.execute("SELECT max(rowid) FROM posts").fetchone()[0]

    writes = WriteBatch(conn, db, rows=batch, seconds=float("inf"), before_commit=index_batch)
    run_id = archive.start_run({"benchmark": "store_writes", "posts": posts})
    profile = (
        cProfile.Profile(time.process_time) if os.environ.get("STORE_WRITES_PROFILE") else None
    )
    cpu = time.process_time()
    io = _io()
    if profile:
        profile.enable()
    for record in records:
        writes.begin()
        archive.store_post(record, run_id)
        writes.wrote()
    writes.commit()
    if profile:
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    cpu = time.process_time() - cpu
    io = {k: v - io[k] for k, v in _io().items()}
    frames = wal_pages(wal, max(start, WAL_HEADER), page_size)
    owner = dict(conn.execute("SELECT pageno, name FROM dbstat").fetchall())
    by_name: Counter[str] = Counter(owner.get(p, "(free list)") for p in frames)
    distinct: Counter[str] = Counter(owner.get(p, "(free list)") for p in set(frames))
    return {
        "variant": variant,
        "posts_held": held,
        "posts": len(records),
        "commits": writes.commits,
        "store_cpu_ms_per_post": 1000 * cpu / len(records),
        "wal_bytes_per_post": len(frames) * (page_size + FRAME_HEADER) / len(records),
        "pages_per_post": len(frames) / len(records),
        "wchar_per_post": io["wchar"] / len(records),
        "write_bytes_per_post": io["write_bytes"] / len(records),
        "cancelled_write_bytes_per_post": io["cancelled_write_bytes"] / len(records),
        "distinct_pages_per_post": len(set(frames)) / len(records),
        "by_name": {k: round(v / len(records), 2) for k, v in by_name.most_common()},
        "distinct_by_name": {k: round(v / len(records), 2) for k, v in distinct.most_common()},
    }


@click.command()
@click.option("--db", "db", type=click.Path(path_type=Path, exists=True), required=True,
              help="A built archive (left as it was).")  # fmt: skip
@click.option("--posts", default=1000, show_default=True, help="Posts to store.")
@click.option("--batch", default=50, show_default=True, help="Posts a transaction.")
@click.option("--variant", "variants", multiple=True, type=click.Choice(VARIANTS),
              default=["none"], show_default=True, help="What to change (repeatable).")  # fmt: skip
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write figures here.")
@click.option("--child", is_flag=True, hidden=True)
def main(
    db: Path, posts: int, batch: int, variants: tuple[str, ...], json_path: Path | None,
    child: bool,
) -> None:  # fmt: skip
    """Store POSTS more posts into an archive and say which tables and indexes they wrote."""
    if child:
        click.echo(json.dumps(_measure(db, posts, batch, variants[0])))
        sys.stdout.flush()
        os._exit(0)  # no close: the WAL is not checkpointed into the archive
    if Path(f"{db}-wal").exists() and Path(f"{db}-wal").stat().st_size:
        raise click.ClickException(f"{db} has a WAL: open and close it once to checkpoint it")
    results = []
    for variant in variants:
        command = [sys.executable, "-m", "benchmarks.throughput.store_writes", "--db", str(db),
                   "--posts", str(posts), "--batch", str(batch), "--variant", variant,
                   "--child"]  # fmt: skip
        try:
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        finally:
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        results.append(json.loads(out))
        click.echo(json.dumps(results[-1], indent=1))
    if json_path:
        json_path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
