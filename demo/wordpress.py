"""Render "Civic Lab Notes" with the markup of a WordPress theme and its usual plugins.

URL layout: posts at ``/YYYY/MM/DD/slug/``, home pagination ``/page/N/``, archives under
``/category/``, ``/tag/``, ``/author/``, ``/YYYY/MM/`` and ``/series/creative-councils/``,
RSS at ``/feed/`` (newest four posts only), ``/private/`` disallowed by robots.txt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from demo import civic_lab_notes
from demo.content import Post, inline_text, slugify
from demo.render import (
    FeedItem,
    Page,
    excerpt,
    long_date,
    paragraphs_html,
    resolver,
    robots_txt,
    rss_feed,
)
from demo.wordpress_plugins import (
    COOKIE_BANNER,
    NEWSLETTER,
    RelatedPost,
    comments_area,
    related_posts,
    share_bar,
)

SITE = civic_lab_notes.SITE
PER_PAGE = 3
FEED_ITEMS = 4
SERIES_PATH = f"/series/{civic_lab_notes.SERIES_SLUG}/"
OTHER_PATHS = ("/about/", civic_lab_notes.PRIVATE_PATH)
DISALLOWED = ("/private/",)
ROBOTS = ("User-agent: *", "Disallow: /private/", "Crawl-delay: 0")


def post_path(post: Post) -> str:
    """Return the root-relative permalink of ``post``."""
    return f"/{post.published_at:%Y/%m/%d}/{post.slug}/"


def permalink(base: str, post: Post) -> str:
    """Return the absolute permalink of ``post`` on the site served at ``base``."""
    return base.rstrip("/") + post_path(post)


def _archives() -> dict[str, tuple[str, list[Post]]]:
    """Return every paginated archive: root-relative path -> (heading, posts newest first)."""
    found: dict[str, tuple[str, list[Post]]] = {}
    for post in SITE.posts:
        keys = [
            (f"/category/{slugify(post.category)}/", post.category),
            (f"/author/{slugify(post.author)}/", post.author),
            (f"/{post.published_at:%Y/%m}/", long_date(post.published_at).split(" ", 1)[1]),
            *((f"/tag/{slugify(tag)}/", tag) for tag in post.tags),
        ]
        for path, heading in keys:
            found.setdefault(path, (heading, []))[1].append(post)
    return found


ARCHIVES = _archives()


def _pages(posts: Sequence[Post]) -> int:
    return max(1, -(-len(posts) // PER_PAGE))


def listing_paths() -> list[str]:
    """Return the root-relative path of every listing page the site serves."""
    paths = ["/", *(f"/page/{n}/" for n in range(2, _pages(SITE.posts) + 1)), SERIES_PATH]
    for path, (_, posts) in ARCHIVES.items():
        paths += [path, *(f"{path}page/{n}/" for n in range(2, _pages(posts) + 1))]
    return paths


def _head(title: str, canonical: str, root: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<meta name="robots" content="index, follow, max-image-preview:large">
<link rel="canonical" href="{escape(canonical)}">
<meta property="og:locale" content="en_GB">
<meta property="og:site_name" content="{escape(SITE.name)}">
{extra}
<link rel="alternate" type="application/rss+xml" title="{escape(SITE.name)} &raquo; Feed" \
href="{root}/feed/">
<link rel="stylesheet" id="civic-style-css" \
href="{root}/wp-content/themes/civic/style.css?ver=2.4" media="all">
<link rel="stylesheet" id="cookie-law-info-css" \
href="{root}/wp-content/plugins/cookie-law-info/lite/frontend/css/script.min.css?ver=3.1.8">
<meta name="generator" content="WordPress 6.4.3">
</head>"""


def _header(root: str) -> str:
    menu = [
        ("/", "Home"),
        (SERIES_PATH, "Creative Councils"),
        ("/category/digital/", "Digital"),
        ("/category/health-and-care/", "Health and care"),
        ("/about/", "About"),
    ]
    items = "".join(
        f'<li class="menu-item menu-item-type-custom"><a href="{root}{p}">{escape(t)}</a></li>'
        for p, t in menu
    )
    return f"""<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{root}/" rel="home">\
{escape(SITE.name)}</a></p><p class="site-description">{escape(SITE.tagline)}</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">
<ul id="primary-menu" class="menu">{items}</ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">"""


def _sidebar_and_footer(root: str) -> str:
    recent = "".join(
        f'<li><a href="{root}{post_path(p)}">{escape(p.title)}</a></li>' for p in SITE.posts[:5]
    )
    months = "".join(
        f'<li><a href="{root}{path}">{escape(heading)}</a></li>'
        for path, (heading, _) in ARCHIVES.items()
        if path[1].isdigit()
    )
    cats = "".join(
        f'<li class="cat-item"><a href="{root}{path}">{escape(heading)}</a></li>'
        for path, (heading, _) in ARCHIVES.items()
        if path.startswith("/category/")
    )
    private = civic_lab_notes.PRIVATE_PATH
    return f"""</main></div>
<aside id="secondary" class="widget-area" role="complementary">
<section id="search-2" class="widget widget_search"><form role="search" method="get" \
class="search-form" action="{root}/"><label><span class="screen-reader-text">Search for:</span>\
<input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s">\
</label><input type="submit" class="search-submit" value="Search"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">\
Recent Posts</h2><ul>{recent}</ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2>\
<ul>{months}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories\
</h2><ul>{cats}</ul></section>
<section id="text-3" class="widget widget_text"><h2 class="widget-title">Staff area</h2>\
<div class="textwidget"><p><a href="{root}{private}">Team rota and cover</a></p></div></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; 2025 {escape(SITE.name)}.\
 <a href="https://wordpress.org/">Proudly powered by WordPress</a></div></footer>
</div>
</body>
</html>
"""


def _shell(
    title: str, body_class: str, canonical: str, root: str, main: str, head: str = ""
) -> str:
    return (
        f'{_head(title, canonical, root, head)}\n<body class="{body_class}">\n{COOKIE_BANNER}\n'
        f"{_header(root)}\n{main}\n{_sidebar_and_footer(root)}"
    )


def _byline(post: Post, url: str, root: str) -> str:
    updated = ""
    if post.updated:
        updated = (
            f'<time class="updated" datetime="{post.updated}">{long_date(post.updated_at)}</time>'
        )
    return (
        f'<div class="entry-meta"><span class="posted-on">Posted on <a href="{url}" rel="bookmark">'
        f'<time class="entry-date published" datetime="{post.published}">'
        f"{long_date(post.published_at)}</time>{updated}</a></span>"
        f'<span class="byline"> by <span class="author vcard"><a class="url fn n" '
        f'href="{root}/author/{slugify(post.author)}/">{escape(post.author)}</a></span></span></div>'
    )


def _post_classes(post: Post) -> str:
    classes = [
        f"post-{post.post_id}",
        "post type-post status-publish format-standard hentry",
        f"category-{slugify(post.category)}",
        *(f"tag-{slugify(t)}" for t in post.tags),
    ]
    if post.series:
        classes.append(f"series-{slugify(post.series)}")
    return " ".join(classes)


def _series_box(post: Post, root: str) -> tuple[str, str]:
    """Return the Organize Series meta box and part navigation for a series part."""
    if not post.series:
        return "", ""
    meta = (
        f'<div class="seriesmeta">This entry is part {post.part} of {post.total} in the series '
        f'<a href="{root}{SERIES_PATH}" class="series-9" title="{escape(post.series)}">'
        f"{escape(post.series)}</a></div>"
    )
    parts = SITE.series_parts(post.series)
    i = parts.index(post)
    left = parts[i - 1] if i > 0 else None
    right = parts[i + 1] if i + 1 < len(parts) else None
    nav = '<div class="wp-post-series-nav"><span class="series-nav-label">Series Navigation</span>'
    if left:
        nav += (
            f'<span class="series-nav-left"><a href="{root}{post_path(left)}">'
            f"&laquo; {escape(left.title)}</a></span>"
        )
    if right:
        nav += (
            f'<span class="series-nav-right"><a href="{root}{post_path(right)}">'
            f"{escape(right.title)} &raquo;</a></span>"
        )
    return meta, nav + "</div>"


def _flair(post: Post, url: str, root: str) -> str:
    others = [p for p in SITE.posts if p is not post]
    related = sorted(others, key=lambda p: p.category != post.category)[:3]
    items = [
        RelatedPost(root + post_path(p), p.title, long_date(p.published_at), p.category, p.post_id)
        for p in related
    ]
    return share_bar(url) + "\n" + related_posts(items)


def _comments(post: Post, url: str, root: str) -> str:
    index = SITE.posts.index(post)
    pool = SITE.comments
    chosen = (pool[index % len(pool)], pool[(index + 1) % len(pool)])
    return comments_area(post.post_id, post.title, post.published_at, url, root, chosen)


def _post_nav(post: Post, root: str) -> str:
    i = SITE.posts.index(post)
    older = SITE.posts[i + 1] if i + 1 < len(SITE.posts) else None
    newer = SITE.posts[i - 1] if i > 0 else None
    links = ""
    if older:
        links += (
            f'<div class="nav-previous"><a href="{root}{post_path(older)}" rel="prev"><span '
            f'class="meta-nav">Previous post</span> {escape(older.title)}</a></div>'
        )
    if newer:
        links += (
            f'<div class="nav-next"><a href="{root}{post_path(newer)}" rel="next"><span '
            f'class="meta-nav">Next post</span> {escape(newer.title)}</a></div>'
        )
    return (
        '<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">'
        f'Post navigation</h2><div class="nav-links">{links}</div></nav>'
    )


def render_post(post: Post, bases: dict[str, str]) -> Page:
    """Return the single-post page of ``post``."""
    root = bases[SITE.key].rstrip("/")
    url = root + post_path(post)
    resolve = resolver(bases, SITE.key)
    meta, series_nav = _series_box(post, root)
    description = excerpt(inline_text(post.paragraphs[0]), 25)
    terms = [(f"/category/{slugify(post.category)}/", post.category, "category tag")]
    tags = ", ".join(
        f'<a href="{root}/tag/{slugify(t)}/" rel="tag">{escape(t)}</a>' for t in post.tags
    )
    head = (
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(post.title)}">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="og:description" content="{escape(description)}">\n'
        f'<meta property="article:published_time" content="{post.published}">\n'
        f'<meta property="article:modified_time" content="{post.updated or post.published}">\n'
        f'<meta name="author" content="{escape(post.author)}">\n'
        f'<link rel="shortlink" href="{root}/?p={post.post_id}">'
    )
    main = f"""<article id="post-{post.post_id}" class="{_post_classes(post)}">
<header class="entry-header"><h1 class="entry-title">{escape(post.title)}</h1>
{_byline(post, url, root)}</header>
<div class="entry-content">
{meta}
{paragraphs_html(post.paragraphs, resolve)}
{series_nav}
{NEWSLETTER}
{_flair(post, url, root)}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="{root}{terms[0][0]}" \
rel="category tag">{escape(post.category)}</a></span> <span class="tags-links">Tagged {tags}</span>\
</footer>
</article>
{_post_nav(post, root)}
{_comments(post, url, root)}"""
    classes = (
        f"post-template-default single single-post postid-{post.post_id} single-format-standard"
    )
    html = _shell(f"{post.title} | {SITE.name}", classes, url, root, main, head)
    return Page.html(html, last_modified=post.updated_at)


def _teaser(post: Post, root: str, label: str = "") -> str:
    url = root + post_path(post)
    return f"""<article id="post-{post.post_id}" class="{_post_classes(post)}">
<header class="entry-header">{label}<h2 class="entry-title"><a href="{url}" rel="bookmark">\
{escape(post.title)}</a></h2>
{_byline(post, url, root)}</header>
<div class="entry-summary"><p>{escape(excerpt(inline_text(post.paragraphs[0])))}</p>
<p><a class="more-link" href="{url}">Continue reading<span class="screen-reader-text"> \
&ldquo;{escape(post.title)}&rdquo;</span></a></p></div>
</article>"""


def _listing(
    heading: str, posts: Sequence[Post], base_path: str, page: int, classes: str, root: str
) -> Page | None:
    pages = _pages(posts)
    if page < 1 or page > pages:
        return None

    def page_url(n: int) -> str:
        return root + (base_path if n == 1 else f"{base_path}page/{n}/")

    chunk = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
    links = []
    head = []
    if page > 1:
        links.append(f'<a class="prev page-numbers" href="{page_url(page - 1)}">Newer posts</a>')
        head.append(f'<link rel="prev" href="{page_url(page - 1)}">')
    for n in range(1, pages + 1):
        if n == page:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            links.append(f'<a class="page-numbers" href="{page_url(n)}">{n}</a>')
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{page_url(page + 1)}">Older posts</a>')
        head.append(f'<link rel="next" href="{page_url(page + 1)}">')
    title_h = (
        ""
        if base_path == "/"
        else f'<header class="page-header"><h1 class="page-title">{escape(heading)}</h1></header>'
    )
    main = (
        title_h
        + "\n".join(_teaser(p, root) for p in chunk)
        + '\n<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">'
        f'Posts navigation</h2><div class="nav-links">{"".join(links)}</div></nav>'
    )
    if base_path == "/":
        title = f"{SITE.name} | {SITE.tagline}" if page == 1 else f"{SITE.name} | Page {page}"
    else:
        title = f"{heading} Archives | {SITE.name}"
    if page > 1:
        classes += f" paged paged-{page}"
    return Page.html(_shell(title, classes, page_url(page), root, main, "\n".join(head)))


def render_series(root: str) -> Page:
    """Return the Organize Series archive page, parts in series order."""
    parts = SITE.series_parts(civic_lab_notes.SERIES)
    items = "\n".join(
        _teaser(p, root, f'<span class="series-part">Part {p.part} of {p.total}</span>')
        for p in parts
    )
    main = f"""<header class="page-header">\
<h1 class="page-title">Series: {escape(civic_lab_notes.SERIES)}</h1>
<div class="archive-description"><p>{escape(civic_lab_notes.SERIES_DESCRIPTION)}</p></div></header>
{items}"""
    classes = f"archive tax-series term-{civic_lab_notes.SERIES_SLUG} term-9"
    return Page.html(
        _shell(
            f"{civic_lab_notes.SERIES} Archives | {SITE.name}",
            classes,
            root + SERIES_PATH,
            root,
            main,
        )
    )


def _static_page(title: str, paragraphs: Sequence[str], path: str, root: str, page_id: int) -> Page:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    classes = f"post-{page_id} page type-page status-publish hentry"
    main = f"""<article id="post-{page_id}" class="{classes}">
<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1></header>
<div class="entry-content">{body}</div></article>"""
    body_classes = f"page-template-default page page-id-{page_id}"
    return Page.html(_shell(f"{title} | {SITE.name}", body_classes, root + path, root, main))


def feed(bases: dict[str, str]) -> Page:
    """Return the RSS 2.0 feed of the newest posts."""
    root = bases[SITE.key].rstrip("/")
    resolve = resolver(bases, SITE.key)
    items = [
        FeedItem(
            title=p.title,
            link=root + post_path(p),
            guid=f"{root}/?p={p.post_id}",
            published=p.published_at,
            updated=p.updated_at,
            author=p.author,
            categories=[p.category, *p.tags],
            summary=excerpt(inline_text(p.paragraphs[0])),
            content_html=paragraphs_html(p.paragraphs, resolve),
        )
        for p in SITE.posts[:FEED_ITEMS]
    ]
    return rss_feed(
        SITE.name,
        root + "/",
        root + "/feed/",
        SITE.tagline,
        items,
        "https://wordpress.org/?v=6.4.3",
    )


def _route_listing(path: str, root: str) -> Page | None:
    base_path, page = path, 1
    head, sep, tail = path.rpartition("/page/")
    if sep and tail.rstrip("/").isdigit():
        base_path, page = head + "/", int(tail.rstrip("/"))
        if page == 1:
            return Page.redirect(root + base_path)
    if base_path == "/":
        return _listing(SITE.name, SITE.posts, "/", page, "home blog", root)
    if base_path in ARCHIVES:
        heading, posts = ARCHIVES[base_path]
        kind = base_path.split("/")[1]
        classes = (
            "archive date" if kind.isdigit() else f"archive {kind} {kind}-{base_path.split('/')[2]}"
        )
        return _listing(heading, posts, base_path, page, classes, root)
    return None


def render(path: str, query: dict[str, list[str]], bases: dict[str, str]) -> Page | None:
    """Return the response for ``path`` (and its query), or None for a 404."""
    root = bases[SITE.key].rstrip("/")
    if path == "/robots.txt":
        return robots_txt(ROBOTS)
    if path == "/" and "p" in query:
        for post in SITE.posts:
            if str(post.post_id) == query["p"][0]:
                return Page.redirect(root + post_path(post))
        return None
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        target = render(path + "/", query, bases)
        return Page.redirect(root + path + "/") if target and target.status == 200 else None
    if path == "/feed/":
        return feed(bases)
    if path == SERIES_PATH:
        return render_series(root)
    if path == "/about/":
        return _static_page("About", SITE.about, path, root, 2)
    if path == civic_lab_notes.PRIVATE_PATH:
        return _static_page("Team rota", (civic_lab_notes.PRIVATE_MARKER,), path, root, 7)
    for post in SITE.posts:
        if path == post_path(post):
            return render_post(post, bases)
    return _route_listing(path, root)


RenderFn = Callable[[str, dict[str, list[str]], dict[str, str]], Page | None]
