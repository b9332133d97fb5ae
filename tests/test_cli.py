"""The command line: help everywhere, clear errors for bad input, data on stdout."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from demo import expected
from tests.conftest import DemoSites, run_cli, saved_post


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"'blogarchive {command} --help' shows no example"


def test_version_is_shown() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "version" in result.output


def test_malformed_sources_file_is_a_clear_error_before_any_request(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/",,]\n')
    result = run_cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 1
    assert "sources.toml" in result.stderr
    assert "line" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "a.db").exists(), "the archive was touched before the input was valid"


def test_urls_and_sources_together_are_a_usage_error(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/"]\n')
    result = CliRunner().invoke(cli, ["crawl", "http://127.0.0.1:9/", "--sources", str(sources)])
    assert result.exit_code == 2
    assert "either start URLS or --sources" in result.output


@contextmanager
def _closed_port() -> Iterator[int]:
    """Yield a port that refuses connections: bound, never listening, so nobody else takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.mark.e2e
def test_dead_site_fails_with_a_summary_and_records_the_error(tmp_path: Path) -> None:
    db = tmp_path / "dead.db"
    with _closed_port() as port:
        url = f"http://127.0.0.1:{port}/"
        result = run_cli("crawl", url, "--db", str(db), "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr
    assert "crawl failed" in result.stderr
    assert "Traceback" not in result.stderr
    runs = run_cli("runs", "--db", str(db))
    (run,) = [json.loads(line) for line in runs.stdout.splitlines()]
    assert run["errors"] >= 1
    assert run["pages_fetched"] == 0


@pytest.mark.e2e
def test_crawl_of_several_urls_archives_every_sites_posts(
    tmp_path: Path, demo_sites: DemoSites
) -> None:
    db = tmp_path / "adhoc.db"
    sites = ["wordpress", "magazine"]
    urls = [demo_sites.urls[key] for key in sites]
    result = run_cli("crawl", *urls, "--db", str(db), "-s", "DOWNLOAD_DELAY=0")
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    try:
        archived = {row[0] for row in conn.execute("select url from posts")}
    finally:
        conn.close()
    wanted = {p["url"] for p in expected.expected_posts(demo_sites.urls) if p["site_key"] in sites}
    assert wanted <= archived
    assert not {u for u in archived if u.startswith(demo_sites.urls["blogger"])}


def test_extract_prints_one_json_line_per_file_in_order(tmp_path: Path) -> None:
    pages = []
    for n in (1, 2):
        page = tmp_path / f"post{n}.html"
        page.write_text(
            f"<html><head><title>Post {n} | Town Notes</title>"
            '<meta property="og:site_name" content="Town Notes"></head><body><article>'
            f"<h1>Post {n}</h1>"
            + "".join(
                f"<p>Paragraph {i} of post {n} says the council tried something new "
                "with its residents and learned from it.</p>"
                for i in range(4)
            )
            + "</article></body></html>"
        )
        pages.append(str(page))
    result = run_cli("extract", *pages, "--url", "https://town.example/post/")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == ["Post 1", "Post 2"]
    assert "Paragraph 3 of post 2" in records[1]["text"]
    assert "Paragraph 3 of post 2 says" in records[1]["markdown"]
    assert records[1]["markdown"] != records[1]["html"]


def test_extract_of_a_broken_page_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_bytes(b"\x00\x01\x02 not html")
    result = run_cli("extract", str(page))
    assert result.returncode == 1
    assert "broken.html" in result.stderr
    assert "Traceback" not in result.stderr


def test_extract_gives_a_line_to_every_input_even_a_failed_one(tmp_path: Path) -> None:
    first = saved_post(tmp_path / "a.html", "First post")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><div></div></body></html>")
    last = saved_post(tmp_path / "c.html", "Last post")
    missing = str(tmp_path / "gone.html")
    result = run_cli("extract", first, str(empty), missing, last)
    assert result.returncode == 1, "a failed input must show in the exit status"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [first, str(empty), missing, last]
    assert [line.get("error") is None for line in lines] == [True, False, False, True]
    assert lines[1]["text"] == ""
    assert lines[1]["url"] == empty.resolve().as_uri()
    assert lines[2]["error"]
    assert lines[3]["title"] == "Last post"
    assert "Traceback" not in result.stderr


def test_extract_with_too_few_urls_is_a_usage_error(tmp_path: Path) -> None:
    a = saved_post(tmp_path / "a.html", "Post A")
    listed = tmp_path / "urls.txt"
    listed.write_text("https://y.example/1/\n")
    result = run_cli("extract", a, a, "--urls-from", str(listed))
    assert result.returncode == 2
    assert "1 URLs for 2 files" in result.stderr
    assert not result.stdout


CLASSIFY = Path(__file__).parent / "fixtures" / "classify"


def test_classify_prints_the_decision_and_its_evidence_for_a_file() -> None:
    page = CLASSIFY / "mkdocs-material-post.html"
    url = "http://site.example/blog/2025/01/20/ward-budgets-part-1/"
    result = CliRunner().invoke(cli, ["classify", str(page), "--url", url])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert (decision["kind"], decision["url_shape"]) == ("post", "/blog/#4/#2/#2/*/")
    assert {e["signal"] for e in decision["evidence"]} >= {"own-date", "byline"}


def test_classify_tries_a_post_pattern_on_a_page_it_would_not_store() -> None:
    page = CLASSIFY / "mkdocs-material-about.html"
    args = ["classify", str(page), "--url", "http://site.example/about/"]
    assert json.loads(CliRunner().invoke(cli, args).output)["kind"] == "other"
    result = CliRunner().invoke(cli, [*args, "--post-pattern", "/about/$"])
    assert json.loads(result.output)["kind"] == "post"


def test_classify_fetches_a_url() -> None:
    from tests.crawler_server import FixtureSite, serve

    blog = Path(__file__).parent / "fixtures" / "crawler" / "blog"
    with serve(FixtureSite(blog, substitutions={"{{OTHER}}": "http://127.0.0.1:9"})) as site:
        result = run_cli("classify", f"{site.base}/post-1/")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "post"


def test_classify_of_neither_a_url_nor_a_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["classify", "no-such-page.html"])
    assert result.exit_code == 2
    assert "neither a URL nor a file" in result.output
