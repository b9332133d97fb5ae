"""Turn one fetched post page (HTML bytes + URL) into a PostRecord.

Order: decode, parse (:mod:`pipeline.document`), read declared metadata from the untouched
page, remove furniture (:mod:`pipeline.furniture_markup`), then let trafilatura (precision
mode) pick the text out of the platform's own body container when there is one, else out of
the whole page; furniture written as prose is trimmed from what it keeps
(:mod:`pipeline.furniture_text`). Text, links
and the HTML rendering all come from the same extracted body, so a link is listed only
when its anchor text is in the text.
"""

from __future__ import annotations

import codecs
import copy
import logging
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import nh3
import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.settings import Document, set_date_params
from w3lib.encoding import html_to_unicode, http_content_type_encoding, read_bom

from crawler.parsed import ParsedPage
from crawler.urls import INDEX_DOCUMENT, canonicalize_url, netloc, url_key
from pipeline.body import body_text
from pipeline.document import (
    adopt_tree,
    find_content,
    parse_html,
    prose_blocks,
    prose_chars,
    prose_container,
)
from pipeline.furniture_markup import clean_html, drop_inline_popups
from pipeline.furniture_text import trim_body
from pipeline.markdown import html_to_markdown
from pipeline.metadata import (
    TITLE_SEPARATORS,
    PageMetadata,
    author_or_none,
    clean_title,
    heading_text,
    read_metadata,
)
from pipeline.normalise import (
    drop_box_drawing_styles,
    drop_empty_elements_before_text,
    restore_lazy_images,
    unlist_table_cells,
    unwrap_embedded_posts,
)
from pipeline.recall_merge import add_missed_blocks, skipped_prose
from pipeline.records import Link, PostRecord
from pipeline.series.detect import detect_series

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "pre",
    "code", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}


class ExtractionError(Exception):
    """A page from which no post text could be extracted."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str, str]]:
        # Raised in worker processes: the default pickling passes one argument, not two.
        return (type(self), (self.url, self.message))


def extract_post(
    body: bytes | str,
    url: str,
    *,
    source: str = "",
    fetched_at: str = "",
    encoding: str | None = None,
    clean: bool = True,
    entry: bool = False,
    parsed: ParsedPage | None = None,
) -> PostRecord:
    """Extract the post on one page; raise ExtractionError when it holds no text.

    ``clean=False`` skips furniture removal (:func:`pipeline.furniture_markup.clean_html`); it
    exists to measure what that step is worth. ``entry`` says the page is a post cut out of a
    listing without permalinks: its URL (the listing's, with a fragment naming the entry)
    is its identity, since the canonical URL the listing's ``<head>`` declares is the
    listing's, shared by all its entries. ``parsed``: the same bytes as the page reader
    decoded and parsed them (:class:`crawler.parsed.ParsedPage`); its tree becomes this
    extraction's (it is the one :func:`pipeline.document.parse_html` would make) when the
    text is the one this decoding gives, and its JSON-LD is not read again.
    """
    html = decode_html(body, url, encoding, parsed=parsed)
    tree, json_ld = None, None
    if parsed is not None and (tree := parsed.take_tree(html)) is not None:
        if not any(isinstance(top.tag, str) for top in _other_roots(tree)):
            json_ld = parsed.json_ld()  # the same scripts in the same order once folded
        adopt_tree(tree)
    if tree is None:
        try:
            tree = parse_html(html)
        except (lxml.etree.ParserError, ValueError) as exc:
            raise ExtractionError(url, f"not parseable as HTML ({exc})") from exc
    if tree.find("body") is None and tree.tag != "html":
        raise ExtractionError(url, "not an HTML document")
    meta = read_metadata(tree, url, json_ld)
    cleaned = clean_html(tree) if clean else copy.deepcopy(tree)
    drop_captions(cleaned)
    drop_inline_popups(cleaned)
    unwrap_embedded_posts(cleaned)
    restore_lazy_images(cleaned)
    drop_empty_elements_before_text(cleaned)
    drop_box_drawing_styles(cleaned)
    unlist_table_cells(cleaned)
    absolutise_links(cleaned, url)
    document, fuller = _run_trafilatura(cleaned, url, article=meta.declares_article)
    if document is None or document.body is None:
        raise ExtractionError(url, "no post text found (trafilatura extracted nothing)")

    title = choose_title(meta, tree, getattr(document, "title", None))
    if not meta.site:
        meta.site = site_from_title(meta.html_title, title) or meta.home_link_name
    titles = (title, meta.title, meta.html_title, document.title)
    trim_body(document.body, titles, url)
    if fuller is not None and fuller.body is not None:
        trim_body(fuller.body, titles, url)
        add_missed_blocks(document.body, fuller.body)
    text = body_text(document.body)
    if not text.strip():
        raise ExtractionError(url, "no post text found (extracted body is empty)")
    links = body_links(document.body, url)
    rendered = body_html(document.body)
    record = PostRecord(
        url=canonicalize_url(url, keep_fragment=True) if entry else canonical_url(meta, url),
        title=title,
        text=text,
        source=source,
        fetched_url=url,
        fetched_at=fetched_at,
        author=meta.author or author_or_none(_guess(document, "author"), meta.site_names),
        published=choose_published(meta.published, tree, url),
        updated=meta.updated,
        site=meta.site or _guess(document, "sitename"),
        description=meta.description or _guess(document, "description"),
        language=meta.language or _guess(document, "language"),
        tags=meta.tags or _guess_tags(document),
        links=links,
        html=rendered,
        markdown=html_to_markdown(rendered),
        declared_original=declared_original(meta, url),
    )
    record.series = detect_series(
        record.title, record.text, tree, url, standfirst=record.description
    )
    return record


def _other_roots(root: HtmlElement) -> list[lxml.etree._Element]:
    return [*root.itersiblings(preceding=True), *root.itersiblings()]


def decode_html(
    body: bytes | str, url: str, encoding: str | None = None, *, parsed: ParsedPage | None = None
) -> str:
    """Decode page bytes: BOM, then the given encoding, then ``<meta charset>``, then UTF-8.

    ``parsed``: the page as the reader decoded it, whose text is taken instead of decoding
    the bytes again when it is what this decoding gives (the same codec, no BOM).
    """
    if isinstance(body, str):
        text = body
    else:
        if not body.strip():
            raise ExtractionError(url, "empty body")
        if b"\x00" in body[:2048] and not body.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise ExtractionError(url, "binary content, not HTML")
        text = _decode_bytes(body, encoding, parsed)
    text = normalise_characters(text)
    if not text.strip():
        raise ExtractionError(url, "empty body")
    if not re.search(r"<\s*(html|body|p|div|article|head)\b", text[:100_000], re.I):
        raise ExtractionError(url, "not HTML (no html, body or paragraph tags)")
    return text


# Soft hyphens mark where a word may break; written or as an entity, they are not text
# ("Bundes\u00adregierung" must read as one word).
_SOFT_HYPHEN = re.compile(r"\u00ad|&shy;|&#173;|&#x0*ad;", re.IGNORECASE)


def normalise_characters(html: str) -> str:
    """Drop soft hyphens, repair double-encoded UTF-8 and compose characters (NFC)."""
    return unicodedata.normalize("NFC", repair_double_encoding(_SOFT_HYPHEN.sub("", html)))


# C1 control characters are never text: on a web page they are the continuation bytes of
# UTF-8 that was read as Latin-1 and written out again as UTF-8 ("donâ\x80\x99t").
_C1_CONTROL = re.compile("[\u0080-\u009f]")
# One UTF-8 sequence spelt in Latin-1: a lead byte and its continuation bytes.
_UTF8_AS_LATIN1 = re.compile(
    "[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}"
    "|[\u00f0-\u00f4][\u0080-\u00bf]{3}"
)


def repair_double_encoding(text: str) -> str:
    """Decode UTF-8 that was encoded twice: "doesnâ\\x80\\x99t" is "doesn\u2019t".

    Only on a page that holds C1 control characters, which no text contains; each
    sequence is decoded on its own, so a page mixing both spellings is repaired too.
    """
    if not _C1_CONTROL.search(text):
        return text

    def decode(match: re.Match[str]) -> str:
        try:
            return match[0].encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return match[0]

    return _UTF8_AS_LATIN1.sub(decode, text)


def _decode_bytes(body: bytes, encoding: str | None, parsed: ParsedPage | None = None) -> str:
    # As a browser (and Scrapy) does: BOM, then the given encoding, then <meta charset>, and
    # only the bytes that are invalid in it become U+FFFD: one stray byte in a UTF-8 page
    # must not turn the whole page into cp1252 mojibake.
    header = f"text/html; charset={encoding}" if encoding else None
    used = _decoded_as(body, header, parsed)
    if used is not None:
        assert parsed is not None
        text = parsed.text  # what html_to_unicode gives: the same codec, replacing bad bytes
    else:
        used, text = html_to_unicode(header, body, auto_detect_fun=_undeclared_encoding)
    # A page declared UTF-8 whose non-ASCII bytes are mostly invalid in it is not UTF-8 at all
    # (a Latin-1 file served with the server's default charset): read it as the legacy default.
    if used.replace("-", "").lower() == "utf8" and _mostly_invalid_utf8(text):
        return body.decode("cp1252", errors="replace")
    return text


def _decoded_as(body: bytes, header: str | None, parsed: ParsedPage | None) -> str | None:
    """Return the encoding html_to_unicode would decode ``body`` with, if ``parsed`` did.

    It takes a byte-order mark first, then the header's charset (by w3lib's names: latin-1
    is cp1252), and decodes replacing bad bytes, as the reader does (but for gb18030).
    """
    if parsed is None or header is None or parsed.body != body or read_bom(body)[0] is not None:
        return None
    used = http_content_type_encoding(header)
    if used is None or "18030" in used or used in {"utf-16", "utf-32"}:
        return None
    try:
        same = codecs.lookup(used).name == codecs.lookup(parsed.encoding).name
    except LookupError:
        return None
    return used if same else None


def _undeclared_encoding(body: bytes) -> str:
    """Guess an undeclared page's encoding: UTF-8 unless most non-ASCII bytes are invalid in it.

    Undeclared legacy pages are mostly Windows-1252.
    """
    return "cp1252" if _mostly_invalid_utf8(body.decode("utf-8", errors="replace")) else "utf-8"


def _mostly_invalid_utf8(text: str) -> bool:
    """Say whether most non-ASCII characters of a text decoded as UTF-8 are U+FFFD (bad bytes)."""
    bad = text.count("\ufffd")
    if not bad:  # valid UTF-8, most pages: no second pass over the text
        return False
    good = sum(1 for char in text if ord(char) > 127) - bad
    return good < bad


def _run_trafilatura(
    cleaned: HtmlElement, url: str, *, article: bool = True
) -> tuple[Document | None, Document | None]:
    """Extract from the platform's body container when there is one, else from the page.

    Precision mode first; when what it kept is a small part of the page's prose (it chose
    one block of a long page), the page is extracted again without it and the longer body wins.
    When precision mode's text stands but skipped a paragraph inside it
    (:func:`pipeline.recall_merge.skipped_prose`), the page is extracted without it as well,
    and that extraction is returned second, for :func:`pipeline.recall_merge.add_missed_blocks`
    to take the skipped paragraphs from once both are trimmed.
    A page that is not an article (it declares none, or has fewer than two paragraphs of
    prose, and has no post body container: a product, service, documentation or listing
    page) is extracted without precision mode, whose rules for short blocks and lists were
    written for articles.
    """
    page = cleaned.find("body")
    prose = prose_chars(page if page is not None else cleaned)
    content = find_content(cleaned, prose)
    if content is None and page is not None and prose_blocks(page) < ARTICLE_PROSE_BLOCKS:
        article = False  # declared an article, but with no post body and no paragraphs
    if content is None and not article:
        document = _without_image_choice(cleaned, url)
        if page is not None:
            document = _from_headed_container(cleaned, page, url, document, favor_precision=False)
        if document is not None:
            if _kept_chars(document) < RECALL_SHARE * prose and page is not None:
                document = _from_prose_container(cleaned, page, url, document, prose)
            return document, None
    attempts = [_subtree_document(cleaned, content)] if content is not None else []
    attempts.append(cleaned)
    document = None
    for tree in attempts:
        document = _bare_extraction(tree, url, favor_precision=True)
        if document is not None:
            break
    if content is None and page is not None:
        document = _from_headed_container(cleaned, page, url, document)
    kept = _kept_chars(document)
    if kept < RECALL_SHARE * prose:
        fuller = _bare_extraction(cleaned, url, favor_precision=False)
        if fuller is not None and _kept_chars(fuller) > kept:
            logger.debug("%s: precision mode kept %d of %d prose characters", url, kept, prose)
            document, kept = fuller, _kept_chars(fuller)
    elif (
        document is not None and page is not None and skipped_prose(page, body_text(document.body))
    ):
        return document, _bare_extraction(cleaned, url, favor_precision=False)
    if kept < RECALL_SHARE * prose and page is not None:
        document = _from_prose_container(cleaned, page, url, document, prose)
    return document, None


def _without_image_choice(cleaned: HtmlElement, url: str) -> Document | None:
    """Extract without precision mode, with images and without; the longer text wins.

    Images sway trafilatura's choice of blocks both ways: with them kept it can end the text
    at a run of icon rows (a course outline) or take a grid of pictured cards for the main
    block, and without them it drops a grid of pictured tiles that is the page's content (a
    shop's category). Each way, the wrong choice keeps less text, as between precision and
    default mode, so the text without images wins when it is clearly longer. Images stay in the
    HTML rendering when the extraction with them wins.
    """
    pictured = _bare_extraction(cleaned, url, favor_precision=False)
    plain = _bare_extraction(cleaned, url, favor_precision=False, images=False)
    if _kept_chars(plain) > IMAGELESS_GAIN * _kept_chars(pictured):
        return plain
    return pictured


# The text extracted without images replaces the one with them when it is this many times
# longer: a few more characters are an image's neighbour (a print header's URL) left behind as
# a block, not another choice of blocks.
IMAGELESS_GAIN = 1.25


def _from_prose_container(
    cleaned: HtmlElement, page: HtmlElement, url: str, document: Document | None, prose: int
) -> Document | None:
    """Extract again from the element that holds the page's prose, if that keeps more.

    Trafilatura's own choice can skip most of the prose (a theme's "widget" grid, an unnamed
    wrapper); the element holding 80% of the prose is then where the text is. It must hold
    what was extracted already: a fuller text elsewhere (a carousel of legal notes) is not
    the post's. And it must at least double the text: a modest gain is as likely the
    furniture around the post (contact numbers, a shop's related guides) as its text.
    """
    container = prose_container(page)
    if container is page or prose_blocks(container) < 2:
        return document  # one paragraph alone (a notice) is not a post trafilatura missed
    kept = body_text(document.body, loose=False) if document is not None else ""
    if kept and _longest_block(kept) not in _text(container):
        return document
    if kept and _kept_one_of_its_blocks(container, kept):
        return document
    subtree = _subtree_document(cleaned, container)
    for favor_precision in (True, False):
        found = _bare_extraction(subtree, url, favor_precision=favor_precision)
        size = _kept_chars(found)
        if size >= CONTAINER_GAIN * len(kept) and (
            size >= RECALL_SHARE * prose or not favor_precision
        ):
            logger.debug("%s: the prose container gave %d characters, not %d", url, size, len(kept))
            return found
    return document


def _from_headed_container(
    cleaned: HtmlElement,
    page: HtmlElement,
    url: str,
    document: Document | None,
    *,
    favor_precision: bool = True,
) -> Document | None:
    """Extract again from the prose container when trafilatura kept its paragraphs alone.

    Finding no body container it knows, trafilatura gathers the page's loose paragraphs (and
    tables, quotes, code), never its headings or lists: a post's section headings and bulleted
    points are lost while its prose is kept. Given the element holding the prose as the post
    body, it keeps them. Only when the kept text has no heading and no list while that element
    holds two headings or more, each named once (a forum thread's headings repeat its posters'
    names and "Re:" titles), and only if the container holds what was kept and gives more.
    """
    if document is None or document.body is None:
        return document
    if document.body.find(".//head") is not None or document.body.find(".//list") is not None:
        return document
    container = prose_container(page)
    headings = [" ".join(h.text_content().split()).casefold() for h in _HEADINGS(container)]
    if container is page or len(headings) < 2 or len(set(headings)) < len(headings):
        return document  # headings named twice: a thread's posters and "Re:" titles, not sections
    kept = body_text(document.body, loose=False)
    if _longest_block(kept) not in _text(container):
        return document
    subtree = _subtree_document(cleaned, container)
    found = _bare_extraction(subtree, url, favor_precision=favor_precision)
    if found is not None and _kept_chars(found) > len(kept):
        logger.debug("%s: the prose container kept its headings and lists", url)
        document.body = found.body  # the metadata stays the whole page's (a byline outside it)
    return document


_HEADINGS = lxml.etree.XPath(".//*[self::h2 or self::h3 or self::h4][normalize-space()]")


def _kept_one_of_its_blocks(container: HtmlElement, kept: str) -> bool:
    """Tell whether the kept text is one whole child of the container (one story of several).

    Trafilatura chose that block over its siblings (teasers, the next story); a partial
    choice inside the blocks (two paragraphs above a widget grid) is what it gets wrong.
    """
    longest = _longest_block(kept)
    for child in container:
        if isinstance(child.tag, str) and longest in _text(child):
            return 0.8 * len(kept) <= prose_chars(child) <= 1.25 * len(kept)
    return False


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


# The prose container's text replaces trafilatura's only when it is this many times longer.
CONTAINER_GAIN = 2


def _longest_block(text: str) -> str:
    return " ".join(max(text.split("\n\n"), key=len).split())


def _kept_chars(document: Document | None) -> int:
    """Return the characters of trafilatura's blocks (its choices are measured on them)."""
    return len(body_text(document.body, loose=False)) if document is not None else 0


# A page declaring an article, without a post body container, needs this many paragraphs of
# prose to be treated as one: a documentation index of one-line summaries declares
# ``og:type`` "article" too, and precision mode keeps its first line only.
ARTICLE_PROSE_BLOCKS = 2


# Precision mode keeping less than this share of the page's prose lost the post's text.
RECALL_SHARE = 0.5


def _bare_extraction(
    tree: HtmlElement, url: str, *, favor_precision: bool, images: bool = True
) -> Document | None:
    document = trafilatura.bare_extraction(
        copy.deepcopy(tree),
        url=url,
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_formatting=True,
        include_images=images,
        with_metadata=True,
        # htmldate's extensive search turns a "/2009/" in any link into 2009-01-01.
        date_extraction_params=set_date_params(extensive=False),
    )
    if isinstance(document, Document) and document.body is not None and body_text(document.body):
        return document
    return None


def _subtree_document(tree: HtmlElement, content: HtmlElement) -> HtmlElement:
    """Wrap the body container in a page of its own, keeping the original ``<head>``."""
    root = lxml.html.Element("html")
    for name, value in tree.attrib.items():
        root.set(name, value)
    head = tree.find("head")
    if head is not None:
        root.append(copy.deepcopy(head))
    body = lxml.html.Element("body")
    article = lxml.html.Element("article")
    article.append(copy.deepcopy(content))
    body.append(article)
    root.append(body)
    return root


_CAPTION_XPATH = lxml.etree.XPath(
    "//figcaption | //*[self::div or self::p or self::span or self::section or self::li"
    " or self::ul or self::figure][contains(@class, 'caption') or contains(@id, 'caption')]"
)


def drop_captions(tree: HtmlElement) -> None:
    """Remove image captions: they describe a picture, the text is the post's own prose.

    Trafilatura drops them itself unless images are kept; we keep images for the HTML
    rendering, so captions are removed here instead (what trafilatura does without images).
    """
    for element in _CAPTION_XPATH(tree):
        if element.getparent() is None or element.find(".//article") is not None:
            continue
        if element.tag != "figcaption" and element.find(".//img") is not None:
            continue  # a captioned image's wrapper (WordPress "wp-caption"): its caption goes
        element.drop_tree()


def absolutise_links(tree: HtmlElement, url: str) -> None:
    """Resolve every link against the page (and its ``<base>``); unlink non-web targets.

    Trafilatura resolves relative links against the site's root, not the page, so
    ``paper-map.html`` on ``/2009/`` would point to the wrong place. Links to the same
    page, to scripts or to mail lose their href but keep their text.
    """
    base_href = tree.xpath("//head/base/@href")
    base = urljoin(url, base_href[0].strip()) if base_href and base_href[0].strip() else url
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        if href.startswith("#") or urlsplit(href).scheme.lower() not in ("", "http", "https"):
            del anchor.attrib["href"]
            continue
        anchor.set("href", urljoin(base, href))


def body_links(body: lxml.etree._Element, url: str) -> list[Link]:
    """Return the body's links with absolute URLs and their anchor text as written."""
    links = []
    for ref in body.iter("ref"):
        target = (ref.get("target") or "").strip()
        text = " ".join("".join(ref.itertext()).split())
        if not text or urlsplit(target).scheme.lower() not in ("http", "https"):
            continue
        links.append(Link(url=target, text=text))
    return links


def body_html(body: lxml.etree._Element) -> str:
    """Render the body as sanitised HTML (paragraphs, lists, links, quotes, tables, images)."""
    rendered = convert_to_html(copy.deepcopy(body))
    inner = "".join(
        lxml.etree.tostring(child, encoding="unicode", method="html") for child in rendered[0]
    )
    return nh3.clean(
        inner,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,
    ).strip()


def choose_title(meta: PageMetadata, tree: HtmlElement, guess: str | None) -> str:
    """Pick the post's own title: the visible headline, else the declared one, else <title>.

    The page's one ``<h1>`` is the title readers see; the declared headline (JSON-LD,
    OpenGraph) is often written for search results ("Headline (2025 Guide)", "Topic:
    Headline"). An h1 of one word or naming the site is a masthead, not the post's title.
    """
    names = list(meta.site_names)
    derived = site_from_title(meta.html_title, meta.title)
    if derived:
        names.append(derived)
    visible = _visible_headline(tree)
    mastheads = [*names, meta.home_link_name] if meta.home_link_name else names
    if visible and not is_post_headline(visible, mastheads):
        visible = None
    for candidate in (visible, meta.title, meta.html_title, guess):
        if candidate:
            cleaned = clean_title(candidate, names)
            if cleaned:
                return cleaned
    return ""


def is_post_headline(heading: str, site_names: list[str]) -> bool:
    """Tell whether an h1 can be the post's title: two words or more, not the site's name."""
    return len(heading.split()) >= 2 and heading.casefold() not in {
        name.casefold() for name in site_names
    }


def choose_published(declared: str | None, tree: HtmlElement, url: str) -> str | None:
    """Pick the publication date: htmldate's reading of the page, the declared one, a guess.

    htmldate (``original_date``, without its extensive search) weighs the page's own signals,
    visible ones included, and is right more often than the first declared date, which can be
    another entity's or a modification date. The declared date and time are kept when they
    fall on the day it found, or on that day with day and month exchanged (it read an
    ambiguous numeric date the other way round). Without either, its extensive search
    guesses, except a January 1st: that is a year alone ("(c) 2024") read as a date.
    """
    found = _find_date(tree, url, extensive=False)
    if found:
        # A visible "09.10.2024" is read day first; the declared 2024-09-10 says it was not.
        same_day = declared and found in (declared[:10], _day_and_month_swapped(declared[:10]))
        return declared if same_day else found
    if declared:
        return declared
    guess = _find_date(tree, url, extensive=True)
    return guess if guess and not guess.endswith("-01-01") else None


def _day_and_month_swapped(day: str) -> str | None:
    """Return an ISO date with its day and month exchanged, when that is a date too."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", day)
    if not match or match[2] == match[3] or int(match[3]) > 12:
        return None
    return f"{match[1]}-{match[3]}-{match[2]}"


def _find_date(tree: HtmlElement, url: str, *, extensive: bool) -> str | None:
    try:
        return find_date(tree, url=url, extensive_search=extensive, original_date=True)
    except (ValueError, TypeError, lxml.etree.LxmlError) as exc:  # a malformed date attribute
        logger.debug("%s: htmldate failed (%s)", url, exc)
        return None


def canonical_url(meta: PageMetadata, url: str) -> str:
    """Return the page's declared canonical URL if it is on the fetched host, else the URL.

    The host is compared as :func:`crawler.urls.netloc` gives it: any scheme, with or
    without ``www.``, so a canonical naming another spelling of the same site is trusted.
    A canonical naming the home page from a page that is not it is a theme's mistake (every
    post would become one row), and is not trusted.
    """
    if meta.canonical and netloc(meta.canonical) == netloc(url):
        if not (_is_home(meta.canonical) and not _is_home(url)):
            return canonicalize_url(_without_index_document(meta.canonical, url))
        logger.debug("%s declares the home page as its canonical URL; ignored", url)
    return canonicalize_url(url)


def _without_index_document(canonical: str, url: str) -> str:
    """Return ``canonical`` as the directory URL the page was fetched by, if only that differs.

    Hexo's ``og:url`` names ``/2025/01/10/slug/index.html``, the file behind the
    ``/2025/01/10/slug/`` that its links, feed and sitemap give: one document, and the
    directory is the spelling everything else uses.
    """
    parts = urlsplit(canonical)
    names_file = INDEX_DOCUMENT.search(parts.path) and not INDEX_DOCUMENT.search(urlsplit(url).path)
    if names_file and url_key(canonical) == url_key(url):
        return parts._replace(path=INDEX_DOCUMENT.sub("/", parts.path)).geturl()
    return canonical


def _is_home(url: str) -> bool:
    parts = urlsplit(canonicalize_url(url))
    return parts.path in ("", "/") and not parts.query


def declared_original(meta: PageMetadata, url: str) -> str | None:
    """Return the page's canonical URL when it names another host: a syndicated copy's original.

    Not trusted as the post's URL (a copy's text would overwrite the original's row on every
    crawl): the archive links the two posts once it holds the named one, which happens only
    for a configured source's page.
    """
    if meta.canonical and netloc(meta.canonical) != netloc(url):
        return canonicalize_url(meta.canonical)
    return None


def _visible_headline(tree: HtmlElement) -> str | None:
    """Return the page's one ``<h1>``, or the one inside its ``<article>`` or ``<main>``."""
    for xpath in ("//h1", "//article//h1", "//main//h1"):
        headings = tree.xpath(xpath)
        if len(headings) == 1:
            return heading_text(headings[0]) or None
    return None


def site_from_title(html_title: str | None, post_title: str | None) -> str | None:
    """Return the site name a "Blog: Post" or "Post | Blog" <title> gives, given the post's."""
    if not html_title or not post_title or post_title == html_title:
        return None
    full, post = html_title, post_title
    for sep in TITLE_SEPARATORS:
        if full.startswith(post + sep):
            return full[len(post + sep) :].split(sep)[-1].strip() or None
        if full.endswith(sep + post):
            return full[: -len(sep + post)].strip() or None
    return None


def _guess(document: Document, name: str) -> str | None:
    value = getattr(document, name, None)
    return value if isinstance(value, str) and value.strip() else None


def _guess_tags(document: Document) -> list[str]:
    found: list[str] = []
    for name in ("tags", "categories"):
        value = getattr(document, name, None) or []
        found.extend(value if isinstance(value, list) else str(value).split(","))
    return list(dict.fromkeys(t.strip() for t in found if t and t.strip()))
