"""A post's HTML can never act in a reader's browser: no script runs, nothing is fetched
from elsewhere, no navigation (headless Chromium against a real `blogarchive serve`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from datasette.utils import tilde_encode

from archive.publish import default_snapshot_path
from archive.store import Archive
from pipeline.extract import extract_post
from pipeline.records import PostRecord
from tests.conftest import serving

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
SITE = "https://hostile.example.org"
# Every way a post could act in the reader's browser: each must arrive as inert text.
HOSTILE = """
<p id="before">Before the attacks, a paragraph of ordinary post text.</p>
<script>alert('script')</script>
<img src="x" onerror="alert('onerror')" alt="broken picture">
<img src="https://tracker.invalid/pixel.png" alt="tracking pixel">
<p onclick="alert('onclick')" onmouseover="alert('hover')">Hover me.</p>
<a id="js" href="javascript:alert('js-link')">a javascript: link</a>
<a id="data" href="data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+">a data: link</a>
<svg><script>alert('svg')</script><circle r="5" onload="alert('svg-onload')"/></svg>
<div style="width: expression(alert('css')); background: url(javascript:alert('css-url'))">
styled</div>
<style>body { background: url("https://tracker.invalid/css.png") }</style>
<meta http-equiv="refresh" content="0; url=https://evil.invalid/">
<iframe src="https://evil.invalid/frame"></iframe>
<object data="https://evil.invalid/object"></object>
<form action="https://evil.invalid/form"><input name="q" autofocus onfocus="alert('focus')"></form>
<base href="https://evil.invalid/">
<p id="after">After the attacks, the post goes on.</p>
"""


def hostile_archive(db: Path) -> tuple[Path, list[str]]:
    """Archive two hostile posts: one as the pipeline stores it, one stored raw (as another
    tool or a hand edit could); return the snapshot and the posts' URLs."""
    page = f"<html><head><title>Hostile</title></head><body><article><h1>Hostile</h1>{HOSTILE}"
    page += "<p>" + "Ordinary words in a paragraph long enough to be a post. " * 8 + "</p>"
    page += "</article></body></html>"
    extracted = extract_post(page.encode(), f"{SITE}/extracted/")
    raw = PostRecord(url=f"{SITE}/raw/", title="Raw hostile", text="Raw.", html=HOSTILE)
    with Archive.open(db) as archive:
        run = archive.start_run({})
        archive.store_post(extracted, run)
        archive.store_post(raw, run)
        archive.finish_run(run, pages_fetched=2)
        snapshot = archive.publish(default_snapshot_path(db))
    return snapshot, [extracted.url, raw.url]


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    _, urls = hostile_archive(db)
    command = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
    with serving(command) as url:
        yield url + db.stem, urls


@pytest.mark.parametrize("which", [0, 1], ids=["as-extracted", "stored-raw"])
def test_a_hostile_post_is_inert_in_the_reading_view(
    hostile_served: tuple[str, list[str]], page: Any, which: int
) -> None:
    base, urls = hostile_served
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    address = f"{base}/posts/{tilde_encode(urls[which])}"
    page.goto(address)
    page.wait_for_load_state("networkidle")
    body = page.locator("article.post-reading .post-body")
    assert "After the attacks" in body.inner_text() or which == 0
    assert "Before the attacks" in body.inner_text()
    # Focus and hover are what would fire the remaining handlers, had any survived.
    body.hover()
    page.keyboard.press("Tab")
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert page.url == address
    assert [u for u in requests if not u.startswith(origin)] == []
    markup = body.inner_html()
    for inert in ("<script", "onerror=", "onclick=", "onload=", "onfocus=", "style="):
        assert inert not in markup, inert
    hrefs = body.locator("[href], [src]").evaluate_all(
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('src') || '')"
    )
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    for element in ("iframe", "object", "form", "meta", "base", "style", "svg"):
        assert body.locator(element).count() == 0, element
    assert page.locator("meta[http-equiv]").count() == 0


def test_without_sanitising_the_same_post_would_act(page: Any) -> None:
    # The hostile fixture is live: rendered as it came, it raises a dialog and fetches
    # from other hosts.
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.route("**/*", lambda route: route.abort())
    page.set_content(f"<html><body>{HOSTILE}</body></html>")
    assert dialogs
    assert [u for u in requests if "invalid" in u]
