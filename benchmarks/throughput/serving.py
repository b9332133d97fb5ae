"""Serving benchmark: ``python -m benchmarks.throughput.serving --posts 100000``.

Builds an archive of the generated network's posts through the project's own store
(:meth:`archive.store.Archive.store_post`, one record at a time as a crawl stores them:
links, series, near-duplicate signatures, full-text index, then the published snapshot),
serves it with ``blogarchive serve`` and times four pages with a real HTTP client over
keep-alive connections: full-text search, the posts table, a facet page and a post's
reading view, ``--requests`` each (different queries and posts each time), p50 and p95.

The records are made from what the generator rendered (title, byline, date, body blocks,
series parts), not by extraction: extracting 100,000 pages takes hours on two cores and is
what the crawl benchmark measures; this one measures the archive.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
import httpx

from benchmarks.throughput.network import SERIES_PARTS, BlogSite, Network

ROOT = Path(__file__).resolve().parents[2]


def post_record(site: BlogSite, n: int) -> Any:
    """Return post ``n`` of ``site`` as the PostRecord its page would be extracted into."""
    from pipeline.records import Link, PostRecord, SeriesMembership

    post = site.post(n)
    parts, texts, links = [], [], []
    for block in post.blocks:
        if block.startswith("## "):
            parts.append(f"<h2>{html.escape(block[3:])}</h2>")
            texts.append(block[3:])
        elif block.startswith("- "):
            items = [line[2:] for line in block.splitlines()]
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
            texts.append("\n".join(items))
        else:
            found = re.match(r"This continues \[(.+?)\]\((.+?)\)(.*)", block)
            if found:
                text, href, rest = found.groups()
                links.append(Link(url=href, text=text))
                parts.append(
                    f'<p>This continues <a href="{html.escape(href)}">{html.escape(text)}</a>'
                    f"{html.escape(rest)}</p>"
                )
                texts.append(f"This continues {text}{rest}")
            else:
                parts.append(f"<p>{html.escape(block)}</p>")
                texts.append(block)
    body = "\n".join(parts)
    series = []
    if (found_series := site.series_of(n)) is not None:
        start, part = found_series
        name = site.title(start).split(": Part")[0]
        series.append(
            SeriesMembership(name=name, position=part, total=SERIES_PARTS, signal="title-part",
                             evidence=f"Part {part} of {SERIES_PARTS}")
        )  # fmt: skip
    url = site.base + site.post_path(n)
    return PostRecord(
        url=url,
        title=post.title,
        text="\n\n".join(texts),
        source=f"site{site.number:02d}",
        fetched_url=url,
        fetched_at="2026-12-07T00:00:00+00:00",
        author="; ".join(post.authors),
        published=post.published.isoformat(),
        site=site.name,
        language="en",
        tags=[f"Topic {site.category(n)}"],
        links=links,
        series=series,
        html=body,
        # The generator writes its blocks in Markdown: what html_to_markdown would give back
        # (converting 100,000 bodies would be a quarter of the build's time).
        markdown="\n\n".join(post.blocks),
    )


def _records(job: tuple[int, list[tuple[int, int]]]) -> list[Any]:
    """Make the records of ``(site number, post)`` pairs of a ``posts``-post network.

    Each with its near-duplicate fingerprint, as the crawl's extraction workers send them
    (pipeline/extraction_pipeline.py). Module-level: worker processes receive it by name.
    """
    from pipeline.signatures import fingerprint

    posts, pairs = job
    sites = _network(posts).sites
    records = []
    for number, n in pairs:
        record = post_record(sites[number], n)
        record.fingerprint = fingerprint(record.text)
        records.append(record)
    return records


_NETWORKS: dict[int, Network] = {}


def _network(posts: int) -> Network:
    if posts not in _NETWORKS:
        network = Network(posts)
        for site in network.sites:
            site.base = f"https://{site.host}"
        _NETWORKS[posts] = network
    return _NETWORKS[posts]


def build(
    db: Path, posts: int, *, batch: int = 50, workers: int | None = None, progress: bool = True,
    resume: bool = False, cache_mb: int = 256,
) -> dict[str, Any]:  # fmt: skip
    """Store every post of a ``posts``-post network in a fresh archive at ``db``; publish it.

    As a crawl stores them: records (with their fingerprints) made in ``workers`` processes,
    stored one at a time by :meth:`archive.store.Archive.store_post` in this one, ``batch``
    writes a transaction (:class:`archive.write_batch.WriteBatch`, the crawl's default 50).
    ``cache_mb``: SQLite's page cache for the build's connection (its default is 2 MB: past
    50,000 posts each post's 32 signature-band rows land on random pages of an index larger
    than that, read back and written again at every transaction).
    ``resume``: ``db`` is a build stopped part way; the posts it holds (by URL) are left as
    they are and the rest stored in the same order (the figures count the new ones alone).
    """
    from archive.publish import default_snapshot_path
    from archive.store import Archive
    from archive.write_batch import WriteBatch

    network = _network(posts)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    cpu = time.process_time()
    archive = Archive.open(db)
    # WAL with synchronous=NORMAL: each transaction atomic, synced at checkpoints.
    archive.db.execute("PRAGMA synchronous = NORMAL")
    archive.db.execute(f"PRAGMA cache_size = {-1024 * cache_mb}")
    writes = WriteBatch(archive.db, db, rows=batch, seconds=float("inf"))
    run_id = archive.start_run({"benchmark": "serving", "posts": posts})
    outcomes: dict[str, int] = {}
    stored = 0
    # Sites interleaved, newest first, as a crawl of the network stores them.
    order = [(s.number, n) for k in range(max(s.posts for s in network.sites))
             for s in network.sites if (n := s.posts - 1 - k) >= 0]  # fmt: skip
    held = 0
    if resume:
        stored_urls = {url for (url,) in archive.db.execute("select url from posts")}
        sites = network.sites
        left = [
            (s, n) for s, n in order if sites[s].base + sites[s].post_path(n) not in stored_urls
        ]
        held = len(order) - len(left)
        order = left
    jobs = [(posts, order[i : i + 100]) for i in range(0, len(order), 100)]
    io_before = _io()
    milestones = []
    with ProcessPoolExecutor(workers or os.cpu_count() or 1) as pool:
        for records in pool.map(_records, jobs):
            for record in records:
                writes.begin()
                outcome = archive.store_post(record, run_id)
                writes.wrote()
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                stored += 1
                if stored % 5000 == 0:
                    milestones.append(_milestone(stored, started, cpu, pool, io_before))
                    if progress:
                        click.echo(json.dumps(milestones[-1]), err=True)
    writes.commit()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, waited for
    archive.finish_run(run_id, pages_fetched=stored)
    store_seconds = time.perf_counter() - started
    store_cpu = time.process_time() - cpu
    snapshot = default_snapshot_path(db)
    archive.publish(snapshot)
    archive.close()
    return {
        "posts": stored,
        "posts_held_before": held,
        "outcomes": outcomes,
        "store_seconds": store_seconds,
        "store_cpu_seconds": store_cpu,
        "build_seconds": time.perf_counter() - started,
        "build_cpu_seconds": time.process_time() - cpu,
        "worker_cpu_seconds": children.ru_utime + children.ru_stime - workers_before,
        "commits": writes.commits,
        "bytes_written_per_post": (_io()["wchar"] - io_before["wchar"]) / max(1, stored),
        "milestones": milestones,
        "db_bytes": db.stat().st_size,
        "snapshot_bytes": snapshot.stat().st_size,
    }


def _io() -> dict[str, int]:
    """Return this process's I/O counters (``/proc/self/io``; empty where there is none)."""
    try:
        lines = Path("/proc/self/io").read_text().splitlines()
    except OSError:
        return {"wchar": 0, "write_bytes": 0}
    return {k: int(v) for k, v in (line.split(": ") for line in lines)}


def _milestone(
    stored: int, started: float, cpu: float, pool: ProcessPoolExecutor, io: dict[str, int]
) -> dict[str, Any]:
    """Return the build's figures so far: time, CPU a post by process, bytes written a post.

    The workers' CPU is read from /proc while they run (the pool's processes, zero where
    there is no /proc); the bytes are what the store process wrote (``wchar``: the WAL, the
    checkpoints into the archive, SQLite's temporary files).
    """
    from benchmarks.throughput.measure import server_cpu

    workers = 0.0
    for pid in list(getattr(pool, "_processes", None) or {}):
        with contextlib.suppress(OSError, ValueError, IndexError):
            workers += server_cpu(pid)[0]
    now = _io()
    store = time.process_time() - cpu
    return {
        "posts": stored,
        "store_cpu_seconds": round(store, 2),
        "worker_cpu_seconds": round(workers, 2),
        "bytes_written": now["wchar"] - io["wchar"],
        "seconds": round(time.perf_counter() - started, 1),
        "store_cpu_ms_per_post": round(1000 * store / stored, 3),
        "worker_cpu_ms_per_post": round(1000 * workers / stored, 3),
        "bytes_written_per_post": round((now["wchar"] - io["wchar"]) / stored),
        "disk_bytes_per_post": round((now["write_bytes"] - io["write_bytes"]) / stored),
        "load_average": round(os.getloadavg()[0], 2),
    }


class Served:
    """``blogarchive serve`` on a free port, as a user runs it."""

    def __init__(self, db: Path) -> None:
        command = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"at (http://\S+)", line)
        if not found:
            self.stop()
            raise click.ClickException(f"blogarchive serve did not start: {line!r}")
        self.url = found.group(1).rstrip("/")
        # Datasette logs every request: an unread pipe would block it after a few hundred.
        stdout = self.proc.stdout
        threading.Thread(target=lambda: any(False for _ in stdout), daemon=True).start()

    def cpu_seconds(self) -> float:
        """Return the CPU seconds Datasette (``blogarchive serve``'s child) has used so far."""
        from benchmarks.throughput.measure import server_cpu

        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    return server_cpu(int(entry.name))[0]
        return 0.0

    def stop(self) -> None:
        """Stop the server."""
        self.proc.terminate()
        self.proc.wait(timeout=30)


def pages(db: Path, requests: int) -> dict[str, list[str]]:
    """Return ``requests`` paths of each measured page, each one different where it can be."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        database = db.stem  # archive/serve.py names the database after the snapshot's stem
        total = conn.execute("select count(*) from posts").fetchone()[0]
        step = max(1, total // requests)
        urls = [row[0] for row in conn.execute(
            "select url from posts order by rowid")][::step][:requests]  # fmt: skip
        titles = [row[0] for row in conn.execute(
            "select title from posts order by rowid")][::step][:requests]  # fmt: skip
        sites = [row[0] for row in conn.execute("select distinct site from posts order by 1")]
    finally:
        conn.close()
    words = [t.split()[i % len(t.split())] for i, t in enumerate(titles)]
    queries = [w if i % 3 else f"{w} {titles[i].split()[-1]}" for i, w in enumerate(words)]
    table = f"/{database}/posts"
    return {
        "search": [f"/-/search?q={quote(q)}" for q in queries],
        # As it opens, and newest first (a reader's first click).
        "posts table": [
            f"{table}?_sort_desc=published" if i % 2 else table for i in range(requests)
        ],
        "facet page": [
            f"{table}?_facet=site&_facet=author&site={quote(sites[i % len(sites)])}"
            for i in range(requests)
        ],
        "reading view": [f"{table}/{_tilde(url)}" for url in urls],
    }


def _tilde(value: str) -> str:
    from datasette.utils import tilde_encode

    return str(tilde_encode(value))


def timed(served: Served, paths: list[str]) -> dict[str, float]:
    """GET every path once over one keep-alive connection; return p50, p95 and max in ms.

    Also the server's mean CPU milliseconds a request, which the machine's load does not
    stretch as it stretches wall-clock times.
    """
    seconds = []
    with httpx.Client(base_url=served.url, timeout=60) as client:
        client.get(paths[0])  # connection and first-use costs out of the figures
        cpu = served.cpu_seconds()
        for path in paths:
            started = time.perf_counter()
            answer = client.get(path)
            seconds.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise click.ClickException(f"{path}: HTTP {answer.status_code}")
    cpu = served.cpu_seconds() - cpu
    ms = sorted(1000 * s for s in seconds)
    return {
        "requests": len(ms),
        "server_cpu_ms_per_request": 1000 * cpu / len(ms),
        "p50_ms": statistics.median(ms),
        "p95_ms": ms[max(0, round(0.95 * len(ms)) - 1)],
        "max_ms": ms[-1],
    }


def measure(db: Path, requests: int) -> dict[str, dict[str, float]]:
    """Serve the archive and time each page."""
    served = Served(db)
    try:
        return {name: timed(served, paths) for name, paths in pages(db, requests).items()}
    finally:
        served.stop()


@click.command()
@click.option("--posts", default=100_000, show_default=True, help="Posts in the archive.")
@click.option("--db", "db", type=click.Path(path_type=Path), required=True,
              help="The archive to build (kept if it exists: only measured).")  # fmt: skip
@click.option("--requests", default=200, show_default=True, help="Requests per page.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write figures here.")
@click.option("--batch", default=50, show_default=True,
              help="Posts a transaction in the build (a crawl's default: 50).")  # fmt: skip
@click.option("--resume", is_flag=True,
              help="The archive at --db is a build stopped part way: store the posts it lacks "
              "(those it holds are kept as they are), then measure.")  # fmt: skip
def main(
    posts: int, db: Path, requests: int, json_path: Path | None, batch: int, resume: bool
) -> None:
    """Build a POSTS-post archive through the store and time Datasette's pages on it.

    \b
    Example:
        python -m benchmarks.throughput.serving --posts 100000 --db /tmp/big/archive.db
    """
    figures: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    if resume and not db.exists():
        raise click.ClickException(f"--resume: no archive at {db}")
    if resume or not db.exists():
        figures["build"] = build(db, posts, batch=batch, resume=resume)
        click.echo(json.dumps(figures["build"]), err=True)
    figures["pages"] = measure(db, requests)
    figures["load_average_after"] = os.getloadavg()[0]
    click.echo(json.dumps(figures, indent=2))
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
