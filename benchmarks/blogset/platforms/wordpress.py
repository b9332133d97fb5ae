"""WordPress: classic and block themes, Yoast/RankMath JSON-LD, Jetpack, and consent plugins."""

from __future__ import annotations

import zlib

from benchmarks.blogset.platforms import (
    Furniture,
    comments,
    e,
    jsonld,
    long_date,
    related,
    us_date,
)
from benchmarks.blogset.post import Post

COOKIEYES = """<div class="cky-consent-container cky-box-bottom-left" tabindex="0" aria-label="We value your privacy" role="region"><div class="cky-consent-bar" data-cky-tag="notice"><div class="cky-notice"><p class="cky-title" role="heading" aria-level="1" data-cky-tag="title">We value your privacy</p><div class="cky-notice-group"><div class="cky-notice-des" data-cky-tag="description"><p>We use cookies to enhance your browsing experience, serve personalised ads or content, and analyse our traffic. By clicking "Accept All", you consent to our use of cookies.</p></div><div class="cky-notice-btn-wrapper" data-cky-tag="notice-buttons"><button class="cky-btn cky-btn-customize" aria-label="Customise" data-cky-tag="settings-button">Customise</button> <button class="cky-btn cky-btn-reject" aria-label="Reject All" data-cky-tag="reject-button">Reject All</button> <button class="cky-btn cky-btn-accept" aria-label="Accept All" data-cky-tag="accept-button">Accept All</button></div></div></div></div></div>
<div class="cky-modal" tabindex="-1"><div class="cky-preference-center" data-cky-tag="detail"><div class="cky-preference-header"><span class="cky-preference-title" role="heading" aria-level="1" data-cky-tag="detail-title">Customise Consent Preferences</span></div><div class="cky-preference-body-wrapper"><div class="cky-preference-content-wrapper" data-cky-tag="detail-description"><p>We use cookies to help you navigate efficiently and perform certain functions. You will find detailed information about all cookies under each consent category below.</p></div><div class="cky-accordion-wrapper"><div class="cky-accordion"><div class="cky-accordion-header"><button class="cky-accordion-btn">Necessary</button><span class="cky-always-active">Always Active</span></div><div class="cky-accordion-header-des"><p>Necessary cookies are required to enable the basic features of this site, such as providing secure log-in or adjusting your consent preferences.</p></div></div></div></div><div class="cky-footer-wrapper"><button class="cky-btn cky-btn-preferences">Save My Preferences</button></div></div></div>"""
COOKIEYES_STRINGS = (
    "We value your privacy",
    "We use cookies to enhance your browsing experience",
    "Customise Consent Preferences",
    "Necessary cookies are required to enable the basic features",
    "Save My Preferences",
)

COMPLIANZ = """<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner cmplz-hidden banner-1 bottom-right-view-preferences optin cmplz-bottom-right cmplz-categories-type-view-preferences" aria-modal="true" data-nosnippet="true" role="dialog" aria-live="polite" aria-labelledby="cmplz-header-1-optin" aria-describedby="cmplz-message-1-optin"><div class="cmplz-header"><div class="cmplz-logo"></div><div class="cmplz-title" id="cmplz-header-1-optin">Manage Cookie Consent</div><div class="cmplz-close" tabindex="0" role="button" aria-label="Close dialog"></div></div><div class="cmplz-divider cmplz-divider-header"></div><div class="cmplz-body"><div class="cmplz-message" id="cmplz-message-1-optin">To provide the best experiences, we use technologies like cookies to store and/or access device information. Consenting to these technologies will allow us to process data such as browsing behaviour or unique IDs on this site.</div><div class="cmplz-categories"><details class="cmplz-category cmplz-functional"><summary><span class="cmplz-category-header"><span class="cmplz-category-title">Functional</span><span class="cmplz-always-active">Always active</span></span></summary><div class="cmplz-description"><span class="cmplz-description-functional">The technical storage or access is strictly necessary for the legitimate purpose of enabling the use of a specific service explicitly requested by the subscriber or user.</span></div></details></div></div><div class="cmplz-buttons"><button class="cmplz-btn cmplz-accept">Accept</button><button class="cmplz-btn cmplz-deny">Deny</button><button class="cmplz-btn cmplz-view-preferences">View preferences</button></div><div class="cmplz-links cmplz-documents"><a href="/cookie-policy/" class="cmplz-link cookie-statement">Cookie Policy</a></div></div></div>"""
COMPLIANZ_STRINGS = (
    "Manage Cookie Consent",
    "we use technologies like cookies to store and/or access device information",
    "strictly necessary for the legitimate purpose",
    "View preferences",
)

COOKIEBOT = """<div id="CybotCookiebotDialog" name="CybotCookiebotDialog" role="dialog" aria-modal="true" aria-labelledby="CybotCookiebotDialogBodyContentTitle" tabindex="-1" lang="en" class="CybotEdge CybotCookiebotDialogActive"><div class="CybotCookiebotDialogContentWrapper"><div id="CybotCookiebotDialogHeader"><div id="CybotCookiebotDialogPoweredbyLink">Cookiebot logo</div></div><div id="CybotCookiebotDialogBody"><h2 id="CybotCookiebotDialogBodyContentTitle" lang="en">This website uses cookies</h2><div id="CybotCookiebotDialogBodyContentText" lang="en">We use cookies to personalise content and ads, to provide social media features and to analyse our traffic. We also share information about your use of our site with our social media, advertising and analytics partners who may combine it with other information that you have provided to them.</div></div><div id="CybotCookiebotDialogFooter"><button id="CybotCookiebotDialogBodyButtonDecline">Deny</button><button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection">Allow selection</button><button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll">Allow all</button></div><a id="CybotCookiebotDialogPoweredbyCybot" href="https://www.cookiebot.com/">Powered by Cookiebot by Usercentrics</a></div></div>"""
COOKIEBOT_STRINGS = (
    "This website uses cookies",
    "We use cookies to personalise content and ads",
    "Allow selection",
    "Powered by Cookiebot",
)

ONETRUST = """<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter ot-hide ot-fade-in"></div><div id="onetrust-banner-sdk" class="otFlat" tabindex="0" role="region" aria-label="Cookie banner"><div role="dialog" aria-label="Privacy"><div class="ot-sdk-container"><div class="ot-sdk-row"><div id="onetrust-group-container" class="ot-sdk-eight ot-sdk-columns"><div id="onetrust-policy"><h2 id="onetrust-policy-title">Your Privacy</h2><div id="onetrust-policy-text">By clicking \u201cAccept All Cookies\u201d, you agree to the storing of cookies on your device to enhance site navigation, analyse site usage, and assist in our marketing efforts. <a class="ot-cookie-policy-link" href="/privacy/">More information</a></div></div></div><div id="onetrust-button-group-parent" class="ot-sdk-three ot-sdk-columns"><div id="onetrust-button-group"><button id="onetrust-pc-btn-handler">Cookies Settings</button> <button id="onetrust-reject-all-handler">Reject All</button> <button id="onetrust-accept-btn-handler">Accept All Cookies</button></div></div></div></div></div></div><div id="onetrust-pc-sdk" class="otPcCenter ot-hide ot-fade-in" lang="en" role="dialog" aria-modal="true" aria-labelledby="ot-pc-title"><div class="ot-pc-header"><h2 id="ot-pc-title">Privacy Preference Center</h2></div><div id="ot-pc-content" class="ot-pc-scrollbar"><div id="ot-pc-desc">When you visit any website, it may store or retrieve information on your browser, mostly in the form of cookies. This information might be about you, your preferences or your device.</div><button id="accept-recommended-btn-handler">Allow All</button><h3 id="ot-category-title">Manage Consent Preferences</h3></div><div class="ot-pc-footer"><button class="save-preference-btn-handler onetrust-close-btn-handler">Confirm My Choices</button></div></div></div>"""
ONETRUST_STRINGS = (
    "you agree to the storing of cookies on your device",
    "Cookies Settings",
    "Privacy Preference Center",
    "it may store or retrieve information on your browser",
    "Confirm My Choices",
)

CONSENT = {
    "wordpress-cookieyes": (COOKIEYES, COOKIEYES_STRINGS),
    "wordpress-complianz": (COMPLIANZ, COMPLIANZ_STRINGS),
    "wordpress-cookiebot": (COOKIEBOT, COOKIEBOT_STRINGS),
    "wordpress-onetrust": (ONETRUST, ONETRUST_STRINGS),
}


def _yoast_graph(post: Post, url: str, by_reference: bool) -> str:
    """Yoast SEO's graph; older Yoast versions refer to the author by @id only."""
    person_id = f"https://{post.host}/#/schema/person/{zlib.crc32(post.authors[0].encode()):x}"
    author: dict[str, str] = {"@id": person_id}
    if not by_reference:
        author = {"name": post.authors[0], "@id": person_id}
    stamp = f"{post.published.isoformat()}T09:30:00+00:00"
    return jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Article",
                    "@id": f"{url}#article",
                    "isPartOf": {"@id": url},
                    "author": author,
                    "headline": post.title,
                    "datePublished": stamp,
                    "dateModified": stamp,
                    "mainEntityOfPage": {"@id": url},
                    "publisher": {"@id": f"https://{post.host}/#organization"},
                    "articleSection": ["News"],
                    "inLanguage": "en-GB",
                },
                {
                    "@type": "WebPage",
                    "@id": url,
                    "url": url,
                    "name": f"{post.title} - {post.site}",
                    "datePublished": stamp,
                },
                {"@type": "Organization", "@id": f"https://{post.host}/#organization",
                 "name": post.site, "url": f"https://{post.host}/"},
                {"@type": "Person", "@id": person_id, "name": post.authors[0],
                 "url": f"https://{post.host}/author/{post.authors[0].split()[-1].lower()}/"},
            ],
        }
    )  # fmt: skip


def head(post: Post, url: str, title: str, extra: str) -> str:
    """Return the <head> a WordPress theme with an SEO plugin writes."""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<meta name="description" content="{e(post.description)}">
<link rel="canonical" href="{url}">
<meta property="og:locale" content="en_GB">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{e(post.site)}">
{extra}
<meta name="generator" content="WordPress 6.5.3">
<link rel="stylesheet" id="wp-block-library-css" href="https://{post.host}/wp-includes/css/dist/block-library/style.min.css" media="all">
</head>"""


def _classic_comments(post: Post, f: Furniture, count: int) -> str:
    items = []
    for i, (name, said) in enumerate(comments(post, count)):
        items.append(
            f'<li id="comment-{40 + i}" class="comment even thread-even depth-1">'
            f'<article id="div-comment-{40 + i}" class="comment-body"><footer class="comment-meta">'
            f'<div class="comment-author vcard"><b class="fn">{e(name)}</b> '
            '<span class="says">says:</span></div><div class="comment-metadata">'
            f'<a href="#comment-{40 + i}"><time>{us_date(post.published)} at 8:{10 + i} pm'
            "</time></a></div></footer>"
            f'<div class="comment-content">{f(f"<p>{e(said)}</p>", said)}</div>'
            '<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">'
            "Reply</a></div></article></li>"
        )
    thread = f'<ol class="comment-list">{"".join(items)}</ol>' if items else ""
    heading = (
        f'<h2 class="comments-title">{count} thoughts on &ldquo;{e(post.title)}&rdquo;</h2>'
        if count
        else ""
    )
    respond = f(
        '<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">'
        'Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond">'
        'Cancel reply</a></small></h3><form action="/wp-comments-post.php" method="post" '
        'id="commentform" class="comment-form"><p class="comment-notes"><span id="email-notes">'
        "Your email address will not be published.</span> Required fields are marked *</p>"
        '<p class="comment-form-comment"><label for="comment">Comment *</label>'
        '<textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>'
        '<p class="comment-form-author"><label for="author">Name *</label><input id="author" '
        'name="author" type="text"></p><p class="comment-form-email"><label for="email">Email *'
        '</label><input id="email" name="email" type="email"></p><p class="form-submit">'
        '<input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>'
        "</form></div>",
        "Leave a Reply",
        "Your email address will not be published",
    )
    return f'<div id="comments" class="comments-area">{heading}{thread}{respond}</div>'


def _jetpack(post: Post, f: Furniture) -> str:
    share = f(
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>'
        '<div class="sd-content"><ul><li class="share-twitter"><a class="share-twitter sd-button" '
        'href="?share=twitter" title="Click to share on X"><span>X</span></a></li>'
        '<li class="share-facebook"><a class="share-facebook sd-button" href="?share=facebook">'
        '<span>Facebook</span></a></li><li class="share-email"><a class="share-email sd-button" '
        'href="?share=email"><span>Email</span></a></li><li class="share-end"></li></ul></div>'
        "</div></div>",
        "Share this:",
    )
    like = f(
        "<div class='sharedaddy sd-block sd-like jetpack-likes-widget-wrapper "
        'jetpack-likes-widget-unloaded\'><h3 class="sd-title">Like this:</h3>'
        "<div class='likes-widget-placeholder post-likes-widget-placeholder'><span class='button'>"
        '<span>Like</span></span> <span class="loading">Loading...</span></div></div>',
        "Like this:",
        "Loading...",
    )
    items = "".join(
        f'<div class="jp-relatedposts-post jp-relatedposts-post{i}"><h4 '
        f'class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" '
        f'href="{other.url()}">{e(other.title)}</a></h4><p class="jp-relatedposts-post-date">'
        f'{us_date(other.published)}</p><p class="jp-relatedposts-post-context">In "News"</p></div>'
        for i, other in enumerate(related(post, 2))
    )
    rel = f(
        f"<div id='jp-relatedposts' class='jp-relatedposts'><h3 class=\"jp-relatedposts-headline\">"
        f'<em>Related</em></h3><div class="jp-relatedposts-items">{items}</div></div>',
        *[other.title for other in related(post, 2)],
    )
    return share + like + rel


def _post_navigation(post: Post, f: Furniture) -> str:
    others = related(post, 2)
    if not others:
        return ""
    links = [
        f'<div class="nav-previous"><a href="{others[0].url()}" rel="prev"><span class="meta-nav" '
        f'aria-hidden="true">Previous post</span> <span class="post-title">'
        f"{e(others[0].title)}</span></a></div>"
    ]
    if len(others) > 1:
        links.append(
            f'<div class="nav-next"><a href="{others[1].url()}" rel="next"><span class="meta-nav" '
            f'aria-hidden="true">Next post</span> <span class="post-title">'
            f"{e(others[1].title)}</span></a></div>"
        )
    return f(
        '<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">'
        f'Post navigation</h2><div class="nav-links">{"".join(links)}</div></nav>',
        "Previous post",
        *[o.title for o in others],
    )


def classic(post: Post) -> tuple[str, list[str]]:
    """Twenty Twenty-One-style classic theme with Yoast, Jetpack and CookieYes or OneTrust."""
    f = Furniture()
    url = post.url()
    consent, consent_strings = CONSENT[post.platform]
    stamp = f"{post.published.isoformat()}T09:30:00+00:00"
    # The council blog runs an older Yoast (author by @id only, no author meta) and a theme
    # set to hide bylines: the author is only in the JSON-LD graph.
    old_yoast = post.platform == "wordpress-cookieyes"
    head_extra = (
        f'<meta property="og:title" content="{e(post.title)} - {e(post.site)}">\n'
        f'<meta property="og:description" content="{e(post.description)}">\n'
        f'<meta property="article:published_time" content="{stamp}">\n'
        + ("" if old_yoast else f'<meta name="author" content="{e(post.authors[0])}">\n')
        + _yoast_graph(post, url, by_reference=old_yoast)
    )
    title = (
        f"{post.title} \u2013 {post.site}" if post.index % 2 == 0 else f"{post.title} | {post.site}"
    )
    inserts: dict[int, str] = {}
    if post.platform == "wordpress-onetrust":
        other = related(post, 1)[0]
        inserts[0] = f(
            f'<p><strong>Read more:</strong> <a href="{other.url()}">{e(other.title)}</a></p>',
            "Read more:",
        )
        inserts[1] = f(
            '<div class="wp-block-newspack-newsletters-subscribe newspack-newsletters-subscribe">'
            '<form method="post"><div class="newspack-newsletters-email-input"><label for="npe">'
            f'Sign up for the {e(post.site)} newsletter</label><input type="email" name="npe" '
            'id="npe" placeholder="Email address"></div><input type="submit" value="Sign up">'
            "</form></div>",
            f"Sign up for the {post.site} newsletter",
        )
    top = ""
    if post.platform == "wordpress-onetrust":
        top = f(
            '<div class="browser-upgrade"><p>You are using an <strong>outdated</strong> browser. '
            "Please upgrade your browser to improve your experience and security.</p></div>",
            "You are using an outdated browser",
        )
    byline = (
        f'<div class="entry-meta"><span class="posted-on"><time class="entry-date published" '
        f'datetime="{stamp}">{us_date(post.published)}</time></span></div>'
    )
    if not old_yoast:
        byline = (
            f'<div class="entry-meta"><span class="byline">by <span class="author vcard">'
            f'<a class="url fn n" href="https://{post.host}/author/{post.authors[0].split()[-1].lower()}/">'
            f'{e(post.authors[0])}</a></span></span> <span class="posted-on"><time class="entry-date '
            f'published" datetime="{stamp}">{us_date(post.published)}</time></span></div>'
        )
    page = f"""{head(post, url, title, head_extra)}
<body class="post-template-default single single-post postid-{100 + post.index} single-format-standard wp-embed-responsive">
{top}
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header" role="banner"><div class="site-branding"><p class="site-title"><a href="https://{post.host}/" rel="home">{e(post.site)}</a></p><p class="site-description">Ideas and updates from our digital and innovation teams</p></div>
<nav id="site-navigation" class="primary-navigation" aria-label="Primary menu"><ul id="primary-menu-list" class="menu-wrapper"><li><a href="/">Home</a></li><li><a href="/about/">About</a></li><li><a href="/projects/">Projects</a></li><li><a href="/contact/">Contact</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{100 + post.index}" class="post-{100 + post.index} post type-post status-publish format-standard hentry category-news entry">
<header class="entry-header alignwide"><h1 class="entry-title">{e(post.title)}</h1>{byline}</header>
<div class="entry-content">
{post.body(inserts=inserts)}
{_jetpack(post, f)}
</div>
<footer class="entry-footer default-max-width"><div class="posted-by"><span class="cat-links">Categorised as <a href="/category/news/" rel="category tag">News</a></span></div></footer>
</article>
{_post_navigation(post, f)}
{_classic_comments(post, f, 1 + post.index % 3)}
</main></div></div>
<footer id="colophon" class="site-footer" role="contentinfo"><div class="site-info"><div class="site-name"><a href="/">{e(post.site)}</a></div><div class="powered-by">Proudly powered by <a href="https://wordpress.org/">WordPress</a>.</div></div></footer>
</div>
{f(consent, *consent_strings)}
</body>
</html>
"""
    f.strings.append("Proudly powered by")
    return page, f.strings


def block_theme(post: Post) -> tuple[str, list[str]]:
    """Twenty Twenty-Four-style block theme, RankMath or plain OpenGraph, Complianz."""
    f = Furniture()
    url = post.url("/{slug}/")
    consent, consent_strings = CONSENT[post.platform]
    stamp = f"{post.published.isoformat()}T10:00:00+01:00"
    head_extra = (
        f'<meta property="og:title" content="{e(post.title)}">\n'
        f'<meta property="article:published_time" content="{stamp}">\n'
        f'<meta property="article:section" content="Research">\n'
    )
    if post.index != 1:  # RankMath's graph, author given in full
        head_extra += jsonld(
            {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "Organization", "@id": f"https://{post.host}/#organization",
                     "name": post.site},
                    {"@type": "WebPage", "@id": f"{url}#webpage", "url": url,
                     "name": f"{post.title} | {post.site}"},
                    {"@type": "Person", "@id": f"https://{post.host}/author/x/",
                     "name": post.authors[0]},
                    {"@type": "BlogPosting", "headline": f"{post.title} | {post.site}",
                     "datePublished": stamp, "dateModified": stamp,
                     "author": {"@id": f"https://{post.host}/author/x/", "name": post.authors[0]},
                     "publisher": {"@id": f"https://{post.host}/#organization"},
                     "@id": f"{url}#richSnippet", "isPartOf": {"@id": f"{url}#webpage"},
                     "inLanguage": "en-GB", "mainEntityOfPage": {"@id": f"{url}#webpage"}},
                ],
            }
        )  # fmt: skip
    bio = (
        f"{post.authors[0].split()[-1] if post.authors[0].startswith('Dr') else post.authors[0].split()[0]}"
        f" writes about public services for {post.site} and previously worked in local government"
        " finance for twelve years."
    )
    author_box = f(
        '<div class="saboxplugin-wrap" itemtype="http://schema.org/Person" itemscope '
        'itemprop="author"><div class="saboxplugin-tab"><div class="saboxplugin-gravatar">'
        f'<img src="https://{post.host}/avatar.png" width="100" height="100" alt="{e(post.authors[0])}">'
        '</div><div class="saboxplugin-authorname"><a href="/author/x/" class="vcard author" '
        f'rel="author"><span class="fn">{e(post.authors[0])}</span></a></div>'
        f'<div class="saboxplugin-desc"><div itemprop="description"><p>{e(bio)}</p></div></div>'
        '<div class="clearfix"></div></div></div>',
        bio,
    )
    newsletter = f(
        '<form id="mc4wp-form-1" class="mc4wp-form mc4wp-form-88" method="post" data-id="88" '
        'data-name="Newsletter"><div class="mc4wp-form-fields"><p><strong>Get our research in '
        'your inbox.</strong> One email a month, no spam.</p><p><input type="email" '
        'name="EMAIL" placeholder="Your email address" required></p><p><input type="submit" '
        'value="Subscribe"></p></div><div class="mc4wp-response"></div></form>',
        "Get our research in your inbox",
        "One email a month, no spam.",
    )
    thread = "".join(
        f'<li class="wp-block-comment comment"><div class="wp-block-comment-author-name">'
        f'{e(name)}</div><div class="wp-block-comment-date"><time>{long_date(post.published)}'
        f'</time></div><div class="wp-block-comment-content">{f(f"<p>{e(said)}</p>", said)}</div>'
        '<div class="wp-block-comment-reply-link"><a href="#respond">Reply</a></div></li>'
        for name, said in comments(post, 2)
    )
    others = related(post, 2)
    more = f(
        '<div class="wp-block-group"><h2 class="wp-block-heading">More from the blog</h2>'
        '<ul class="wp-block-post-template">'
        + "".join(
            f'<li class="wp-block-post"><h3 class="wp-block-post-title"><a href="{o.url("/{slug}/")}">'
            f"{e(o.title)}</a></h3></li>"
            for o in others
        )
        + "</ul></div>",
        "More from the blog",
        *[o.title for o in others],
    )
    page = f"""{head(post, url, f"{post.title} | {post.site}", head_extra)}
<body class="post-template-default single single-post wp-embed-responsive">
<div class="wp-site-blocks">
<header class="wp-block-template-part"><div class="wp-block-group alignwide"><p class="wp-block-site-title"><a href="https://{post.host}/" rel="home">{e(post.site)}</a></p><nav class="wp-block-navigation" aria-label="Header navigation"><ul class="wp-block-navigation__container"><li class="wp-block-navigation-item"><a href="/research/">Research</a></li><li class="wp-block-navigation-item"><a href="/events/">Events</a></li><li class="wp-block-navigation-item"><a href="/about/">About us</a></li></ul></nav></div></header>
<main class="wp-block-group is-layout-constrained">
<div class="wp-block-group"><h1 class="has-text-align-left wp-block-post-title">{e(post.title)}</h1>
<div class="wp-block-group is-layout-flex"><div class="wp-block-post-author"><div class="wp-block-post-author__content"><p class="wp-block-post-author__byline">Written by</p><p class="wp-block-post-author__name">{e(post.authors[0])}</p></div></div>
<div class="wp-block-post-date"><time datetime="{stamp}">{long_date(post.published)}</time></div></div></div>
<div class="entry-content alignfull wp-block-post-content has-global-padding is-layout-constrained">
{post.body(inserts={1: newsletter})}
{author_box}
</div>
<div class="wp-block-group">{more}</div>
<div class="wp-block-comments">
<h2 class="wp-block-comments-title">{2} responses to &ldquo;{e(post.title)}&rdquo;</h2>
<ol class="wp-block-comment-template">{thread}</ol>
{f('<div id="respond" class="comment-respond wp-block-post-comments-form"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3><form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">Your email address will not be published. Required fields are marked *</p><textarea id="comment" name="comment" required></textarea><input type="email" name="email"><input type="submit" class="wp-block-button__link" value="Post Comment"></form></div>', "Leave a Reply", "Your email address will not be published")}
</div>
</main>
<footer class="wp-block-template-part"><div class="wp-block-group"><p class="has-small-font-size">Designed with <a href="https://wordpress.org" rel="nofollow">WordPress</a></p></div></footer>
</div>
{f(consent, *consent_strings)}
</body>
</html>
"""
    return page, f.strings


def astra(post: Post) -> tuple[str, list[str]]:
    """Astra theme with microdata bylines, AddToAny, Mailchimp for WP, YARPP and Cookiebot."""
    f = Furniture()
    url = post.url("/blog/{slug}/")
    consent, consent_strings = CONSENT[post.platform]
    head_extra = ""
    if post.index == 0:
        head_extra = (
            f'<meta property="og:title" content="{e(post.title)}">\n'
            f'<meta property="article:published_time" '
            f'content="{post.published.isoformat()}T08:00:00+00:00">\n'
        )
    title = f"{post.title} - {post.site}" if post.index == 0 else f"{post.site} | {post.title}"
    others = related(post, 2)
    inserts = {
        1: f(
            '<form id="mc4wp-form-2" class="mc4wp-form mc4wp-form-12" method="post">'
            '<div class="mc4wp-form-fields"><p><strong>Get the Lab\'s monthly round-up</strong> '
            'of experiments, failures and things we are trying next.</p><p><input type="email" '
            'name="EMAIL" placeholder="Your email address" required></p><p><input type="submit" '
            'value="Sign up"></p></div></form>',
            "Get the Lab's monthly round-up",
            "of experiments, failures and things we are trying next",
        )
    }
    share = f(
        '<div class="addtoany_share_save_container addtoany_content addtoany_content_bottom">'
        '<div class="addtoany_header">Spread the word</div><div class="a2a_kit a2a_kit_size_32 '
        'addtoany_list" data-a2a-url="' + url + '"><a class="a2a_button_facebook" '
        'href="https://www.addtoany.com/add_to/facebook" title="Facebook" rel="nofollow noopener" '
        'target="_blank"></a><a class="a2a_button_linkedin" title="LinkedIn" '
        'href="https://www.addtoany.com/add_to/linkedin"></a><a class="a2a_dd '
        'addtoany_share_save addtoany_share" href="https://www.addtoany.com/share">Share</a>'
        "</div></div>",
        "Spread the word",
    )
    yarpp = f(
        "<div class='yarpp yarpp-related yarpp-related-website yarpp-template-list'>"
        "<h3>Related posts:</h3><ol>"
        + "".join(
            f'<li><a href="{o.url("/blog/{slug}/")}" rel="bookmark" title="{e(o.title)}">'
            f"{e(o.title)}</a></li>"
            for o in others
        )
        + "</ol></div>",
        "Related posts:",
        *[o.title for o in others],
    )
    page = f"""{head(post, url, title, head_extra)}
<body itemtype="https://schema.org/Blog" itemscope class="post-template-default single single-post ast-single-post ast-blog-single-style-1 ast-right-sidebar astra-4.6.4">
<div class="hfeed site" id="page">
<header class="site-header header-main-layout-1 ast-primary-menu-enabled" id="masthead" itemtype="https://schema.org/WPHeader" itemscope><div class="ast-site-identity"><span class="site-title" itemprop="name"><a href="https://{post.host}/" rel="home" itemprop="url">{e(post.site)}</a></span></div><nav class="ast-flex-grow-1 navigation-accessibility" aria-label="Site Navigation"><ul id="primary-menu" class="main-header-menu"><li class="menu-item"><a href="/" class="menu-link">Home</a></li><li class="menu-item"><a href="/blog/" class="menu-link">Blog</a></li><li class="menu-item"><a href="/work-with-us/" class="menu-link">Work with us</a></li></ul></nav></header>
<div id="content" class="site-content"><div class="ast-container"><div id="primary" class="content-area primary"><main id="main" class="site-main">
<article class="post-{200 + post.index} post type-post status-publish format-standard hentry category-experiments ast-article-single" id="post-{200 + post.index}" itemtype="https://schema.org/CreativeWork" itemscope>
<div class="ast-post-format- single-layout-1">
<header class="entry-header"><h1 class="entry-title" itemprop="headline">{e(post.title)}</h1>
<div class="entry-meta">By <span class="posted-by vcard author" itemtype="https://schema.org/Person" itemscope itemprop="author"><a title="View all posts by {e(post.authors[0])}" href="/author/x/" rel="author" class="url fn n" itemprop="url"><span class="author-name" itemprop="name">{e(post.authors[0])}</span></a></span> / <span class="posted-on"><span class="published" itemprop="datePublished">{us_date(post.published)}</span></span> / <span class="cat-links"><a href="/category/experiments/" rel="category tag">Experiments</a></span></div></header>
<div class="entry-content clear" itemprop="text">
{post.body(inserts=inserts)}
{share}
{yarpp}
</div>
</div>
</article>
<nav class="navigation post-navigation" aria-label="Post navigation"><div class="nav-links"><div class="nav-previous"><a title="{e(others[0].title)}" href="{others[0].url("/blog/{slug}/")}" rel="prev"><span class="ast-left-arrow">&larr;</span> Previous Post</a></div></div></nav>
<div id="comments" class="comments-area comment-form-position-below"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Comment <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond">Cancel Reply</a></small></h3><form action="/wp-comments-post.php" method="post" id="ast-commentform" class="comment-form"><p class="comment-notes">Your email address will not be published. Required fields are marked *</p><div class="ast-row comment-textarea"><fieldset class="comment-form-comment"><legend class="comment-form-legend"></legend><div class="comment-form-textarea ast-grid-common-col"><label for="comment" class="screen-reader-text">Type here..</label><textarea id="comment" name="comment" placeholder="Type here.." cols="45" rows="8" aria-required="true"></textarea></div></fieldset></div><p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment &raquo;"></p></form></div></div>
</main></div>
<div class="widget-area secondary" id="secondary" role="complementary"><div class="sidebar-main"><aside id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" name="s"></label></form></aside><aside id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{"".join(f'<li><a href="{o.url("/blog/{slug}/")}">{e(o.title)}</a></li>' for o in others)}</ul></aside></div></div>
</div></div>
<footer class="site-footer" id="colophon" itemtype="https://schema.org/WPFooter" itemscope><div class="ast-small-footer"><div class="ast-footer-copyright"><p>Copyright &copy; 2024 {e(post.site)} | Powered by Astra WordPress Theme</p></div></div></footer>
</div>
{f(consent, *consent_strings)}
</body>
</html>
"""
    f.strings += ["Leave a Comment", "Previous Post", "Recent Posts", "Powered by Astra"]
    return page, f.strings


TEMPLATES = {
    "wordpress-cookieyes": classic,
    "wordpress-onetrust": classic,
    "wordpress-complianz": block_theme,
    "wordpress-cookiebot": astra,
}
