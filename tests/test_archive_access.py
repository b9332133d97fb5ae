"""Every command that opens an archive turns a file it cannot use into one ``Error:`` line
naming the file and what to do; a full disk or a read-only archive ends a crawl with one
line, the archive as it was, and a run recorded as failed where it can still be written.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.store import Archive
from tests.conftest import ROOT, run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import new_blog

COMMANDS = {
    "crawl": ["crawl", "http://127.0.0.1:9/"],
    "runs": ["runs"],
    "serve": ["serve", "--port", "0"],
    "migrate": ["migrate"],
    "reextract": ["reextract"],
    "duplicates": ["duplicates"],
}


def assert_one_error_line(result: subprocess.CompletedProcess[str], db: Path, says: str) -> None:
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f"Error: {db}: "), lines[0]
    assert says in lines[0]


def not_sqlite(db: Path) -> None:
    db.write_text("title,url\nnot,an archive\n")


def newer_schema(db: Path) -> None:
    Archive.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('blogarchive', 'm999_from_a_later_version', '2030-01-01')"
    )
    conn.commit()
    conn.close()


BAD_FILES = {
    "not SQLite": (not_sqlite, "not a SQLite database"),
    "newer schema": (newer_schema, "written by a newer blogarchive"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_a_file_no_command_can_use_is_one_error_line(tmp_path: Path, command: str, bad: str):
    db = tmp_path / "archive.db"
    make, says = BAD_FILES[bad]
    make(db)
    before = db.read_bytes()
    result = run_cli(*COMMANDS[command], "--db", str(db))
    assert_one_error_line(result, db, says)
    assert db.read_bytes() == before


@pytest.mark.e2e
@pytest.mark.parametrize("command", ["runs", "migrate", "crawl"])
def test_a_locked_archive_is_one_error_line(tmp_path: Path, command: str) -> None:
    db = tmp_path / "archive.db"
    Archive.open(db).close()
    holder = sqlite3.connect(db)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_cli(*COMMANDS[command], "--db", str(db))
    finally:
        holder.rollback()
        holder.close()
    assert_one_error_line(result, db, "locked by another program")


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """Mount a small tmpfs at ``path`` (root only; skipped where mounting is not allowed)."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureSite]:
    site = new_blog(tmp_path_factory.mktemp("access") / "site", 12)
    with serve(FixtureSite(site.root)) as server:
        yield server


def crawl(base: str, db: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", base + "/", "--db", str(db), "-s", "DOWNLOAD_DELAY=0", "--workers", "0")


def archive_rows(db: Path) -> tuple[list, str]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        posts = conn.execute("SELECT url, content_hash FROM posts ORDER BY url").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return posts, integrity


@contextmanager
def crawled_on_tmpfs(path: Path, blog: FixtureSite) -> Iterator[tuple[Path, tuple[list, str]]]:
    """Yield an archive of ``blog`` crawled onto a 16 MB tmpfs, with its posts and integrity."""
    with tmpfs(path, "16m") as mount:
        db = mount / "archive.db"
        assert crawl(blog.base, db).returncode == 0
        before = archive_rows(db)
        assert before[1] == "ok"
        yield db, before


@pytest.mark.e2e
def test_a_read_only_archive_is_one_line_and_still_lists_its_runs(
    tmp_path: Path, blog: FixtureSite
) -> None:
    with crawled_on_tmpfs(tmp_path / "ro", blog) as (db, before):
        mount = db.parent
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        for command in ("crawl", "migrate", "reextract", "duplicates"):
            result = run_cli(*COMMANDS[command], "--db", str(db))
            assert_one_error_line(result, db, "read-only")
        runs = run_cli("runs", "--db", str(db))
        assert runs.returncode == 0, runs.stderr
        assert json.loads(runs.stdout)["status"] == "finished"
        assert archive_rows(db) == before


@pytest.mark.e2e
def test_a_full_disk_fails_the_run_in_one_line_and_keeps_the_archive(
    tmp_path: Path, blog: FixtureSite
) -> None:
    with crawled_on_tmpfs(tmp_path / "full", blog) as (db, before):
        mount = db.parent
        # Leave a few pages of room: the next crawl's first writes go in, then the disk is full.
        filler = mount / "filler"
        with filler.open("wb") as handle:
            free = subprocess.run(
                ["df", "-B1", "--output=avail", str(mount)],
                capture_output=True,
                text=True,
                check=True,
            )
            handle.write(b"\0" * max(0, int(free.stdout.split()[-1]) - 64 * 1024))
        result = run_cli("crawl", blog.base + "/", "--db", str(db), "--full", "--workers", "0")
        assert result.returncode == 1, result.stderr[-3000:]
        assert "Traceback" not in result.stderr
        assert "disk" in result.stderr.strip().splitlines()[-1]
        assert (
            result.stderr.strip().splitlines()[-1].startswith("crawl failed: archive not writable")
        )
        filler.unlink()
        assert archive_rows(db) == before
        (last, first) = [
            json.loads(line) for line in run_cli("runs", "--db", str(db)).stdout.splitlines()
        ]
        assert first["status"] == "finished"
        # Failed with its reason where that last write went in; else still marked running,
        # and the next crawl closes it as interrupted.
        assert last["status"] in ("failed", "running"), last
        if last["status"] == "failed":
            assert "disk" in last["reason"]


@pytest.mark.e2e
def test_serve_on_a_taken_port_exits_non_zero_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    Archive.open(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "archive.cli",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "Serving" not in result.stdout
    assert result.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; pick another --port"
        " (0 picks a free one)"
    )
