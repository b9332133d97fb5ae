"""Site builders: Squarespace 7.1 blog items and Wix blog posts."""

from __future__ import annotations

import re

from benchmarks.blogset.platforms import Furniture, comments, e, jsonld, reading_time, related
from benchmarks.blogset.post import Post, inline


def squarespace(post: Post) -> tuple[str, list[str]]:
    """Render a Squarespace 7.1 blog item; the post is split into several content blocks."""
    f = Furniture()
    d = post.published
    url = post.url("/blog/{slug}")
    stamp = f"{d.isoformat()}T09:00:00+0100"
    half = max(1, len(post.blocks) // 2)
    first, second = post.blocks[:half], post.blocks[half:]

    def block(blocks: list[str]) -> str:
        paras = "".join(
            f'<p class="" style="white-space:pre-wrap;">{inline(b)}</p>' for b in blocks
        )
        return (
            f'<div class="sqs-block html-block sqs-block-html" data-block-type="2" '
            f'id="block-{len(paras):x}"><div class="sqs-block-content"><div '
            f'class="sqs-html-content">{paras}</div></div></div>'
        )

    newsletter = f(
        '<div class="sqs-block newsletter-block sqs-block-newsletter" data-block-type="51">'
        '<div class="sqs-block-content"><div class="newsletter-form-wrapper newsletter-form-'
        'wrapper--layoutFloat newsletter-form-wrapper--alignCenter"><form class="newsletter-form" '
        'data-form-id="5f1c"><header class="newsletter-form-header"><h2 class="newsletter-form-'
        'header-title">Join our mailing list</h2><div class="newsletter-form-header-description">'
        f"<p>Research notes from {e(post.site)}, once a month.</p></div></header><div "
        'class="newsletter-form-body"><input class="newsletter-form-field-element field-element" '
        'name="email" type="email" spellcheck="false" placeholder="Email Address"><button '
        'class="newsletter-form-button sqs-system-button sqs-editable-button-layout '
        'sqs-button-element--primary" type="submit"><span class="newsletter-form-button-label">'
        'Sign Up</span></button></div><div class="newsletter-form-footnote"><p>We respect your '
        'privacy.</p></div></form><div class="newsletter-form-success-message">Thank you!</div>'
        "</div></div></div>",
        "Join our mailing list",
        f"Research notes from {post.site}, once a month.",
        "We respect your privacy.",
    )
    ld = {
        "url": url,
        "name": post.title,
        "datePublished": stamp,
        "dateModified": stamp,
        "headline": post.title,
        "author": post.authors[0],
        "publisher": {"name": post.site, "@context": "http://schema.org", "@type": "Organization"},
        "@context": "http://schema.org",
        "@type": "Article",
    }
    others = related(post, 2)
    nav = ""
    if others:
        nav = f(
            '<section class="item-pagination item-pagination--prev-next" data-item-pagination>'
            f'<a class="item-pagination-link item-pagination-link--prev" href="{others[0].url("/blog/{slug}")}">'
            '<div class="item-pagination-prev-next">Previous</div><h2 class="item-pagination-title">'
            f"{e(others[0].title)}</h2></a></section>",
            others[0].title,
        )
    thread = "".join(
        f'<div class="comment"><div class="comment-author">{e(name)}</div><div '
        f'class="comment-body">{f(e(said), said)}</div></div>'
        for name, said in comments(post, 1)
    )
    page = f"""<!doctype html>
<html xmlns:og="http://opengraphprotocol.org/schema/" xmlns:fb="http://www.facebook.com/2008/fbml" lang="en-GB">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="">
<meta charset="utf-8" />
<title>{e(post.title)} &mdash; {e(post.site)}</title>
<link rel="canonical" href="{url}"/>
<meta property="og:site_name" content="{e(post.site)}"/>
<meta property="og:title" content="{e(post.title)} &mdash; {e(post.site)}"/>
<meta property="og:url" content="{url}"/>
<meta property="og:type" content="article"/>
<meta property="og:description" content="{e(post.description)}"/>
<meta itemprop="name" content="{e(post.title)} &mdash; {e(post.site)}"/>
<meta itemprop="url" content="{url}"/>
<meta itemprop="author" content="{e(post.site)}"/>
<meta itemprop="datePublished" content="{stamp}"/>
<meta itemprop="headline" content="{e(post.title)}"/>
<meta itemprop="publisher" content="{e(post.site)}"/>
<meta name="twitter:title" content="{e(post.title)} &mdash; {e(post.site)}"/>
<meta name="description" content="{e(post.description)}" />
<script type="application/ld+json">{{"url":"https://{post.host}","name":"{e(post.site)}","@context":"http://schema.org","@type":"WebSite"}}</script>
{jsonld(ld)}
<script type="application/ld+json">{{"legalName":"{e(post.site)}","address":"","email":"","telephone":"","sameAs":[],"@context":"http://schema.org","@type":"Organization"}}</script>
</head>
<body id="item-{post.index}" class="header--menu-style-1 tweak-blog-item-width-narrow primary-button-style-solid view-item collection-type-blog-basic mobile-style-available sqs-seven-one">
<div id="siteWrapper" class="clearfix site-wrapper">
<header data-test="header" id="header" class="header theme-col--primary"><div class="header-inner container--fluid"><div class="header-title"><div class="header-title-text"><a href="/" data-animation-role="header-element">{e(post.site)}</a></div></div><div class="header-nav"><nav class="header-nav-list"><div class="header-nav-item"><a href="/work">Work</a></div><div class="header-nav-item header-nav-item--active"><a href="/blog" aria-current="page">Journal</a></div><div class="header-nav-item"><a href="/contact">Contact</a></div></nav></div></div></header>
<main id="page" class="container" role="main">
<article class="sections" id="sections" data-page-sections="63a0"><section data-test="page-section" class="page-section layout-engine-section"><div class="content-wrapper"><div class="content"><div class="blog-item-wrapper">
<article class="entry h-entry hentry author-{re.sub(r"[^a-z]+", "-", post.authors[0].lower())} post-type-text article-index-{post.index + 1}" data-item-id="6405" id="article-6405">
<div class="blog-item-top-wrapper"><div class="blog-item-title"><h1 class="entry-title entry-title-wrapper" data-content-field="title">{e(post.title)}</h1></div>
<div class="blog-item-meta-wrapper"><div class="blog-meta-item blog-meta-item--date"><time class="dt-published blog-meta-item blog-meta-item--date" datetime="{d.isoformat()}" pubdate data-content-field="published-on">{d:%B} {d.day}</time></div><div class="blog-meta-item blog-meta-item--author"><a href="/blog?author=5f1" class="blog-author">{e(post.authors[0])}</a></div></div></div>
<div class="blog-item-content-wrapper" data-layout-label="Post Body" data-type="item" data-updated-on="1712649600000"><div class="blog-item-content e-content" data-content-field="main-content"><div class="sqs-layout sqs-grid-12 columns-12" data-type="item" data-layout-label="Post Body" id="item-6405"><div class="row sqs-row"><div class="col sqs-col-12 span-12">
{block(first)}
{newsletter}
{block(second)}
</div></div></div></div>
<div class="blog-item-injection"></div>
</div>
<div class="blog-item-author-profile-wrapper"><a href="/blog?author=5f1" class="author-name">{e(post.authors[0])}</a><div class="author-bio"><p>{f(f"{post.authors[0].split()[0]} leads the research programme at {e(post.site)}.", f"leads the research programme at {post.site}")}</p></div></div>
</article>
{f('<div class="blog-item-share"><div class="squarespace-social-buttons inline-style" data-full-url="' + url + '" data-title="' + e(post.title) + '"><a class="ss-social-button facebook"><span class="ss-social-button-text">Facebook</span></a><a class="ss-social-button twitter"><span class="ss-social-button-text">Twitter</span></a><a class="ss-social-button linkedin"><span class="ss-social-button-text">LinkedIn</span></a><a class="ss-social-button email"><span class="ss-social-button-text">Email</span></a></div></div>', "LinkedIn")}
<section class="blog-item-comments"><div class="squarespace-comments"><div class="comment-count">{f("1 Comment", "1 Comment")}</div>{thread}<div class="new-comment-area"><div class="new-comment-prompt">{f("Add a comment", "Add a comment")}</div></div></div></section>
{nav}
</div></div></div></section></article>
</main>
<footer class="sections" id="footer-sections"><section class="page-section"><div class="content"><p class="">{f(f"&copy; {e(post.site)}. Registered charity in England and Wales.", "Registered charity in England and Wales")}</p></div></section></footer>
</div>
{f('<div class="sqs-cookie-banner-v2-wrapper" role="dialog" aria-label="Cookie banner"><div class="sqs-cookie-banner-v2 sqs-cookie-banner-v2-main"><div class="sqs-cookie-banner-v2-content"><p class="sqs-cookie-banner-v2-text">We use cookies on this website to give you the best experience. If you continue without changing your settings, we will assume you are happy with that.</p></div><div class="sqs-cookie-banner-v2-cta-container"><button class="sqs-cookie-banner-v2-accept">Accept all</button><button class="sqs-cookie-banner-v2-decline">Decline all</button><button class="sqs-cookie-banner-v2-manage">Manage cookies</button></div></div></div>', "we will assume you are happy with that", "Manage cookies")}
</body>
</html>
"""
    return page, f.strings


def _wix_body(post: Post) -> str:
    """Wix's rich content viewer: every paragraph in generated classes and a span."""
    out = []
    for i, block in enumerate(post.blocks):
        ident = f"viewer-{(i * 40503 + 77) % 99991:05d}"
        out.append(
            f'<p class="_3cAzG _2NfY7 _2Bxbs mm8Nw _1j-51 _2HCTA public-DraftStyleDefault-block-'
            f'depth0 public-DraftStyleDefault-text-ltr" dir="auto" id="{ident}"><span '
            f'class="_2PHJq public-DraftStyleDefault-ltr">{inline(block)}</span></p>'
        )
    return "\n".join(out)


WIX_CONSENT = """<div id="consent-banner-root"><div data-hook="consent-banner-root" class="cb-root" role="region" aria-label="Cookie banner"><div data-hook="consent-banner-text" class="cb-text"><p>This website uses cookies. By using this site you agree to our use of cookies.</p></div><div class="cb-buttons"><button data-hook="consent-banner-settings-button">Settings</button><button data-hook="consent-banner-apply-button">Accept</button></div></div></div>"""
# iubenda's banner, added to a Wix site through its custom-code settings.
IUBENDA = """<div id="iubenda-cs-banner" class="iubenda-cs-default iubenda-cs-bottom iubenda-cs-visible" role="alertdialog" aria-labelledby="iubenda-cs-title" aria-describedby="iubenda-cs-paragraph"><div class="iubenda-cs-container"><div class="iubenda-cs-content"><div class="iubenda-cs-rationale"><button type="button" class="iubenda-cs-close-btn" tabindex="0" role="button" aria-pressed="false">&times;</button><div class="iubenda-banner-content" role="document"><div id="iubenda-cs-title">Notice</div><div id="iubenda-cs-paragraph"><p class="iub-p">We and selected third parties use cookies or similar technologies for technical purposes and, with your consent, for other purposes as specified in the <a href="https://www.iubenda.com/privacy-policy/123/cookie-policy" class="iubenda-cs-cookie-policy-lnk" target="_blank" rel="noopener">cookie policy</a>.</p><p class="iub-p">Use the “Accept” button to consent. Use the “Reject” button or close this notice to continue without accepting.</p></div></div><div class="iubenda-cs-opt-group" role="toolbar"><div class="iubenda-cs-opt-group-custom"><button class="iubenda-cs-customize-btn" type="button" tabindex="0" role="button" aria-pressed="false">Learn more and customise</button></div><div class="iubenda-cs-opt-group-consent"><button class="iubenda-cs-reject-btn iubenda-cs-btn-primary" type="button" tabindex="0" role="button" aria-pressed="false">Reject</button><button class="iubenda-cs-accept-btn iubenda-cs-btn-primary" type="button" tabindex="0" role="button" aria-pressed="false">Accept</button></div></div></div></div></div></div>"""


def wix(post: Post) -> tuple[str, list[str]]:
    """Render a Wix blog post."""
    f = Furniture()
    if post.site == "Parish Futures":
        consent = f(WIX_CONSENT, "By using this site you agree to our use of cookies")
    else:
        consent = f(
            IUBENDA,
            "We and selected third parties use cookies or similar technologies",
            "continue without accepting",
            "Learn more and customise",
        )
    d = post.published
    url = post.url("/post/{slug}")
    stamp = f"{d.isoformat()}T10:12:45.123Z"
    minutes = reading_time(post)
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": post.title,
        "image": [],
        "datePublished": stamp,
        "dateModified": stamp,
        "author": {"@type": "Person", "name": post.authors[0],
                   "url": f"https://{post.host}/profile/x/profile"},
        "publisher": {"@type": "Organization", "name": post.site},
        "description": post.description,
        "url": url,
    }  # fmt: skip
    others = related(post, 2)
    recent = "".join(
        f'<div data-hook="post-list-item"><a href="{o.url("/post/{slug}")}" data-hook="post-title">'
        f'<p class="blog-post-title-font">{e(o.title)}</p></a><div data-hook="post-stats">'
        f"<span>{7 + len(o.slug) % 20} views</span><span>0 comments</span></div></div>"
        for o in others
    )
    page = f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset='utf-8'>
  <meta name="viewport" content="width=device-width, initial-scale=1" id="wixDesktopViewport" />
  <meta name="generator" content="Wix.com Website Builder"/>
  <title>{e(post.title)} | {e(post.site)}</title>
  <meta name="description" content="{e(post.description)}"/>
  <link rel="canonical" href="{url}"/>
  <meta property="og:title" content="{e(post.title)}"/>
  <meta property="og:description" content="{e(post.description)}"/>
  <meta property="og:url" content="{url}"/>
  <meta property="og:site_name" content="{e(post.site)}"/>
  <meta property="og:type" content="article"/>
  {jsonld(ld)}
  <meta property="article:author" content="{e(post.authors[0])}"/>
  <meta property="article:published_time" content="{stamp}"/>
  <meta property="article:modified_time" content="{stamp}"/>
  <meta name="twitter:card" content="summary_large_image"/>
  <meta name="twitter:title" content="{e(post.title)}"/>
</head>
<body>
<div id="SITE_CONTAINER"><div id="main_MF" class="main_MF"><div id="SCROLL_TO_TOP" class="qhwIj ignore-focus" tabindex="-1" role="region" aria-label="top of page"><span class="mHZSwn">top of page</span></div>
<div id="site-root" class="site-root"><div id="masterPage" class="mesh-layout">
<header id="SITE_HEADER" class="xU8fqS SITE_HEADER wixui-header" tabindex="-1"><div class="_C0cVf"><div id="comp-kq1" class="comp-kq1 wixui-rich-text" data-testid="richTextElement"><p class="font_0 wixui-rich-text__text"><a href="/">{e(post.site)}</a></p></div><nav id="comp-kq2" aria-label="Site"><ul class="wixui-horizontal-menu"><li><a href="/">Home</a></li><li><a href="/blog">Blog</a></li><li><a href="/meetings">Meetings</a></li></ul></nav></div></header>
<main id="PAGES_CONTAINER" class="PAGES_CONTAINER" tabindex="-1" data-main-content="true"><div id="SITE_PAGES"><div class="JsJXaX">
<div data-hook="post-page" class="post-page"><article class="blog-post-page-font" data-hook="post">
<div data-hook="post-header"><div class="post-metadata"><span data-hook="user-name" class="tQ0Q1A user-name blog-post-text-color">{e(post.authors[0])}</span><span class="post-metadata__date time-ago" data-hook="time-ago" title="{d.day} {d:%b}">{d.day} {d:%b}</span><span data-hook="time-to-read" class="post-metadata__readTime">{f(f"{minutes} min read", f"{minutes} min read")}</span></div></div>
<div data-hook="post-title"><h1 class="blog-post-title-font blog-post-title-color">{e(post.title)}</h1></div>
<div data-hook="post-description"><div class="post-content__body" data-id="content-viewer" data-rce-version="9.12"><div class="rich-content-viewer" dir="ltr">
{_wix_body(post)}
</div></div></div>
<div data-hook="post-footer"><div data-hook="post-social-actions" class="social-actions">{f('<button aria-label="Share via Facebook" data-hook="share-button">Facebook</button><button aria-label="Share via LinkedIn" data-hook="share-button">LinkedIn</button><button aria-label="Share via Link" data-hook="share-button">Copy link</button>', "Copy link")}</div>
<div data-hook="post-main-actions__stats" class="post-stats">{f(f"<span>{14 + post.index} views</span><span>0 comments</span>", f"{14 + post.index} views", "0 comments")}<button data-hook="like-button" aria-label="Post not marked as liked"><span class="like-button-with-count__like-count">{3 + post.index}</span></button></div></div>
</article>
<div data-hook="recent-posts"><div class="recent-posts-header"><h2>{f("Recent Posts", "Recent Posts")}</h2><a href="/blog" data-hook="see-all">{f("See All", "See All")}</a></div>{f(recent, *[o.title for o in others])}</div>
<section data-hook="comments-widget" class="comments-widget"><h2 class="comments-header">Comments</h2><div data-hook="comment-box"><div class="editor-placeholder">{f("Write a comment...", "Write a comment...")}</div></div><div data-hook="empty-state"><p>{f("Share Your Thoughts", "Share Your Thoughts")}</p><p>{f("Be the first to write a comment.", "Be the first to write a comment.")}</p></div></section>
</div>
</div></div></main>
<footer id="SITE_FOOTER" class="SITE_FOOTER wixui-footer"><p class="font_8">{f(f"&copy; 2024 by {e(post.site)}. Proudly created with Wix.com", "Proudly created with Wix.com")}</p></footer>
</div></div></div></div>
{consent}
</body>
</html>
"""
    return page, f.strings


TEMPLATES = {"squarespace": squarespace, "wix": wix}
