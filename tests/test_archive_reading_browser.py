"""The reading view of posts, in a real headless Chromium against `blogarchive serve`.

The archive comes from a real crawl of the demo sites; Datasette runs as `serve` runs it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from demo import expected
from tests.conftest import DemoSites, crawl_args, crawl_demo, run_cli, serving

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reading_browser")]


@pytest.fixture(scope="module")
def served(demo_sites: DemoSites, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Crawl the demo sites, serve the archive, and yield the Datasette URL of its database."""
    sources, db = crawl_demo(demo_sites, tmp_path_factory.mktemp("reading"))
    crawl = run_cli(*crawl_args(sources, db))
    assert crawl.returncode == 0, crawl.stderr
    serve = [sys.executable, "-m", "archive.cli", "serve", "--db", str(db), "--port", "0"]
    with serving(serve) as url:
        yield url + db.stem


def test_search_leads_to_a_readable_post(served: str, page: Any, demo_sites: DemoSites) -> None:
    post = expected.expected_posts(demo_sites.urls)[0]
    word = max(post["must_contain"][0].split(), key=len).strip(".,;:'\"()")
    page.goto(f"{served}/posts")
    page.fill("input[name=_search]", word)
    page.press("input[name=_search]", "Enter")
    page.wait_for_url(re.compile(r"_search="))
    page.click(f"td.col-url a:text-is({post['url']!r})")

    article = page.locator("article.post-reading")
    assert article.locator("h1").inner_text() == post["title"]
    assert article.locator(".author").inner_text() == post["author"]
    assert article.locator("time.published").get_attribute("datetime").startswith(post["published"])
    body = article.locator(".post-body").inner_text()
    for sentence in post["must_contain"]:
        assert sentence in body
    assert not [s for s in expected.furniture_strings() if s in article.inner_text()]


def test_post_links_render_with_their_own_anchor_text(
    served: str, page: Any, demo_sites: DemoSites
) -> None:
    post = next(p for p in expected.expected_posts(demo_sites.urls) if p["links"])
    page.goto(f"{served}/posts/{_tilde(post['url'])}")
    anchors = page.locator("article.post-reading .post-body a")
    shown = [
        {"url": anchors.nth(i).get_attribute("href"), "text": anchors.nth(i).inner_text()}
        for i in range(anchors.count())
    ]
    assert shown == post["links"]
    # Sanitised on the way out too: the links cannot act on the archive's behalf.
    assert all("nofollow" in (anchors.nth(i).get_attribute("rel") or "") for i in range(len(shown)))


def test_series_navigation_walks_the_parts_in_order(
    served: str, page: Any, demo_sites: DemoSites
) -> None:
    series = expected.series(demo_sites.urls)[0]
    titles = {p["url"]: p["title"] for p in expected.expected_posts(demo_sites.urls)}
    page.goto(f"{served}/posts/{_tilde(series['parts'][0])}")
    walked = []
    while True:
        nav = page.locator(f"nav.series-nav[aria-label='Series: {series['name']}']")
        walked.append(page.locator("article.post-reading h1").inner_text())
        following = nav.locator("a[rel=next]")
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state()
    assert walked == [titles[url] for url in series["parts"]]


def test_a_republished_copy_links_to_its_original_and_back(
    served: str, page: Any, demo_sites: DemoSites
) -> None:
    copy = next(p for p in expected.expected_posts(demo_sites.urls) if p["republished_from"])
    titles = {p["url"]: p["title"] for p in expected.expected_posts(demo_sites.urls)}
    page.goto(f"{served}/posts/{_tilde(copy['url'])}")
    page.locator("article.post-reading .duplicate-of a").click()
    page.wait_for_load_state()
    assert page.locator("article.post-reading h1").inner_text() == titles[copy["republished_from"]]
    back = page.locator("article.post-reading .duplicate-copies a")
    assert back.all_inner_texts() == [copy["title"]]


def test_other_tables_keep_datasettes_own_row_page(served: str, page: Any) -> None:
    page.goto(f"{served}/sites/1")
    assert page.locator("article.post-reading").count() == 0
    assert page.locator("table.rows-and-columns").count() == 1


def _tilde(value: str) -> str:
    from datasette.utils import tilde_encode

    encoded: str = tilde_encode(value)
    return encoded
