"""WordPress built with Elementor Pro's theme builder (widgets instead of the theme's markup)."""

from __future__ import annotations

import zlib

from benchmarks.blogset.platforms import Furniture, e, related
from benchmarks.blogset.platforms.wordpress import head
from benchmarks.blogset.post import Post

GDPR_COOKIE_CONSENT = """<div id="cookie-law-info-bar" data-nosnippet="true" style="background-color: rgb(255, 255, 255); color: rgb(51, 51, 51); position: fixed; bottom: 0px;"><span>This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish. <a role="button" class="cli_settings_button" style="margin:5px 20px 5px 20px">Cookie settings</a><a role="button" data-cli_action="accept" id="cookie_action_close_header" class="medium cli-plugin-button cli-plugin-main-button cookie_action_close_header cli_action_button wt-cli-accept-btn" style="margin:5px">ACCEPT</a></span></div>
<div class="cli-modal" data-nosnippet="true" id="cliSettingsPopup" tabindex="-1" role="dialog" aria-labelledby="cliSettingsPopup" aria-hidden="true"><div class="cli-modal-dialog" role="document"><div class="cli-modal-content cli-bar-popup"><div class="cli-modal-body"><div class="cli-container-fluid cli-tab-container"><div class="cli-row"><div class="cli-col-12 cli-align-items-stretch cli-px-0"><div class="cli-privacy-overview"><h4>Privacy Overview</h4><div class="cli-privacy-content"><div class="cli-privacy-content-text">This website uses cookies to improve your experience while you navigate through the website. Out of these, the cookies that are categorised as necessary are stored on your browser as they are essential for the working of basic functionalities of the website.</div></div></div></div></div></div></div></div></div></div>"""


def _elementor_widget(kind: str, inner: str, extra_class: str = "") -> str:
    return (
        f'<div class="elementor-element elementor-element-{abs(zlib.crc32(kind.encode())) % 10**7:x} '
        f'{extra_class} elementor-widget elementor-widget-{kind}" data-element_type="widget" '
        f'data-widget_type="{kind}.default"><div class="elementor-widget-container">{inner}'
        "</div></div>"
    )


def elementor(post: Post) -> tuple[str, list[str]]:
    """Elementor Pro single-post template over Hello Elementor, AIOSEO, GDPR Cookie Consent."""
    f = Furniture()
    d = post.published
    url = post.url("/research/{slug}/")
    stamp = f"{d.isoformat()}T11:00:00+00:00"
    head_extra = (
        f'<meta property="og:title" content="{e(post.title)} - {e(post.site)}">\n'
        f'<meta property="og:description" content="{e(post.description)}">\n'
        f'<meta property="article:published_time" content="{stamp}">\n'
        f'<meta property="article:author" content="https://www.facebook.example/{post.host}">\n'
    )
    others = related(post, 2)
    names = " and ".join(post.authors)
    info = _elementor_widget(
        "post-info",
        '<ul class="elementor-inline-items elementor-icon-list-items elementor-post-info">'
        + "".join(
            '<li class="elementor-icon-list-item elementor-repeater-item-3f2 elementor-inline-item" '
            f'itemprop="author"><a href="/author/{a.split()[-1].lower()}/"><span '
            'class="elementor-icon-list-text elementor-post-info__item elementor-post-info__item'
            f'--type-author">{e(a)}</span></a></li>'
            for a in post.authors
        )
        + '<li class="elementor-icon-list-item elementor-repeater-item-9c1 elementor-inline-item" '
        'itemprop="datePublished"><span class="elementor-icon-list-text elementor-post-info__item '
        f'elementor-post-info__item--type-date"><time>{d:%d/%m/%Y}</time></span></li>'
        '<li class="elementor-icon-list-item elementor-inline-item" itemprop="commentCount">'
        f'<span class="elementor-icon-list-text">{f("No Comments", "No Comments")}</span></li></ul>',
    )
    share = _elementor_widget(
        "share-buttons",
        f(
            '<div class="elementor-grid"><div class="elementor-grid-item"><div class="elementor-'
            'share-btn elementor-share-btn_linkedin" role="button" tabindex="0" aria-label="Share '
            'on linkedin"><span class="elementor-share-btn__text"><span class="elementor-share-btn'
            '__title">LinkedIn</span></span></div></div><div class="elementor-grid-item"><div '
            'class="elementor-share-btn elementor-share-btn_email" role="button" tabindex="0" '
            'aria-label="Share on email"><span class="elementor-share-btn__text"><span '
            'class="elementor-share-btn__title">Email</span></span></div></div></div>',
            "LinkedIn",
        ),
        "elementor-share-buttons--view-icon-text",
    )
    bio = (
        f"{names} {'work' if len(post.authors) > 1 else 'works'} on local government finance and "
        f"public service reform at {post.site}."
    )
    author_box = _elementor_widget(
        "author-box",
        f(
            '<div class="elementor-author-box"><div class="elementor-author-box__text"><div><h4 '
            f'class="elementor-author-box__name">{e(post.authors[0])}</h4></div><div '
            f'class="elementor-author-box__bio">{e(bio)}</div><a class="elementor-author-box__'
            'button elementor-button elementor-size-xs" href="/author/x/">All Posts</a></div></div>',
            bio,
            "All Posts",
        ),
    )
    navigation = _elementor_widget(
        "post-navigation",
        f(
            '<div class="elementor-post-navigation"><div class="elementor-post-navigation__prev '
            f'elementor-post-navigation__link"><a href="{others[0].url("/research/{slug}/")}" '
            'rel="prev"><span class="post-navigation__arrow-wrapper post-navigation__arrow-prev">'
            '</span><span class="elementor-post-navigation__link__prev"><span class="post-'
            'navigation__prev--label">Previous</span><span class="post-navigation__prev--title">'
            f"{e(others[0].title)}</span></span></a></div></div>",
            others[0].title,
        ),
    )
    cards = "".join(
        '<article class="elementor-post elementor-grid-item post type-post"><div class="elementor-'
        f'post__text"><h3 class="elementor-post__title"><a href="{o.url("/research/{slug}/")}">'
        f'{e(o.title)}</a></h3><div class="elementor-post__excerpt"><p>{e(o.description)}</p>'
        f'</div><a class="elementor-post__read-more" href="{o.url("/research/{slug}/")}">Read '
        "More &raquo;</a></div></article>"
        for o in others
    )
    related_posts = _elementor_widget(
        "posts",
        f(
            f'<h2 class="elementor-heading-title">Related research</h2><div class="elementor-posts-'
            f'container elementor-posts elementor-grid">{cards}</div>',
            "Related research",
            "Read More",
            *[o.description for o in others],
        ),
        "elementor-grid-2 elementor-posts--thumbnail-none",
    )
    form = _elementor_widget(
        "form",
        f(
            '<form class="elementor-form" method="post" name="Newsletter"><div class="elementor-'
            'form-fields-wrapper elementor-labels-"><p class="elementor-field-label">Stay in the loop '
            'with our monthly research digest.</p><div class="elementor-field-type-email '
            'elementor-field-group elementor-column"><input size="1" type="email" name="form_fields'
            '[email]" class="elementor-field elementor-size-sm elementor-field-textual" '
            'placeholder="Email" required="required"></div><div class="elementor-field-group '
            'elementor-column elementor-field-type-submit"><button type="submit" class="elementor-'
            'button elementor-size-sm"><span class="elementor-button-text">Subscribe</span></button>'
            "</div></div></form>",
            "Stay in the loop with our monthly research digest.",
        ),
    )
    content = _elementor_widget("theme-post-content", post.body())
    title_widget = _elementor_widget(
        "theme-post-title",
        f'<h1 class="elementor-heading-title elementor-size-default">{e(post.title)}</h1>',
        "elementor-page-title elementor-widget-heading",
    )
    column = "".join(
        (title_widget, info, content, share, author_box, navigation, related_posts, form)
    )
    consent_strings = (
        "We'll assume you're ok with this",
        "Cookie settings",
        "Privacy Overview",
        "the cookies that are categorised as necessary",
    )
    page = f"""{head(post, url, f"{post.title} - {post.site}", head_extra)}
<body class="post-template-default single single-post postid-{431 + post.index} single-format-standard elementor-default elementor-template-full-width elementor-kit-5 elementor-page-812">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div data-elementor-type="header" data-elementor-id="20" class="elementor elementor-20 elementor-location-header"><section class="elementor-section elementor-top-section elementor-element elementor-section-boxed" data-element_type="section"><div class="elementor-container elementor-column-gap-default"><div class="elementor-column elementor-col-50 elementor-top-column elementor-element" data-element_type="column"><div class="elementor-widget-wrap elementor-element-populated">{_elementor_widget("theme-site-logo", f'<a href="https://{post.host}/">{e(post.site)}</a>')}</div></div><div class="elementor-column elementor-col-50 elementor-top-column elementor-element" data-element_type="column"><div class="elementor-widget-wrap elementor-element-populated">{_elementor_widget("nav-menu", '<nav class="elementor-nav-menu--main elementor-nav-menu__container"><ul class="elementor-nav-menu"><li class="menu-item"><a href="/research/" class="elementor-item">Research</a></li><li class="menu-item"><a href="/people/" class="elementor-item">People</a></li><li class="menu-item"><a href="/donate/" class="elementor-item">Support us</a></li></ul></nav>')}</div></div></div></section></div>
<div data-elementor-type="single-post" data-elementor-id="812" class="elementor elementor-812 elementor-location-single post-{431 + post.index} post type-post status-publish format-standard hentry category-research">
<section class="elementor-section elementor-top-section elementor-element elementor-section-boxed" data-element_type="section"><div class="elementor-container elementor-column-gap-default"><div class="elementor-column elementor-col-100 elementor-top-column elementor-element" data-element_type="column"><div class="elementor-widget-wrap elementor-element-populated">
{column}
</div></div></div></section>
</div>
<div data-elementor-type="footer" data-elementor-id="31" class="elementor elementor-31 elementor-location-footer"><section class="elementor-section elementor-top-section elementor-element"><div class="elementor-container">{_elementor_widget("text-editor", f(f"<p>{e(post.site)} is an independent charity. Registered in England and Wales, no. 1180000.</p>", "is an independent charity"))}</div></section></div>
{f(GDPR_COOKIE_CONSENT, *consent_strings)}
</body>
</html>
"""
    return page, f.strings


TEMPLATES = {"wordpress-elementor": elementor}
