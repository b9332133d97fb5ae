"""CPU of a crawl's worker process per post, on the throughput benchmark's pages, in memory.

``python -m benchmarks.throughput.worker_cpu [--posts 1000] [--profile FILE] [--before DIR]
[--parse-once]``

Renders every HTML page a crawl of the generated network reads (posts, listing pages,
category pages) and runs on each what a worker does with it (:func:`crawler.reading.read_in_worker`
with the extraction pipeline's extractor: read the page, extract it when it may be a post),
then ``extract_post`` alone over the post pages, in this one process: CPU seconds
(``time.process_time``) per post, without the crawl's pickling and pipes. ``--profile``
writes a cProfile of the worker pass (``python -m pstats FILE``). ``--before DIR`` measures
the code in DIR (a checkout from before a change) and this checkout's, alternately in
separate processes, ``--rounds`` times each, and prints both and their ratios.
``--parse-once`` measures, in this process and alternately, post pages read and extracted
with their parse shared (the worker's way) and parsed twice.
"""

from __future__ import annotations

import cProfile
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import click

from benchmarks.throughput.network import Network

BASE = "http://fieldnotes{:02d}.test"
HERE = Path(__file__).resolve().parents[2]
FIGURES = ("worker_ms_per_post", "reading_ms_per_page", "extract_post_ms_per_post")


def pages(posts: int) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """Return the network's HTML pages a crawl reads, and its post pages: (URL, body)."""
    network = Network(posts)
    read, post_pages = [], []
    for site in network.sites:
        site.base = BASE.format(site.number)
        for path in site.paths():
            page = site.render(path)
            if page.status != 200 or "html" not in page.content_type:
                continue
            read.append((site.base + path, page.body))
            if site.post_number(path) is not None:
                post_pages.append((site.base + path, page.body))
    return read, post_pages


def worker_pass(read: list[tuple[str, bytes]]) -> int:
    """Run the worker's job over every page; return how many were extracted."""
    from crawler.reading import ReadJob, read_in_worker
    from pipeline.extraction_pipeline import extract_page

    extractor = functools.partial(extract_page, clean=True)
    extracted = 0
    for url, body in read:
        job = ReadJob(url, url, body, "utf-8", (), (), "bench", extractor)
        _, done = read_in_worker(job)
        if done is not None and done.record is not None:
            extracted += 1
    return extracted


def read_pass(read: list[tuple[str, bytes]]) -> None:
    """Read every page as a worker does, without extracting."""
    from crawler.reading import ReadJob, read_in_worker

    for url, body in read:
        read_in_worker(ReadJob(url, url, body, "utf-8", (), (), "bench", None))


def extract_pass(post_pages: list[tuple[str, bytes]]) -> None:
    """Run ``extract_post`` alone over every post page."""
    from pipeline.extract import extract_post

    for url, body in post_pages:
        extract_post(body, url)


def parse_once_or_twice(post_pages: list[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    """CPU ms a post page of reading and extracting it, its parse shared or not (same process).

    ``once``: the worker's way (:class:`crawler.parsed.ParsedPage` read, then taken over by
    ``extract_post``); ``twice``: the same reading, and ``extract_post`` decoding and parsing
    the page itself. Alternately, ``rounds`` times each; the lowest of each.
    """
    from crawler.pages import read_page
    from crawler.parsed import ParsedPage
    from pipeline.extract import extract_post

    def once() -> None:
        for url, body in post_pages:
            parsed = ParsedPage.parse(url, body, "utf-8")
            read_page(url, body, parsed=parsed)
            extract_post(body, url, encoding="utf-8", parsed=parsed)

    def twice() -> None:
        for url, body in post_pages:
            read_page(url, body, encoding="utf-8")
            extract_post(body, url, encoding="utf-8")

    low = {"once": float("inf"), "twice": float("inf")}
    for _ in range(rounds):
        for name, function in (("once", once), ("twice", twice)):
            low[name] = min(low[name], _cpu(function))
    figures = {name: round(1000 * cpu / len(post_pages), 2) for name, cpu in low.items()}
    return {**figures, "ratio": round(low["once"] / low["twice"], 3)}


def _cpu(function, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.process_time()
    function(*args)
    return time.process_time() - started


def compare(before: Path, posts: int, rounds: int) -> None:
    """Measure the code in ``before`` and this checkout's, alternately; print both, and ratios."""
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(rounds):
        for label, code in (("before", before), ("after", HERE)):
            env = {**os.environ, "PYTHONPATH": str(code)}
            command = [sys.executable, str(Path(__file__).resolve()), "--posts", str(posts)]
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            runs[label].append(json.loads(out.stdout.splitlines()[-1]))
            print(label, runs[label][-1], flush=True)
    for name in FIGURES:
        low = {label: min(r[name] for r in found) for label, found in runs.items()}
        ratio = low["after"] / low["before"]
        print(f"{name}: before {low['before']:.2f}, after {low['after']:.2f}, ratio {ratio:.2f}")


@click.command()
@click.option("--posts", default=1000, show_default=True, help="Posts in the network.")
@click.option("--profile", "profile_to", default=None, help="Write a cProfile of the worker pass.")
@click.option(
    "--before",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A checkout of the code before a change: measure both, alternately.",
)
@click.option("--rounds", default=2, show_default=True, help="Measurements of each, with --before.")
@click.option(
    "--parse-once",
    is_flag=True,
    help="Compare reading and extracting post pages with their parse shared and not.",
)
def main(
    posts: int, profile_to: str | None, before: Path | None, rounds: int, parse_once: bool
) -> None:
    """Print CPU ms per post: the worker's job (reading + extraction), reading, extract_post."""
    if before is not None:
        compare(before, posts, rounds)
        return
    read, post_pages = pages(posts)
    if parse_once:
        parse_once_or_twice(post_pages[:5], 1)  # warm
        print(json.dumps(parse_once_or_twice(post_pages, rounds)))
        return
    # Imports and caches warm before the clock starts: a few pages and a few posts (the
    # first pages are listings, which import nothing of extraction).
    worker_pass(read[:20] + post_pages[:5])
    if profile_to:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        extracted = worker_pass(read)
        profiler.disable()
        profiler.dump_stats(profile_to)
        print(f"profile of {len(read)} pages written to {profile_to} ({extracted} extracted)")
        return
    worker = _cpu(worker_pass, read)
    reading = _cpu(read_pass, read)
    extract = _cpu(extract_pass, post_pages)
    figures = {
        "pages": len(read),
        "posts": len(post_pages),
        "worker_ms_per_post": round(1000 * worker / len(post_pages), 2),
        "reading_ms_per_page": round(1000 * reading / len(read), 2),
        "extract_post_ms_per_post": round(1000 * extract / len(post_pages), 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
