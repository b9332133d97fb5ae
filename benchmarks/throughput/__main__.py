"""Throughput benchmark: ``python -m benchmarks.throughput [--posts 1000 --posts 10000]``.

For each size: serves a generated blog network (benchmarks/throughput/network.py) from its
own process, measures the server alone, crawls it with ``blogarchive crawl --no-throttle``
into a fresh archive, re-crawls it unchanged with validators on and then off, and in the
same run on the same pages measures the extraction limit (``extract_post`` on every core,
no crawl), the plain Scrapy + trafilatura + sqlite-utils baseline and trafilatura's own
sitemap downloader. Writes the figures as JSON (``--json``) and, unless ``--no-write``, as
the "Throughput benchmark" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from benchmarks.throughput import measure
from benchmarks.throughput.network import Network

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Throughput benchmark"
CONCURRENCY = 16
LIMIT_SAMPLE = 1000  # pages the extraction limit is measured on (spread over every style)
# A crawl is killed after crawl_limit(posts) seconds: an hour, or a quarter of a second a post
# for larger networks (a 100,000-post crawl took 56 minutes at light pages; full pages under
# load take hours). Once fixed at an hour, it killed the 100,000-post run after its last post.
LIMIT_FLOOR = 3600.0
LIMIT_A_POST = 0.25


def crawl_limit(posts: int) -> float:
    """Return how long a crawl of a ``posts``-post network may run before it is killed."""
    return max(LIMIT_FLOOR, posts * LIMIT_A_POST)


class Server:
    """The network's server process."""

    def __init__(self, posts: int, name: str, *, light: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.throughput.server", "--posts", str(posts),
             "--validators", "--name", name, *(["--light"] if light else [])],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise click.ClickException("the benchmark server did not start")
        self.info: dict[str, Any] = json.loads(line)
        self.control_url = self.info["control"]
        self.sites: list[str] = self.info["sites"]

    def control(self, path: str) -> dict[str, Any]:
        """GET a control path; return its JSON."""
        with urllib.request.urlopen(self.control_url + path, timeout=30) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        """Stop the server."""
        self.proc.terminate()
        self.proc.wait(timeout=30)


async def _load(urls: list[str], connections: int, seconds: float) -> tuple[int, float]:
    """Fetch ``urls`` over keep-alive connections for up to ``seconds``; return (count, time)."""
    queue = list(reversed(urls))
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        host, port = urls[0].split("//")[1].split("/")[0].split(":")
        reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
        while queue and time.perf_counter() < deadline:
            url = queue.pop()
            path = "/" + url.split("//")[1].split("/", 1)[1]
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            done += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return done, time.perf_counter() - started


def server_rate(server: Server, network: Network, seconds: float = 5.0) -> dict[str, float]:
    """Measure the server alone: post pages per second to a Python client on 16 connections.

    The client is the slower side of this pair, so the figure is a lower bound.
    """
    site = network.sites[0]
    site.base = server.sites[0]
    urls = [site.base + site.post_path(n) for n in range(site.posts)] * 4
    before = server.control("/stats")["cpu_seconds"]
    count, took = asyncio.run(_load(urls, CONCURRENCY, seconds))
    used = server.control("/stats")["cpu_seconds"] - before
    return {"requests_per_s": count / took, "cpu_per_request_ms": 1000 * used / max(count, 1)}


def sources_toml(sites: list[str]) -> str:
    """Return a sources.toml naming each site of the network."""
    return "\n".join(
        f'[[source]]\nname = "site{i:02d}"\nstart_urls = ["{base}/"]\n'
        for i, base in enumerate(sites)
    )


def count(db: Path, sql: str) -> int:
    """Return the single integer a query answers."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def archive_made(db: Path) -> bool:
    """Return whether a crawl got as far as making its archive's tables (a crawl killed at a
    short ``--crawl-limit`` on a loaded machine may be killed before it opens the archive)."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'posts'"
        return conn.execute(found).fetchone() is not None
    finally:
        conn.close()


def stored_posts(db: Path) -> float | None:
    """Return how many posts the archive holds now (read while a crawl writes it), or None."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return float(conn.execute("SELECT count(*) FROM posts").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def crawl(
    work: Path, server: Server, name: str, *, workers: int | None = None,
    seconds: float | None = None, settings: tuple[str, ...] = (), limit: float = LIMIT_FLOOR,
) -> dict[str, Any]:  # fmt: skip
    """Run ``blogarchive crawl --no-throttle`` into ``work/archive.db``; return its figures.

    ``seconds``: stop the crawl after that long (Scrapy's CLOSESPIDER_TIMEOUT): a partial run.
    ``limit``: kill it (SIGKILL) after that long; its figures then say ``killed_at_limit``.
    """
    db = work / "archive.db"
    command = [sys.executable, "-m", "archive.cli", "crawl", "--sources",
               str(work / "sources.toml"), "--db", str(db), "--no-throttle",
               "--concurrency", str(CONCURRENCY), "-q"]  # fmt: skip
    if workers is not None:
        command += ["--workers", str(workers)]
    if seconds is not None:
        command += ["-s", f"CLOSESPIDER_TIMEOUT={seconds:.0f}"]
    for setting in settings:
        command += ["-s", setting]
    before = server.control("/stats")
    result = measure.run(
        command, cwd=ROOT, timeout=limit, probe=lambda: stored_posts(db), probe_every=5.0
    )
    after = server.control("/stats")
    # A crawl stopped by its time budget ends "partial", a non-zero status: its figures stand,
    # and so do those of a crawl killed at the limit (what it stored is in the archive).
    stopped = seconds is not None and "time budget" in result.stderr
    if result.returncode != 0 and not stopped and not result.timed_out:
        raise click.ClickException(f"{name} crawl failed:\n{result.stderr[-3000:]}")
    lines = result.stderr.strip().splitlines()
    # The summary line, and the lines of the trap rules under it (crawler.run.limit_lines).
    start = max((i for i, line in enumerate(lines) if line.startswith("crawl ")), default=-1)
    summary = "\n".join(lines[start:])
    if result.timed_out:
        summary = f"killed after {limit:.0f} s (the crawl limit)"
    return {
        "seconds": result.seconds,
        "killed_at_limit": result.timed_out,
        "summary": summary,
        "requests": after["requests"] - before["requests"],
        "not_modified": after["not_modified"] - before["not_modified"],
        "server_cpu": after["cpu_seconds"] - before["cpu_seconds"],
        "cpu": {role: result.cpu(role) for role in result.roles()},
        "peak_rss_mb": {role: result.peak_rss(role) for role in result.roles()},
        "processes": len(result.procs),
        # (seconds, crawler RSS MB, posts stored) every 5 s: memory against the crawl's size
        "rss_curve": result.curve,
    }


NO_FETCH_ERRORS: dict[str, Any] = {"expected_404": 0, "unexpected": 0, "examples": []}


def fetch_errors(db: Path, network: Network, bases: list[str]) -> dict[str, Any]:
    """Return the last crawl's fetch errors: 404s of furniture links the network does not
    serve (expected: the templates link /about/ and the like), and every other failure."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT url, message FROM errors WHERE stage = 'fetch'"
            " AND run_id = (SELECT max(id) FROM crawl_runs)"
        ).fetchall()
    finally:
        conn.close()
    expected, unexpected = 0, []
    for url, message in rows:
        path = next(
            ((site, url[len(base) :]) for site, base in zip(network.sites, bases, strict=True)
             if url.startswith(base + "/")),
            None,
        )  # fmt: skip
        if path is not None and message == "HTTP 404" and not path[0].serves(path[1]):
            expected += 1
        else:
            unexpected.append(f"{url}: {message}")
    return {"expected_404": expected, "unexpected": len(unexpected), "examples": unexpected[:20]}


def _extract_chunk(jobs: list[tuple[bytes, str]]) -> int:
    from pipeline.extract import extract_post

    for html, url in jobs:
        extract_post(html, url)
    return len(jobs)


def _warm(_: int) -> int:
    import pipeline.extract  # noqa: F401

    return os.getpid()


def extraction_limit(
    network: Network, sites: list[str], sample_size: int = LIMIT_SAMPLE
) -> dict[str, float]:
    """Return posts/s of ``extract_post`` over the network's pages in memory, on every core."""
    for site, base in zip(network.sites, sites, strict=True):
        site.base = base
    sample = network.sample(min(sample_size, network.posts))
    pages = [(s.render(s.post_path(n)).body, s.base + s.post_path(n)) for s, n in sample]
    cores = os.cpu_count() or 1
    chunks = [pages[i : i + 10] for i in range(0, len(pages), 10)]
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_warm, range(cores * 2)))  # imports done before the clock starts
        started = time.perf_counter()
        done = sum(pool.map(_extract_chunk, chunks))
        seconds = time.perf_counter() - started
    return {"posts_per_s": done / seconds, "pages": done, "cores": cores}


def plain_baseline(work: Path, server: Server) -> dict[str, Any]:
    """Run the plain Scrapy + trafilatura + sqlite-utils spider; return its figures."""
    db = work / "plain.db"
    command = [sys.executable, "-m", "benchmarks.throughput.plain", str(db), *server.sites]
    result = measure.run(command, cwd=ROOT)
    if result.returncode != 0:
        raise click.ClickException(f"plain baseline failed:\n{result.stderr[-3000:]}")
    posts = count(db, "SELECT count(*) FROM posts") if db.exists() else 0
    return {"seconds": result.seconds, "posts": posts, "posts_per_s": posts / result.seconds,
            "cpu": result.total_cpu, "peak_rss_mb": result.peak_rss("root")}  # fmt: skip


TRAFILATURA_CONFIG = """[DEFAULT]
DOWNLOAD_TIMEOUT = 30
MAX_FILE_SIZE = 20000000
MIN_FILE_SIZE = 10
SLEEP_TIME = 0
USER_AGENTS =
COOKIE =
MAX_REDIRECTS = 2
SSRF_PROTECTION = off
MIN_EXTRACTED_SIZE = 250
MIN_EXTRACTED_COMM_SIZE = 1
MIN_OUTPUT_SIZE = 1
MIN_OUTPUT_COMM_SIZE = 1
EXTRACTION_TIMEOUT = 0
MIN_DUPLCHECK_SIZE = 100
MAX_REPETITIONS = 2
EXTENSIVE_DATE_SEARCH = on
EXTERNAL_URLS = off
MAX_TREE_SIZE =
"""


def trafilatura_peer(work: Path, server: Server) -> dict[str, Any]:
    """Run trafilatura's command line on the sites' sitemaps with parallel downloads.

    Two of its commands, timed together: ``--sitemap --list`` finds every post URL in the
    sitemaps, then ``-i`` downloads and extracts them, ``--parallel`` threads at a time (one
    URL a host at a time: it is polite per host). Its one-step ``--sitemap`` download never
    ends: courlan 1.4's compressed URL store (which ``--sitemap`` alone uses) never marks a
    URL visited, so it fetches each site's first URL forever. It writes one file per
    extracted page, named by a hash of its text, in numbered subfolders past 1,000 files.
    """
    binary = Path(sys.executable).parent / "trafilatura"
    config = work / "trafilatura.cfg"
    config.write_text(TRAFILATURA_CONFIG)
    inputs = work / "sites.txt"
    inputs.write_text("".join(f"{site}/\n" for site in server.sites))
    listed = work / "trafilatura-urls.txt"
    out = work / "trafilatura-out"
    common = ["--parallel", str(CONCURRENCY), "--config-file", str(config)]
    found = measure.run([str(binary), "--sitemap", "-i", str(inputs), "--list", *common],
                        cwd=work, timeout=600, stdout=listed)  # fmt: skip
    urls = sorted({line.strip() for line in listed.read_text().splitlines() if line.strip()})
    listed.write_text("".join(f"{url}\n" for url in urls))
    fetched = measure.run([str(binary), "-i", str(listed), "-o", str(out), "--json", *common],
                          cwd=work, timeout=1800)  # fmt: skip
    posts = sum(1 for _ in out.rglob("*.json")) if out.exists() else 0
    seconds = found.seconds + fetched.seconds
    return {"seconds": seconds, "posts": posts, "posts_per_s": posts / seconds,
            "urls_listed": len(urls), "list_seconds": found.seconds,
            "cpu": found.total_cpu + fetched.total_cpu,
            "peak_rss_mb": max(found.peak_rss("root"), fetched.peak_rss("root")),
            "returncode": found.returncode or fetched.returncode}  # fmt: skip


HOSTS = Path("/etc/hosts")
# A name under a public suffix (courlan refuses IPs and localhost), one per run: two runs at
# once (a shared machine) each add and remove their own /etc/hosts line. With one shared name,
# the first run to end removed the line the other's crawls still resolved (DNS lookup failed).
NAME = "blognet-{pid}.example.org"


@contextmanager
def loopback_name() -> Iterator[str | None]:
    """Make a name of this run resolve to 127.0.0.1 (an /etc/hosts line); None if we cannot.

    trafilatura's downloader takes no IP address or bare localhost (courlan refuses them), so
    the sites are served under a name; the line is removed again afterwards.
    """
    name = NAME.format(pid=os.getpid())
    line = f"127.0.0.1 {name}  # blogarchive throughput benchmark (removed after the run)\n"
    try:
        _edit_hosts(lambda text: text + ("" if text.endswith("\n") or not text else "\n") + line)
    except OSError:
        yield None
        return
    try:
        yield name
    finally:
        _edit_hosts(lambda text: text.replace(line, ""))


def _edit_hosts(change: Callable[[str], str]) -> None:
    """Rewrite /etc/hosts as ``change`` says, locked against another run doing the same."""
    with HOSTS.open("r+", encoding="utf-8") as hosts:
        fcntl.flock(hosts, fcntl.LOCK_EX)
        text = change(hosts.read())
        hosts.seek(0)
        hosts.write(text)
        hosts.truncate()


def bench_size(
    posts: int, work: Path, *, peers: bool = True, first_only: bool = False,
    seconds: float | None = None, settings: tuple[str, ...] = (), smoke: bool = False,
    light: bool = False, limit: float | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Run every measurement for one network size (``first_only``: the first crawl alone).

    ``smoke``: every figure, from a 1-second server load and a 50-page extraction limit.
    ``light``: the network's light pages (benchmarks/throughput/network.py).
    ``limit``: kill a crawl after that many seconds (default: ``crawl_limit(posts)``); the
    figures of a first crawl killed so are kept, and the runs after it are left out.
    """
    with loopback_name() as name:
        return _bench_size(posts, work, name, peers=peers, first_only=first_only,
                           seconds=seconds, settings=settings, smoke=smoke,
                           light=light, limit=limit or crawl_limit(posts))  # fmt: skip


def _bench_size(
    posts: int, work: Path, name: str | None, *, peers: bool, first_only: bool,
    seconds: float | None, settings: tuple[str, ...] = (), smoke: bool = False,
    light: bool = False, limit: float = LIMIT_FLOOR,
) -> dict[str, Any]:  # fmt: skip
    network = Network(posts, light=light)
    server = Server(posts, name or "127.0.0.1", light=light)
    try:
        (work / "sources.toml").write_text(sources_toml(server.sites))
        figures: dict[str, Any] = {
            "posts": posts,
            "light": light,
            "sites": len(server.sites),
            "styles": server.info["styles"],
            "host_name": name or "127.0.0.1",
            "server_alone": server_rate(server, network, 1.0 if smoke else 5.0),
        }
        first = crawl(work, server, "first", seconds=seconds, settings=settings, limit=limit)
        db = work / "archive.db"
        made = archive_made(db)
        stored = count(db, "SELECT count(*) FROM posts") if made else 0
        warc = sum(f.stat().st_size for f in (work / "warc").glob("*"))
        errors = fetch_errors(db, network, server.sites) if made else NO_FETCH_ERRORS
        figures["first"] = {**first, "posts": stored, "posts_per_s": stored / first["seconds"],
                            "db_bytes_per_post": db.stat().st_size / max(stored, 1) if made else 0,
                            "warc_bytes_per_post": warc / max(stored, 1),
                            "fetch_errors": errors}  # fmt: skip
        figures["server_after_first"] = server.control("/stats")
        if first_only or first["killed_at_limit"]:
            return figures
        figures["recrawl_validators"] = crawl(work, server, "second (validators on)", limit=limit)
        server.control("/validators/off")
        figures["recrawl_no_validators"] = crawl(
            work, server, "second (validators off)", limit=limit
        )
        server.control("/validators/on")
        figures["limit"] = extraction_limit(network, server.sites, 50 if smoke else LIMIT_SAMPLE)
        if peers:
            figures["plain"] = plain_baseline(work, server)
            if name is not None:
                figures["trafilatura"] = trafilatura_peer(work, server)
    finally:
        server.stop()
    return figures


def machine() -> str:
    """Describe the machine the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    cpu = model or "unknown CPU"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, load average {load:.1f} at the start"
    )


def render(results: list[dict[str, Any]], command: str, described: str) -> str:
    """Return the RESULTS.md section for a run."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        HEADING, "",
        f"This run: `{command}`. Run {now}; blogarchive commit {commit}; {described}.", "",
        "| posts | sites | posts/s | limit posts/s | ratio to limit | plain posts/s | x plain |"
        " trafilatura posts/s | x trafilatura | server alone req/s | server CPU % of crawl |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for r in results:
        if "limit" not in r:
            continue  # a first crawl alone: in the memory table below
        first, limit = r["first"], r["limit"]["posts_per_s"]
        plain = r.get("plain", {}).get("posts_per_s")
        traf = r.get("trafilatura", {}).get("posts_per_s")
        lines.append(
            f"| {r['posts']:,} | {r['sites']} | {first['posts_per_s']:.1f} | {limit:.1f} | "
            f"{first['posts_per_s'] / limit:.2f} | {_f(plain)} | {_x(first['posts_per_s'], plain)}"
            f" | {_f(traf)} | {_x(first['posts_per_s'], traf)} | "
            f"{r['server_alone']['requests_per_s']:.0f} | "
            f"{100 * first['server_cpu'] / first['seconds']:.0f} |"
        )
    lines += ["", "| posts | CPU s/post crawler | CPU s/post workers | peak RSS crawler MB |"
              " peak RSS worker MB | DB bytes/post | WARC bytes/post | first run s |"
              " unchanged, validators s | ratio | unchanged, no validators s | ratio |",
              "|" + " --- |" * 12]  # fmt: skip
    for r in results:
        if "recrawl_validators" not in r:
            continue
        first, again, blind = r["first"], r["recrawl_validators"], r["recrawl_no_validators"]
        n = max(first["posts"], 1)
        lines.append(
            f"| {r['posts']:,} | {first['cpu']['root'] / n:.4f} | "
            f"{first['cpu'].get('extraction worker', 0) / n:.4f} | "
            f"{first['peak_rss_mb']['root']:.0f} | "
            f"{first['peak_rss_mb'].get('extraction worker', 0):.0f} | "
            f"{first['db_bytes_per_post']:,.0f} | {first['warc_bytes_per_post']:,.0f} | "
            f"{first['seconds']:.1f} | {again['seconds']:.1f} | "
            f"{again['seconds'] / first['seconds']:.2f} | {blind['seconds']:.1f} | "
            f"{blind['seconds'] / first['seconds']:.2f} |"
        )
    lines += ["", "Crawler RSS (MB) as the archive grew (posts stored, 5-second samples):", "",
              "| posts in network | posts stored | run s | RSS at 10% | 25% | 50% | 75% | 100% |"
              " peak RSS | MB per 1,000 posts, 25% to 100% |", "|" + " --- |" * 10]  # fmt: skip
    for r in results:
        lines.append(memory_row(r))
    return "\n".join(lines) + "\n"


def memory_row(r: dict[str, Any]) -> str:
    """Return the memory table's row of one size: RSS as the stored posts reached each share."""
    first = r["first"]
    curve = [(s, mb, n) for s, mb, n in first["rss_curve"] if n is not None]
    stored = first["posts"]
    at = {}
    for share in (0.10, 0.25, 0.50, 0.75, 1.0):
        hit = next(((mb, n) for _, mb, n in curve if n >= share * stored), None)
        at[share] = hit
    cells = [f"{hit[0]:.0f}" if hit else "—" for hit in at.values()]
    slope = "—"
    if at[0.25] and at[1.0] and at[1.0][1] > at[0.25][1]:
        slope = f"{1000 * (at[1.0][0] - at[0.25][0]) / (at[1.0][1] - at[0.25][1]):.2f}"
    return (
        f"| {r['posts']:,} | {stored:,} | {first['seconds']:.0f} | {' | '.join(cells)} | "
        f"{first['peak_rss_mb']['root']:.0f} | {slope} |"
    )


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _x(ours: float, theirs: float | None) -> str:
    return "—" if not theirs else f"{ours / theirs:.2f}"


def write_section(section: str) -> None:
    """Replace (or append) the throughput section of RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end:] if end != -1 else "")
    RESULTS.write_text(text, encoding="utf-8")


@click.command()
@click.option("--posts", "sizes", type=int, multiple=True, help="Network size (repeatable).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write figures here.")
@click.option("--no-peers", is_flag=True, help="Skip the plain baseline and trafilatura.")
@click.option("--no-write", is_flag=True, help="Do not rewrite benchmarks/RESULTS.md.")
@click.option("--keep", type=click.Path(path_type=Path), help="Work here and keep the files.")
@click.option("--first-only", is_flag=True,
              help="Only the first crawl and its memory curve.")  # fmt: skip
@click.option("--crawl-seconds", type=float,
              help="Stop the first crawl after this long (a partial run, said so).")  # fmt: skip
@click.option("--smoke", is_flag=True,
              help="Quick figures for CI: 1 s of server load, 50 pages for the limit.")  # fmt: skip
@click.option("--crawl-setting", "crawl_settings", multiple=True, metavar="NAME=VALUE",
              help="A setting for the first crawl (Scrapy's SCHEDULER, say).")  # fmt: skip
@click.option("--crawl-limit", "limit_seconds", type=float,
              help="Kill a crawl after this many seconds (default: an hour, or 0.25 s a post "
              "for larger networks); a first crawl killed so keeps its figures.")  # fmt: skip
@click.option("--light", is_flag=True,
              help="Light pages (no theme weight, posts of three paragraphs): the machinery, "
              "not the cost of a page.")  # fmt: skip
def main(
    sizes: tuple[int, ...], json_path: Path | None, no_peers: bool, no_write: bool,
    keep: Path | None, first_only: bool, crawl_seconds: float | None,
    crawl_settings: tuple[str, ...], smoke: bool, light: bool, limit_seconds: float | None,
) -> None:  # fmt: skip
    """Measure crawl throughput against the extraction limit and the obvious alternatives."""
    sizes = sizes or (1000, 10000)
    described = machine()
    results = []
    for posts in sizes:
        with tempfile.TemporaryDirectory(prefix=f"throughput-{posts}-") as tmp:
            work = keep / str(posts) if keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            click.echo(f"{posts} posts in {work}", err=True)
            results.append(bench_size(posts, work, peers=not no_peers, first_only=first_only,
                                      seconds=crawl_seconds, settings=crawl_settings,
                                      smoke=smoke, light=light,
                                      limit=limit_seconds))  # fmt: skip
            click.echo(json.dumps(results[-1]), err=True)
            if keep:  # each size's figures as soon as it is done
                (work / "figures.json").write_text(json.dumps(results[-1], indent=2))
    if json_path:
        json_path.write_text(json.dumps(results, indent=2))
    command = "python -m benchmarks.throughput " + " ".join(f"--posts {n}" for n in sizes)
    if light:
        command += " --light"
    if first_only:
        command += " --first-only"
    if crawl_seconds:
        command += f" --crawl-seconds {crawl_seconds:.0f}"
    if limit_seconds:
        command += f" --crawl-limit {limit_seconds:.0f}"
    command += "".join(f" --crawl-setting {setting}" for setting in crawl_settings)
    section = render(results, command, described)
    click.echo(section)
    if not no_write:
        write_section(section)


if __name__ == "__main__":
    main()
