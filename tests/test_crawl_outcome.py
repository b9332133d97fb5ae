"""Honest outcomes: the exit status, the summary line and crawl_runs agree on how a crawl ended."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from crawler.outcome import EXIT_CODES, Outcome, crawl_outcome
from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
PROBES = {"/feed/", "/rss.xml", "/atom.xml", "/feeds/posts/default", "/index.xml"}
NOT_PAGES = PROBES | {"/robots.txt", "/blog-feed.xml", "/sitemap_index.xml", "/sitemap-posts.xml"}


@pytest.fixture
def blog() -> Iterator[FixtureSite]:
    with serve(
        FixtureSite(FIXTURES / "blog", substitutions={"{{OTHER}}": "http://0.0.0.0:9"})
    ) as s:
        yield s


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def last_run(db: Path) -> dict:
    runs = run_cli("runs", "--db", str(db), "-n", "1")
    assert runs.returncode == 0, runs.stderr
    return json.loads(runs.stdout.splitlines()[0])


def assert_agree(result, db: Path) -> dict:
    """The exit status, the summary line and the archive's run row tell one story."""
    run = last_run(db)
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"crawl {run['status']}"), (summary, run)
    assert result.returncode == EXIT_CODES[run["status"]], (result.returncode, run)
    if run["reason"] != run["status"]:
        assert run["reason"] in summary
    assert "Traceback" not in result.stderr
    return run


@pytest.mark.parametrize(
    ("reason", "stats", "status"),
    [
        ("finished", {"downloader/response_count": 5, "blogarchive/sources": 1}, "finished"),
        ("finished", {"blogarchive/sources": 1}, "failed"),
        ("closespider_timeout", {"downloader/response_count": 5}, "partial"),
        ("closespider_pagecount", {"downloader/response_count": 5}, "partial"),
        ("closespider_timeout", {}, "failed"),
        ("shutdown", {"downloader/response_count": 5}, "interrupted"),
        ("cancelled", {"downloader/response_count": 5}, "failed"),
        (
            "finished",
            {
                "downloader/response_count": 5,
                "blogarchive/sources": 2,
                "blogarchive/unreachable/b": "refused",
            },
            "partial",
        ),
        (
            "finished",
            {"blogarchive/sources": 2, "blogarchive/unreachable/b": "refused"},
            "failed",
        ),
        (
            "finished",
            {"downloader/response_count": 5, "blogarchive/limit_hit/a": "max_pages=3 reached"},
            "partial",
        ),
    ],
)
def test_every_close_reason_has_one_status(reason: str, stats: dict, status: str) -> None:
    assert crawl_outcome(reason, stats).status == status


def test_an_interrupted_run_exits_with_its_signal() -> None:
    assert crawl_outcome("shutdown", {"blogarchive/signal": 2}) == Outcome(
        "interrupted", "interrupted by SIGINT", 2
    )
    assert crawl_outcome("shutdown", {"blogarchive/signal": 15}).exit_code == 143


@pytest.mark.e2e
def test_a_dead_host_fails_with_one_line_for_it_and_the_summary(tmp_path: Path) -> None:
    db = tmp_path / "dead.db"
    host = f"127.0.0.1:{closed_port()}"
    result = run_cli("crawl", f"http://{host}/", "--db", str(db))
    run = assert_agree(result, db)
    assert (run["status"], run["pages_fetched"], run["errors"]) == ("failed", 0, 1)
    assert run["reason"].startswith("every source unreachable")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr  # "Cannot reach <host>" and the summary
    assert host in lines[0]
    # Without the drop, the start page and five feed probes would each retry and fail too.
    verbose = run_cli("crawl", f"http://{host}/", "--db", str(tmp_path / "v.db"), "-v")
    skipped = re.search(r"'blogarchive/unreachable_skipped': (\d+)", verbose.stderr)
    assert skipped, verbose.stderr[-3000:]
    assert int(skipped.group(1)) >= 6


@pytest.mark.e2e
def test_one_unreachable_source_of_two_is_a_partial_run(tmp_path: Path, blog: FixtureSite) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "up"\nstart_urls = ["{blog.base}/"]\n'
        f'[[source]]\nname = "down"\nstart_urls = ["http://127.0.0.1:{closed_port()}/"]\n'
    )
    db = tmp_path / "a.db"
    run = assert_agree(run_cli("crawl", "--sources", str(sources), "--db", str(db)), db)
    assert run["status"] == "partial"
    assert run["reason"].startswith("down: unreachable")
    assert run["posts_new"] >= 1


@pytest.mark.e2e
def test_max_pages_caps_page_requests_and_says_the_run_is_partial(
    tmp_path: Path, blog: FixtureSite
) -> None:
    db = tmp_path / "a.db"
    result = run_cli("crawl", f"{blog.base}/", "--db", str(db), "--max-pages", "2")
    run = assert_agree(result, db)
    assert run["status"] == "partial"
    assert "max_pages=2 reached" in run["reason"]
    pages = [p for p in blog.paths() if p not in NOT_PAGES]
    assert len(pages) == 2, blog.paths()
    assert "2 pages fetched" in result.stderr


@pytest.mark.e2e
def test_a_crawl_that_runs_to_its_end_is_finished(tmp_path: Path, blog: FixtureSite) -> None:
    db = tmp_path / "a.db"
    run = assert_agree(run_cli("crawl", f"{blog.base}/", "--db", str(db)), db)
    assert (run["status"], run["reason"]) == ("finished", "finished")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("setting", "stop"),
    [
        ("CLOSESPIDER_PAGECOUNT=2", "CLOSESPIDER_PAGECOUNT"),
        ("CLOSESPIDER_TIMEOUT=1", "time budget"),
    ],
)
def test_a_close_condition_is_partial_in_the_archive_and_the_exit_status(
    tmp_path: Path, setting: str, stop: str
) -> None:
    # Slow enough that neither limit lets the crawl run out of pages first.
    with serve(FixtureSite(FIXTURES / "blog", delay=0.4)) as site:
        db = tmp_path / "a.db"
        result = run_cli("crawl", f"{site.base}/", "--db", str(db), "-s", setting)
    run = assert_agree(result, db)
    assert run["status"] == "partial"
    assert stop in run["reason"]


def test_a_misspelt_blogarchive_setting_names_the_nearest_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "crawl",
            "http://127.0.0.1:9/",
            "--db",
            str(tmp_path / "a.db"),
            "-s",
            "BLOGARCHIVE_CLEEN=0",
        ],
    )
    assert result.exit_code == 2
    assert "unknown setting BLOGARCHIVE_CLEEN; did you mean BLOGARCHIVE_CLEAN?" in result.output
    assert not (tmp_path / "a.db").exists()


def test_every_blogarchive_setting_the_code_reads_is_known() -> None:
    from crawler import settings

    root = Path(__file__).resolve().parent.parent
    read = set()
    for package in ("crawler", "pipeline", "archive"):
        for path in (root / package).rglob("*.py"):
            read |= set(re.findall(r"[\"'](BLOGARCHIVE_[A-Z_]+)[\"']", path.read_text()))
    assert read <= set(vars(settings)), read - set(vars(settings))


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("finished", 0),
        ("closespider_timeout", 3),  # a fleet's time budget: partial, as one process says
        ("closespider_pagecount", 3),
        ("shutdown", 130),
        ("archive_error", 1),
        ("not started", 1),
    ],
)
def test_a_fleet_crawler_exits_with_the_status_one_process_gives_its_close_reason(
    reason: str, code: int
) -> None:
    from crawler.fleet_run import CrawlerResult

    result = CrawlerResult(crawler_id="c", reason=reason, pages=1, fleet_error=None)
    assert result.exit_code == code
