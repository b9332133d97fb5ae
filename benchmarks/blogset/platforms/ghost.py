"""Ghost (Casper and Source themes): JSON-LD Article, koenig cards, portal sign-up and comments."""

from __future__ import annotations

from benchmarks.blogset.platforms import Furniture, e, jsonld, reading_time, related
from benchmarks.blogset.post import Post

# The Commons Desk injects TrustArc through Ghost's site-wide code injection.
TRUSTARC = """<div id="consent_blackbar"><div id="truste-consent-track" style="display: block;" role="banner"><div id="truste-consent-content"><div id="truste-consent-text">This site uses cookies and related technologies, as described in our <a id="truste-privacy-button" href="/privacy/">privacy statement</a>, for purposes that may include site operation, analytics, enhanced user experience, or advertising. You may choose to consent to our use of these technologies, or manage your own preferences.</div><div id="truste-consent-buttons"><button id="truste-consent-button" type="button">Accept All</button><button id="truste-consent-required" type="button">Decline All</button><button id="truste-show-consent" type="button">Manage Preferences</button></div></div></div></div>"""


def ghost(post: Post) -> tuple[str, list[str]]:
    """Render a Ghost post page."""
    f = Furniture()
    d = post.published
    url = post.url("/{slug}/")
    stamp = f"{d.isoformat()}T08:15:00.000Z"
    tag = "Democracy" if post.index % 2 == 0 else "Money"
    ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "publisher": {"@type": "Organization", "name": post.site, "url": f"https://{post.host}/",
                      "logo": {"@type": "ImageObject", "url": f"https://{post.host}/logo.png"}},
        "author": {"@type": "Person", "name": post.authors[0],
                   "url": f"https://{post.host}/author/{post.authors[0].split()[0].lower()}/",
                   "sameAs": []},
        "headline": post.title,
        "url": url,
        "datePublished": stamp,
        "dateModified": stamp,
        "keywords": tag,
        "description": post.description,
        "mainEntityOfPage": f"https://{post.host}/",
    }  # fmt: skip
    # Casper titles carry the post title only; some sites add the site name in the theme.
    title = post.title if post.index % 2 == 0 else f"{post.title} \u2014 {post.site}"
    minutes = reading_time(post)
    signup = f(
        '<div class="kg-card kg-signup-card kg-width-regular " data-lexical-signup-form '
        'style="background-color: #F0F0F0; display: none;"><div class="kg-signup-card-content">'
        '<div class="kg-signup-card-text "><h2 class="kg-signup-card-heading" '
        f'style="color: #000000;"><span>Sign up for {e(post.site)}</span></h2>'
        '<p class="kg-signup-card-subheading" style="color: #000000;"><span>Independent writing '
        'on local democracy, every fortnight.</span></p><form class="kg-signup-card-form" '
        'data-members-form="signup"><div class="kg-signup-card-fields"><input '
        'class="kg-signup-card-input" id="email" data-members-email type="email" required '
        'placeholder="Your email"><button class="kg-signup-card-button kg-style-accent" '
        'type="submit"><span class="kg-signup-card-button-default">Subscribe</span></button>'
        '</div><div class="kg-signup-card-success">Email sent! Check your inbox to complete your '
        'signup.</div><div class="kg-signup-card-error" data-members-error></div></form>'
        '<p class="kg-signup-card-disclaimer"><span>No spam. Unsubscribe anytime.</span></p>'
        "</div></div></div>",
        "Independent writing on local democracy, every fortnight.",
        "Check your inbox to complete your signup",
        "No spam. Unsubscribe anytime.",
    )
    others = related(post, 2)
    cards = "".join(
        f'<article class="post-card post"><a class="post-card-image-link" href="{o.url("/{slug}/")}">'
        '</a><div class="post-card-content"><a class="post-card-content-link" '
        f'href="{o.url("/{slug}/")}"><header class="post-card-header"><h2 class="post-card-title">'
        f'{e(o.title)}</h2></header><div class="post-card-excerpt">{e(o.description)}</div></a>'
        f'<footer class="post-card-meta"><time class="post-card-meta-date" '
        f'datetime="{o.published.isoformat()}">{o.published:%b} {o.published.day}, '
        f'{o.published.year}</time><span class="post-card-meta-length">{reading_time(o)} min read'
        "</span></footer></div></article>"
        for o in others
    )
    comments_section = f(
        '<section class="article-comments gh-canvas"><div class="gh-comments">'
        '<h2 class="gh-comments-title">Join the discussion</h2><p>Become a member of '
        f'{e(post.site)} to start commenting.</p><a class="gh-btn" data-portal="signup" '
        'href="#/portal/signup">Sign up now</a><p>Already a member? <a data-portal="signin" '
        'href="#/portal/signin">Sign in</a></p></div></section>',
        "Join the discussion",
        "to start commenting",
        "Already a member?",
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <meta http-equiv="X-UA-Compatible" content="IE=edge">
    <title>{e(title)}</title>
    <meta name="HandheldFriendly" content="True">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" type="text/css" href="/assets/built/screen.css?v=1a2b3c">
    <meta name="description" content="{e(post.description)}">
    <link rel="canonical" href="{url}">
    <meta name="referrer" content="no-referrer-when-downgrade">
    <meta property="og:site_name" content="{e(post.site)}">
    <meta property="og:type" content="article">
    <meta property="og:title" content="{e(post.title)}">
    <meta property="og:description" content="{e(post.description)}">
    <meta property="og:url" content="{url}">
    <meta property="article:published_time" content="{stamp}">
    <meta property="article:modified_time" content="{stamp}">
    <meta property="article:tag" content="{tag}">
    <meta name="twitter:card" content="summary_large_image">
    <meta name="twitter:title" content="{e(post.title)}">
    <meta name="twitter:label1" content="Written by">
    <meta name="twitter:data1" content="{e(post.authors[0])}">
    <meta name="twitter:label2" content="Filed under">
    <meta name="twitter:data2" content="{tag}">
    {jsonld(ld)}
    <meta name="generator" content="Ghost 5.82">
    <link rel="alternate" type="application/rss+xml" title="{e(post.site)}" href="https://{post.host}/rss/">
    <script defer src="https://cdn.jsdelivr.net/ghost/portal@~2.37/umd/portal.min.js" data-i18n="true" data-ghost="https://{post.host}/" crossorigin="anonymous"></script>
</head>
<body class="post-template tag-{tag.lower()} is-head-left-logo has-cover">
<div class="viewport">
    <header id="gh-head" class="gh-head outer">
        <div class="gh-head-inner inner">
            <div class="gh-head-brand"><a class="gh-head-logo" href="https://{post.host}">{e(post.site)}</a></div>
            <nav class="gh-head-menu"><ul class="nav"><li class="nav-home"><a href="https://{post.host}/">Home</a></li><li class="nav-about"><a href="https://{post.host}/about/">About</a></li></ul></nav>
            <div class="gh-head-actions"><a class="gh-head-link" href="#/portal/signin" data-portal="signin">Sign in</a><a class="gh-head-button" href="#/portal/signup" data-portal="signup">Subscribe</a></div>
        </div>
    </header>
    <div class="site-content">
<main id="site-main" class="site-main">
<article class="article post tag-{tag.lower()}">
    <header class="article-header gh-canvas">
        <div class="article-tag post-card-tags"><span class="post-card-primary-tag"><a href="/tag/{tag.lower()}/">{tag}</a></span></div>
        <h1 class="article-title">{e(post.title)}</h1>
        <div class="article-byline">
        <section class="article-byline-content">
            <ul class="author-list instapaper_ignore"><li class="author-list-item"><a href="/author/x/" class="author-avatar"><img class="author-profile-image" src="/content/images/author.jpg" alt="{e(post.authors[0])}"></a></li></ul>
            <div class="article-byline-meta">
                <h4 class="author-name"><a href="/author/x/">{e(post.authors[0])}</a></h4>
                <div class="byline-meta-content">
                    <time class="byline-meta-date" datetime="{d.isoformat()}">{d.day} {d:%b %Y}</time>
                    <span class="byline-reading-time"><span class="bull">&bull;</span> {f(f"{minutes} min read", f"{minutes} min read")}</span>
                </div>
            </div>
        </section>
        </div>
    </header>
    <section class="gh-content gh-canvas">
{post.body(inserts={len(post.blocks) - 2: signup})}
    </section>
{comments_section}
</article>
</main>
<aside class="read-more-wrap outer">
    <div class="read-more inner">
        {f(f'<div class="read-more-header"><h3 class="read-more-title">Read more</h3></div>{cards}', *[o.title for o in others])}
    </div>
</aside>
    </div>
    <footer class="site-footer outer">
        <div class="inner">
            <section class="copyright"><a href="https://{post.host}">{e(post.site)}</a> &copy; 2024</section>
            <nav class="site-footer-nav"><ul class="nav"><li><a href="/privacy/">Privacy</a></li></ul></nav>
            <div class="gh-powered-by"><a href="https://ghost.org/" target="_blank" rel="noopener">{f("Powered by Ghost", "Powered by Ghost")}</a></div>
        </div>
    </footer>
</div>
{f(TRUSTARC, "This site uses cookies and related technologies", "Decline All") if post.site == "The Commons Desk" else ""}
</body>
</html>
"""
    return page, f.strings


TEMPLATES = {"ghost": ghost}
