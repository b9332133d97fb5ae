"""Post, listing or other, and the post's metadata, on pages cut from real engines' output.

Each fixture in ``tests/fixtures/classify/`` is a page as a real blog engine with its shipped
theme wrote it (the sibling JSON names the engine, the URL it was served at and what it is).
None of them declares what the project's own fixtures declare: they are the themes the
classifier used to miss.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.selector import Selector
from scrapy.utils.test import get_crawler

from crawler.evidence import SiteEvidence, byline, url_shape
from crawler.items import FetchedPage
from crawler.pages import classify_page, settle
from crawler.spiders.blog import BlogSpider
from pipeline.document import parse_html
from pipeline.extract import extract_post
from pipeline.metadata import read_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "classify"
# Pages the engine matrix cut from its builds (python -m tests.engines.fixtures).
ENGINE_FIXTURES = Path(__file__).parent / "fixtures" / "engines"
PAGES = {p.stem: p for d in (FIXTURES, ENGINE_FIXTURES) for p in sorted(d.glob("*.html"))}
NAMES = sorted(PAGES)
# Fields a theme does not show: the page cannot tell them (minima prints no tags).
NOT_SHOWN = {"jekyll-minima-post": {"tags"}}


def fixture(name: str) -> tuple[dict, bytes]:
    page = PAGES[name]
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return expected, page.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_real_engine_page_is_classified_by_its_structure(name: str) -> None:
    expected, html = fixture(name)
    info = classify_page(expected["url"], html)
    evidence = [(e.signal, e.weight, e.detail) for e in info.evidence]
    assert info.settled == expected.get("settled", info.settled), evidence
    if not info.settled and "settled" not in expected:
        # A crawl weighs it against the site's posts: the engine's post fixture stands for them.
        post = next(n for n in NAMES if n.startswith(expected["engine"]) and n.endswith("-post"))
        settle(info, expected["url"], site_of(fixture(post)[0]["url"]))
    assert info.kind == expected["kind"], f"{name} ({expected['engine']}): {info.evidence}"


def site_of(*post_urls: str) -> SiteEvidence:
    site = SiteEvidence()
    for url in post_urls:
        site.learn_post(url)
    return site


@pytest.mark.parametrize("name", [n for n in NAMES if "title" in fixture(n)[0]])
def test_real_engine_post_metadata_is_read_from_visible_markup(name: str) -> None:
    expected, html = fixture(name)
    record = extract_post(html, expected["url"])
    found = {
        "title": record.title,
        "author": record.author,
        "published": (record.published or "")[:10],
        "tags": sorted(record.tags),
    }
    shown = {k: v for k, v in expected.items() if k in found and k not in NOT_SHOWN.get(name, ())}
    wanted = {k: sorted(v) if k == "tags" else v for k, v in shown.items()}
    assert {k: found[k] for k in wanted} == wanted, f"{name} ({expected['engine']})"


def test_mkdocs_material_post_date_is_its_sidebar_time() -> None:
    # The only date sits in a sidebar <time datetime> outside the <article>; nothing declares it.
    expected, html = fixture("mkdocs-material-post")
    meta = read_metadata(parse_html(html), expected["url"])
    assert meta.published == "2025-01-20T00:00:00+00:00"
    assert meta.author == "Declan Hughes"  # the post's author link, not the menu of authors
    assert meta.tags == ["budgets"]  # <span class="md-tag">
    assert meta.title == "Ward budgets, part 1: where the money goes"  # without its "¶"


def test_mkdocs_material_post_without_its_sidebar_date_and_byline_is_not_settled() -> None:
    # The mechanism off: the same page without the evidence outside the <article>.
    expected, html = fixture("mkdocs-material-post")
    sidebar_start = html.index(b'<div class="md-sidebar md-sidebar--post"')
    sidebar_end = html.index(b'<article class="md-content__inner')
    info = classify_page(expected["url"], html[:sidebar_start] + html[sidebar_end:])
    assert (info.kind, info.settled) == ("post", False), info.evidence
    assert classify_page(expected["url"], html).settled


def test_pelican_post_footer_credit_is_not_its_author() -> None:
    # notmyidea's footer is an <address class="vcard">: "Proudly powered by Pelican".
    expected, html = fixture("pelican-notmyidea-post")
    meta = read_metadata(parse_html(html), expected["url"])
    assert meta.author == "Amara Okafor"


def test_body_class_home_on_every_page_does_not_make_a_post_a_listing() -> None:
    expected, html = fixture("pelican-notmyidea-post")
    assert b'<body id="index" class="home">' in html
    assert classify_page(expected["url"], html).kind == "post"


def test_author_archive_wrapped_in_one_article_is_a_listing_and_yields_nothing() -> None:
    expected, html = fixture("nikola-bootblog4-author")
    spider = BlogSpider.from_crawler(
        get_crawler(BlogSpider, {"ROBOTSTXT_OBEY": False}), urls="http://site.example/"
    )
    request = Request(expected["url"], meta={"source": "site.example", "crawl_depth": 0})
    response = HtmlResponse(expected["url"], body=html, encoding="utf-8", request=request)
    output = list(spider.parse_page(response))
    assert not [o for o in output if isinstance(o, FetchedPage)]
    assert {r.url for r in output if isinstance(r, Request)} >= {
        "http://site.example/posts/repairs-form/"
    }


def spider_response(url: str, html: bytes, **meta: object) -> HtmlResponse:
    request = Request(url, meta={"source": "site.example", "crawl_depth": 1, **meta})
    return HtmlResponse(url, body=html, encoding="utf-8", request=request)


def test_page_declared_an_article_is_not_a_post_when_the_sites_posts_live_elsewhere() -> None:
    # Nikola declares og:type article and a build-time published_time on its About page.
    spider = BlogSpider.from_crawler(
        get_crawler(BlogSpider, {"ROBOTSTXT_OBEY": False}), urls="http://site.example/"
    )
    post, post_html = fixture("nikola-bootblog4-post")
    about, about_html = fixture("nikola-bootblog4-about")
    # Reached before any post: asked again later, at the lowest priority.
    [again] = [o for o in spider.parse_page(spider_response(about["url"], about_html))]
    assert isinstance(again, Request)
    assert again.meta["settle_late"]
    assert again.dont_filter
    items = list(spider.parse_page(spider_response(post["url"], post_html)))
    assert [i.url for i in items if isinstance(i, FetchedPage)] == [post["url"]]
    late = list(spider.parse_page(spider_response(about["url"], about_html, settle_late=True)))
    assert not [i for i in late if isinstance(i, FetchedPage)]


def test_url_shape_of_the_sites_posts_settles_a_sibling() -> None:
    about, about_html = fixture("nikola-bootblog4-about")
    site = SiteEvidence()
    assert classify_page(about["url"], about_html, site=site).settled is False
    site.learn_post("http://site.example/pages/other/")
    info = classify_page(about["url"], about_html, site=site)
    assert (info.kind, info.settled) == ("post", True)
    assert url_shape(about["url"]) == "/pages/*/"


def test_block_theme_byline_is_the_post_author_block_never_the_commenter() -> None:
    # twentytwentythree: the byline is <p class="wp-block-post-author__name"> after the
    # content; a comment by another person sits further down the same page.
    expected, html = fixture("wordpress-twentytwentythree-post")
    text = html.decode("utf-8")
    assert "Gwendolyn Marsh" in text
    url = expected["url"]
    assert read_metadata(parse_html(html), url).author == "Amara Okafor"
    start = text.index('<div class="wp-block-post-author">')
    end = text.index("</div>", text.index('<p class="wp-block-post-author__name">')) + 12
    without_byline = text[:start] + text[end:]
    assert "wp-block-post-author__name" not in without_byline
    assert read_metadata(parse_html(without_byline), url).author is None


def test_magazine_post_without_declared_metadata_is_a_post_with_its_byline_and_date() -> None:
    # The project's magazine page with its JSON-LD and OpenGraph article tags taken out: only
    # the headline, the "By NAME and NAME | date" byline and the text are left to go by.
    pages = Path(__file__).parent / "fixtures" / "pages"
    url = json.loads((pages / "magazine-pothole-reporting.json").read_text())["url"]
    html = (pages / "magazine-pothole-reporting.html").read_text(encoding="utf-8")
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    html = re.sub(r'<meta property="(og:type|article:\w+)"[^>]*>', "", html)
    assert "BlogPosting" not in html
    assert "article:published_time" not in html
    info = classify_page(url, html)
    assert (info.kind, info.settled) == ("post", True), info.evidence
    meta = read_metadata(parse_html(html), url)
    assert (meta.author, meta.published) == ("Hannah Lowe; Dev Mistry", "2024-06-11T06:00:00+00:00")


def test_the_sites_feed_naming_a_page_settles_it_as_a_post() -> None:
    expected, html = fixture("mkdocs-material-post")
    start = html.index(b'<div class="md-sidebar md-sidebar--post"')
    bare = html[:start] + html[html.index(b'<article class="md-content__inner') :]
    spider = BlogSpider.from_crawler(
        get_crawler(BlogSpider, {"ROBOTSTXT_OBEY": False}), urls="http://site.example/"
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<item><link>{expected['url']}</link></item></channel></rss>"
    )
    request = Request("http://site.example/feed_rss_created.xml", meta={"source": "site.example"})
    list(spider.parse_feed(XmlResponse(request.url, body=feed.encode(), request=request)))
    site = spider.site_evidence["site.example"]
    assert classify_page(expected["url"], bare).settled is False
    info = classify_page(expected["url"], bare, site=site)
    assert (info.kind, info.settled) == ("post", True)
    assert "in-feed" in {e.signal for e in info.evidence}


@pytest.mark.parametrize("block", ["wp-block-comments", "post-comments", "article-comments"])
def test_a_byline_in_any_themes_comments_block_is_not_the_posts(block: str) -> None:
    # A comment's "By NAME" is the commenter's; the block is named by the theme's prefix.
    def page(css: str) -> str:
        comment = '<p class="byline">By <a href="/author/gwen/">Gwen Marsh</a></p>'
        post = "<article><h1>A post</h1><p>Text.</p></article>"
        return f'<html><body>{post}<div class="{css}">{comment}</div></body></html>'

    url = "http://site.example/2025/01/10/a-post/"
    assert byline(Selector(text=page(block)), url) is None
    # The mechanism off: the same block under a name that says nothing of comments.
    assert byline(Selector(text=page("post-notes")), url) is not None
    # A state class on the page's own element is no comments block.
    stated = page("post-notes").replace("<body>", '<body class="single has-comments">')
    assert byline(Selector(text=stated), url) is not None
