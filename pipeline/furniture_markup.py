"""Remove page furniture (consent dialogs, share bars, comments, related posts) before extraction.

Trafilatura is good at finding the main text but, tuned for precision or not, it keeps
blocks that look like prose: a cookie notice, "Have your say" prompts, a newsletter pitch.
Those are recognisable by the ids and classes of the tools that render them, so they are
removed here by element identity first; short blocks are also removed by their wording.
No element that holds the post body is ever removed (a ``div.cookie-wrapper`` around the
whole page stays).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable

from lxml.html import HtmlElement

from pipeline.document import (
    CONTENT_MIN_CHARS,
    drop_element,
    element_text,
    find_content,
    parse_html,
    prose_chars,
)
from pipeline.normalise import paragraphise_breaks, paragraphise_text_divs, unwrap_layout_tables

logger = logging.getLogger(__name__)

# Ids of consent platforms and other furniture, compared exactly (case-insensitively).
FURNITURE_IDS = frozenset(
    name.lower()
    for name in (
        "onetrust-consent-sdk",
        "onetrust-banner-sdk",
        "CybotCookiebotDialog",
        "cookie-law-info-bar",
        "qc-cmp2-container",
        "didomi-host",
        "truste-consent-track",
        "consent_blackbar",
        "cookieChoiceInfo",
        "cookie-notice",
        "sqs-cookie-banner",
        "outdated",
        "comments",
        "respond",
        "disqus_thread",
        "blog-pager",
        "related-posts",
        "jp-relatedposts",
        "author-box",
    )
)

# Class tokens of furniture, compared token by token: "share-buttons" never matches "shared".
FURNITURE_CLASSES = frozenset(
    (
        # consent platforms
        "cky-consent-container",
        "cky-modal",
        "cmplz-cookiebanner",
        "osano-cm-window",
        "osano-cm-dialog",
        # out-of-date browser notices
        "browser-upgrade",
        "outdated-browser",
        "browserupgrade",
        # share and like bars
        "sharedaddy",
        "share-buttons",
        "share-bar",
        "addtoany_share_save_container",
        "post-share-buttons",
        "social-share",
        "social-sharing",
        "sharing",
        "wp-block-jetpack-sharing-buttons",
        # newsletter boxes
        "newsletter",
        "newsletter-signup",
        "mc4wp-form",
        "sqs-block-newsletter",
        "kg-signup-card",
        "subscribe-form",
        # comments
        "comments",
        "comments-area",
        "comment-respond",
        "comment-wrapper",
        "comment-section",
        "gh-comments",
        "post-footer-line",
        # related posts and post navigation
        "related-posts",
        "jp-relatedposts",
        "yarpp-related",
        "related-stories",
        "post-navigation",
        "nav-links",
        "blog-pager",
        "pager",
        # author boxes
        "author-box",
        "author-bio",
        "about-author",
        "post-author-box",
        "saboxplugin-wrap",
    )
)

# Parts of id/class tokens only consent banners use ("site-cookie-banner", "cookie-consent-v2").
FURNITURE_FRAGMENTS = ("cookie-banner", "cookie-consent", "consent-banner", "cookiebanner")
# Parts of id/class tokens of the box about the writer under a post ("about-author-new",
# "elementor-author-box--layout-image-above", "td-author-bio"): themes vary the exact names.
AUTHOR_BOX_FRAGMENTS = ("author-box", "author-bio", "about-author")
# One search for any of them (every element of every page is asked).
_FRAGMENTS = re.compile(
    "|".join(re.escape(fragment) for fragment in (*FURNITURE_FRAGMENTS, *AUTHOR_BOX_FRAGMENTS))
)

# Layout elements that are furniture when they do not hold the post body.
LAYOUT_TAGS = frozenset(("nav", "aside", "footer", "header"))

# Wording that marks furniture; used only on small blocks, where it cannot be post prose.
FURNITURE_TEXT = re.compile(
    r"outdated browser|upgrade your browser|update your browser|post a comment|"
    r"sign in to comment|have your say|leave a (?:comment|reply)|"
    r"related (?:stories|posts|articles)|"
    r"subscribe to (?:our|the) newsletter|sign up (?:to|for) (?:our|the) newsletter|"
    r"we use cookies|this (?:site|website) uses cookies",
    re.IGNORECASE,
)
SMALL_BLOCK_CHARS = 300
SHORT_LINE_CHARS = 60
SMALL_BLOCK_TAGS = frozenset(
    ("address", "article", "aside", "blockquote", "div", "dl", "figure", "footer", "form", "h1",
     "h2", "h3", "h4", "h5", "h6", "header", "hr", "ol", "p", "pre", "section", "table", "ul")
)  # fmt: skip

# Blog-platform chrome the blog set (benchmarks/blogset) needed, kept apart from the lists
# above: class tokens that platforms put on what surrounds a post.
PLATFORM_CHROME_CLASSES = frozenset(
    (
        # Medium marks the byline, follow button and clap/listen/share bar "not for reading".
        "speechify-ignore",
    )
)


def clean_html(tree_or_html: HtmlElement | str | bytes, *, copy_tree: bool = True) -> HtmlElement:
    """Return the document without page furniture (a copy unless ``copy_tree`` is False)."""
    if isinstance(tree_or_html, HtmlElement):
        tree = copy.deepcopy(tree_or_html) if copy_tree else tree_or_html
    else:
        tree = parse_html(tree_or_html)
    body = tree.find("body")
    if body is None:
        return tree
    unwrap_layout_tables(tree)
    content = find_content(tree)
    platform_body = content is not None
    if content is None:
        content = discussion_element(tree)
        if content is None:
            content = _main_element(tree)
    protected = _protected(tree, content, body)
    removed = 0
    for element in list(_furniture(tree, content)):
        if element in protected or _has_protected_descendant(element, protected, content):
            continue
        if element.getparent() is None:  # already gone with an ancestor
            continue
        drop_element(element)
        removed += 1
    logger.debug("removed %d furniture elements", removed)
    if content is not None and content.getparent() is not None:
        paragraphise_breaks(content)
        if platform_body:
            paragraphise_text_divs(content)
    return tree


def _furniture(tree: HtmlElement, content: HtmlElement | None) -> Iterable[HtmlElement]:
    """Yield the elements that are furniture, outermost first."""
    content_ancestors = set(content.iterancestors()) if content is not None else set()
    inside_content = set(content.iter()) if content is not None else set()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if _is_furniture_by_identity(element) or is_blog_furniture(element):
            yield element
        elif element.tag in LAYOUT_TAGS:
            # A <header> or <footer> inside the post body is part of it (figures, asides).
            if element not in inside_content and element not in content_ancestors:
                yield element
        elif (element.tag == "form" and _is_signup_form(element)) or element.tag == "dialog":
            yield element
    for element in tree.iter(*SMALL_BLOCK_TAGS):
        # Inside the body only a line on its own can be furniture: prose may say "have your say".
        limit = SHORT_LINE_CHARS if element in inside_content else SMALL_BLOCK_CHARS
        text = _text_below(element, limit)
        if text is not None and FURNITURE_TEXT.search(text):
            yield _outermost_small(element, inside_content)


def _text_below(element: HtmlElement, limit: int) -> str | None:
    """Return ``element_text(element)`` if it is shorter than ``limit``, else None.

    Without collapsing the spaces of a long block's whole text: the collapsed text of a
    prefix is a prefix of the collapsed whole, so a prefix already ``limit`` long settles it.
    """
    raw = element.text_content()
    if len(raw) >= limit and len(" ".join(raw[: 4 * limit].split())) >= limit:
        return None
    text = " ".join(raw.split())
    return text if len(text) < limit else None


# Ids and class tokens of the FURNITURE_* lists that mark a discussion (comments, replies).
COMMENT_NAMES = frozenset(("comments", "comments-area", "comment-wrapper", "comment-section"))
# Prose outside a page's comments under which the page has no post of its own: it is the
# discussion (a forum thread, a link aggregator's comments), whose posts are its content.
OWN_POST_CHARS = 1500


def discussion_element(tree: HtmlElement) -> HtmlElement | None:
    """Return the comments container of a page that is a discussion, or None.

    On an article the comments follow the post; on a forum thread the "comments" element
    (Invision's ``div#comments``, an aggregator's ``ol.comments``) holds every post, the
    first included, and the rest of the page has next to no prose.
    """
    body = tree.find("body")
    page = prose_chars(body) if body is not None else 0
    if not page:
        return None
    for element in body.iter():
        if isinstance(element.tag, str) and element is not body and _is_comments(element):
            inside = prose_chars(element)
            return element if inside and page - inside < OWN_POST_CHARS else None
    return None


def _is_comments(element: HtmlElement) -> bool:
    names = {(element.get("id") or "").lower(), *(element.get("class") or "").lower().split()}
    return bool(names & COMMENT_NAMES)


def _is_furniture_by_identity(element: HtmlElement) -> bool:
    """Tell whether the element's id, classes or ARIA role name it as furniture."""
    ident = (element.get("id") or "").lower()
    tokens = (element.get("class") or "").lower().split()
    if ident in FURNITURE_IDS or any(token in FURNITURE_CLASSES for token in tokens):
        return True
    if any(_FRAGMENTS.search(name) for name in (ident, *tokens)):
        return True
    if element.get("role") == "dialog" and (element.get("aria-modal") or "").lower() == "true":
        return True
    return "cookie" in (element.get("aria-label") or "").lower()


def _is_signup_form(form: HtmlElement) -> bool:
    """Tell whether a form asks for an email address (newsletter, comment form)."""
    for field in form.iter("input", "textarea"):
        kind = (field.get("type") or "").lower()
        name = (field.get("name") or "").lower()
        if kind == "email" or "email" in name or name == "comment":
            return True
    return False


def _outermost_small(element: HtmlElement, inside_content: set[HtmlElement]) -> HtmlElement:
    """Return the largest ancestor-or-self whose text is still a small block."""
    best = element
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html", "article", "main") or ancestor in inside_content:
            break
        if len(element_text(ancestor)) >= SMALL_BLOCK_CHARS:
            break
        best = ancestor
    return best


def _protected(
    tree: HtmlElement, content: HtmlElement | None, body: HtmlElement
) -> set[HtmlElement]:
    """Return elements never removed: the post body and every ancestor of it."""
    protected = {tree, body}
    if content is not None:
        protected.add(content)
        protected.update(content.iterancestors())
    return protected


def _has_protected_descendant(
    element: HtmlElement, protected: set[HtmlElement], content: HtmlElement | None
) -> bool:
    """Tell whether removing ``element`` would take the post body with it."""
    if content is not None:
        return False  # ancestors of the content are in ``protected`` already
    # Without a known body, refuse to drop a block that holds most of the page's text.
    page = element.getroottree().getroot().find("body")
    total = len(element_text(page)) if page is not None else 0
    return total > 0 and len(element_text(element)) > 0.5 * total


def _main_element(tree: HtmlElement) -> HtmlElement | None:
    """Return the page's only <article> or <main>, if it has exactly one."""
    for tag in ("article", "main"):
        found = tree.xpath(f"//{tag}")
        if len(found) == 1 and len(element_text(found[0])) >= CONTENT_MIN_CHARS:
            return found[0]
    return None


# --- Inline pop-ups (extraction precision) -------------------------------------------------
# Hover cards and tooltips sit inside a sentence ("Rep. <span>Ilhan Omar<span class=
# "rollover-people-block">...her latest headlines...</span></span> said") and are shown only
# on hover; their text would be spliced into the sentence. Class tokens containing these.
INLINE_POPUP_FRAGMENTS = ("rollover-people-block", "hovercard", "popover", "tooltip")


def drop_inline_popups(tree: HtmlElement) -> None:
    """Remove hover cards and tooltips nested in running text (keep the text around them)."""
    for element in list(tree.iter("span", "div", "aside")):
        if element.getparent() is None or element.getparent().tag in ("body", "html"):
            continue
        tokens = (element.get("class") or "").lower().split()
        popup = any(f in token for token in tokens for f in INLINE_POPUP_FRAGMENTS)
        if popup and len(element_text(element)) < SMALL_BLOCK_CHARS * 3:
            drop_element(element)


def is_blog_furniture(element: HtmlElement) -> bool:
    """Tell whether the element is blog-platform chrome (Medium's byline and action bar)."""
    tokens = (element.get("class") or "").lower().split()
    return any(token in PLATFORM_CHROME_CLASSES for token in tokens)
