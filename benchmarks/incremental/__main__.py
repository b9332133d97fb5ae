"""Incremental re-crawl benchmark: ``python -m benchmarks.incremental [--posts 1000]``.

Serves a generated, unchanged blog on 127.0.0.1, crawls it into a fresh archive (first
run), then again with conditional requests and sitemap dates (the default), with
conditional requests only, and with neither (``--full``, the obvious alternative), each
``blogarchive crawl`` in its own process.
Reports bytes the server sent, requests, 304s and wall time, and the ratios to the first run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

from benchmarks.incremental.site import BlogSite, Traffic, serve

ROOT = Path(__file__).resolve().parents[2]
TARGET_BYTES, TARGET_TIME = 0.10, 0.20


@dataclass
class RunResult:
    """One crawl as the server and the clock saw it."""

    name: str
    requests: int
    bytes: int
    not_modified: int
    seconds: float
    posts: dict[str, int]
    summary: str


def crawl(
    name: str, site: BlogSite, traffic: Traffic, db: Path, sources: Path, *extra: str
) -> RunResult:
    """Run one ``blogarchive crawl`` and measure it."""
    before = traffic.snapshot()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "archive.cli", "crawl", "--sources", str(sources),
         "--db", str(db), "-q", "-s", "DOWNLOAD_DELAY=0", *extra],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise click.ClickException(f"{name} crawl failed:\n{proc.stderr[-3000:]}")
    after = traffic.snapshot()
    conn = sqlite3.connect(db)
    try:
        run_id = conn.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
        posts = dict(
            conn.execute(
                "SELECT outcome, count(*) FROM run_posts WHERE run_id = ? GROUP BY 1", [run_id]
            ).fetchall()
        )
    finally:
        conn.close()
    return RunResult(
        name=name,
        requests=after[0] - before[0],
        bytes=after[1] - before[1],
        not_modified=after[2] - before[2],
        seconds=seconds,
        posts=posts,
        summary=proc.stderr.strip().splitlines()[-1],
    )


def table(results: list[RunResult]) -> str:
    """Return the results as a Markdown table with ratios to the first run."""
    first = results[0]
    lines = [
        "| run | requests | 304s | bytes sent | bytes / first | wall s | time / first "
        "| posts new / unchanged |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.requests} | {r.not_modified} | {r.bytes:,} "
            f"| {r.bytes / first.bytes:.1%} | {r.seconds:.1f} | {r.seconds / first.seconds:.1%} "
            f"| {r.posts.get('new', 0)} / {r.posts.get('unchanged', 0)} |"
        )
    return "\n".join(lines)


def sequence(posts: int, extra: list[str]) -> tuple[list[RunResult], int]:
    """Serve a fresh site, crawl it into a fresh archive, then re-crawl it three ways."""
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp, serve(posts) as running:
        site, traffic = running
        sources = Path(tmp) / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "bench"\nstart_urls = ["{site.base}/"]\n'
            f"post_patterns = ['/\\d{{4}}/\\d{{2}}/post-\\d+/$']\n"
        )
        db = Path(tmp) / "archive.db"
        results = [crawl("first", site, traffic, db, sources, *extra)]
        results.append(crawl("second, conditional", site, traffic, db, sources, *extra))
        no_dates = ["-s", "BLOGARCHIVE_TRUST_LASTMOD=False", *extra]
        results.append(
            crawl("second, conditional, no sitemap dates", site, traffic, db, sources, *no_dates)
        )
        results.append(crawl("second, --full", site, traffic, db, sources, "--full", *extra))
        warc_bytes = sum(f.stat().st_size for f in (Path(tmp) / "warc").glob("*.warc.gz"))
    first, second = results[0], results[1]
    if first.posts.get("new", 0) != posts or second.posts.get("unchanged", 0) != posts:
        raise click.ClickException(f"expected {posts} posts new, then unchanged: {results}")
    return results, warc_bytes


def median_run(runs: list[RunResult]) -> RunResult:
    """Return the run of median wall time (bytes and requests are the same in every repeat)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


@click.command()
@click.option("--posts", default=1000, show_default=True, help="Posts on the generated blog.")
@click.option("--workers", type=int, help="Extraction processes (default: one per core).")
@click.option(
    "--repeat", default=3, show_default=True, help="Whole sequences to run; medians are shown."
)
def main(posts: int, workers: int | None, repeat: int) -> None:
    """Measure a second, unchanged-site run with and without conditional requests."""
    extra = ["--workers", str(workers)] if workers is not None else []
    sequences = [sequence(posts, extra) for _ in range(repeat)]
    results = [median_run([seq[0][i] for seq in sequences]) for i in range(len(sequences[0][0]))]
    warc_bytes = sequences[-1][1]
    first, second = results[0], results[1]
    click.echo(
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()};"
        f" {platform.machine()}, nproc {os.cpu_count()}; {posts} posts; median of {repeat}"
        f" sequences; WARC files {warc_bytes:,} bytes after the four runs.\n"
    )
    click.echo(table(results))
    for i, r in enumerate(results):
        times = ", ".join(f"{seq[0][i].seconds:.1f}" for seq in sequences)
        click.echo(f"\n{r.name}: {r.summary} (wall s: {times})", nl=False)
    click.echo("\n")
    byte_ratio, time_ratio = second.bytes / first.bytes, second.seconds / first.seconds
    click.echo(
        f"second run: {byte_ratio:.1%} of the first run's bytes (target <= {TARGET_BYTES:.0%}),"
        f" {time_ratio:.1%} of its time (target <= {TARGET_TIME:.0%})"
    )


if __name__ == "__main__":
    main()
