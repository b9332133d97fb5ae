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

import lxml.html
from lxml.html import HtmlElement

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


# The post body's container on platforms we recognise, best first.
CONTENT_XPATHS = (
    # WordPress (classic themes and block themes)
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-content ')]",
    # Blogger
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-body ')]",
    # Ghost
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' gh-content ')]",
    # Drupal
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' field--name-body ')]",
    # schema.org microdata
    "//*[@itemprop='articleBody']",
    # Squarespace: the blog item's own body, not every content block on the page
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' blog-item-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' sqs-block-content ')]",
)
CONTENT_MIN_CHARS = 80


def parse_html(html: str | bytes) -> HtmlElement:
    """Parse a whole HTML document into an lxml tree."""
    if isinstance(html, str):
        # lxml refuses str input that declares its own encoding.
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    # Comments inside paragraphs (React's <!-- -->) make trafilatura drop the rest of the
    # paragraph: on the article-extraction-benchmark keeping them cost 0.003 F1.
    tree = lxml.html.document_fromstring(html, parser=_PARSER)
    _fold_content_after_the_document(tree)
    return tree


def _fold_content_after_the_document(root: HtmlElement) -> None:
    """Move what follows a stray ``</html>`` into the body, where a browser puts it.

    A theme's header template can close the document (``</body></html>``) before the post;
    libxml2 then leaves the post in a second root element that no extractor looks in.
    """
    body = root.find("body")
    if body is None:
        return
    for sibling in list(root.itersiblings()):
        if not isinstance(sibling.tag, str):
            continue
        source = sibling.find("body") if sibling.find("body") is not None else sibling
        for child in list(source):
            if isinstance(child.tag, str) and child.tag != "head":
                body.append(child)


_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


def find_content(tree: HtmlElement) -> HtmlElement | None:
    """Return the post body's container on a recognised platform, or None.

    The container must hold most of the page's prose (:func:`holds_main_text`): the first
    ``entry-content`` on a page can be a teaser card, a standfirst or one live-blog entry.
    """
    prose = prose_chars(tree.find("body") if tree.find("body") is not None else tree)
    for xpath in CONTENT_XPATHS:
        candidates = [el for el in tree.xpath(xpath) if len(_text(el)) >= CONTENT_MIN_CHARS]
        if not candidates:
            continue
        if len(candidates) > 1 and "sqs-block-content" in xpath:
            # Squarespace splits a post into many blocks: their common ancestor is the body.
            candidates = [_common_ancestor(candidates)]
        # Several matches are a listing or nested containers: the first, outermost, that
        # holds the text.
        for candidate in candidates:
            if holds_main_text(candidate, prose):
                return candidate
    return None


# Paragraphs this long are prose; shorter ones may be captions, teasers or buttons.
PROSE_PARAGRAPH_CHARS = 100
# A container holding less than this share of the page's prose is not the post body.
MAIN_TEXT_SHARE = 0.5


def holds_main_text(element: HtmlElement, page_prose: int) -> bool:
    """Tell whether ``element`` holds at least half of the page's prose paragraphs' text."""
    return prose_chars(element) >= MAIN_TEXT_SHARE * page_prose


# The element holding this share of a page's prose is where its main text is.
PROSE_CONTAINER_SHARE = 0.8


def prose_container(element: HtmlElement) -> HtmlElement:
    """Return the deepest element under ``element`` holding 80% of its prose.

    Where the text is when nothing names the post body: a theme's unnamed wrapper or a
    page builder's grid, whatever its classes say.
    """
    wanted = PROSE_CONTAINER_SHARE * prose_chars(element)
    current = element
    while True:
        for child in current:
            if isinstance(child.tag, str) and prose_chars(child) >= wanted:
                current = child
                break
        else:
            return current


def prose_blocks(element: HtmlElement) -> int:
    """Return how many blocks of prose (100+ characters of own text) the element holds."""
    return sum(
        1
        for block in element.iter(*PROSE_BLOCK_TAGS)
        if len(_own_text(block)) >= PROSE_PARAGRAPH_CHARS
    )


def prose_chars(element: HtmlElement) -> int:
    """Return the characters of the element's prose: blocks with 100+ characters of own text.

    A block's own text is what it holds outside its nested blocks: a ``<p>``'s sentences, or
    the lines of a ``<div>`` written with ``<br>`` between them (Blogger).
    """
    total = 0
    for block in element.iter(*PROSE_BLOCK_TAGS):
        size = len(_own_text(block))
        if size >= PROSE_PARAGRAPH_CHARS:
            total += size
    return total


PROSE_BLOCK_TAGS = ("p", "div", "blockquote", "li", "td", "section", "article", "dd", "main")


def _own_text(block: HtmlElement) -> str:
    parts = [block.text or ""]
    for child in block:
        if child.tag in INLINE_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


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
        _drop(element)
        removed += 1
    logger.debug("removed %d furniture elements", removed)
    if content is not None and content.getparent() is not None:
        paragraphise_breaks(content)
        if platform_body:
            paragraphise_text_divs(content)
    return tree


BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "div",
        "dl",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
# Inline elements: their text is part of the running text of the block they sit in.
INLINE_TAGS = frozenset(
    ("a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
     "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var")
)  # fmt: skip


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout (cells holding headings or paragraphs) into divs.

    Trafilatura keeps tables as tables, flattening a whole hand-made page into cells.
    """
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./tr/th | ./tbody/tr/th")
        if not any(cell.find(tag) is not None for cell in cells for tag in ("h1", "h2", "p")):
            continue
        for element in [table, *table.xpath("./tbody | ./thead | ./tr | ./*/tr"), *cells]:
            element.tag = "div"
            for attribute in ("width", "valign", "cellpadding", "cellspacing", "border"):
                element.attrib.pop(attribute, None)


def paragraphise_breaks(container: HtmlElement) -> None:
    """Turn loose text split by ``<br><br>`` (Blogger's post body) into ``<p>`` elements.

    Trafilatura cuts such text at the first inline link, leaving "In" and "the first
    part I described..." as two paragraphs with the space between them lost.
    """
    has_loose_text = (container.text or "").strip() or any(
        (child.tail or "").strip() for child in container
    )
    if not has_loose_text or sum(1 for child in container if child.tag == "br") < 2:
        return
    tokens: list[str | HtmlElement] = [container.text or ""]
    for child in container:
        tokens += [child, child.tail or ""]
        child.tail = None
    container.text = None
    for child in list(container):
        container.remove(child)
    paragraph = lxml.html.Element("p")
    last_break: HtmlElement | None = None

    def flush() -> None:
        nonlocal paragraph
        while len(paragraph) and paragraph[-1].tag == "br":
            _drop(paragraph[-1])
        if (paragraph.text or "").strip() or len(paragraph):
            container.append(paragraph)
        paragraph = lxml.html.Element("p")

    for token in tokens:
        if isinstance(token, str):
            if token.strip():
                last_break = None
            if len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + token
            else:
                paragraph.text = (paragraph.text or "") + token
        elif token.tag == "br":
            if last_break is not None:  # a blank line ends the paragraph
                last_break = None
                flush()
            else:
                paragraph.append(token)
                last_break = token
        elif isinstance(token.tag, str) and token.tag in BLOCK_TAGS:
            flush()
            container.append(token)
            last_break = None
        else:
            paragraph.append(token)
            last_break = None
    flush()


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
        text = _text(element)
        # Inside the body only a line on its own can be furniture: prose may say "have your say".
        limit = SHORT_LINE_CHARS if element in inside_content else SMALL_BLOCK_CHARS
        if len(text) < limit and FURNITURE_TEXT.search(text):
            yield _outermost_small(element, inside_content)


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
    if any(fragment in name for name in (ident, *tokens) for fragment in FURNITURE_FRAGMENTS):
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
        if len(_text(ancestor)) >= SMALL_BLOCK_CHARS:
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
    total = len(_text(page)) if page is not None else 0
    return total > 0 and len(_text(element)) > 0.5 * total


def _main_element(tree: HtmlElement) -> HtmlElement | None:
    """Return the page's only <article> or <main>, if it has exactly one."""
    for tag in ("article", "main"):
        found = tree.xpath(f"//{tag}")
        if len(found) == 1 and len(_text(found[0])) >= CONTENT_MIN_CHARS:
            return found[0]
    return None


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement:
    """Return the deepest element that contains all of ``elements``."""
    first_chain = [elements[0], *elements[0].iterancestors()]
    others = [{e, *e.iterancestors()} for e in elements[1:]]
    for candidate in first_chain:
        if all(candidate in chain for chain in others):
            return candidate
    return first_chain[-1]


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text, which belongs to the parent."""
    element.drop_tree()


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


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
        if popup and len(_text(element)) < SMALL_BLOCK_CHARS * 3:
            _drop(element)


# --- Embedded posts (extraction recall) ----------------------------------------------------
# A tweet or Instagram post quoted in an article is part of what the author wrote about, but
# it arrives as <div class="social-media-embed"><blockquote class="twitter-tweet">, and
# "social" and "embed" mark share bars to trafilatura, which then drops the quote with them.
EMBEDDED_POST_CLASSES = frozenset(
    ("twitter-tweet", "instagram-media", "tiktok-embed", "bluesky-embed", "threads-post")
)
_EMBED_WRAPPER = re.compile(r"social|embed", re.IGNORECASE)


def unwrap_embedded_posts(tree: HtmlElement) -> None:
    """Lift quoted social posts out of their "embed" wrappers and drop their embed classes."""
    for quote in list(tree.iter("blockquote")):
        tokens = (quote.get("class") or "").lower().split()
        if not any(token in EMBEDDED_POST_CLASSES for token in tokens):
            continue
        outermost = quote
        for ancestor in quote.iterancestors():
            marker = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
            if not _EMBED_WRAPPER.search(marker) or _text(ancestor) != _text(quote):
                break
            outermost = ancestor
        for name in ("class", "data-lang", "data-instgrm-permalink"):
            quote.attrib.pop(name, None)
        if outermost is not quote:
            quote.tail = outermost.tail
            outermost.getparent().replace(outermost, quote)


def is_blog_furniture(element: HtmlElement) -> bool:
    """Tell whether the element is blog-platform chrome (Medium's byline and action bar)."""
    tokens = (element.get("class") or "").lower().split()
    return any(token in PLATFORM_CHROME_CLASSES for token in tokens)


def paragraphise_text_divs(container: HtmlElement) -> None:
    """Turn a body written as divs (Blogger's "div" mode) into paragraphs.

    Blogger's editor can write each paragraph as a ``<div>`` with ``<div><br></div>`` between;
    trafilatura then drops the space after a link that opens such a div ("schoolsshow"). Only
    bodies with such spacer divs are touched, and only their direct children that hold text
    and inline markup: elsewhere a leaf div is as likely a caption or a widget as a paragraph.
    """
    divs = [child for child in container if child.tag == "div"]
    if not any(len(div) and not _text(div) and all(c.tag == "br" for c in div) for div in divs):
        return
    for div in divs:
        if not any(isinstance(child.tag, str) and child.tag in BLOCK_TAGS for child in div):
            div.tag = "p"
