"""`blogarchive export`: JSON Lines, CSV and Markdown files with front matter."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from archive.cli import cli
from archive.export import (
    FIELDS,
    FORMATS,
    ExportUsageError,
    export_posts,
    markdown_path,
    write_markdown,
)
from archive.store import Archive
from tests.test_archive_search import POSTS, store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "archive.db"
    with Archive.open(path) as archive:
        store(archive)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["export", *args])
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_has_one_object_per_post_with_its_series(db: Path) -> None:
    code, out, err = run("--db", str(db))
    assert code == 0
    posts = [json.loads(line) for line in out.splitlines()]
    assert len(posts) == len(POSTS)
    assert all(tuple(post) == FIELDS for post in posts)
    data = next(p for p in posts if p["title"] == "Open data, part 2")
    assert data["series"] == [{"name": "Open Data", "part": 2, "position": 2}]
    assert data["text"].startswith("A council publishes open data.")
    assert f"{len(POSTS)} posts exported as jsonl" in err


def test_csv_has_a_header_and_flattened_lists(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "posts.csv"
    assert run("--db", str(db), "-f", "csv", "-o", str(target))[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == FIELDS
    library = next(r for r in rows if r["title"] == "The library reopens")
    assert library["series"] == "Open Data (part 1)"


def test_markdown_files_are_grouped_by_site_and_series_with_front_matter(
    db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "md"
    assert run("--db", str(db), "-f", "markdown", "-o", str(folder))[0] == 0
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.md"))
    assert files == [
        "parish-news/open-data/2024-03-01-library.md",
        "parish-news/open-data/2024-04-01-data.md",
        "parish-news/posts/2023-04-01-budget.md",
        "parish-news/posts/2024-02-01-buying.md",
        "parish-news/posts/2024-05-01-loose.md",
    ]
    text = (folder / "parish-news/open-data/2024-04-01-data.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == "Open data, part 2"
    assert meta["url"] == "https://parish.example.org/data/"
    assert meta["series"] == [{"name": "Open Data", "part": 2}]
    assert body.strip().startswith("# Open data, part 2\n\nA council publishes open data.")


def test_markdown_names_never_overwrite_each_other(tmp_path: Path) -> None:
    post = dict.fromkeys(FIELDS) | {
        "title": "X",
        "site": "S",
        "series": [],
        "tags": [],
        "url": "https://s.example/a/x/",
        "published": "2024-01-01",
    }
    other = post | {"url": "https://s.example/b/x/", "title": "Y"}
    assert markdown_path(post) == markdown_path(other)
    assert write_markdown(iter([post, other]), tmp_path) == 2
    assert sorted(p.name for p in (tmp_path / "s" / "posts").iterdir()) == [
        "2024-01-01-x.md",
        "2024-01-01-x~2.md",
    ]


def test_bad_input_is_one_line_and_a_true_exit_status(db: Path, tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "missing.db"))
    assert code == 1
    assert err.strip() == f"Error: {tmp_path / 'missing.db'}: no such archive"
    code, _, err = run("--db", str(db), "-f", "markdown")
    assert code == 2
    assert "writes a folder" in err


def test_the_command_offers_the_librarys_formats() -> None:
    option = next(p for p in cli.commands["export"].params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == FORMATS


def test_export_posts_writes_a_stream_a_file_or_a_folder(db: Path, tmp_path: Path) -> None:
    """The library call the command is a thin layer over (no dispatch of its own)."""
    out = io.StringIO()
    assert export_posts(db, "jsonl", None, out) == len(POSTS)
    assert len(out.getvalue().splitlines()) == len(POSTS)
    assert export_posts(db, "csv", tmp_path / "posts.csv", out) == len(POSTS)
    assert (tmp_path / "posts.csv").read_text(encoding="utf-8").startswith("url,title,")
    assert export_posts(db, "markdown", tmp_path / "md", out) == len(POSTS)
    with pytest.raises(ExportUsageError, match="writes a folder"):
        export_posts(db, "markdown", None, out)
    with pytest.raises(ExportUsageError, match="is a file, not a folder"):
        export_posts(db, "markdown", tmp_path / "posts.csv", out)
    with pytest.raises(ExportUsageError, match="unknown format"):
        export_posts(db, "xml", None, out)
