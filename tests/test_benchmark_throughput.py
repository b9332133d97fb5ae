"""The throughput benchmark's generated blog network (benchmarks/throughput/network.py)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.throughput.network import Network
from tests.conftest import ROOT

POSTS = 1000
# The smoke run (issue 13: 1,000 posts, counts and every figure, no timings): the network's
# light pages, whose bytes and extraction are a fifth to a half of the full ones'. Every run
# and peer of the benchmark at 1,000 posts took 86 CPU seconds (5 of them the server
# rendering pages), against 127 for the first crawl alone on full pages.
SMOKE_POSTS = 1000


def test_network_serves_its_posts_as_60_kb_pages_in_every_style() -> None:
    network = Network(POSTS)
    for site in network.sites:
        site.base = f"http://127.0.0.1:{9000 + site.number}"
    for site in network.sites:
        posts = [site.render(path) for path in site.paths() if path.count("/") > 2][:3]
        assert {page.status for page in posts} == {200}, site.style
        assert 40_000 < len(posts[0].body) < 90_000, (site.style, len(posts[0].body))
    # every post is in exactly one site's sitemap: the network has the posts it says
    listed = [
        url
        for site in network.sites
        for path in site.paths()
        if path.startswith("/sitemap-")
        for url in re.findall(r"<loc>([^<]+)</loc>", site.render(path).body.decode())
    ]
    assert len(listed) == len(set(listed)) == POSTS
    assert set(listed) == set(network.post_urls())


@pytest.mark.e2e
def test_benchmark_smoke_run_stores_every_post_and_produces_every_figure(tmp_path: Path) -> None:
    """The benchmark end to end (CI's smoke run): counts and every figure, no timings.

    The peers included: trafilatura's own downloader gets every post of the sitemaps (its
    one-step ``--sitemap`` mode never ended, and its output files were counted one folder
    deep).
    """
    figures_path = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.throughput", "--posts", str(SMOKE_POSTS), "--smoke",
         "--light", "--no-write", "--json", str(figures_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    (figures,) = json.loads(figures_path.read_text())
    first = figures["first"]
    assert first["posts"] == SMOKE_POSTS
    assert f"posts {SMOKE_POSTS} new / 0 updated / 0 unchanged" in first["summary"]
    for again in ("recrawl_validators", "recrawl_no_validators"):
        # Unchanged: every post seen, none stored again or extracted again.
        assert f"posts 0 new / 0 updated / {SMOKE_POSTS} unchanged" in figures[again]["summary"], (
            again
        )
        assert figures[again]["cpu"].get("extraction worker", 0) == 0, again
    # The templates' furniture links (/about/, /privacy) are 404s, expected; nothing else failed.
    assert first["fetch_errors"]["unexpected"] == 0, first["fetch_errors"]["examples"]
    assert first["fetch_errors"]["expected_404"] > 0
    assert figures["recrawl_validators"]["not_modified"] > 0
    assert figures["recrawl_no_validators"]["not_modified"] == 0
    # Every figure the report prints was measured.
    assert figures["limit"]["posts_per_s"] > 0
    assert figures["server_alone"]["requests_per_s"] > 0
    assert first["cpu"]["root"] > 0
    assert first["cpu"]["extraction worker"] > 0
    assert first["peak_rss_mb"]["root"] > 0
    assert first["peak_rss_mb"]["extraction worker"] > 0
    assert first["db_bytes_per_post"] > 0
    assert first["warc_bytes_per_post"] > 0
    assert figures["plain"]["posts"] == SMOKE_POSTS
    if figures["host_name"] == "127.0.0.1":
        # trafilatura takes no loopback address: run only where /etc/hosts can name the sites.
        assert not os.access("/etc/hosts", os.W_OK), "the sites got no name: trafilatura not run"
    else:
        assert figures["trafilatura"]["urls_listed"] == SMOKE_POSTS
        assert figures["trafilatura"]["posts"] == SMOKE_POSTS
    assert any(posts for _, _, posts in first["rss_curve"]), "the memory curve saw posts stored"
    section = result.stdout
    assert f"| {SMOKE_POSTS:,} |" in section
    for table in ("| posts | sites |", "| posts | CPU s/post"):
        assert "—" not in section.split(table)[1].split("\n\n")[0], table


def test_the_network_says_which_paths_it_serves() -> None:
    """What a crawl's 404s are checked against: furniture links are expected, nothing else."""
    network = Network(2000)
    for site in network.sites:
        site.base = f"http://127.0.0.1:{9000 + site.number}"
        furniture = ["/about/", "/page/1/", "/author/x/", "/2032/", "/privacy"]
        beyond = [f"/page/{site.listing_pages + 1}/", "/sitemap-9.xml", "/category/topic-16/"]
        for path in [*site.paths(), *furniture, *beyond, site.post_path(0).replace("-0", "-1")]:
            assert site.serves(path) == (site.render(path).status == 200), (site.style, path)
        assert not any(site.serves(path) for path in furniture + beyond)


def test_a_light_network_has_the_same_posts_in_a_fifth_of_the_bytes() -> None:
    """The smoke run's and the memory runs' pages: same sites, URLs and sitemaps, less weight."""
    full, light = Network(POSTS), Network(POSTS, light=True)
    for network in (full, light):
        for site in network.sites:
            site.base = f"http://127.0.0.1:{9000 + site.number}"
    assert light.post_urls() == full.post_urls()
    for heavy, lean in zip(full.sites, light.sites, strict=True):
        assert lean.paths() == heavy.paths()
        for n in (0, heavy.posts - 1):
            page, lean_page = heavy.render(heavy.post_path(n)), lean.render(lean.post_path(n))
            assert lean_page.status == 200
            assert len(lean_page.body) < len(page.body) / 3, (heavy.style, len(lean_page.body))
            assert lean.post(n).title.encode() in lean_page.body
        sitemap = lean.render("/sitemap-0.xml").body
        assert sitemap == heavy.render("/sitemap-0.xml").body


@pytest.mark.e2e  # three builds, each with its worker processes: 10 to 45 s
def test_serving_build_resumed_stores_only_the_posts_the_archive_lacks(tmp_path: Path) -> None:
    """``serving --resume``: a build stopped part way is finished, not started again.

    Without the skip, every post of the network goes through ``store_post`` again (the ones
    held come back "unchanged"), which is what the figures would then count.
    """
    from benchmarks.throughput.serving import build

    db = tmp_path / "archive.db"
    first = build(db, 80, workers=1, progress=False)
    assert first["posts"] == 80
    resumed = build(db, 120, workers=1, progress=False, resume=True)
    assert (resumed["posts_held_before"], resumed["posts"]) == (80, 40)
    assert set(resumed["outcomes"]) == {"new"}, resumed["outcomes"]
    fresh_db = tmp_path / "fresh.db"
    build(fresh_db, 120, workers=1, progress=False)
    query = "SELECT url, content_hash FROM posts ORDER BY url"
    with sqlite3.connect(db) as resumed_conn, sqlite3.connect(fresh_db) as fresh_conn:
        assert resumed_conn.execute(query).fetchall() == fresh_conn.execute(query).fetchall()
    again = build(db, 120, workers=1, progress=False)  # the mechanism off
    assert again["posts"] == 120
    assert again["outcomes"].get("unchanged") == 120, again["outcomes"]


def test_the_crawl_limit_grows_with_the_network() -> None:
    """A fixed hour killed the 100,000-post run after its last post, with no figures."""
    from benchmarks.throughput.__main__ import crawl_limit

    assert crawl_limit(1000) == crawl_limit(10_000) == 3600
    assert crawl_limit(100_000) >= 6 * 3600


@pytest.mark.e2e
def test_a_first_crawl_killed_at_the_limit_keeps_its_figures(tmp_path: Path) -> None:
    """``--crawl-limit``: the crawl is killed, the run still writes what it measured."""
    figures_path, keep = tmp_path / "figures.json", tmp_path / "keep"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.throughput", "--posts", str(SMOKE_POSTS), "--smoke",
         "--light", "--first-only", "--no-peers", "--no-write", "--crawl-limit", "4",
         "--keep", str(keep), "--json", str(figures_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    (figures,) = json.loads(figures_path.read_text())
    assert figures == json.loads((keep / str(SMOKE_POSTS) / "figures.json").read_text())
    first = figures["first"]
    assert first["killed_at_limit"] is True
    assert first["summary"] == "killed after 4 s (the crawl limit)"
    assert 4 <= first["seconds"] < 60
    assert first["posts"] < SMOKE_POSTS
    assert first["rss_curve"]


def test_same_archive_tells_a_changed_row_and_a_changed_answer(tmp_path: Path) -> None:
    """``same_archive`` (how a store change is shown to keep the content): an archive is the
    same as its copy, and not once a post's title changes (its row and its search answers)."""
    import shutil

    from benchmarks.throughput.same_archive import compare
    from benchmarks.throughput.serving import build

    old, new = tmp_path / "old.db", tmp_path / "new.db"
    build(old, 30, workers=1, progress=False)
    shutil.copy(old, new)
    assert compare(old, new) == []
    with sqlite3.connect(new) as conn:
        title = conn.execute("SELECT title FROM posts ORDER BY rowid LIMIT 1").fetchone()[0]
        conn.execute("UPDATE posts SET title = 'Zzyzx' WHERE title = ?", [title])
    differ = compare(old, new)
    assert "posts" in differ
    assert any(d.startswith("search answers") for d in differ), differ
