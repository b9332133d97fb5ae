"""Scale-out benchmark: ``python -m benchmarks.fleet [--posts 100] [--latency 0.2]``.

Serves six small blogs on loopback, each response held 200 ms (benchmarks/fleet/server.py),
and crawls them with each crawler held to one machine's budget (``CONCURRENT_REQUESTS=4``,
two per host as by default, no delay): once in one process (``blogarchive crawl``, the
obvious alternative), then with 1, 2 and 3 crawler processes sharing the crawl through a
real redis-server (``blogarchive writer`` + K ``blogarchive crawler``), and with 1 and 3
crawlers whose frontier pops by priority only (``BLOGARCHIVE_FLEET_SLOT_AWARE=False``, the
frontier before it leased by host). Reports pages per
second over the span the server saw requests (process start-up aside) and end to end, the
writer's share of the CPU the crawl took (each process's own rusage), and the Redis memory a
queued request costs. Writes the "Scale-out benchmark" section of benchmarks/RESULTS.md
unless ``--no-write``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Scale-out benchmark (crawlers over Redis)"
BUDGET = ["--no-throttle", "--workers", "0", "-s", "CONCURRENT_REQUESTS=4", "-q"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "archive.cli", *args]


def wait_cpu(proc: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Wait for ``proc``; return its exit status and the CPU seconds it (and its children) used."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


def server_span(log: Path, since: int) -> tuple[int, float]:
    """Return the requests logged from line ``since`` on and the seconds they spanned."""
    lines = log.read_text().splitlines()[since:]
    times = [float(line.split("\t")[0]) for line in lines]
    return len(times), (max(times) - min(times)) if times else 0.0


def posts_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def run_one_process(sites: list[str], work: Path, log: Path) -> dict[str, Any]:
    since = len(log.read_text().splitlines())
    started = time.monotonic()
    db = work / "one" / "archive.db"
    proc = subprocess.Popen(cli("crawl", *sites, "--db", str(db), *BUDGET), cwd=ROOT)
    code, cpu = wait_cpu(proc)
    wall = time.monotonic() - started
    requests, span = server_span(log, since)
    return {"mode": "one process", "crawlers": 0, "load": os.getloadavg()[0], "exit": code,
            "wall_s": wall, "requests": requests, "span_s": span, "posts": posts_in(db),
            "cpu_crawlers_s": cpu, "cpu_writer_s": 0.0}  # fmt: skip


def run_fleet(
    sites: list[str], work: Path, log: Path, redis_url: str, k: int, *, slot_aware: bool = True
) -> dict[str, Any]:
    import redis

    # A fresh database: the crawlers wait for this crawl's run id, not the last one's.
    redis.Redis.from_url(redis_url).flushall()
    since = len(log.read_text().splitlines())
    db = work / f"fleet{k}{'' if slot_aware else '-unaware'}" / "archive.db"
    started = time.monotonic()
    budget = [*BUDGET[:1], *BUDGET[3:5]]
    if not slot_aware:
        budget += ["-s", "BLOGARCHIVE_FLEET_SLOT_AWARE=False"]
    writer = subprocess.Popen(
        cli("writer", *sites, "--redis", redis_url, "--db", str(db), *budget), cwd=ROOT
    )
    client = redis.Redis.from_url(redis_url)
    while client.hget("blogarchive:state", "run_id") is None:
        if writer.poll() is not None:
            raise click.ClickException(f"the writer exited with {writer.returncode}")
        time.sleep(0.05)
    crawlers = [
        subprocess.Popen(cli("crawler", "--redis", redis_url, "--workers", "0"), cwd=ROOT)
        for _ in range(k)
    ]
    crawler_cpu = sum(wait_cpu(proc)[1] for proc in crawlers)
    code, writer_cpu = wait_cpu(writer)
    wall = time.monotonic() - started
    requests, span = server_span(log, since)
    mode = f"{k} crawler(s) + writer" + ("" if slot_aware else ", pop by priority only")
    return {"mode": mode, "crawlers": k, "slot_aware": slot_aware, "load": os.getloadavg()[0],
            "exit": code, "wall_s": wall, "requests": requests, "span_s": span,
            "posts": posts_in(db), "cpu_crawlers_s": crawler_cpu,
            "cpu_writer_s": writer_cpu}  # fmt: skip


def queued_request_bytes(redis_url: str, count: int = 10000) -> dict[str, float]:
    """Return Redis memory per request in the frontier and per fingerprint in the filter."""
    import redis
    from scrapy.http import Request

    from crawler.sources import sources_from_urls
    from crawler.spiders.blog import PRIORITY_POST, BlogSpider
    from crawler.urls import url_key

    client = redis.Redis.from_url(redis_url)
    client.flushall()
    spider = BlogSpider(urls="https://blog.example.org/")
    source = sources_from_urls(["https://blog.example.org/"])[0]
    import pickle

    def used() -> int:
        return int(client.info("memory")["used_memory"])

    before = used()
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        url = f"https://blog.example.org/2024/05/{n:05d}-a-post-about-ward-budgets/"
        request = Request(
            url,
            callback=spider.parse_page,
            errback=spider.on_error,
            priority=PRIORITY_POST,
            meta={"source": source.name, "crawl_depth": 1, "expect": "content",
                  "scope_exempt": False, "download_slot": "blog.example.org",
                  "autothrottle_dont_adjust_delay": False, "links_key": "82b08423357dba670053",
                  "depth": 1},
        )  # fmt: skip
        data = pickle.dumps(request.to_dict(spider=spider), protocol=-1)
        pipe.zadd("bench:requests", {data: -PRIORITY_POST})
        pipe.sadd("bench:seen", "key:" + url_key(url))
    pipe.execute()
    after_queue = used()
    client.delete("bench:requests")
    after_delete = used()
    client.flushall()
    return {
        "per_queued_request": (after_queue - before) / count,
        "per_seen_fingerprint": (after_delete - before) / count,
        "count": count,
    }


def report(rows: list[dict[str, Any]], memory: dict[str, float], meta: dict[str, Any]) -> str:
    base = next(r for r in rows if r["crawlers"] == 1 and r.get("slot_aware", True))
    loads = [meta["load_before"], *(r["load"] for r in rows)]
    cores = os.cpu_count() or 1
    if max(loads) < cores:
        machine = f"below the {cores} cores throughout: the machine was otherwise idle"
    else:
        machine = (
            f"up to {max(loads):.1f} on {cores} cores: the machine was shared, wall-clock"
            " figures are loaded and only the ratios, measured in the same run, compare"
        )
    budget = 4 / meta["latency"]
    lines = [
        HEADING,
        "",
        f"`python -m benchmarks.fleet --posts {meta['posts']} --latency {meta['latency']}`,"
        f" {meta['date']}, commit {meta['commit']}; load average (1 min) {meta['load_before']:.1f}"
        f" before and {meta['load_after']:.1f} after, {machine}.",
        f"Six blogs on loopback ({meta['posts']} posts each, {meta['latency'] * 1000:.0f} ms"
        " per response), each crawler held to `CONCURRENT_REQUESTS=4` (two per host, no"
        f" delay: at most {budget:.0f} pages/s a crawler, {6 * 2 / meta['latency']:.0f} for the"
        " six hosts), extraction in the crawler process (`--workers 0`). Pages per second over"
        " the span the server saw requests (process start-up aside; 100 posts a site by"
        " default, so that the first requests, before the home pages list the posts, and the"
        " tail, when few hosts have requests left, are a small part of the span), and end to"
        " end."
        ' "Pop by priority only" is the shared frontier without its host-aware pop'
        " (`-s BLOGARCHIVE_FLEET_SLOT_AWARE=False`): a crawler takes requests in priority order,"
        " which groups one host's requests, and they wait for that host's two slots while its"
        " other places idle.",
        "",
        "| run | requests | span s | pages/s | vs 1 crawler | of budget | wall s | posts |"
        " writer CPU share | load after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        rate = row["requests"] / row["span_s"] if row["span_s"] else 0.0
        base_rate = base["requests"] / base["span_s"] if base["span_s"] else 0.0
        total = row["cpu_crawlers_s"] + row["cpu_writer_s"]
        share = f"{row['cpu_writer_s'] / total:.0%}" if row["crawlers"] else "-"
        limit = min(budget * max(1, row["crawlers"]), 6 * 2 / meta["latency"])
        lines.append(
            f"| {row['mode']} | {row['requests']} | {row['span_s']:.1f} | {rate:.1f} |"
            f" {rate / base_rate:.2f}x | {rate / limit:.0%} | {row['wall_s']:.1f} |"
            f" {row['posts']} | {share} | {row['load']:.1f} |"
        )
    lines += [
        "",
        "CPU seconds (crawlers / writer): "
        + "; ".join(
            f"{r['mode']} {r['cpu_crawlers_s']:.1f} / {r['cpu_writer_s']:.1f}" for r in rows
        )
        + ".",
        f"Redis memory ({memory['count']:,} requests shaped as the spider's, pickled as the"
        f" frontier stores them): {memory['per_queued_request']:.0f} bytes per queued request"
        f" (request plus its duplicate-filter fingerprint), of which"
        f" {memory['per_seen_fingerprint']:.0f} bytes stay per request seen once it is done.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    text = text.rstrip("\n") + "\n\n"  # a blank line before the next section
    current = RESULTS.read_text(encoding="utf-8")
    if HEADING in current:
        start = current.index(HEADING)
        end = current.find("\n## ", start + len(HEADING))
        current = current[:start] + text + (current[end + 1 :] if end != -1 else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current, encoding="utf-8")


@click.command()
@click.option("--posts", default=100, show_default=True, help="Posts per site.")
@click.option("--latency", default=0.2, show_default=True, help="Seconds per response.")
@click.option("--no-write", is_flag=True, help="Print the section; leave RESULTS.md alone.")
def main(posts: int, latency: float, no_write: bool) -> None:
    """Measure crawl throughput with 1, 2 and 3 crawlers against one process."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise click.ClickException("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    redis_proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(work)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fleet.server", "--posts", str(posts),
         "--latency", str(latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        sites, log = info["sites"], Path(info["log"])
        redis_url = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
        load_before = os.getloadavg()[0]
        rows = [run_one_process(sites, work, log)]
        for k in (1, 2, 3):
            rows.append(run_fleet(sites, work, log, redis_url, k))
        for k in (1, 3):
            rows.append(run_fleet(sites, work, log, redis_url, k, slot_aware=False))
        memory = queued_request_bytes(redis_url)
        load_after = os.getloadavg()[0]
    finally:
        server.kill()
        redis_proc.kill()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    meta = {
        "posts": posts,
        "latency": latency,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load_before": load_before,
        "load_after": load_after,
    }
    text = report(rows, memory, meta)
    click.echo(json.dumps({"rows": rows, "memory": memory, **meta}, indent=1), err=True)
    click.echo(text)
    if not no_write:
        write_section(text)


if __name__ == "__main__":
    main()
