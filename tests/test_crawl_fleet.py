"""Several crawler processes sharing one crawl through a real redis-server, one writer.

`blogarchive crawl ... --redis URL --crawlers 3` must leave the archive a one-process crawl
leaves (posts, texts, series, links, captures, duplicates; first and incremental runs),
fetch each page once (robots.txt as often as one process asks for it), hold each host's
concurrency limit across the processes, and lose nothing when a crawler or the writer is
killed mid-crawl.
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, DemoSites, crawl_demo, dict_rows, run_cli
from tests.crawler_server import FixtureSite, serve
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fleet")]

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"

# What must be equal, table by table, keyed by natural keys (ids and times differ).
ARCHIVE_QUERIES = {
    "posts": "SELECT url, title, site, author, published, updated, word_count, description,"
    " tags, language, text, source, html, fetched_url, content_hash, markdown, url_key"
    " FROM posts",
    "series": "SELECT name, slug, url, site, description, declared_total, first_published,"
    " last_published, parts_held, sites FROM series",
    "series_posts": "SELECT s.name, p.post_url, p.position, p.stated_part, p.stated_total,"
    " p.signal, p.evidence, p.conflict, p.copy_of FROM series_posts p"
    " JOIN series s ON s.id = p.series_id",
    "series_listings": "SELECT s.name, l.post_url, l.listed_position, l.listing_url"
    " FROM series_listings l JOIN series s ON s.id = l.series_id",
    "links": "SELECT post_url, position, url, text FROM links",
    # robots.txt's revisit records aside: fetched as often (twice a host: the spider's and
    # the robots middleware's; demo_paths counts them), but one process asks the second time
    # with the validators of the capture it has just made (304, nothing stored), and a
    # fleet's crawler may not know that capture yet (200, stored as a revisit of it:
    # ROBOTS_REVISITS checks that this is all).
    "captures": "SELECT run_id, url, method, status, content_type, content_length,"
    " payload_digest, etag, last_modified, source, revisit_of IS NULL AS original"
    " FROM captures WHERE url NOT LIKE '%/robots.txt' OR revisit_of IS NULL",
    "duplicates": "SELECT post_url, original_url, similarity, method FROM post_duplicates",
    "run_posts": "SELECT run_id, post_url, outcome FROM run_posts",
    "revisions": "SELECT post_url, revision, content_hash, changed FROM post_revisions",
}


# A revisit of robots.txt that repeats its original's payload and validators, in the run
# that made the original: nothing a later run or a reader of the archive sees differently.
ROBOTS_REVISITS = (
    "SELECT count(*) AS n FROM captures r JOIN captures o ON o.id = r.revisit_of"
    " WHERE r.url LIKE '%/robots.txt' AND NOT (r.url = o.url AND r.run_id = o.run_id"
    " AND r.status = o.status AND r.payload_digest = o.payload_digest"
    " AND r.etag IS o.etag AND r.last_modified IS o.last_modified)"
)


def archive_contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return every compared table of an archive as a sorted list of rows."""
    return {
        name: sorted((tuple(row.values()) for row in dict_rows(db, sql)), key=repr)
        for name, sql in ARCHIVE_QUERIES.items()
    }


def assert_same_archive(one: Path, fleet: Path) -> None:
    """Fail naming the first table (and rows) where the fleet's archive differs."""
    expected, got = archive_contents(one), archive_contents(fleet)
    for table, rows in expected.items():
        missing = [r for r in rows if r not in got[table]]
        extra = [r for r in got[table] if r not in rows]
        assert (missing, extra) == ([], []), (
            f"{table}: {len(missing)} rows only in the one-process archive, {len(extra)} only"
            f" in the fleet's: {missing[:3]} / {extra[:3]}"
        )
    assert expected["posts"], "the one-process crawl archived nothing"
    assert dict_rows(fleet, ROBOTS_REVISITS)[0]["n"] == 0


def fleet_crawl(url: str, db: Path, *args: str, crawlers: int = 3) -> subprocess.CompletedProcess:
    result = run_cli(
        "crawl", *args, "--db", str(db), "--redis", url, "--crawlers", str(crawlers), "-q"
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def assert_same_summary(one: str, fleet: str) -> None:
    """The fleet's summary line has the one process's status and post counts."""
    lines = [text.strip().splitlines()[-1] for text in (one, fleet)]
    said = [re.sub(r" \(run .*posts ", " posts ", line) for line in lines]
    assert said[0] == said[1], lines


def demo_paths(demo_sites: DemoSites, since: int) -> collections.Counter[str]:
    """Count the requests the demo server logged from line ``since`` on (robots.txt too)."""
    lines = demo_sites.log_path.read_text().splitlines()[since:]
    paths = (line.split("\t") for line in lines)
    return collections.Counter(f"{p[0]} {p[2]}" for p in paths)


def pages_fetched_twice(paths: collections.Counter[str]) -> dict[str, int]:
    """Return the pages of ``paths`` requested more than once, robots.txt aside.

    A host's robots.txt is asked for twice a run, in one process as in a fleet: by the
    spider (the sitemaps it names) and by the robots middleware (its rules). Every other
    page, once.
    """
    return {path: n for path, n in paths.items() if n > 1 and not is_robots_txt(path)}


def is_robots_txt(path: str) -> bool:
    return path.endswith(" /robots.txt")


def log_length(demo_sites: DemoSites) -> int:
    path = demo_sites.log_path
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_fleet_archive_equals_a_one_process_crawl_first_and_incremental(
    demo_sites: DemoSites, redis_url: str, tmp_path: Path
) -> None:
    (tmp_path / "one").mkdir()
    sources, one_db = crawl_demo(demo_sites, tmp_path / "one")
    fleet_db = tmp_path / "fleet" / "archive.db"
    fleet_db.parent.mkdir()
    base = ["--sources", str(sources), "-s", "DOWNLOAD_DELAY=0"]
    for run in ("first", "incremental"):
        start = log_length(demo_sites)
        one = run_cli("crawl", *base, "--db", str(one_db), "-q")
        assert one.returncode == 0, one.stderr[-4000:]
        middle = log_length(demo_sites)
        fleet = fleet_crawl(redis_url, fleet_db, *base)
        assert_same_archive(one_db, fleet_db)
        assert_same_summary(one.stderr, fleet.stderr)
        one_paths = demo_paths(demo_sites, start) - demo_paths(demo_sites, middle)
        fleet_paths = demo_paths(demo_sites, middle)
        # No page twice, in either; robots.txt as often as one process asks for it. (Which
        # pages an incremental run answers from a sitemap's date without asking depends on
        # whether the sitemap or a listing named the page first, a race in both: the sets of
        # pages fetched may differ, each page's count may not exceed one.)
        for who, paths in (("one process", one_paths), ("the fleet", fleet_paths)):
            twice = pages_fetched_twice(paths)
            assert not twice, f"{run} run: {who} fetched these more than once: {twice}"
        robots = sorted(path for path in one_paths | fleet_paths if is_robots_txt(path))
        assert [fleet_paths[p] for p in robots] == [one_paths[p] for p in robots], robots


def test_the_fetch_count_check_catches_crawlers_fetching_a_page_twice(
    demo_sites: DemoSites, redis_url: str, tmp_path: Path
) -> None:
    # The check above, with the fleet's shared duplicate filter off (each crawler its own):
    # a page found by two crawlers is fetched by both, and the check names it.
    sources, _ = crawl_demo(demo_sites, tmp_path)
    start = log_length(demo_sites)
    unshared = "SCHEDULER=tests.unshared_frontier.UnsharedSeenFrontier"
    args = ["--sources", str(sources), "-s", "DOWNLOAD_DELAY=0", "-s", unshared]
    fleet_crawl(redis_url, tmp_path / "archive.db", *args)
    twice = pages_fetched_twice(demo_paths(demo_sites, start))
    assert len(twice) > 3, twice


@pytest.fixture
def slow_blog() -> Iterator[FixtureSite]:
    site = FixtureSite(FIXTURES / "blog", substitutions={"{{OTHER}}": "http://other.invalid"})
    site.delay = 0.5  # responses overlap: the crawlers have to share the host
    with serve(site) as served:
        yield served


# One request at a time per crawler (CONCURRENT_REQUESTS=1): no crawler can take the whole
# blog into its own downloader, so the three always hold pages of the one host at once.
ONE_AT_A_TIME = ("--no-throttle", "--concurrency", "1", "-s", "CONCURRENT_REQUESTS=1")


def test_fleet_holds_each_hosts_concurrency_across_crawlers(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    fleet_crawl(redis_url, tmp_path / "a.db", f"{slow_blog.base}/", *ONE_AT_A_TIME)
    assert slow_blog.max_in_flight == 1, slow_blog.max_in_flight
    assert "/post-1/" in slow_blog.paths()


def test_without_redis_host_slots_three_crawlers_overrun_the_limit(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    # The mechanism off: each crawler holds the limit for itself only. The first post page is
    # held until a second request reaches the host (at most a minute, within the download
    # timeout so that the held request keeps its slot): on a loaded machine the first crawler
    # could otherwise take the whole blog before the others have started.
    overlapped = threading.Event()

    def hold_the_first_post(path: str, number: int) -> None:
        if slow_blog.max_in_flight > 1:
            overlapped.set()
        elif path.startswith("/post-") and not overlapped.is_set():
            deadline = time.monotonic() + 60
            while slow_blog.max_in_flight < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            overlapped.set()

    slow_blog.before_answer = hold_the_first_post
    # Both halves off: the host slots in the downloader, and the frontier's pop that leases
    # no more of a host's requests than its concurrency.
    downloader = "DOWNLOADER=crawler.politeness.PoliteDownloader"
    fleet_crawl(
        redis_url,
        tmp_path / "a.db",
        f"{slow_blog.base}/",
        *ONE_AT_A_TIME,
        *("-s", "DOWNLOAD_TIMEOUT=120", "-s", downloader),
        *("-s", "BLOGARCHIVE_FLEET_SLOT_AWARE=False"),
    )
    assert slow_blog.max_in_flight > 1


@pytest.mark.parametrize("slot_aware", [True, False])
def test_the_frontier_leases_each_host_up_to_its_concurrency(
    redis_url: str, slot_aware: bool
) -> None:
    # Four free places in a crawler's downloader, two per host: a pop that looks only at
    # priorities hands out the first host's requests (they sort first), which wait for that
    # host's two slots while the second host's requests idle in the frontier.
    import redis
    from scrapy import Request

    from crawler.shared_frontier import LeasingQueue
    from crawler.spiders.blog import BlogSpider

    spider = BlogSpider(urls="http://a.example/")
    queue = LeasingQueue(redis.Redis.from_url(redis_url), spider, "blogarchive:requests")
    queue.crawler_id = "test"
    queue.default_limit = 2 if slot_aware else 2**31
    for host in ("a.example", "b.example"):
        for n in range(5):
            queue.push(Request(f"http://{host}/post-{n}/", meta={"download_slot": host}))
    hosts = [queue.pop().meta["download_slot"] for _ in range(4)]  # type: ignore[union-attr]
    if slot_aware:
        assert sorted(hosts) == ["a.example", "a.example", "b.example", "b.example"]
        assert queue.pop() is None  # both hosts at their limit until a lease ends
    else:
        assert hosts == ["a.example"] * 4
    assert len(queue) == 6


@pytest.mark.parametrize("shared", [True, False])
def test_a_fleet_fetches_each_robots_txt_as_often_as_one_process(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path, shared: bool
) -> None:
    import redis

    base = [f"{slow_blog.base}/", "--no-throttle"]
    one = run_cli("crawl", *base, "--db", str(tmp_path / "one.db"), "-q")
    assert one.returncode == 0, one.stderr[-3000:]
    one_count = slow_blog.paths().count("/robots.txt")
    client = redis.Redis.from_url(redis_url)

    def hold_until_three_crawlers(path: str, number: int) -> None:
        # Three places per host, one per crawler: each crawler holds a request of the blog
        # (and needs its rules) before the first answer comes back.
        deadline = time.monotonic() + 60
        while client.scard("blogarchive:crawlers") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)

    slow_blog.before_answer = hold_until_three_crawlers
    args = [*base, "--concurrency", "3", "-s", "CONCURRENT_REQUESTS=1"]
    if not shared:
        args += ["-s", "BLOGARCHIVE_FLEET_SHARED_ROBOTS=False"]
    fleet = fleet_crawl(redis_url, tmp_path / "fleet.db", *args)
    fleet_count = slow_blog.paths().count("/robots.txt") - one_count
    working = len(re.findall(r"crawler \S+ finished: [1-9]", fleet.stderr))
    if shared:
        assert fleet_count == one_count, (fleet_count, one_count)
    else:
        assert working > 1, fleet.stderr[-2000:]
        assert fleet_count > one_count, (fleet_count, one_count)


def test_max_pages_is_one_budget_for_the_whole_fleet(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    # Counted in each crawler, three crawlers would fetch up to three times the budget.
    args = [f"{slow_blog.base}/", "--no-throttle", "--max-pages", "3"]
    one = run_cli("crawl", *args, "--db", str(tmp_path / "one.db"), "-q")
    assert one.returncode == 3, one.stderr[-3000:]
    proc = start_fleet(redis_url, tmp_path / "fleet.db", *args)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stderr[-3000:]  # partial, as one process
    # Which three pages depends on the order the crawlers take them in; how many does not
    # (the summary line's "N pages fetched": the pages max_pages counts, discovery aside).
    fetched = [re.findall(r"(\d+) pages fetched", text)[-1] for text in (one.stderr, stderr)]
    assert fetched == ["3", "3"], (one.stderr[-1000:], stderr[-1000:])
    runs = dict_rows(tmp_path / "fleet.db", "SELECT status, reason FROM crawl_runs")
    assert runs[0]["status"] == "partial", runs
    assert "max_pages=3" in runs[0]["reason"], runs


def test_a_time_budget_ends_the_whole_fleet_as_partial(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    # The posts are held far beyond the budget: only the budget can end the crawl. The budget
    # runs from the crawl's start, crawler start-up included: 30 s leaves a loaded machine
    # time to start them (a crawler that starts after it fetches nothing).
    released = threading.Event()

    def hold_posts(path: str, number: int) -> None:
        if path.startswith("/post-"):
            released.wait(240)

    slow_blog.before_answer = hold_posts
    started = time.monotonic()
    proc = start_fleet(
        redis_url, tmp_path / "a.db", f"{slow_blog.base}/", "--no-throttle", "--time-budget", "30"
    )
    try:
        _, stderr = proc.communicate(timeout=300)
    finally:
        released.set()
    assert proc.returncode == 3, stderr[-3000:]
    assert time.monotonic() - started < 200, "ended by the held pages, not by the budget"
    runs = dict_rows(tmp_path / "a.db", "SELECT status, reason FROM crawl_runs")
    assert runs == [{"status": "partial", "reason": "time budget reached (CLOSESPIDER_TIMEOUT)"}]


def test_a_second_fleet_run_asks_the_writer_what_the_archive_has(
    redis_url: str, tmp_path: Path
) -> None:
    # The crawlers never open the archive: validators, stored posts and captured pages come
    # from the writer through Redis. Without that (BLOGARCHIVE_HISTORY empty) a second run
    # fetches every page whole; with it, it asks as a one-process run asks.
    site = FixtureSite(
        FIXTURES / "blog", substitutions={"{{OTHER}}": "http://other.invalid"}, validators=True
    )
    with serve(site) as served:
        base = [f"{served.base}/", "--no-throttle"]

        def second_run(crawl: Any, db: Path, *extra: str) -> tuple[int, int]:
            crawl(db, *extra)
            start = len(served.hits)
            crawl(db, *extra)
            hits = served.hits[start:]
            return sum(h.conditional for h in hits), sum(h.status == 304 for h in hits)

        def one_process(db: Path) -> None:
            result = run_cli("crawl", *base, "--db", str(db), "-q")
            assert result.returncode == 0, result.stderr[-3000:]

        def fleet(db: Path, *extra: str) -> None:
            fleet_crawl(redis_url, db, *base, *extra)

        one = second_run(one_process, tmp_path / "one.db")
        remote = second_run(fleet, tmp_path / "fleet.db")
        off = second_run(fleet, tmp_path / "off.db", "-s", "BLOGARCHIVE_HISTORY=")
    assert one[1] > 0, one
    assert remote == one, (remote, one)
    assert off == (0, 0), off


def test_the_writer_answers_a_crawler_with_the_archives_own_values(
    redis_url: str, tmp_path: Path
) -> None:
    # One port, one set of value types: what a fleet's crawler gets through Redis equals
    # what a one-process crawl's history returns (the same classes, the same fields).
    import redis

    from archive.capture_store import CaptureStore
    from archive.history import ArchiveHistory
    from archive.store import Archive
    from archive.writer import HistoryServer
    from crawler.history import StoredResponse, Validators
    from crawler.items import Capture, utc_now
    from crawler.remote_history import RemoteHistory

    db, url = tmp_path / "a.db", "http://values.example/post/"
    with Archive.open(db) as archive:
        captures = CaptureStore.open(archive, archive.start_run({}))
        for body in (b"<p>first</p>", b"<p>first</p>"):  # the second: a revisit record
            capture = Capture(url, utc_now(), 200, [("User-Agent", "t")], [("ETag", '"1"')], body)
            captures.store(capture)
        captures.close()
    server = HistoryServer(redis_url, db)
    server.start()
    local = ArchiveHistory(db)
    try:
        remote = RemoteHistory(redis.Redis.from_url(redis_url), timeout=30)
        validators = local.validators(url)
        assert isinstance(validators, Validators)
        assert remote.validators(url) == validators
        assert remote.validators(url + "none") is None
        stored = local.latest(url)
        assert isinstance(stored, StoredResponse)
        assert stored.body == b"<p>first</p>"
        assert remote.latest(url) == stored
        assert remote.load(validators.capture_id) == local.load(validators.capture_id)
    finally:
        server.stop()
        local.close()


def crawler_pids(url: str) -> dict[str, int]:
    """Return the crawlers that joined the crawl and hold leases: id -> pid."""
    import redis

    client = redis.Redis.from_url(url)
    found = {}
    for member in client.smembers("blogarchive:crawlers"):
        crawler_id = member.decode()
        if client.hlen(f"blogarchive:leases:{crawler_id}"):
            found[crawler_id] = int(crawler_id.rsplit("-", 2)[1])
    return found


def start_fleet(url: str, db: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "archive.cli", "crawl", *args, "--db", str(db)]
    command += ["--redis", url, "--crawlers", "3", "-q"]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def one_process_then_fleet(site: FixtureSite, url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """Crawl ``site`` in one process into one.db, then start a fleet crawl into fleet.db."""
    args = [f"{site.base}/", "--no-throttle"]
    one = run_cli("crawl", *args, "--db", str(tmp_path / "one.db"), "-q")
    assert one.returncode == 0, one.stderr[-3000:]
    return start_fleet(url, tmp_path / "fleet.db", *args)


def start_writer(redis_url: str, db: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``blogarchive writer ARGS`` (by hand, as on several machines); return it once
    its run has started."""
    import redis

    command = [sys.executable, "-m", "archive.cli", "writer", *args]
    writer = subprocess.Popen(
        [*command, "--redis", redis_url, "--db", str(db)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = redis.Redis.from_url(redis_url)
    try:
        wait_for(lambda: client.hget("blogarchive:state", "run_id"), "run started by the writer")
    except BaseException:
        writer.kill()
        raise
    return writer


def wait_for(condition: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)
    return value


def test_a_crawler_killed_mid_crawl_loses_nothing(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    proc = one_process_then_fleet(slow_blog, redis_url, tmp_path)
    holders = wait_for(lambda: crawler_pids(redis_url), "crawler holding a request")
    victim = next(iter(holders.values()))
    os.kill(victim, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-4000:]
    assert "queued again" in stderr or "stopped" in stderr, stderr[-2000:]
    one_posts = dict_rows(tmp_path / "one.db", "SELECT url, content_hash FROM posts")
    fleet_posts = dict_rows(tmp_path / "fleet.db", "SELECT url, content_hash FROM posts")
    assert sorted(fleet_posts, key=repr) == sorted(one_posts, key=repr)


def test_a_writer_killed_mid_crawl_resumes_without_loss_or_duplicates(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    proc = one_process_then_fleet(slow_blog, redis_url, tmp_path)
    db = tmp_path / "fleet.db"
    writer = wait_for(lambda: writer_pid(db), "writer with a stored capture")
    os.kill(writer, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-4000:]
    assert "starting it again" in stderr, stderr[-2000:]
    assert_same_archive(tmp_path / "one.db", db)
    runs = dict_rows(db, "SELECT id, status FROM crawl_runs")
    assert runs == [{"id": 1, "status": "finished"}], runs


def writer_pid(db: Path) -> int | None:
    """Return the writer's pid once it stored a capture (it holds the run lock)."""
    import json

    lock = db.with_name(db.name + ".lock")
    if not db.exists() or not lock.exists():
        return None
    try:
        if not dict_rows(db, "SELECT count(*) AS n FROM captures")[0]["n"]:
            return None
        return int(json.loads(lock.read_text())["pid"])
    except (ValueError, KeyError, Exception):
        return None


def test_redis_restarted_without_persistence_is_a_clear_error(
    slow_blog: FixtureSite, redis_server: RedisServer, redis_url: str, tmp_path: Path
) -> None:
    proc = start_fleet(redis_url, tmp_path / "a.db", f"{slow_blog.base}/", "--no-throttle")
    wait_for(lambda: crawler_pids(redis_url), "crawler holding a request")
    redis_server.stop()
    redis_server.start()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0
    # Back at once: the crawl's keys are gone. Back later (a loaded machine): the processes
    # found it away first. Either way the crawl stops and says why, never "finished".
    said = ("Redis lost the crawl's state", "Redis not reachable")
    assert any(words in stderr for words in said), stderr[-3000:]
    assert "crawl finished" not in stderr
    runs = dict_rows(tmp_path / "a.db", "SELECT status FROM crawl_runs")
    assert runs == [{"status": "failed"}], runs


def test_crawlers_without_redis_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "--crawlers", "3"
    )
    assert result.returncode == 2
    assert "--crawlers needs --redis" in result.stderr


def test_a_crawler_without_redis_or_without_a_crawl_says_so_in_one_line(redis_url: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: refuses connections
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
        unreachable = run_cli("crawler", "--redis", closed)
    assert unreachable.returncode == 1
    assert f"{closed}: Redis not usable" in unreachable.stderr
    nothing = run_cli("crawler", "--redis", redis_url)
    assert nothing.returncode == 1
    assert "no crawl here" in nothing.stderr
    for result in (unreachable, nothing):
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_writer_started_with_urls_and_a_crawler_joining_it_crawl_as_one_process(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    # The multi-machine commands, started by hand: `writer URLS` starts the crawl, a
    # `crawler` joins it, and the writer ends with the summary a one-process crawl prints.
    args = [f"{slow_blog.base}/", "--no-throttle"]
    one = run_cli("crawl", *args, "--db", str(tmp_path / "one.db"), "-q")
    assert one.returncode == 0, one.stderr[-3000:]
    db = tmp_path / "fleet.db"
    writer = start_writer(redis_url, db, *args)
    try:
        crawler = run_cli("crawler", "--redis", redis_url)
        _, stderr = writer.communicate(timeout=300)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert crawler.returncode == 0, crawler.stderr[-3000:]
    assert re.search(r"crawler \S+ finished: [1-9]\d* pages fetched", crawler.stderr)
    assert writer.returncode == 0, stderr[-3000:]
    assert_same_summary(one.stderr, stderr)
    one_posts = dict_rows(tmp_path / "one.db", "SELECT url, content_hash FROM posts")
    assert sorted(dict_rows(db, "SELECT url, content_hash FROM posts"), key=repr) == sorted(
        one_posts, key=repr
    )


def test_crawlers_started_by_hand_stop_when_the_writer_refuses_the_archive(
    slow_blog: FixtureSite, redis_url: str, tmp_path: Path
) -> None:
    # The writer's archive fills its disk: a one-process crawl closes as archive_error; a
    # crawler of a fleet started by hand must stop too (with the mechanism off it crawls the
    # whole blog for nobody and ends "finished", status 0).
    from tests.test_archive_access import tmpfs

    with tmpfs(tmp_path / "full", "16m") as mount:
        writer = start_writer(
            redis_url, mount / "archive.db", f"{slow_blog.base}/", "--no-throttle"
        )
        try:
            free = subprocess.run(
                ["df", "-B1", "--output=avail", str(mount)], capture_output=True, text=True
            )
            with (mount / "filler").open("wb") as handle:
                handle.write(b"\0" * int(free.stdout.split()[-1]))
            crawler = run_cli("crawler", "--redis", redis_url)
            _, stderr = writer.communicate(timeout=300)
        finally:
            if writer.poll() is None:
                writer.kill()
    assert writer.returncode == 1, stderr[-3000:]
    assert "archive not writable" in stderr.strip().splitlines()[-1], stderr[-3000:]
    assert crawler.returncode == 1, crawler.stderr[-3000:]
    last = crawler.stderr.strip().splitlines()[-1]
    assert re.match(r"crawler \S+ archive_error: \d+ pages fetched; the writer stopped:", last)
    assert "archive not writable" in last
    assert "Traceback" not in crawler.stderr


def test_crawl_delay_holds_across_crawlers_when_requests_reach_the_server_late(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three crawlers, one request each at a time, one host asking for a 1 s Crawl-delay. Some
    # pages leave their crawler 0.6 s after it took the host's slot (a stalled event loop, as
    # a garbage collection or a loaded machine makes it): counted from the take, another
    # crawler's page arrives 0.4 s after the stalled one. Counted from the last answer, with
    # one request of the host in flight across the fleet, every gap is the delay at least.
    from tests.crawler_server import JITTER, STALL_ENV

    root = tmp_path / "site"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 1\n")
    posts = range(1, 6)
    links = "".join(
        f'<article class="post"><h2><a href="/p{n}/">{n}</a></h2></article>' for n in posts
    )
    (root / "index.html").write_text(
        f'<!DOCTYPE html><html><head><title>Delayed</title></head><body class="home blog">'
        f"<main>{links}</main></body></html>"
    )
    for n in posts:
        (root / f"p{n}").mkdir()
        (root / f"p{n}" / "index.html").write_text(
            f'<!DOCTYPE html><html><head><title>Post {n}</title></head><body class="single-post">'
            f"<article><h1>Post {n}</h1><p>Text {n}.</p></article></body></html>"
        )
    monkeypatch.setenv(STALL_ENV, json.dumps({"/p1/": 0.6, "/p3/": 0.6, "/p4/": 0.6}))
    handlers = json.dumps({"http": "tests.crawler_server.StallingDownloadHandler"})
    with serve(FixtureSite(root)) as site:
        fleet_crawl(
            redis_url,
            tmp_path / "a.db",
            f"{site.base}/",
            *ONE_AT_A_TIME,
            *("-s", f"DOWNLOAD_HANDLERS={handlers}"),
        )
        assert {f"/p{n}/" for n in posts} <= set(site.paths())
        gap = site.min_gap()
        assert gap >= 1 - JITTER, f"{gap:.3f} s between two pages: {site.hits}"
