"""Rewrite markup trafilatura misreads, before extraction: layout tables, loose text, embeds.

Nothing is removed here (furniture is :mod:`pipeline.furniture_markup`'s): text split by
``<br><br>`` or written as divs becomes paragraphs, layout tables become divs, and quoted
social posts leave the "embed" wrappers that would make trafilatura drop them.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from pipeline.document import BLOCK_TAGS, drop_element, element_text


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout (cells holding headings or paragraphs) into divs.

    Trafilatura keeps tables as tables, flattening a whole hand-made page into cells. A grid
    of two rows and two columns or more whose cells hold no heading is data (a comparison
    chart whose editor wraps each cell's text in ``<p>``), and stays a table.
    """
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./tr/th | ./tbody/tr/th")
        if not any(cell.find(tag) is not None for cell in cells for tag in ("h1", "h2", "p")):
            continue
        if _is_data_grid(table, cells):
            continue
        for element in [table, *table.xpath("./tbody | ./thead | ./tr | ./*/tr"), *cells]:
            element.tag = "div"
            for attribute in ("width", "valign", "cellpadding", "cellspacing", "border"):
                element.attrib.pop(attribute, None)


def _is_data_grid(table: HtmlElement, cells: list[HtmlElement]) -> bool:
    """Tell whether a table is a grid of data: 2 rows and 2 columns or more, no headings."""
    if any(cell.find(tag) is not None for cell in cells for tag in ("h1", "h2")):
        return False
    rows = table.xpath("./tr | ./tbody/tr")
    return len(rows) >= 2 and len(cells) >= 2 * len(rows)


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
            drop_element(paragraph[-1])
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
            if not _EMBED_WRAPPER.search(marker) or element_text(ancestor) != element_text(quote):
                break
            outermost = ancestor
        for name in ("class", "data-lang", "data-instgrm-permalink"):
            quote.attrib.pop(name, None)
        if outermost is not quote:
            quote.tail = outermost.tail
            outermost.getparent().replace(outermost, quote)


def paragraphise_text_divs(container: HtmlElement) -> None:
    """Turn a body written as divs (Blogger's "div" mode) into paragraphs.

    Blogger's editor can write each paragraph as a ``<div>`` with ``<div><br></div>`` between;
    trafilatura then drops the space after a link that opens such a div ("schoolsshow"). Only
    bodies with such spacer divs are touched, and only their direct children that hold text
    and inline markup: elsewhere a leaf div is as likely a caption or a widget as a paragraph.
    """
    divs = [child for child in container if child.tag == "div"]
    if not any(
        len(div) and not element_text(div) and all(c.tag == "br" for c in div) for div in divs
    ):
        return
    for div in divs:
        if not any(isinstance(child.tag, str) and child.tag in BLOCK_TAGS for child in div):
            div.tag = "p"


def restore_lazy_images(tree: HtmlElement) -> None:
    """Give a lazy-loaded image followed by text its real ``src``, or unwrap it.

    Lazy-loading themes write a placeholder (a ``data:`` URI, or nothing) into ``src`` and
    the image's URL into ``data-src``, ``data-lazy-src``... Trafilatura discards an image
    without a usable source together with the text that follows it in the same block (a
    section's opening sentences written straight after its picture).
    """
    for img in list(tree.iter("img")):
        if _usable_src(img.get("src")) or not (img.tail or "").strip():
            continue
        lazy = next(
            (
                value.strip()
                for name, value in img.attrib.items()
                if (name.endswith("src") or name == "data-original") and _usable_src(value)
            ),
            None,
        )
        if lazy:
            img.set("src", lazy)
        else:
            img.drop_tag()  # keeps the text after it


def _usable_src(value: str | None) -> bool:
    """Tell whether an image source is one URL (not a data: placeholder, not a srcset)."""
    value = (value or "").strip()
    return bool(value) and not value.startswith("data:") and " " not in value


# --- Empty elements before text (extraction recall) ----------------------------------------
# Trafilatura's precision mode deletes an element that holds no text together with its tail,
# the text written after it: a heading's "<span id='section-2'></span>Section two" (a table of
# contents plugin's anchor target), an icon font's "<i class='icon'></i> Free shipping". Its
# other modes keep the tail. Tags it deletes when empty (trafilatura.settings.CUT_EMPTY_ELEMS),
# and empty anchors, which its link-density test reads as a link with no text.
EMPTY_CUT_TAGS = (
    "a", "article", "b", "blockquote", "dd", "div", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "i", "li", "main", "p", "pre", "q", "section", "span", "strong",
)  # fmt: skip
_TEXT_OUTSIDE_DRAWINGS = lxml.etree.XPath(".//text()[not(ancestor::svg)]")
_MEDIA = lxml.etree.XPath(".//img | .//picture | .//video | .//iframe | .//object | .//embed")


def drop_empty_elements_before_text(tree: HtmlElement) -> None:
    """Remove elements without text that text follows, keeping that text where it was.

    Only elements with no text at all (an icon's ``<svg>`` aside): a ``<span> </span>``
    between two words is their space, and trafilatura keeps it. Elements holding an image,
    video or frame stay: they are content without text.
    """
    for element in list(tree.iter(*EMPTY_CUT_TAGS)):
        if not (element.tail or "").strip() or element.getparent() is None:
            continue
        if element.text or "".join(_TEXT_OUTSIDE_DRAWINGS(element)) or _MEDIA(element):
            continue
        drop_element(element)  # its tail joins the previous sibling or the parent


# --- Inline styles that only draw a box (extraction recall) --------------------------------
# Trafilatura reads an inline style mentioning "hidden" as a hidden element (everywhere) and
# one mentioning "border" as furniture (in precision mode), and drops the element with all its
# text: a page builder's column ("--awb-border-radius: 8px"), a key-takeaways box with a
# border, a wrapper that clips its floats ("overflow: hidden"). Those declarations say how a
# box is drawn, not whether it is shown; only ``display: none`` and ``visibility: hidden`` hide.
_DRAWING_DECLARATION = re.compile(
    r"^\s*(?:[\w-]*border[\w-]*|overflow(?:-[xy])?|backface-visibility)\s*:", re.IGNORECASE
)


def drop_box_drawing_styles(tree: HtmlElement) -> None:
    """Remove border and overflow declarations from inline styles, keeping the rest."""
    for element in tree.iter():
        style = element.get("style") if isinstance(element.tag, str) else None
        if not style or not ("border" in style or "hidden" in style):
            continue
        kept = [d for d in style.split(";") if d.strip() and not _DRAWING_DECLARATION.match(d)]
        if kept:
            element.set("style", ";".join(kept))
        else:
            del element.attrib["style"]


# --- Lists inside table cells (extraction recall) ------------------------------------------
# Trafilatura keeps a list inside a table cell only in its recall mode: in precision and
# default mode the cell is kept empty ("February |  |" for a checklist table whose
# task column is a bulleted list), while the same words written as paragraphs are kept.


def unlist_table_cells(tree: HtmlElement) -> None:
    """Write each list inside a table cell as one paragraph per item."""
    for cell in list(tree.iter("td", "th")):
        for item in list(cell.iter("li")):
            item.tag = "p"
        for wrapper in list(cell.iter("ul", "ol")):
            wrapper.drop_tag()
