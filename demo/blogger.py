"""Render "Town Hall Tinkerer" with the markup of Blogger's Simple template.

URL layout: posts at ``/YYYY/MM/slug.html``; the home page shows the three newest posts in
full; older posts sit behind ``/search?updated-max=...`` which robots.txt disallows (as on
real Blogger), so a polite crawler finds them only in the Atom feed at ``/feeds/posts/default``.
Item pages carry no older/newer links and the sidebar has no archive widget, on purpose.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape
from urllib.parse import quote

from demo import town_hall_tinkerer
from demo.content import Post, inline_text
from demo.render import (
    ATOM,
    FeedItem,
    Page,
    excerpt,
    paragraphs_html,
    resolver,
    robots_txt,
    rss_feed,
)

SITE = town_hall_tinkerer.SITE
PER_PAGE = 3
BLOG_ID = "4812093365120773460"
OTHER_PATHS = ("/p/about.html",)
DISALLOWED = ("/search",)
ROBOTS = (
    "User-agent: Mediapartners-Google",
    "Disallow: ",
    "",
    "User-agent: *",
    "Disallow: /search",
    "Allow: /",
)
FEED_PATH = "/feeds/posts/default"


def post_id(post: Post) -> str:
    """Return the stable numeric Blogger id of ``post``."""
    digest = hashlib.sha1(post.slug.encode()).hexdigest()
    return str(int(digest[:16], 16) % 10**19).rjust(19, "7")


def post_path(post: Post) -> str:
    """Return the root-relative permalink of ``post``."""
    return f"/{post.published_at:%Y/%m}/{post.slug}.html"


def permalink(base: str, post: Post) -> str:
    """Return the absolute permalink of ``post`` on the site served at ``base``."""
    return base.rstrip("/") + post_path(post)


def listing_paths() -> list[str]:
    """Return the root-relative path of every listing page a polite crawler may fetch."""
    return ["/"]


def older_link(post: Post) -> str:
    """Return the disallowed "Older Posts" path for posts published before ``post``."""
    return f"/search?updated-max={quote(post.published, safe=':')}&max-results={PER_PAGE}"


def _blogger_date(moment: datetime) -> str:
    return f"{moment:%A}, {moment.day} {moment:%B %Y}"


def _shell(title: str, canonical: str, root: str, main: str, head: str = "") -> str:
    labels = Counter(t for p in SITE.posts for t in p.tags)
    label_items = "".join(
        f'<li><a dir="ltr" href="{root}/search/label/{quote(name)}">{escape(name)}</a>'
        f'<span dir="ltr"> ({count})</span></li>'
        for name, count in sorted(labels.items(), key=lambda kv: kv[0].lower())
    )
    return f"""<!DOCTYPE html>
<html class="v2" dir="ltr" lang="en-GB" xmlns="http://www.w3.org/1999/xhtml" \
xmlns:b="http://www.google.com/2005/gml/b" xmlns:data="http://www.google.com/2005/gml/data" \
xmlns:expr="http://www.google.com/2005/gml/expr">
<head>
<meta content="width=1100" name="viewport">
<meta content="text/html; charset=UTF-8" http-equiv="Content-Type">
<meta content="blogger" name="generator">
<link href="{root}/favicon.ico" rel="icon" type="image/x-icon">
<link href="{escape(canonical)}" rel="canonical">
<link rel="alternate" type="application/atom+xml" title="{escape(SITE.name)} - Atom" \
href="{root}{FEED_PATH}">
<link rel="alternate" type="application/rss+xml" title="{escape(SITE.name)} - RSS" \
href="{root}{FEED_PATH}?alt=rss">
{head}
<title>{escape(title)}</title>
<link type="text/css" rel="stylesheet" href="{root}/static/v1/widgets/2975350028-css_bundle_v2.css">
</head>
<body class="loading variant-simplysimple">
<div id="cookieChoiceInfo" class="cookie-choices-info" style="position: fixed; bottom: 0;">\
<div class="cookie-choices-inner"><span class="cookie-choices-text">This site uses cookies from \
Google to deliver its services and to analyse traffic.</span><span class="cookie-choices-buttons">\
<a href="https://policies.google.com/technologies/cookies" target="_blank" \
class="cookie-choices-button">Learn more</a><a id="cookieChoiceDismiss" href="#" \
class="cookie-choices-button">Ok</a></span></div></div>
<div class="content"><div class="content-outer"><div class="content-inner">
<header><div class="header-outer"><div class="header section" id="header"><div class="widget \
Header" id="Header1"><div id="header-inner"><div class="titlewrapper"><h1 class="title">\
<a href="{root}/">{escape(SITE.name)}</a></h1></div><div class="descriptionwrapper">\
<p class="description"><span>{escape(SITE.tagline)}</span></p></div></div></div></div></div>\
</header>
<div class="tabs-outer"><div class="tabs section" id="crosscol"><div class="widget PageList" \
id="PageList1"><div class="widget-content"><ul><li class="selected"><a href="{root}/">Home</a>\
</li><li><a href="{root}/p/about.html">About</a></li></ul></div></div></div></div>
<div class="main-outer"><div class="main-inner columns-fauxcolumns"><div class="columns-inner">
<div class="column-center-outer"><div class="column-center-inner"><div class="main section" \
id="main"><div class="widget Blog" id="Blog1">
{main}
</div></div></div></div>
<div class="column-right-outer"><div class="column-right-inner"><aside><div class="sidebar \
section" id="sidebar-right-1">
<div class="widget Profile" id="Profile1"><h2>About Me</h2><div class="widget-content">\
<dl class="profile-datablock"><dt class="profile-data"><a class="profile-name-link g-profile" \
href="https://www.blogger.com/profile/05550123456789" rel="author">Marion Pike</a></dt>\
<dd class="profile-textblock">Data and digital officer. Maps, spreadsheets, tea.</dd></dl>\
<a class="profile-link" href="https://www.blogger.com/profile/05550123456789" rel="author">View my \
complete profile</a></div></div>
<div class="widget Label" id="Label1"><h2>Labels</h2><div class="widget-content list-label-widget\
-content"><ul>{label_items}</ul></div></div>
<div class="widget BlogSearch" id="BlogSearch1"><h2 class="title">Search This Blog</h2>\
<div class="widget-content"><form action="{root}/search" target="_top"><input \
class="gsc-input" name="q" size="10" title="search" type="text"><input class="gsc-search-button" \
title="search" type="submit" value="Search"></form></div></div>
</div></aside></div></div>
</div></div></div>
<footer><div class="footer-outer"><div class="foot section" id="footer-3"><div class="widget \
Attribution" id="Attribution1"><div class="widget-content" style="text-align: center;">\
&copy; 2025 {escape(SITE.name)}. Simple theme. Powered by <a href="https://www.blogger.com" \
target="_blank">Blogger</a>.</div></div></div></div></footer>
</div></div></div>
</body>
</html>
"""


def _share_buttons(post: Post) -> str:
    pid = post_id(post)
    buttons = (
        ("sb-email", "email", "Email This"),
        ("sb-blog", "blog", "BlogThis!"),
        ("sb-twitter", "twitter", "Share to X"),
        ("sb-facebook", "facebook", "Share to Facebook"),
        ("sb-pinterest", "pinterest", "Share to Pinterest"),
    )
    links = "".join(
        f'<a class="goog-inline-block share-button {cls}" href="https://www.blogger.com/share-post.g'
        f'?blogID={BLOG_ID}&amp;postID={pid}&amp;target={target}" target="_blank" '
        f'title="{label}"><span class="share-button-link-text">{label}</span></a>'
        for cls, target, label in buttons
    )
    return f'<div class="post-share-buttons goog-inline-block">{links}</div>'


def _post(post: Post, bases: dict[str, str], *, item: bool) -> str:
    root = bases[SITE.key].rstrip("/")
    url = root + post_path(post)
    pid = post_id(post)
    title = escape(post.title) if item else f'<a href="{url}">{escape(post.title)}</a>'
    labels = ", ".join(
        f'<a href="{root}/search/label/{quote(t)}" rel="tag">{escape(t)}</a>' for t in post.tags
    )
    body = paragraphs_html(post.paragraphs, resolver(bases, SITE.key))
    return f"""<div class="post-outer">
<div class="post hentry uncustomized-post-template" itemprop="blogPost" itemscope="itemscope" \
itemtype="http://schema.org/BlogPosting">
<a name="{pid}"></a>
<h3 class="post-title entry-title" itemprop="name">{title}</h3>
<div class="post-header"><div class="post-header-line-1"></div></div>
<div class="post-body entry-content" id="post-body-{pid}" itemprop="description articleBody">
{body}
<div style="clear: both;"></div>
</div>
<div class="post-footer">
<div class="post-footer-line post-footer-line-1"><span class="post-author vcard">Posted by \
<span class="fn" itemprop="author" itemscope="itemscope" itemtype="http://schema.org/Person">\
<span itemprop="name">{escape(post.author)}</span></span></span> <span class="post-timestamp">\
at <meta content="{url}" itemprop="url"><a class="timestamp-link" href="{url}" rel="bookmark" \
title="permanent link"><abbr class="published" itemprop="datePublished" \
title="{post.published}">{post.published_at:%H:%M}</abbr></a></span> <span \
class="post-comment-link"><a class="comment-link" href="{url}#comment-form">No comments:</a>\
</span>{_share_buttons(post)}</div>
<div class="post-footer-line post-footer-line-2"><span class="post-labels">Labels: {labels}\
</span></div>
</div>
</div>
{_comments(post, url) if item else ""}
</div>"""


def _comments(post: Post, url: str) -> str:
    pid = post_id(post)
    return f"""<div class="comments" id="comments"><a name="comments"></a><h4>No comments:</h4>
<div id="Blog1_comments-block-wrapper"><dl class="avatar-comment-indent" id="comments-block"></dl>\
</div><p class="comment-footer"></p>
<div class="comment-form"><a name="comment-form"></a><h4 id="comment-post-message">Post a \
Comment</h4><p></p><a href="https://www.blogger.com/comment/frame/{BLOG_ID}?po={pid}" \
id="comment-editor-src"></a></div></div>"""


def _date_groups(posts: Sequence[Post], bases: dict[str, str], *, item: bool) -> str:
    groups = "\n".join(
        f"""<div class="date-outer"><h2 class="date-header"><span>\
{_blogger_date(p.published_at)}</span></h2>
<div class="date-posts">{_post(p, bases, item=item)}</div></div>"""
        for p in posts
    )
    return f'<div class="blog-posts hfeed">\n{groups}\n</div>'


def render_post(post: Post, bases: dict[str, str]) -> Page:
    """Return the item page of ``post``."""
    root = bases[SITE.key].rstrip("/")
    url = root + post_path(post)
    head = (
        f'<link rel="alternate" type="application/atom+xml" title="{escape(SITE.name)} - Atom" '
        f'href="{root}/feeds/{post_id(post)}/comments/default">\n'
        f'<meta content="{url}" property="og:url">\n'
        f'<meta content="{escape(post.title)}" property="og:title">\n'
        f'<meta content="{escape(excerpt(inline_text(post.paragraphs[0]), 25))}" '
        'property="og:description">'
    )
    main = f"""{_date_groups([post], bases, item=True)}
<div class="blog-pager" id="blog-pager"><a class="home-link" href="{root}/">Home</a></div>
<div class="clear"></div>
<div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" \
href="{root}/feeds/{post_id(post)}/comments/default" target="_blank" type="application/atom+xml">\
Post Comments (Atom)</a></div></div>"""
    html = _shell(f"{SITE.name}: {post.title}", url, root, main, head)
    return Page.html(html, last_modified=post.updated_at)


def _listing(posts: Sequence[Post], bases: dict[str, str], canonical: str, more: bool) -> Page:
    root = bases[SITE.key].rstrip("/")
    older = ""
    if more and posts:
        older = (
            f'<span id="blog-pager-older-link"><a class="blog-pager-older-link" '
            f'href="{root}{escape(older_link(posts[-1]))}" id="Blog1_blog-pager-older-link" '
            'title="Older Posts">Older Posts</a></span>'
        )
    main = f"""{_date_groups(posts, bases, item=False)}
<div class="blog-pager" id="blog-pager">{older}<a class="home-link" href="{root}/">Home</a></div>
<div class="clear"></div>
<div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" \
href="{root}{FEED_PATH}" target="_blank" type="application/atom+xml">Posts (Atom)</a></div></div>"""
    return Page.html(_shell(SITE.name, canonical, root, main))


def _search(path: str, query: dict[str, list[str]], bases: dict[str, str]) -> Page | None:
    root = bases[SITE.key].rstrip("/")
    posts = list(SITE.posts)
    if path.startswith("/search/label/"):
        label = path.removeprefix("/search/label/")
        posts = [p for p in posts if label in p.tags]
        if not posts:
            return None
    elif path != "/search":
        return None
    if "updated-max" in query:
        limit = datetime.fromisoformat(query["updated-max"][0].replace(" ", "+"))
        posts = [p for p in posts if p.published_at < limit]
    count = int(query.get("max-results", [str(PER_PAGE)])[0] or PER_PAGE)
    return _listing(posts[:count], bases, root + path, more=len(posts) > count)


def _entry(post: Post, bases: dict[str, str]) -> str:
    root = bases[SITE.key].rstrip("/")
    url = root + post_path(post)
    pid = post_id(post)
    cats = "".join(
        f'<category scheme="http://www.blogger.com/atom/ns#" term="{escape(t)}"/>'
        for t in post.tags
    )
    content = paragraphs_html(post.paragraphs, resolver(bases, SITE.key))
    return f"""<entry><id>tag:blogger.com,1999:blog-{BLOG_ID}.post-{pid}</id>\
<published>{post.published}</published><updated>{post.updated or post.published}</updated>{cats}
<title type="text">{escape(post.title)}</title>
<content type="html">{escape(content)}</content>
<link rel="replies" type="application/atom+xml" href="{root}/feeds/{pid}/comments/default" \
title="Post Comments"/>
<link rel="replies" type="text/html" href="{url}#comment-form" title="0 Comments"/>
<link rel="alternate" type="text/html" href="{url}" title="{escape(post.title)}"/>
<author><name>{escape(post.author)}</name><email>noreply@blogger.com</email></author>
<thr:total>0</thr:total></entry>"""


def atom_feed(bases: dict[str, str], posts: Sequence[Post], self_path: str) -> Page:
    """Return a Blogger Atom feed of ``posts``."""
    root = bases[SITE.key].rstrip("/")
    newest = max((p.updated_at for p in posts), default=SITE.posts[0].updated_at)
    cats = "".join(
        f'<category term="{escape(t)}"/>' for t in sorted({t for p in posts for t in p.tags})
    )
    entries = "\n".join(_entry(p, bases) for p in posts)
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" \
xmlns:openSearch="http://a9.com/-/spec/opensearchrss/1.0/" \
xmlns:blogger="http://schemas.google.com/blogger/2008" xmlns:gd="http://schemas.google.com/g/2005" \
xmlns:thr="http://purl.org/syndication/thread/1.0">
<id>tag:blogger.com,1999:blog-{BLOG_ID}</id><updated>{newest.isoformat()}</updated>{cats}
<title type="text">{escape(SITE.name)}</title>
<subtitle type="html">{escape(SITE.tagline)}</subtitle>
<link rel="http://schemas.google.com/g/2005#feed" type="application/atom+xml" \
href="{root}{self_path}"/>
<link rel="self" type="application/atom+xml" href="{root}{self_path}"/>
<link rel="alternate" type="text/html" href="{root}/"/>
<author><name>Marion Pike</name><email>noreply@blogger.com</email></author>
<generator version="7.00" uri="http://www.blogger.com">Blogger</generator>
<openSearch:totalResults>{len(posts)}</openSearch:totalResults>
<openSearch:startIndex>1</openSearch:startIndex><openSearch:itemsPerPage>25</openSearch:itemsPerPage>
{entries}
</feed>
"""
    return Page(200, ATOM, body.encode("utf-8"), newest)


def _rss(bases: dict[str, str]) -> Page:
    root = bases[SITE.key].rstrip("/")
    resolve = resolver(bases, SITE.key)
    items = [
        FeedItem(
            title=p.title,
            link=root + post_path(p),
            guid=f"tag:blogger.com,1999:blog-{BLOG_ID}.post-{post_id(p)}",
            published=p.published_at,
            updated=p.updated_at,
            author=p.author,
            categories=p.tags,
            summary=excerpt(inline_text(p.paragraphs[0])),
            content_html=paragraphs_html(p.paragraphs, resolve),
        )
        for p in SITE.posts
    ]
    return rss_feed(
        SITE.name, root + "/", f"{root}{FEED_PATH}?alt=rss", SITE.tagline, items, "Blogger"
    )


def render(path: str, query: dict[str, list[str]], bases: dict[str, str]) -> Page | None:
    """Return the response for ``path`` (and its query), or None for a 404."""
    root = bases[SITE.key].rstrip("/")
    if path == "/robots.txt":
        return robots_txt(ROBOTS)
    if path == FEED_PATH:
        return (
            _rss(bases) if query.get("alt") == ["rss"] else atom_feed(bases, SITE.posts, FEED_PATH)
        )
    if path == "/":
        return _listing(SITE.posts[:PER_PAGE], bases, root + "/", more=len(SITE.posts) > PER_PAGE)
    if path.startswith("/search"):
        return _search(path, query, bases)
    if path == "/p/about.html":
        main = f"""<div class="blog-posts hfeed"><div class="post-outer"><div class="post hentry">
<h3 class="post-title entry-title">About</h3><div class="post-body entry-content">\
{"".join(f"<p>{escape(p)}</p>" for p in SITE.about)}</div></div></div></div>"""
        return Page.html(_shell(f"{SITE.name}: About", root + path, root, main))
    for post in SITE.posts:
        if path == post_path(post):
            return render_post(post, bases)
        if path == f"/feeds/{post_id(post)}/comments/default":
            return atom_feed(bases, [], path)
    return None
