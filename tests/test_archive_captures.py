"""Raw captures in WARC files, conditional re-crawls, and re-extraction without the network.

Every crawl runs ``blogarchive crawl`` in its own process against a fixture site on
127.0.0.1 that counts requests and bytes and answers conditional requests with 304.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.capture_store import CaptureStore
from archive.store import Archive
from crawler.capture_middleware import unchanged_since
from tests.conftest import ROOT, run_cli
from tests.crawler_server import FixtureSite, serve

FIXTURES = Path(__file__).parent / "fixtures"
POSTS = {"/post-1/", "/post-2/", "/post-3/", "/post-4/", "/post-6/"}
WARCIO = Path(sys.executable).parent / "warcio"


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A copy of the crawler's fixture blog that a test may edit between runs."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "crawler" / "blog", root)
    return root


@pytest.fixture
def site(site_root: Path) -> Iterator[FixtureSite]:
    with serve(FixtureSite(site_root, validators=True, compress=True)) as running:
        yield running


def crawl(site: FixtureSite, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(
        "crawl", f"{site.base}/", "--db", str(db), "--workers", "0", "-q",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def record_at(path: Path, offset: int):
    with open(path, "rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        return record, record.raw_stream.read()


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WARCIO), "check", *map(str, paths)], capture_output=True, text=True, check=False
    )


@pytest.mark.e2e
def test_crawl_keeps_every_response_as_exact_warc_records_indexed_in_sqlite(tmp_path, site):
    db = tmp_path / "archive.db"
    crawl(site, db)

    files = sorted((tmp_path / "warc").iterdir())
    assert [f.name for f in files] == ["archive-run1-00001.warc.gz"]
    check = warcio_check(*files)
    assert check.returncode == 0, check.stdout + check.stderr
    captures = rows(
        db,
        "SELECT url, status, content_type, payload_digest, warc_file, warc_offset, warc_length,"
        " etag, last_modified, run_id, warc_record_id FROM captures WHERE revisit_of IS NULL",
    )
    # robots.txt is fetched twice: by the spider first (its sitemaps go ahead of the pages),
    # then by Scrapy's robots middleware, conditionally, answered 304 from that capture.
    assert rows(db, "SELECT count(*) FROM captures WHERE revisit_of IS NOT NULL") == [(0,)]
    assert [h.status for h in site.hits_for("/robots.txt")] == [200, 304]
    by_path = {c[0].removeprefix(site.base): c for c in captures}
    # Post pages, a listing, the series page, the feed, both sitemaps and robots.txt.
    assert POSTS | {"/", "/series/city-data/", "/blog-feed.xml", "/sitemap_index.xml"} <= set(
        by_path
    )
    assert "/sitemap-posts.xml" in by_path
    assert "/robots.txt" in by_path
    for path, (
        url,
        status,
        ctype,
        digest,
        warc_file,
        offset,
        length,
        etag,
        lm,
        run,
        rid,
    ) in by_path.items():
        record, payload = record_at(tmp_path / warc_file, offset)
        assert record.rec_type == "response"
        assert record.rec_headers.protocol == "WARC/1.1"
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
        assert record.rec_headers.get_header("WARC-Record-ID") == rid
        assert record.http_headers.get_statuscode() == str(status) == "200"
        # The payload is the bytes the server sent: still gzipped, not Scrapy's decoded body.
        assert payload == site.sent[path], path
        assert payload[:2] == b"\x1f\x8b"
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert (etag, lm, run) == (
            record.http_headers.get_header("ETag"),
            record.http_headers.get_header("Last-Modified"),
            1,
        )
        assert ctype in {"text/html", "application/xml", "application/rss+xml", "text/plain"}
        with open(tmp_path / warc_file, "rb") as handle:
            assert len(handle.read()[offset : offset + length]) == length
    # Each response has its request record, linked to it, with the headers Scrapy sent.
    with open(files[0], "rb") as handle:
        requests = [r for r in ArchiveIterator(handle) if r.rec_type == "request"]
        linked = {r.rec_headers.get_header("WARC-Concurrent-To") for r in requests}
        assert {c[10] for c in captures} <= linked
        assert all(r.http_headers.get_header("Host") for r in requests)
        assert all("gzip" in (r.http_headers.get_header("Accept-Encoding") or "") for r in requests)


@pytest.mark.e2e
def test_second_run_revalidates_every_page_and_transfers_few_bytes(tmp_path, site):
    db = tmp_path / "archive.db"
    crawl(site, db)
    first_requests, first_bytes, _ = site.traffic()
    assert rows(db, "SELECT count(*) FROM run_posts WHERE run_id = 1") == [(len(POSTS),)]

    mark = len(site.hits)
    result = crawl(site, db)
    requests, sent, not_modified = site.traffic(mark)
    kept = {c[0].removeprefix(site.base) for c in rows(db, "SELECT url FROM captures")}
    second = site.hits[mark:]
    # Every page captured before was asked for conditionally and answered 304 ...
    assert {h.path for h in second if h.status == 304} == kept
    assert all(h.conditional for h in second if h.path in kept)
    # (robots.txt is asked for twice: by Scrapy's robots middleware and the spider.)
    assert not_modified == sum(h.path in kept for h in second)
    # ... so the run moved a fraction of the bytes, found the same posts (post-4 and post-6
    # only through the 304'd feed and sitemap, re-read from their captures) and stored none.
    assert sent <= 0.5 * first_bytes, (sent, first_bytes)  # tiny gzipped pages: headers weigh
    assert requests == first_requests
    assert "posts 0 new / 0 updated / 5 unchanged" in result.stderr
    assert rows(db, "SELECT outcome, count(*) FROM run_posts WHERE run_id = 2 GROUP BY 1") == [
        ("unchanged", len(POSTS))
    ]
    assert rows(db, "SELECT count(*) FROM captures WHERE run_id = 2") == [(0,)]

    # The mechanism off (--full): every page is fetched whole again.
    mark = len(site.hits)
    crawl(site, db, "--full")
    requests, sent, not_modified = site.traffic(mark)
    assert not_modified == 0
    assert not any(h.conditional for h in site.hits[mark:])
    assert sent >= 0.9 * first_bytes
    assert rows(db, "SELECT outcome, count(*) FROM run_posts WHERE run_id = 3 GROUP BY 1") == [
        ("unchanged", len(POSTS))
    ]
    # The same payloads again are kept as revisit records (headers only, pointing back).
    again = rows(db, "SELECT revisit_of, warc_file FROM captures WHERE run_id = 3")
    assert len(again) >= len(kept)
    assert all(revisit_of is not None for revisit_of, _ in again)
    first_file, third_file = (
        tmp_path / "warc" / "archive-run1-00001.warc.gz",
        tmp_path / again[0][1],
    )
    assert third_file.stat().st_size < first_file.stat().st_size  # tiny pages: headers weigh
    check = warcio_check(first_file, third_file)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(third_file, "rb") as handle:
        types = {r.rec_type for r in ArchiveIterator(handle)}
    assert types == {"warcinfo", "request", "revisit"}

    # A 304 for a page whose last capture is a revisit is answered with the original payload.
    mark = len(site.hits)
    crawl(site, db)
    assert site.traffic(mark)[2] == sum(h.path in kept for h in site.hits[mark:])
    assert rows(db, "SELECT outcome, count(*) FROM run_posts WHERE run_id = 4 GROUP BY 1") == [
        ("unchanged", len(POSTS))
    ]


@pytest.mark.e2e
def test_edited_post_is_fetched_whole_and_a_lost_post_is_rebuilt_from_its_capture(
    tmp_path, site_root, site
):
    db = tmp_path / "archive.db"
    crawl(site, db)
    page = site_root / "post-2" / "index.html"
    page.write_text(page.read_text().replace("Body of", "Edited body of"))
    # A post lost after its page was captured (a run killed between the two writes).
    lost = f"{site.base}/post-3/"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM posts WHERE url = ?", [lost])
    conn.close()

    mark = len(site.hits)
    crawl(site, db)
    statuses = {h.path: h.status for h in site.hits[mark:]}
    assert statuses["/post-2/"] == 200
    assert statuses["/post-3/"] == 304
    found = dict(rows(db, "SELECT post_url, outcome FROM run_posts WHERE run_id = 2"))
    assert found.pop(f"{site.base}/post-2/") == "updated"
    assert found.pop(lost) == "new"
    assert set(found.values()) == {"unchanged"}
    text = rows(db, "SELECT text FROM posts WHERE url = ?", f"{site.base}/post-2/")[0][0]
    assert "Edited body of" in text
    # The edited page is a new capture; the next run revalidates against it.
    assert rows(db, "SELECT count(*) FROM captures WHERE run_id = 2") == [(1,)]


@pytest.mark.e2e
def test_unchanged_pages_links_come_from_the_archive_and_still_lead_to_edited_posts(
    tmp_path, site_root, site
):
    # post-7 is reached only through a link in post-1's text.
    post_1 = site_root / "post-1" / "index.html"
    link = '<p><a href="/post-7/">Follow-up</a></p>'
    post_1.write_text(post_1.read_text().replace("</article>", link + "</article>"))
    post_7 = site_root / "post-7" / "index.html"
    post_7.parent.mkdir()
    post_7.write_text(
        (site_root / "post-2" / "index.html").read_text().replace("Body of", "Follow-up body of")
    )
    db = tmp_path / "archive.db"
    crawl(site, db)
    assert rows(db, "SELECT count(*) FROM posts WHERE url = ?", f"{site.base}/post-7/") == [(1,)]
    kept = rows(db, "SELECT page FROM page_links WHERE url = ?", f"{site.base}/post-1/")
    assert len(kept) == 1
    assert json.loads(kept[0][0])["kind"] == "post"
    assert f"{site.base}/post-7/" in json.loads(kept[0][0])["links"]
    # Edited on the server: post-7 (linked only from unchanged post-1) and post-2 (listed on
    # the unchanged home page).
    for name in ("post-7", "post-2"):
        page = site_root / name / "index.html"
        opening = 'class="entry-content"><p>'
        edited = page.read_text().replace(opening, opening + "Edited. ")
        assert edited != page.read_text()
        page.write_text(edited)
    # Without the WARC files a page can only be re-read by fetching it whole again; an
    # unchanged HTML page's links must come from the archive instead.
    shutil.move(tmp_path / "warc", tmp_path / "warc-away")

    mark = len(site.hits)
    crawl(site, db)
    hits: dict[str, list[int]] = {}
    for hit in site.hits[mark:]:
        hits.setdefault(hit.path, []).append(hit.status)
    assert hits["/"] == [304]
    assert hits["/post-1/"] == [304]
    assert hits["/post-7/"] == [200]
    assert hits["/post-2/"] == [200]
    found = dict(rows(db, "SELECT post_url, outcome FROM run_posts WHERE run_id = 2"))
    assert found.pop(f"{site.base}/post-7/") == "updated"
    assert found.pop(f"{site.base}/post-2/") == "updated"
    assert set(found.values()) == {"unchanged"}
    assert len(found) == len(POSTS) - 1
    for name in ("post-7", "post-2"):
        text = rows(db, "SELECT text FROM posts WHERE url = ?", f"{site.base}/{name}/")[0][0]
        assert "Edited." in text


@pytest.mark.e2e
def test_reextract_rebuilds_posts_from_captures_with_no_server_running(tmp_path, site_root):
    shutil.copy(
        FIXTURES / "pages" / "ghost-participatory-budgeting-kickoff.html",
        site_root / "ghost.html",
    )
    expected = json.loads(
        (FIXTURES / "pages" / "ghost-participatory-budgeting-kickoff.json").read_text()
    )
    db = tmp_path / "archive.db"
    with serve(FixtureSite(site_root, validators=True, compress=True)) as running:
        result = run_cli(
            "crawl", f"{running.base}/", f"{running.base}/ghost.html", "--db", str(db),
            "--workers", "0", "-q", "-s", "DOWNLOAD_DELAY=0",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        base = running.base
    ghost = rows(db, "SELECT url, text FROM posts WHERE fetched_url = ?", f"{base}/ghost.html")
    assert ghost
    ghost_url, ghost_text = ghost[0]
    assert not [f for f in expected["without"] if f in ghost_text]
    stored = dict(rows(db, "SELECT url, content_hash FROM posts"))

    # The server is gone: nothing answers on its port. Same code, same result.
    same = run_cli("reextract", "--db", str(db), "--workers", "0", "-q")
    assert same.returncode == 0, same.stderr[-3000:]
    assert same.stdout == ""
    summary = f"0 posts changed, 0 new, {len(stored)} unchanged, 0 duplicate, 0 gone, 0 not rebuilt"
    assert summary in same.stderr
    assert rows(db, "SELECT status FROM crawl_runs WHERE id = 2") == [("finished",)]
    # The replay fails where the crawl failed (links to missing pages), and nowhere else.
    errors = "SELECT url, message FROM errors WHERE run_id = ? ORDER BY url"
    assert rows(db, errors, 2) == rows(db, errors, 1)

    # A cleaning rule changes (here: furniture removal off): the posts it matters for change.
    changed = run_cli(
        "reextract", "--db", str(db), "--workers", "0", "-q", "-s", "BLOGARCHIVE_CLEAN=False"
    )
    assert changed.returncode == 0, changed.stderr[-3000:]
    lines = [json.loads(line) for line in changed.stdout.splitlines()]
    assert {"url": ghost_url, "outcome": "updated"} in lines
    updated = {line["url"] for line in lines if line["outcome"] == "updated"}
    now = rows(db, "SELECT url, content_hash FROM posts")
    assert updated == {url for url, content_hash in now if content_hash != stored[url]}
    assert f"{len(updated)} posts changed" in changed.stderr
    leaked = rows(db, "SELECT text FROM posts WHERE url = ?", ghost_url)[0][0]
    assert [f for f in expected["without"] if f in leaked]
    assert rows(db, "SELECT count(*) FROM captures WHERE run_id > 1") == [(0,)]


@pytest.mark.e2e
@pytest.mark.parametrize("after", [1, 6])
def test_sigkill_mid_crawl_leaves_only_complete_indexed_records_and_recovers(
    tmp_path, site_root, after
):
    db = tmp_path / "archive.db"
    with serve(FixtureSite(site_root, validators=True, delay=0.3)) as running:
        proc = subprocess.Popen(
            [sys.executable, "-m", "archive.cli", "crawl", f"{running.base}/", "--db", str(db),
             "--workers", "0", "-q", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        try:
            while True:
                assert proc.poll() is None, "the crawl ended before it could be killed"
                assert time.monotonic() < deadline, "no captures within 60 s"
                if db.exists() and _count(db) >= after:
                    break
                time.sleep(0.05)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    pending = list((tmp_path / "warc").glob("*.warc.gz.open"))
    assert len(pending) == 1
    # Every row points at a complete record, even in the file the killed run left open.
    captures = rows(db, "SELECT url, warc_file, warc_offset FROM captures")
    assert len(captures) >= after
    for url, warc_file, offset in captures:
        assert not (tmp_path / warc_file).exists()
        record, _ = record_at(tmp_path / f"{warc_file}.open", offset)
        assert record.rec_headers.get_header("WARC-Target-URI") == url
    # A write torn by the kill: half a record after the last indexed one.
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)[:300]
    with open(pending[0], "ab") as handle:
        handle.write(torn)
    assert warcio_check(pending[0]).returncode != 0

    # The next writer cuts the file back to its last indexed record and closes it.
    with Archive.open(db) as archive:
        CaptureStore.open(archive, archive.start_run({})).close()
    assert not list((tmp_path / "warc").glob("*.open"))
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    check = warcio_check(*files)
    assert check.returncode == 0, check.stdout + check.stderr
    for url, warc_file, offset in captures:
        record, _ = record_at(tmp_path / warc_file, offset)
        assert record.rec_headers.get_header("WARC-Target-URI") == url
    index = subprocess.run(
        [str(WARCIO), "index", str(files[0])], capture_output=True, text=True, check=True
    )
    responses = [json.loads(x) for x in index.stdout.splitlines()]
    kept = sum(r["warc-type"] in ("response", "revisit") for r in responses)
    assert kept == len(captures)


def _count(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM captures")[0][0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.e2e
def test_sitemap_lastmod_before_the_capture_answers_from_it_without_a_request(
    tmp_path, site_root, site
):
    sitemap = site_root / "sitemap-posts.xml"
    sitemap.write_text(
        sitemap.read_text()
        .replace("/post-6/</loc>", "/post-6/</loc><lastmod>2020-01-01</lastmod>")
        .replace("/post-1/</loc>", "/post-1/</loc><lastmod>2999-01-01T00:00:00Z</lastmod>")
    )
    # post-8 is reached only through a link in post-6's text.
    post_6 = site_root / "post-6" / "index.html"
    link = '<p><a href="/post-8/">Follow-up</a></p>'
    post_6.write_text(post_6.read_text().replace("</article>", link + "</article>"))
    post_8 = site_root / "post-8" / "index.html"
    post_8.parent.mkdir()
    post_8.write_text((site_root / "post-2" / "index.html").read_text().replace("Body of", "8:"))
    db = tmp_path / "archive.db"
    crawl(site, db)
    assert "/post-6/" in site.paths()
    assert "/post-8/" in site.paths()
    post_8.write_text(post_8.read_text().replace("8:", "Edited 8:"))

    mark = len(site.hits)
    result = crawl(site, db, "-v")
    statuses = {h.path: h.status for h in site.hits[mark:]}
    # Not modified since 2020: reused as captured, parsed from the archive without being
    # scheduled, its links followed. Modified later than our capture (a date in the future
    # here): asked for, conditionally. Not in the sitemap: asked for, conditionally.
    assert "/post-6/" not in statuses
    assert "'blogarchive/unscheduled': 1," in result.stderr
    assert statuses["/post-1/"] == statuses["/post-2/"] == 304
    assert statuses["/post-8/"] == 200
    outcomes = dict(rows(db, "SELECT post_url, outcome FROM run_posts WHERE run_id = 2"))
    assert outcomes.pop(f"{site.base}/post-8/") == "updated"
    assert set(outcomes.values()) == {"unchanged"}
    assert len(outcomes) == len(POSTS)

    # The mechanism off: post-6 is asked for again.
    mark = len(site.hits)
    crawl(site, db, "-s", "BLOGARCHIVE_TRUST_LASTMOD=False")
    assert {h.path: h.status for h in site.hits[mark:]}["/post-6/"] == 304


@pytest.mark.parametrize(
    ("lastmod", "fetched_at", "unchanged"),
    [
        ("2024-05-01", "2024-05-02T00:00:01Z", True),
        # A bare date is the end of that day: the page may have changed after our capture.
        ("2024-05-01", "2024-05-01T23:00:00Z", False),
        ("2024-05-01T10:00:00+02:00", "2024-05-01T08:30:00Z", True),
        ("2024-05-01T10:00:00+02:00", "2024-05-01T07:30:00Z", False),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:01Z", True),  # no zone: UTC
        ("yesterday", "2024-05-01T10:00:00Z", False),
        (None, "2024-05-01T10:00:00Z", False),
    ],
)
def test_a_date_proves_a_page_unchanged_only_if_it_is_before_the_capture(
    lastmod, fetched_at, unchanged
):
    assert unchanged_since(lastmod, fetched_at) is unchanged


def test_a_server_without_validators_sending_the_captured_bytes_again_is_not_modified(
    tmp_path, site_root
):
    # WordPress sends neither ETag nor Last-Modified: every page is a 200 on every run.
    with serve(FixtureSite(site_root, validators=False)) as plain:
        db = tmp_path / "archive.db"
        crawl(plain, db)
        result = crawl(plain, db)
        assert "posts 0 new / 0 updated / 5 unchanged" in result.stderr
        # The payloads equal their captures: nothing captured or extracted again.
        assert rows(db, "SELECT count(*) FROM captures WHERE run_id = 2") == [(0,)]
        # The mechanism off (--full): the same bytes are kept again, as revisit records.
        crawl(plain, db, "--full")
        assert rows(db, "SELECT count(*) FROM captures WHERE run_id = 3")[0][0] >= len(POSTS)
