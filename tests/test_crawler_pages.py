"""Page shapes: listings lead to posts, posts become FetchedPages, series pages SeriesListings."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import CrawlError, FetchedPage, SeriesListing
from crawler.pages import PageInfo, classify_page, is_crawlable, links_key
from crawler.spiders.blog import BlogSpider
from pipeline.extraction_pipeline import extract_page

SITE = "http://blog.example"
HEAD = (
    '<head><meta charset="utf-8"><title>Civic Lab</title>'
    '<meta property="og:site_name" content="Civic Lab Blog"></head>'
)


def make_spider(**kwargs: str) -> BlogSpider:
    crawler = get_crawler(BlogSpider, {"ROBOTSTXT_OBEY": False})
    return BlogSpider.from_crawler(crawler, urls=f"{SITE}/", **kwargs)


def response(path: str, body: str, meta: dict | None = None) -> HtmlResponse:
    url = SITE + path
    request = Request(url, meta={"source": "blog.example", "crawl_depth": 0, **(meta or {})})
    return HtmlResponse(
        url=url,
        body=body.encode("utf-8"),
        encoding="utf-8",
        request=request,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'},
    )


def run(spider: BlogSpider, resp: Response) -> tuple[list, list[Request]]:
    output = list(spider.parse_page(resp))
    items = [o for o in output if not isinstance(o, Request)]
    return items, [o for o in output if isinstance(o, Request)]


FULL_POSTS_HOME = f"""<html>{HEAD}<body class="home blog"><main>
<article class="post"><h2 class="entry-title"><a href="/one/">One</a></h2>
<time datetime="2024-01-01">1 Jan</time><p>All of post one.</p></article>
<article class="post"><h2 class="entry-title"><a href="/two/">Two</a></h2>
<time datetime="2024-01-02">2 Jan</time><p>All of post two.</p></article>
<article class="post"><h2 class="entry-title"><a href="/three/">Three</a></h2>
<time datetime="2024-01-03">3 Jan</time><p>All of post three.</p></article>
</main></body></html>"""


def test_listing_with_permalinked_full_posts_yields_no_record_only_requests():
    items, requests = run(make_spider(), response("/", FULL_POSTS_HOME))
    assert items == []
    urls = [r.url for r in requests]
    assert urls == [f"{SITE}/one/", f"{SITE}/two/", f"{SITE}/three/"]
    assert all(r.meta["source"] == "blog.example" for r in requests)
    assert all(r.meta["crawl_depth"] == 1 for r in requests)


NO_PERMALINKS = f"""<html>{HEAD}<body class="home"><main>
<div class="date-outer"><h2 class="date-header">Monday</h2>
 <div class="post hentry" id="post-111"><h3 class="post-title">Bins, mapped</h3>
 <p>We mapped every bin.</p></div></div>
<div class="date-outer"><h2 class="date-header">Sunday</h2>
 <div class="post hentry"><h3 class="post-title">Parks &amp; rec</h3>
 <p>Parks get sensors.</p></div></div>
</main></body></html>"""


def test_listing_without_permalinks_is_split_into_one_entry_per_post():
    items, _ = run(make_spider(), response("/", NO_PERMALINKS))
    assert [type(i) for i in items] == [FetchedPage, FetchedPage]
    first, second = items
    assert first.kind == second.kind == "entry"
    assert first.url == f"{SITE}/#post-111"
    assert second.url == f"{SITE}/#parks-rec"
    assert b"We mapped every bin." in first.body
    assert b"Parks get sensors." not in first.body
    # The listing's <head> travels with each entry so site metadata is still there.
    assert b'content="Civic Lab Blog"' in first.body


def test_entries_of_a_listing_without_permalinks_are_stored_under_their_fragments():
    # The listing declares its own canonical URL; each entry's record keeps its fragment.
    head = HEAD.replace("</head>", f'<link rel="canonical" href="{SITE}/"></head>')
    items, _ = run(make_spider(), response("/", NO_PERMALINKS.replace(HEAD, head)))
    records = [extract_page(page) for page in items]
    assert [r.url for r in records] == [f"{SITE}/#post-111", f"{SITE}/#parks-rec"]


POST = """<html><head><title>One</title>
<meta property="article:published_time" content="2024-01-01T10:00:00Z"></head>
<body class="single single-post"><main><article class="post hentry"><h1 class="entry-title">One</h1>
<p>Text.</p></article>
<aside class="widget"><article class="post"><a href="/two/">Two</a></article>
<article class="post"><a href="/three/">Three</a></article></aside>
<div id="comments"><article class="comment"><p>Nice</p></article>
<article class="comment"><p>Agreed</p></article></div>
</main></body></html>"""


def test_single_post_with_widgets_and_comments_yields_one_fetched_page():
    items, requests = run(make_spider(), response("/one/", POST))
    assert len(items) == 1
    page = items[0]
    assert isinstance(page, FetchedPage)
    assert (page.url, page.kind, page.status, page.source) == (
        f"{SITE}/one/",
        "post",
        200,
        "blog.example",
    )
    assert page.headers == {"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'}
    assert page.fetched_at.endswith("Z")
    assert {r.url for r in requests} >= {f"{SITE}/two/", f"{SITE}/three/"}


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        '"@graph":[{"@type":"BlogPosting","headline":"One"}]}</script>',
        '<meta property="og:type" content="article">',
    ],
)
def test_post_signals_make_a_post(head):
    html = f"<html><head>{head}</head><body><main><h1>One</h1><p>Text</p></main></body></html>"
    assert classify_page(f"{SITE}/one/", html).kind == "post"


def test_about_page_yields_nothing_but_its_links():
    html = """<html><head><title>About</title></head><body class="page">
    <main><h1>About us</h1><p>We are the team.</p><a href="/">Home</a></main></body></html>"""
    items, requests = run(make_spider(), response("/about/", html))
    assert items == []
    assert [r.url for r in requests] == [f"{SITE}/"]


def test_post_announcing_a_series_is_still_a_post():
    html = """<html><head><meta property="article:published_time" content="2024-01-01"></head>
    <body class="single-post"><article class="post"><h1>Starting a new blog series</h1>
    <p>Text</p></article></body></html>"""
    info = classify_page(f"{SITE}/new-series/", html)
    assert (info.kind, info.series) == ("post", None)


SERIES = f"""<html>{HEAD}<body class="archive category"><main>
<h1 class="page-title">Series: City data</h1>
<div class="archive-description"><p>A blog series on opening up data.</p></div>
<article class="post"><h2 class="entry-title"><a href="/part-1/">Part 1</a></h2></article>
<article class="post"><h2 class="entry-title"><a href="/part-2/">Part 2</a></h2></article>
</main></body></html>"""


def test_series_page_yields_series_listing_and_tags_its_posts():
    spider = make_spider()
    items, requests = run(spider, response("/category/city-data/", SERIES))
    assert items == [
        SeriesListing(
            name="City data",
            url=f"{SITE}/category/city-data/",
            source="blog.example",
            post_urls=[f"{SITE}/part-1/", f"{SITE}/part-2/"],
            description="A blog series on opening up data.",
        )
    ]
    part1 = next(r for r in requests if r.url == f"{SITE}/part-1/")
    assert part1.meta["listed_in_series"] == [("City data", f"{SITE}/category/city-data/")]
    post_html = POST.replace("One", "Part 1")
    (page,), _ = run(spider, response("/part-1/", post_html, meta=part1.meta))
    assert page.listed_in_series == [("City data", f"{SITE}/category/city-data/")]


@pytest.mark.parametrize(
    ("url", "html"),
    [
        (f"{SITE}/series/budgets/", "<h1>Budgets</h1><ol><li><a href='/b1/'>1</a></li></ol>"),
        (
            f"{SITE}/tag/x/",
            "<body class='tag'><h1>Budgets: a blog series</h1><article>"
            "<h2><a href='/b1/'>1</a></h2></article></body>",
        ),
        (
            f"{SITE}/b/",
            "<body class='archive series series-budgets'><h1>Budgets</h1><article>"
            "<h2><a href='/b1/'>1</a></h2></article></body>",
        ),
    ],
)
def test_series_signals_in_url_heading_and_body_class(url, html):
    info = classify_page(url, f"<html>{html}</html>")
    assert info.series is not None
    assert info.series.name == "Budgets"
    assert info.series.post_urls == [f"{SITE}/b1/"]


def test_series_patterns_from_sources_mark_series_pages():
    html = "<html><body class='archive'><h1>Topic: Budgets</h1><article><h2>"
    html += "<a href='/b1/'>1</a></h2></article></body></html>"
    assert classify_page(f"{SITE}/topics/budgets/", html).series is None
    info = classify_page(f"{SITE}/topics/budgets/", html, series_patterns=("/topics/",))
    assert info.series is not None
    assert info.series.name == "Budgets"


@pytest.mark.parametrize(
    "link",
    [
        '<a href="/page/2/">2</a>',
        '<a href="/older" rel="next">whatever</a>',
        '<a href="/older">Older posts</a>',
        '<a href="/older">Next »</a>',
        '<a class="blog-pager-older-link" href="/older">x</a>',
    ],
)
def test_pagination_links_are_found(link):
    info = classify_page(f"{SITE}/", f"<html><body class='home'>{link}</body></html>")
    assert len(info.next_pages) == 1


@pytest.mark.parametrize(
    "url",
    [
        f"{SITE}/wp-content/uploads/a.PNG",
        f"{SITE}/report.pdf",
        f"{SITE}/posts/one/index.md",  # a static engine's link to the post's source
        f"{SITE}/wp-admin/",
        f"{SITE}/wp-login.php",
        f"{SITE}/post/?replytocom=3",
        f"{SITE}/post/?share=twitter",
        f"{SITE}/comments/feed/",
        f"{SITE}/post/print/",
        "mailto:a@b.example",
    ],
)
def test_non_html_and_furniture_links_are_skipped(url):
    assert not is_crawlable(url)


def test_links_off_the_source_hosts_are_not_requested():
    html = '<html><body><a href="http://blog.example:8080/x/">other port</a>'
    html += '<a href="http://elsewhere.example/y/">other host</a><a href="/z/">ok</a></body></html>'
    _, requests = run(make_spider(), response("/about/", html))
    assert [r.url for r in requests] == [f"{SITE}/z/"]


def test_max_depth_stops_following_links():
    spider = make_spider(max_depth="1")
    _, requests = run(spider, response("/", FULL_POSTS_HOME, meta={"crawl_depth": 1}))
    assert requests == []


RSS = f"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><item><link>{SITE}/one/?utm_source=rss</link><dc:creator>A</dc:creator></item>
<item><link>http://elsewhere.example/two/</link></item></channel></rss>"""
ATOM = f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<link rel="next" href="{SITE}/feeds/posts/default?start-index=26"/>
<entry><link rel="replies" href="{SITE}/c/"/><link rel="alternate" type="text/html"
 href="{SITE}/2024/01/one.html"/></entry></feed>"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RSS, [f"{SITE}/one/"]),
        (ATOM, [f"{SITE}/2024/01/one.html", f"{SITE}/feeds/posts/default?start-index=26"]),
    ],
)
def test_feed_items_are_followed_at_depth_one(body, expected):
    spider = make_spider()
    request = Request(f"{SITE}/feed/", meta={"source": "blog.example"})
    resp = XmlResponse(url=request.url, body=body.encode(), request=request)
    requests = list(spider.parse_feed(resp))
    assert [r.url for r in requests] == expected
    assert requests[0].meta["crawl_depth"] == 1


def test_atom_updated_and_sitemap_lastmod_travel_with_the_post_request():
    spider = make_spider()
    atom = ATOM.replace("</entry>", "<updated>2024-01-05T10:00:00Z</updated></entry>")
    request = Request(f"{SITE}/feed/", meta={"source": "blog.example"})
    feed = list(
        spider.parse_feed(XmlResponse(url=request.url, body=atom.encode(), request=request))
    )
    assert feed[0].meta["lastmod"] == "2024-01-05T10:00:00Z"
    assert "lastmod" not in feed[1].meta  # the next feed page
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{SITE}/a/</loc><lastmod>2024-02-01</lastmod></url>"
        f"<url><loc>{SITE}/b/</loc></url></urlset>"
    )
    request = Request(f"{SITE}/sitemap.xml", meta={"source": "blog.example"})
    found = list(
        spider.parse_sitemap(XmlResponse(url=request.url, body=sitemap.encode(), request=request))
    )
    assert [(r.url, r.meta.get("lastmod")) for r in found] == [
        (f"{SITE}/a/", "2024-02-01"),
        (f"{SITE}/b/", None),
    ]


def failure_for(request: Request, status: int) -> Failure:
    resp = HtmlResponse(url=request.url, status=status, body=b"", request=request)
    failure = Failure(HttpError(resp, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_404_on_a_probed_feed_path_is_not_an_error():
    spider = make_spider()
    probe = next(
        r
        for r in spider._start_requests(spider.sources["blog.example"])
        if r.url.endswith("/rss.xml")
    )
    assert list(spider.on_error(failure_for(probe, 404))) == []


def test_404_on_a_linked_page_is_a_crawl_error():
    spider = make_spider()
    request = Request(f"{SITE}/gone/", meta={"source": "blog.example", "expect": "content"})
    assert list(spider.on_error(failure_for(request, 404))) == [
        CrawlError(url=f"{SITE}/gone/", stage="fetch", message="HTTP 404", source="blog.example")
    ]


def test_links_record_keeps_where_a_page_leads_without_its_html() -> None:
    listing = (
        '<html><body class="blog"><article class="post" id="a"><h2>First</h2><p>x</p></article>'
        '<article class="post"><h2><a href="/two/">Second</a></h2></article>'
        '<a rel="next" href="/page/2/">Older</a><a href="/about/">About</a>'
        '<link rel="alternate" type="application/rss+xml" href="/feed/"></body></html>'
    )
    info = classify_page("https://blog.example/", listing)
    record = PageInfo.from_links_record(info.links_record())
    assert len(info.entries) == 2
    assert info.links
    assert "<article" not in str(info.links_record())
    assert (record.kind, record.next_pages, record.feeds, record.links) == (
        info.kind,
        info.next_pages,
        info.feeds,
        info.links,
    )
    assert [(e.permalink, e.anchor, e.title) for e in record.entries] == [
        (e.permalink, e.anchor, e.title) for e in info.entries
    ]


def test_links_key_changes_with_the_source_patterns() -> None:
    assert links_key((), ()) == links_key((), ())
    assert links_key((r"/\d{4}/",), ()) != links_key((), ())
    assert links_key((), ("/series/",)) != links_key((), ())
