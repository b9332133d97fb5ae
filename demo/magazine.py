"""Render "Local Gov Innovation Review" with the markup of a Drupal magazine theme.

URL layout: articles at ``/features/<slug>``, listing ``/features`` with ``?page=1`` (Drupal
counts pages from 0), topic pages ``/topics/<slug>``, ``robots.txt`` naming ``/sitemap.xml``,
a sitemap index pointing at ``/sitemap-articles.xml`` and ``/sitemap-pages.xml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from demo import innovation_review, wordpress
from demo.content import Post, slugify
from demo.render import XML, Page, json_ld, long_date, paragraphs_html, resolver, robots_txt

SITE = innovation_review.SITE
PER_PAGE = 4
SECTION = "Features"
OTHER_PATHS = ("/about", "/cookie-policy")
DISALLOWED = ("/user/login", "/search/")
TOPICS = {slugify(t): t for p in SITE.posts for t in p.tags}


def post_path(post: Post) -> str:
    """Return the root-relative URL of an article."""
    return f"/features/{post.slug}"


def permalink(base: str, post: Post) -> str:
    """Return the absolute URL of an article on the site served at ``base``."""
    return base.rstrip("/") + post_path(post)


def _pages() -> int:
    return -(-len(SITE.posts) // PER_PAGE)


def listing_paths() -> list[str]:
    """Return the root-relative path of every listing page the site serves."""
    pages = [f"/features?page={n}" for n in range(_pages())]
    return ["/", "/features", *pages, *(f"/topics/{slug}" for slug in TOPICS)]


def robots(root: str) -> Page:
    """Return a Drupal-style robots.txt naming the sitemap index."""
    return robots_txt(
        (
            "#",
            "# robots.txt",
            "#",
            "User-agent: *",
            "# CSS, JS, Images",
            "Allow: /core/*.css$",
            "Allow: /core/*.js$",
            "# Paths (clean URLs)",
            "Disallow: /admin/",
            "Disallow: /comment/reply/",
            "Disallow: /node/add/",
            "Disallow: /search/",
            "Disallow: /user/register",
            "Disallow: /user/password",
            "Disallow: /user/login",
            "Disallow: /user/logout",
            "# Paths (no clean URLs)",
            "Disallow: /index.php/admin/",
            "Disallow: /index.php/user/login",
            "",
            f"Sitemap: {root}/sitemap.xml",
        )
    )


CONSENT = """<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter ot-hide \
ot-fade-in"></div><div id="onetrust-banner-sdk" class="otFlat" tabindex="0" role="region" \
aria-label="Cookie banner"><div role="dialog" aria-label="Privacy"><div class="ot-sdk-container">\
<div class="ot-sdk-row"><div id="onetrust-group-container" class="ot-sdk-eight ot-sdk-columns">\
<div id="onetrust-policy"><div id="onetrust-policy-text">By clicking \u201cAccept All \
Cookies\u201d, you agree to the storing of cookies on your device to enhance site navigation, \
analyse site usage, and assist in our marketing efforts. <a class="ot-cookie-policy-link" \
href="/cookie-policy" aria-label="More information about your privacy">Cookie Policy</a></div>\
</div></div><div id="onetrust-button-group-parent" class="ot-sdk-three ot-sdk-columns">\
<div id="onetrust-button-group"><button id="onetrust-pc-btn-handler">Cookies Settings</button> \
<button id="onetrust-reject-all-handler">Reject All</button> <button \
id="onetrust-accept-btn-handler">Accept All Cookies</button></div></div></div></div></div></div>\
</div>"""

OUTDATED = """<div class="browser-upgrade" role="alert"><p>You are using an <strong>outdated\
</strong> browser. Please <a href="https://browsehappy.com/">upgrade your browser</a> to improve \
your experience.</p></div>"""

NEWSLETTER = """<div id="block-newsletter-signup" class="block block-newsletter">
<h2 class="block__title">Get the weekly briefing in your inbox</h2>
<p>Our free newsletter brings you the best of local government innovation every Friday.</p>
<form class="newsletter-form" action="/newsletter/subscribe" method="post"><input type="email" \
name="mail" placeholder="Email address"> <button type="submit">Subscribe</button></form></div>"""


def _shell(
    title: str, body_class: str, canonical: str, root: str, main: str, head: str = ""
) -> str:
    menu = [("/", "Home"), ("/features", SECTION)]
    menu += [(f"/topics/{slug}", name) for slug, name in list(TOPICS.items())[:4]]
    menu += [("/about", "About"), ("/search/node", "Search"), ("/user/login", "Sign in")]
    items = "".join(
        f'<li class="menu-item"><a href="{root}{path}">{escape(text)}</a></li>'
        for path, text in menu
    )
    most_read = "".join(
        f'<li><a href="{root}{post_path(p)}">{escape(p.title)}</a></li>' for p in SITE.posts[1:4]
    )
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
<meta name="MobileOptimized" content="width">
<title>{escape(title)}</title>
<link rel="canonical" href="{escape(canonical)}">
<meta property="og:site_name" content="{escape(SITE.name)}">
{head}
<link rel="stylesheet" media="all" href="{root}/themes/custom/lgir/css/style.css?s8k2x1">
<link rel="icon" href="{root}/themes/custom/lgir/favicon.ico" type="image/vnd.microsoft.icon">
</head>
<body class="{body_class}">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
{CONSENT}
{OUTDATED}
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<div class="layout-container">
<header role="banner" class="site-header"><div class="site-branding"><a href="{root}/" rel="home" \
class="site-branding__name">{escape(SITE.name)}</a><div class="site-branding__slogan">\
{escape(SITE.tagline)}</div></div>
<nav role="navigation" aria-labelledby="block-main-menu" id="block-main" class="menu--main">\
<h2 class="visually-hidden" id="block-main-menu">Main navigation</h2><ul class="menu">{items}\
</ul></nav></header>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
{main}
</div></div>
<aside class="layout-sidebar-second" role="complementary"><div class="block block-views \
block-most-read"><h2>Most read</h2><ol>{most_read}</ol></div></aside>
</main>
<footer role="contentinfo" class="site-footer"><div class="region region-footer"><p>&copy; 2024 \
{escape(SITE.name)}. All rights reserved.</p><ul class="menu"><li><a href="{root}/about">About \
us</a></li><li><a href="{root}/cookie-policy">Cookie policy</a></li></ul></div></footer>
</div></div>
</body>
</html>
"""


def _teaser(post: Post, root: str) -> str:
    url = root + post_path(post)
    return f"""<article role="article" about="{post_path(post)}" class="node node--type-article \
node--promoted node--view-mode-teaser">
<h2 class="node__title"><a href="{url}" rel="bookmark"><span class="field field--name-title">\
{escape(post.title)}</span></a></h2>
<div class="node__meta"><time datetime="{post.published}">{long_date(post.published_at)}</time> \
by <span class="field--name-field-author">{escape(post.author)}</span></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary \
field--label-hidden field__item"><p>{escape(post.standfirst)}</p></div>
</article>"""


def _republished_note(post: Post, bases: dict[str, str]) -> str:
    if not post.republished_from:
        return ""
    key, slug = post.republished_from
    original = wordpress.permalink(bases[key], wordpress.SITE.post(slug))
    return (
        f'<p><em>This post first appeared on <a href="{original}">{escape(wordpress.SITE.name)}'
        "</a>.</em></p>"
    )


def render_article(post: Post, bases: dict[str, str]) -> Page:
    """Return the full article page of ``post``."""
    root = bases[SITE.key].rstrip("/")
    url = root + post_path(post)
    modified = post.updated or post.published
    ld = json_ld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": post.title,
            "description": post.standfirst,
            "author": {"@type": "Person", "name": post.author},
            "datePublished": post.published,
            "dateModified": modified,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "articleSection": SECTION,
            "keywords": list(post.tags),
            "publisher": {
                "@type": "Organization",
                "name": SITE.name,
                "logo": {"@type": "ImageObject", "url": f"{root}/themes/custom/lgir/logo.png"},
            },
        }
    )
    head = (
        f'<meta name="description" content="{escape(post.standfirst)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(post.title)}">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="article:published_time" content="{post.published}">\n'
        f'<meta property="article:modified_time" content="{modified}">\n{ld}'
    )
    topics = "".join(
        f'<div class="field__item"><a href="{root}/topics/{slugify(t)}" hreflang="en">'
        f"{escape(t)}</a></div>"
        for t in post.tags
    )
    related = [p for p in SITE.posts if p is not post and set(p.tags) & set(post.tags)]
    related += [p for p in SITE.posts if p is not post and p not in related]
    teasers = "\n".join(_teaser(p, root) for p in related[:3])
    body = paragraphs_html(post.paragraphs, resolver(bases, SITE.key))
    main = f"""<div id="block-page-title" class="block block-core block-page-title-block">
<h1 class="page-title"><span class="field field--name-title field--type-string \
field--label-hidden">{escape(post.title)}</span></h1></div>
<article role="article" about="{post_path(post)}" class="node node--type-article node--promoted \
node--view-mode-full">
<div class="node__meta"><div class="field field--name-field-author field--type-string \
field--label-inline"><div class="field__label">By</div><div class="field__item">\
{escape(post.author)}</div></div>
<span class="node__date"><time datetime="{post.published}">{long_date(post.published_at)}</time>\
</span></div>
<div class="field field--name-field-standfirst field--type-string-long"><p class="standfirst">\
{escape(post.standfirst)}</p></div>
<div class="node__content">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary \
field--label-hidden field__item">
{body}
{_republished_note(post, bases)}
</div>
<div class="field field--name-field-topics field--type-entity-reference field--label-above">\
<div class="field__label">Topics</div><div class="field__items">{topics}</div></div>
</div>
</article>
<section id="comments" class="comments-prompt"><h2>Have your say</h2><p><a \
href="{root}/user/login?destination={post_path(post)}%23comment-form">Sign in to comment</a> or \
register to join the conversation.</p></section>
{NEWSLETTER}
<aside class="block block-views related-stories"><h2 class="block__title">Related stories</h2>
{teasers}
</aside>"""
    title = f"{post.title} | {SECTION} | {SITE.name}"
    html = _shell(title, "path-node page-node-type-article", url, root, main, head)
    return Page.html(html, last_modified=post.updated_at)


def _listing(
    heading: str, posts: Sequence[Post], page: int, pages: int, path: str, root: str
) -> Page:
    teasers = "\n".join(f'<div class="views-row">{_teaser(p, root)}</div>' for p in posts)
    pager = ""
    head = ""
    if pages > 1:
        items = []
        for n in range(pages):
            active = " is-active" if n == page else ""
            items.append(
                f'<li class="pager__item{active}"><a href="?page={n}" title="Go to page {n + 1}">'
                f"{n + 1}</a></li>"
            )
        if page + 1 < pages:
            items.append(
                f'<li class="pager__item pager__item--next"><a href="?page={page + 1}" '
                'title="Go to next page" rel="next"><span>Next page</span></a></li>'
            )
            head = f'<link rel="next" href="{root}{path}?page={page + 1}">'
        pager = (
            '<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
            '<h4 id="pagination-heading" class="visually-hidden">Pagination</h4>'
            f'<ul class="pager__items js-pager__items">{"".join(items)}</ul></nav>'
        )
    canonical = root + path + (f"?page={page}" if page else "")
    main = f"""<h1 class="page-title">{escape(heading)}</h1>
<div class="views-element-container"><div class="view view-features view-display-id-page_1">
<div class="view-content">{teasers}</div>{pager}</div></div>"""
    # Drupal names the body class after the first path segment; term pages are "taxonomy".
    section = {"": "frontpage", "topics": "taxonomy"}.get(path.strip("/").split("/")[0], "features")
    return Page.html(
        _shell(f"{heading} | {SITE.name}", f"path-{section}", canonical, root, main, head)
    )


def sitemap(name: str, root: str) -> Page | None:
    """Return the sitemap index or one of its sitemaps."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    newest = max(p.updated_at for p in SITE.posts)
    if name == "sitemap.xml":
        maps = "".join(
            f"<sitemap><loc>{root}/{m}</loc><lastmod>{newest.isoformat()}</lastmod></sitemap>\n"
            for m in ("sitemap-articles.xml", "sitemap-pages.xml")
        )
        body = f"{head}<sitemapindex {ns}>\n{maps}</sitemapindex>\n"
    elif name == "sitemap-articles.xml":
        urls = "".join(
            f"<url><loc>{root}{post_path(p)}</loc><lastmod>{p.updated_at.isoformat()}</lastmod>"
            "<changefreq>monthly</changefreq></url>\n"
            for p in SITE.posts
        )
        body = f"{head}<urlset {ns}>\n{urls}</urlset>\n"
    elif name == "sitemap-pages.xml":
        urls = "".join(
            f"<url><loc>{root}{path}</loc><changefreq>daily</changefreq></url>\n"
            for path in ("/", "/features", "/about")
        )
        body = f"{head}<urlset {ns}>\n{urls}</urlset>\n"
    else:
        return None
    return Page(200, XML, body.encode("utf-8"), newest)


def _basic_page(title: str, paragraphs: Sequence[str], path: str, root: str) -> Page:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    main = f"""<h1 class="page-title"><span class="field field--name-title">{escape(title)}</span>\
</h1>
<article role="article" class="node node--type-page node--view-mode-full">\
<div class="node__content"><div class="field field--name-body">{body}</div></div></article>"""
    return Page.html(
        _shell(f"{title} | {SITE.name}", "path-node page-node-type-page", root + path, root, main)
    )


def render(path: str, query: dict[str, list[str]], bases: dict[str, str]) -> Page | None:
    """Return the response for ``path`` (and its query), or None for a 404."""
    root = bases[SITE.key].rstrip("/")
    if path == "/robots.txt":
        return robots(root)
    if path.startswith("/sitemap"):
        return sitemap(path.lstrip("/"), root)
    if path == "/":
        return _listing("Latest", SITE.posts[:3], 0, 1, "/", root)
    if path == "/features":
        raw = query.get("page", ["0"])[0]
        page = int(raw) if raw.isdigit() else -1
        if not 0 <= page < _pages():
            return None
        chunk = SITE.posts[page * PER_PAGE : (page + 1) * PER_PAGE]
        return _listing(SECTION, chunk, page, _pages(), path, root)
    if path.startswith("/topics/") and path.removeprefix("/topics/") in TOPICS:
        name = TOPICS[path.removeprefix("/topics/")]
        posts = [p for p in SITE.posts if name in p.tags]
        return _listing(name, posts, 0, 1, path, root)
    for post in SITE.posts:
        if path == post_path(post):
            return render_article(post, bases)
    if path == "/about":
        return _basic_page("About us", SITE.about, path, root)
    if path == "/cookie-policy":
        text = ("We use cookies to remember your preferences and to count visits.",)
        return _basic_page("Cookie policy", text, path, root)
    if path in ("/user/login", "/search/node"):
        return _basic_page("Sign in", ("Enter your username and password.",), path, root)
    return None
