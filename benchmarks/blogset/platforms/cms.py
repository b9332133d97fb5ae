"""Council and magazine CMSs: Drupal 10 (Olivero), a news CMS, and an h-entry personal site."""

from __future__ import annotations

from benchmarks.blogset.platforms import (
    Furniture,
    comments,
    e,
    jsonld,
    long_date,
    ordinal_date,
    related,
)
from benchmarks.blogset.post import Post

EU_COOKIE = """<div id="sliding-popup" class="sliding-popup-bottom" role="banner" style="height: auto; width: 100%; bottom: 0px;"><div class="eu-cookie-compliance-banner eu-cookie-compliance-banner-info eu-cookie-compliance-banner--opt-in"><div class="popup-content info eu-cookie-compliance-content"><div id="popup-text" class="eu-cookie-compliance-message" role="document"><h2>We use cookies on this site to enhance your user experience</h2><p>By clicking the Accept button, you agree to us doing so.</p><button type="button" class="find-more-button eu-cookie-compliance-more-button">More info</button></div><div id="popup-buttons" class="eu-cookie-compliance-buttons"><button type="button" class="agree-button eu-cookie-compliance-secondary-button">Accept</button><button type="button" class="decline-button eu-cookie-compliance-default-button">No, thanks</button></div></div></div></div>"""


OSANO = """<div class="osano-cm-window" dir="ltr"><div role="dialog" aria-label="Cookie Consent Banner" aria-describedby="osano-cm-dom-info-dialog-open" class="osano-cm-dialog osano-cm-dialog--position_bottom osano-cm-dialog--type_bar osano-cm-dialog--theme_custom"><span id="osano-cm-dom-info-dialog-open" class="osano-cm-content osano-cm-dialog__content"><span class="osano-cm-content__message osano-cm-message">This website utilizes technologies such as cookies to enable essential site functionality, as well as for analytics, personalization, and targeted advertising.</span><a class="osano-cm-content__link osano-cm-link" href="/privacy" rel="noopener">Privacy Policy</a></span><div class="osano-cm-dialog__buttons osano-cm-buttons"><button class="osano-cm-button osano-cm-button--type_manage">Manage Preferences</button><button class="osano-cm-accept-all osano-cm-buttons__button osano-cm-button osano-cm-button--type_accept">Accept</button><button class="osano-cm-denyAll osano-cm-buttons__button osano-cm-button osano-cm-button--type_denyAll">Deny</button></div></div></div>"""


def drupal(post: Post) -> tuple[str, list[str]]:
    """Render a Drupal 10 news item (Olivero): Dublin Core or schema.org metatags."""
    f = Furniture()
    d = post.published
    url = post.url("/news/{slug}")
    username = post.authors[0].lower().replace(" ", ".")
    if post.site.startswith("Harrowgate"):
        meta = (
            f'<meta name="dcterms.title" content="{e(post.title)}" />\n'
            f'<meta name="dcterms.creator" content="{e(post.authors[0])}" />\n'
            f'<meta name="dcterms.date" content="{d.isoformat()}T09:00+00:00" />\n'
            f'<meta name="dcterms.publisher" content="{e(post.site)}" />\n'
            '<meta name="dcterms.type" content="Text" />\n<meta name="dcterms.format" '
            'content="text/html" />\n<meta name="dcterms.language" content="en" />\n'
        )
    else:
        meta = jsonld(
            {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "NewsArticle", "headline": post.title, "name": post.title,
                     "description": post.description, "datePublished": f"{d.isoformat()}T10:00:00+0100",
                     "author": {"@type": "Person", "name": post.authors[0]},
                     "publisher": {"@type": "GovernmentOrganization", "name": post.site,
                                   "url": f"https://{post.host}/"}},
                ],
            }
        )  # fmt: skip
    thread = "".join(
        f'<article data-comment-user-id="0" class="comment js-comment by-anonymous"><div '
        f'class="comment__picture-wrapper"></div><div class="comment__text-wrapper"><footer '
        f'class="comment__meta"><p class="comment__author">{e(name)}</p><p class="comment__time">'
        f'{d:%a, %m/%d/%Y} - 18:2{i}</p></footer><div class="comment__content"><div class="field '
        f'field--name-comment-body field--type-text-long field--label-hidden field__item">'
        f"{f(f'<p>{e(said)}</p>', said)}</div></div></div></article>"
        for i, (name, said) in enumerate(comments(post, 1 + post.index % 2))
    )
    others = related(post, 3)
    page = f"""<!DOCTYPE html>
<html lang="en" dir="ltr" style="--color--primary-hue:202;--color--primary-saturation:79%;--color--primary-lightness:50">
  <head>
    <meta charset="utf-8" />
<meta name="description" content="{e(post.description)}" />
<link rel="canonical" href="{url}" />
<meta property="og:site_name" content="{e(post.site)}" />
<meta property="og:type" content="article" />
<meta property="og:url" content="{url}" />
{meta}
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />
<meta name="MobileOptimized" content="width" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<link rel="icon" href="/themes/custom/council/favicon.ico" type="image/vnd.microsoft.icon" />
    <title>{e(post.title)} | {e(post.site)}</title>
  </head>
  <body class="path-node page-node-type-news">
        <a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
    <div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
  <div id="page-wrapper" class="page-wrapper">
  <div id="page">
    {f('<div class="region region-highlighted"><div data-drupal-messages><div class="messages-list"><div role="contentinfo" aria-label="Warning message" class="messages messages--warning"><div class="messages__header"><h2 class="visually-hidden">Warning message</h2></div><div class="messages__content">Your browser is out of date and some features of this site may not work. Please switch to a modern browser such as Edge, Firefox or Chrome.</div></div></div></div></div>', "Your browser is out of date", "Please switch to a modern browser")}
    <header id="header" class="site-header" data-drupal-selector="site-header" role="banner"><div class="site-header__fixable"><div class="site-header__inner"><div class="site-branding"><div class="site-branding__text"><div class="site-branding__name"><a href="/" title="Home" rel="home">{e(post.site)}</a></div></div></div>
    <nav role="navigation" aria-labelledby="block-council-main-menu-menu" id="block-council-main-menu" class="primary-nav block block-menu navigation menu--main"><h2 class="visually-hidden block__title" id="block-council-main-menu-menu">Main navigation</h2><ul class="menu primary-nav__menu"><li class="primary-nav__menu-item"><a href="/bins-and-recycling" class="primary-nav__menu-link">Bins and recycling</a></li><li class="primary-nav__menu-item"><a href="/council-tax" class="primary-nav__menu-link">Council tax</a></li><li class="primary-nav__menu-item"><a href="/news" class="primary-nav__menu-link">News</a></li></ul></nav></div></div></header>
    <div id="main-wrapper" class="layout-main-wrapper layout-container">
      <div id="main" class="layout-main">
        <div class="main-content">
          <a id="main-content" tabindex="-1"></a>
          <div class="main-content__container container">
            <div class="region region--breadcrumb grid-full layout--pass--content-medium"><div id="block-council-breadcrumbs" class="block block-system block-system-breadcrumb-block"><nav class="breadcrumb" role="navigation" aria-labelledby="system-breadcrumb"><h2 id="system-breadcrumb" class="visually-hidden">Breadcrumb</h2><ol class="breadcrumb__list"><li class="breadcrumb__item"><a href="/" class="breadcrumb__link">Home</a></li><li class="breadcrumb__item"><a href="/news" class="breadcrumb__link">News</a></li></ol></nav></div></div>
            <div class="region region--content-above grid-full layout--pass--content-medium"><div id="block-council-page-title" class="block block-core block-page-title-block"><h1 class="title page-title"><span class="field field--name-title field--type-string field--label-hidden">{e(post.title)}</span></h1></div></div>
            <div class="region region--content grid-full layout--pass--content-medium" id="content">
<div id="block-council-content" class="block block-system block-system-main-block">
<article data-history-node-id="{310 + post.index}" class="node node--type-news node--promoted node--view-mode-full">
  <header class="">
    <div class="node__meta">
      <span>By <span class="field field--name-uid field--type-entity-reference field--label-hidden"><span>{e(username)}</span></span></span>
      <span class="node__meta-date">{d:%a, %m/%d/%Y} - 09:00</span>
    </div>
  </header>
  <div class="node__content">
    <div class="text-content clearfix field field--name-body field--type-text-with-summary field--label-hidden field__item">
{post.body()}
    </div>
    {f('<div class="field field--name-field-share field--type-entity-reference"><div class="social-share"><h3>Share this page</h3><ul class="social-share__list"><li><a href="https://www.facebook.com/sharer/sharer.php">Facebook</a></li><li><a href="https://x.com/intent/tweet">X (Twitter)</a></li><li><a href="mailto:?subject=News">Email a friend</a></li></ul></div></div>', "Share this page", "Email a friend")}
    <section data-drupal-selector="comments" class="comments">
      <h2 class="comments__title">{f(f"Comments ({1 + post.index % 2})", f"Comments ({1 + post.index % 2})")}</h2>
      {thread}
    </section>
    <ul class="links inline"><li class="comment-forbidden">{f('<a href="/user/login?destination=/comment/reply/node">Log in</a> or <a href="/user/register?destination=/comment/reply/node">register</a> to post comments', "to post comments")}</li></ul>
  </div>
</article>
</div>
{f('<div class="views-element-container block block-views" id="block-views-block-related-news"><h2 class="block__title">Related news</h2><div class="view view-related-news"><div class="view-content"><ul>' + "".join(f'<li><a href="{o.url("/news/{slug}")}">{e(o.title)}</a></li>' for o in others) + "</ul></div></div></div>", "Related news", *[o.title for o in others])}
{f('<div id="block-feedback" class="block block-webform"><form class="webform-submission-form" action="/feedback" method="post"><fieldset><legend>Was this page useful?</legend><input type="radio" name="useful" value="yes" id="useful-yes"><label for="useful-yes">Yes</label><input type="radio" name="useful" value="no" id="useful-no"><label for="useful-no">No</label></fieldset><p>Tell us how we could improve this page. Please do not include personal details; we cannot reply to comments left here.</p><textarea name="comment"></textarea><input type="submit" value="Send feedback"></form></div>', "Was this page useful?", "Tell us how we could improve this page")}
            </div>
          </div>
        </div>
      </div>
    </div>
    <footer class="site-footer"><div class="site-footer__inner container"><div class="region region--footer-top"><nav role="navigation" aria-labelledby="block-footer-menu"><h2 class="visually-hidden" id="block-footer-menu">Footer</h2><ul class="menu"><li class="menu__item"><a href="/accessibility">Accessibility statement</a></li><li class="menu__item"><a href="/cookies">Cookies</a></li><li class="menu__item"><a href="/privacy">Privacy notice</a></li></ul></nav></div><div class="region region--footer-bottom"><p>{f(f"&copy; {e(post.site)}, Council Offices, Market Place", "Council Offices, Market Place")}</p></div></div></footer>
  </div>
</div>
    </div>
{f(EU_COOKIE, "We use cookies on this site to enhance your user experience", "By clicking the Accept button, you agree to us doing so.") if post.site.startswith("Harrowgate") else f(OSANO, "This website utilizes technologies such as cookies", "Manage Preferences")}
  </body>
</html>
"""
    return page, f.strings


def magazine(post: Post) -> tuple[str, list[str]]:
    """Render a sector magazine's article: NewsArticle JSON-LD, inline teasers, Didomi/Quantcast."""
    f = Furniture()
    d = post.published
    url = post.url("/{y}/{m:02d}/{d:02d}/{slug}")
    stamp = f"{d.isoformat()}T06:00:00Z"
    others = related(post, 3)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title,
        "datePublished": stamp,
        "dateModified": stamp,
        "author": [{"@type": "Person", "name": a,
                    "url": f"https://{post.host}/authors/{a.split()[-1].lower()}"} for a in post.authors],
        "publisher": {"@type": "NewsMediaOrganization", "name": post.site,
                      "logo": {"@type": "ImageObject", "url": f"https://{post.host}/logo.png"}},
        "articleSection": "Analysis",
        "isAccessibleForFree": False,
        "mainEntityOfPage": url,
    }  # fmt: skip
    if post.site == "Municipal Review":
        consent = f(
            '<div id="didomi-host" data-nosnippet="true" aria-hidden="true"><div '
            'class="didomi-popup-backdrop didomi-notice-popup didomi-popup__backdrop"><div '
            'class="didomi-popup-container didomi-popup-notice didomi-popup-notice-optin-type" '
            'role="dialog" aria-modal="true" id="didomi-popup"><div class="didomi-popup-notice-'
            'text-container"><div class="didomi-popup-notice-text" id="didomi-notice-text"><p>'
            "We and our partners store and/or access information on a device, such as cookies, "
            "and process personal data, such as unique identifiers and standard information sent "
            "by a device for personalised advertising and content, advertising and content "
            "measurement, audience research and services development.</p></div></div><div "
            'class="didomi-popup-notice-buttons"><button id="didomi-notice-disagree-button">'
            '<span>Disagree</span></button><button id="didomi-notice-learn-more-button">'
            '<span>Learn more</span></button><button id="didomi-notice-agree-button"><span>Agree '
            'and close</span></button></div><span class="didomi-continue-without-agreeing">'
            "Continue without agreeing &rarr;</span></div></div></div>",
            "We and our partners store and/or access information on a device",
            "Agree and close",
            "Continue without agreeing",
        )
        title = f"{post.title} | {post.site}"
    else:
        consent = f(
            '<div id="qc-cmp2-container" data-nosnippet=""><div class="qc-cmp2-consent-info" '
            'id="qc-cmp2-ui" role="dialog" aria-label="qc-cmp2-ui" aria-modal="true"><div '
            'class="qc-cmp2-summary-section"><h2 class="qc-cmp2-summary-title">We value your '
            'privacy</h2><div class="qc-cmp2-summary-info"><p>We and our partners use '
            "technologies, such as cookies, and process personal data, such as IP addresses and "
            "cookie identifiers, to personalise ads and content based on your interests.</p></div>"
            '</div><div class="qc-cmp2-summary-buttons"><button mode="secondary" size="large">'
            'MORE OPTIONS</button><button mode="primary" size="large">AGREE</button></div></div></div>',
            "We and our partners use technologies, such as cookies",
            "MORE OPTIONS",
        )
        title = f"{post.site} - {post.title}"
    bylines = " and ".join(
        f'<a class="byline__author" rel="author" href="/authors/{a.split()[-1].lower()}">{e(a)}</a>'
        for a in post.authors
    )
    inserts = {
        0: f(
            f'<aside class="inline-related" data-component="inline-related"><span '
            f'class="inline-related__label">Read more</span> <a class="inline-related__link" '
            f'href="{others[0].url("/{y}/{m:02d}/{d:02d}/{slug}")}">{e(others[0].title)}</a></aside>',
            others[0].title,
        ),
        1: f(
            '<div class="newsletter-promo" data-component="newsletter-promo"><h3 '
            f'class="newsletter-promo__title">Get {e(post.site)} in your inbox</h3><p '
            'class="newsletter-promo__text">Our free briefing on local government, every '
            'Thursday morning.</p><form class="newsletter-promo__form" action="/newsletters/signup">'
            '<input type="email" name="email" placeholder="Your work email"><button '
            'type="submit">Sign me up</button></form></div>',
            f"Get {post.site} in your inbox",
            "Our free briefing on local government",
        ),
        2: f(
            f'<p class="related-link"><strong>Related:</strong> <a href="{others[1].url("/{y}/{m:02d}/{d:02d}/{slug}")}">'
            f"{e(others[1].title)}</a></p>",
            "Related:",
            others[1].title,
        ),
    }
    page = f"""<!DOCTYPE html>
<html lang="en-GB" class="no-js">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{url}">
<meta name="description" content="{e(post.description)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{e(post.site)}">
<meta property="og:title" content="{e(post.title)}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{stamp}">
<meta property="article:section" content="Analysis">
<meta name="author" content="{e(", ".join(post.authors))}">
{jsonld(ld)}
</head>
<body class="template-article section-analysis">
{consent}
<div class="site">
<header class="masthead"><div class="masthead__inner"><a class="masthead__logo" href="/">{e(post.site)}</a><nav class="masthead__nav" aria-label="Sections"><a href="/news">News</a> <a href="/analysis">Analysis</a> <a href="/jobs">Jobs</a> <a href="/events">Events</a></nav><div class="masthead__account"><a href="/login">Log in</a> <a class="btn" href="/subscribe">Subscribe</a></div></div></header>
<main class="page-main">
<article class="article article--analysis" itemscope itemtype="https://schema.org/NewsArticle">
<header class="article__header">
<p class="article__kicker"><a href="/analysis">Analysis</a></p>
<h1 class="article__headline" itemprop="headline">{e(post.title)}</h1>
<div class="article__byline">By {bylines} <span class="article__date"><time datetime="{stamp}">{long_date(d)}</time></span></div>
</header>
<div class="article__body" data-component="article-body">
{post.body(inserts=inserts)}
</div>
<footer class="article__footer">
{f('<div class="article__share"><span class="article__share-label">Share this article</span><a class="share share--x" href="#">X</a><a class="share share--linkedin" href="#">LinkedIn</a><a class="share share--email" href="#">Email</a></div>', "Share this article")}
{f('<section class="article-comments" id="comments"><h2 class="article-comments__title">Comments</h2><p class="article-comments__signin">You must be signed in to comment. <a href="/login">Sign in</a> or <a href="/register">register</a> for free.</p></section>', "You must be signed in to comment")}
</footer>
</article>
<aside class="most-read" aria-labelledby="most-read-title"><h2 id="most-read-title">{f("Most read", "Most read")}</h2><ol>{f("".join(f'<li><a href="{o.url("/{y}/{m:02d}/{d:02d}/{slug}")}">{e(o.title)}</a></li>' for o in others[::-1]), *[o.title for o in others])}</ol></aside>
</main>
<footer class="site-footer"><p>{f(f"&copy; 2024 {e(post.site)} is published by Civic Media Ltd. All rights reserved.", "All rights reserved")}</p></footer>
</div>
</body>
</html>
"""
    return page, f.strings


def hentry(post: Post) -> tuple[str, list[str]]:
    """Render a personal site's post marked up with microformats2 h-entry and no JSON-LD."""
    f = Furniture()
    d = post.published
    url = post.url("/{y}/{m:02d}/{d:02d}/{slug}/")
    others = related(post, 2)
    # A CMS default that names the team, not the writer: h-entry must win over Dublin Core.
    dc = '<meta name="DC.creator" content="Ashby Digital Team">\n' if "Ashby" in post.site else ""
    nav = ""
    if others:
        nav = f(
            f'<nav class="post-nav"><a class="u-url" rel="prev" href="{others[0].url("/{y}/{m:02d}/{d:02d}/{slug}/")}">'
            f"&larr; {e(others[0].title)}</a></nav>",
            others[0].title,
        )
    mentions = f(
        '<section class="webmentions" id="webmentions"><h2>Webmentions</h2><p class="webmentions__'
        f'counts">{3 + post.index} likes, 1 repost</p><ul class="webmentions__list"><li class="h-cite">'
        '<a class="p-author h-card" href="https://social.example/@kit">Kit</a> replied: <span '
        'class="p-content">Great to see this written down. Stealing the idea for our team.</span>'
        '</li></ul><p>Reply to this post <a href="mailto:hello@example.org">by email</a> or from '
        "your own site.</p></section>",
        "Webmentions",
        "Stealing the idea for our team",
        "Reply to this post",
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(post.title)} &middot; {e(post.site)}</title>
<link rel="canonical" href="{url}">
<link rel="alternate" type="application/atom+xml" href="/feed.xml" title="{e(post.site)}">
<link rel="webmention" href="https://webmention.example/{post.host}/webmention">
{dc}<meta name="generator" content="Jekyll v4.3.3">
</head>
<body>
<header class="site-header"><a class="site-title p-name" href="/">{e(post.site)}</a><nav><a href="/about/">About</a> <a href="/weeknotes/">Weeknotes</a> <a href="/feed.xml">{f("Subscribe via RSS", "Subscribe via RSS")}</a></nav></header>
<main class="page-content" aria-label="Content">
<article class="h-entry post" itemscope itemtype="http://schema.org/BlogPosting">
<header class="post-header"><h1 class="p-name post-title" itemprop="name headline">{e(post.title)}</h1>
<p class="post-meta"><time class="dt-published" datetime="{d.isoformat()}T17:40:00+00:00" itemprop="datePublished">{ordinal_date(d)}</time> &middot; <a class="p-author h-card" href="/about/">{e(post.authors[0])}</a></p></header>
<div class="e-content post-content" itemprop="articleBody">
{post.body()}
</div>
<a class="u-url" href="{url}" hidden></a>
</article>
{nav}
{mentions}
</main>
<footer class="site-footer h-card"><p>{f(f"Written by <a class='p-name u-url' href='/about/'>{e(post.authors[0])}</a>, who works on digital services in local government. Opinions are my own.", "Opinions are my own.")}</p></footer>
</body>
</html>
"""
    return page, f.strings


TEMPLATES = {"drupal": drupal, "magazine": magazine, "hentry": hentry}
