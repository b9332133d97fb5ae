"""`serve` stays live: a snapshot published while serving is what every request sees next.

Datasette keeps one connection per executor thread per database name; the test asks many
times, so a thread still reading the replaced file would show. The same sequence against
plain ``datasette serve -i`` shows the stale threads the plugin exists for.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from archive.publish import default_snapshot_path
from archive.serve import free_port, make_datasette
from archive.store import Archive
from pipeline.records import PostRecord
from tests.conftest import serving
from tests.test_archive_datasette import get

SITE = "https://live.example.org"
SEARCH = "archive/posts.json?_search=zeppelin&_size=0"
REQUESTS = 60


def add_post(db: Path, slug: str, text: str) -> Path:
    """Store one post in its own run and publish the snapshot, as a crawl does."""
    with Archive.open(db) as archive:
        run = archive.start_run({})
        archive.store_post(
            PostRecord(url=f"{SITE}/{slug}/", title=slug, text=text, source="live", site="Live"),
            run,
        )
        archive.finish_run(run, pages_fetched=1)
        return archive.publish(default_snapshot_path(db))


@pytest.fixture
def archive_db(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    add_post(db, "first", "An ordinary post about bus shelters.")
    return db


def counts(url: str, n: int = REQUESTS) -> list[int]:
    with httpx.Client(timeout=10) as client:
        return [client.get(url + SEARCH).json()["filtered_table_rows_count"] for _ in range(n)]


def publish_and_wait(db: Path, url: str, timeout: float = 10) -> None:
    add_post(db, "second", "The zeppelin hangar reopens.")
    deadline = time.monotonic() + timeout
    while counts(url, 1) != [1]:
        assert time.monotonic() < deadline, "the new snapshot was not served in time"
        time.sleep(0.05)


@contextmanager
def plain_datasette(snapshot: Path) -> Iterator[str]:
    port = free_port("127.0.0.1")
    code = (
        f"import os, sys; print('Serving plain at http://127.0.0.1:{port}/', flush=True);"
        " os.execv(sys.executable, [sys.executable, '-m', 'datasette', 'serve', '-i',"
        f" {str(snapshot)!r}, '--port', '{port}'])"
    )
    with serving([sys.executable, "-c", code]) as url:
        yield url


@pytest.mark.e2e
def test_serve_shows_a_snapshot_published_while_it_runs_to_every_request(
    archive_db: Path,
) -> None:
    serve = [
        sys.executable,
        "-m",
        "archive.cli",
        "serve",
        "--db",
        str(archive_db),
        "--port",
        "0",
    ]
    with serving(serve) as url:
        assert set(counts(url)) == {0}  # every executor thread holds a connection now
        publish_and_wait(archive_db, url)
        assert counts(url) == [1] * REQUESTS
        page = httpx.get(url, timeout=10).text
        assert "<strong>2</strong> posts" in page


@pytest.mark.e2e
def test_plain_datasette_keeps_serving_the_replaced_file(archive_db: Path) -> None:
    with plain_datasette(default_snapshot_path(archive_db)) as url:
        assert set(counts(url)) == {0}
        add_post(archive_db, "second", "The zeppelin hangar reopens.")
        stale = counts(url).count(0)
        assert stale > 0  # the threads that opened the old file still read it


@pytest.mark.e2e
def test_download_names_the_run_and_time_of_its_snapshot(archive_db: Path, tmp_path: Path) -> None:
    snapshot = add_post(archive_db, "second", "Another post.")
    download = tmp_path / "download.db"
    download.write_bytes(get(snapshot, "/archive.db").content)
    row = sqlite3.connect(download).execute("select run_id, posts, published_at from snapshot")
    run_id, posts, published_at = row.fetchone()
    assert (run_id, posts) == (2, 2)
    assert published_at.startswith("20")
    home = get(snapshot, "/").text
    assert f"after run {run_id}." in " ".join(home.split())
    # The working archive has the table (migration m012) but never claims to be a snapshot.
    working = sqlite3.connect(archive_db)
    assert working.execute("select count(*) from snapshot").fetchone()[0] == 0


@pytest.mark.e2e
def test_robots_txt_and_noindex_header_by_default(archive_db: Path) -> None:
    snapshot = default_snapshot_path(archive_db)
    robots = get(snapshot, "/robots.txt")
    assert robots.text == "User-agent: *\nDisallow: /\n"
    assert get(snapshot, "/archive/posts").headers["x-robots-tag"] == "noindex, nofollow"


@pytest.mark.e2e
def test_allow_indexing_turns_robots_and_noindex_off(archive_db: Path) -> None:
    async def fetch(path: str) -> httpx.Response:
        ds = make_datasette(default_snapshot_path(archive_db), noindex=False)
        await ds.invoke_startup()
        response: httpx.Response = await ds.client.get(path)
        return response

    assert asyncio.run(fetch("/robots.txt")).text == "User-agent: *\nAllow: /\n"
    assert "x-robots-tag" not in asyncio.run(fetch("/archive/posts")).headers


@pytest.mark.e2e
def test_serve_rejects_an_unknown_setting_in_one_line(archive_db: Path) -> None:
    from click.testing import CliRunner

    from archive.cli import cli

    result = CliRunner().invoke(
        cli, ["serve", "--db", str(archive_db), "--setting", "no_such_setting", "1"]
    )
    assert result.exit_code == 2
    assert "no_such_setting: not a Datasette setting" in result.output


def pad(db: Path, megabytes: int) -> None:
    """Make the archive (and so its snapshot) larger than any socket buffer."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("create table if not exists padding (data blob)")
        conn.execute("insert into padding values (randomblob(?))", [megabytes << 20])
    conn.close()


@pytest.mark.e2e
def test_a_download_under_way_finishes_with_the_snapshot_it_started_on(
    archive_db: Path, tmp_path: Path
) -> None:
    pad(archive_db, 12)
    snapshot = add_post(archive_db, "big", "A post in a large archive.")
    serve = [
        sys.executable,
        "-m",
        "archive.cli",
        "serve",
        "--db",
        str(archive_db),
        "--port",
        "0",
    ]
    with serving(serve) as url, httpx.stream("GET", f"{url}archive.db", timeout=30) as response:
        before = snapshot.read_bytes()  # as served: serve may have published it anew
        assert response.headers["content-disposition"] == 'attachment; filename="archive-run2.db"'
        chunks = response.iter_bytes(1 << 16)
        received = next(chunks)
        add_post(archive_db, "second", "The zeppelin hangar reopens.")  # publishes anew
        assert default_snapshot_path(archive_db).read_bytes() != before
        received += b"".join(chunks)
    assert int(response.headers["content-length"]) == len(before)
    assert received == before
    (tmp_path / "got.db").write_bytes(received)
    conn = sqlite3.connect(tmp_path / "got.db")
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("select count(*) from posts").fetchone() == (2,)


@pytest.mark.e2e
def test_a_snapshot_rewritten_in_place_would_break_a_download_under_way(
    archive_db: Path,
) -> None:
    pad(archive_db, 12)
    snapshot = add_post(archive_db, "big", "A post in a large archive.")
    serve = [
        sys.executable,
        "-m",
        "archive.cli",
        "serve",
        "--db",
        str(archive_db),
        "--port",
        "0",
    ]
    with serving(serve) as url, httpx.stream("GET", f"{url}archive.db", timeout=30) as response:
        before = snapshot.read_bytes()
        chunks = response.iter_bytes(1 << 16)
        received = next(chunks)
        with open(snapshot, "r+b") as file:  # what publishing without a rename would do
            file.write(bytes(len(before)))
        received += b"".join(chunks)
    assert len(received) == len(before)
    assert received != before
