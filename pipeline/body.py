"""Render trafilatura's extracted body (its XML: p, head, list, quote, table...) as text."""

from __future__ import annotations

import lxml.etree

_BLOCKS = ("p", "head", "list", "quote", "code", "table", "graphic")


def body_text(body: lxml.etree._Element, *, loose: bool = True) -> str:
    """Render trafilatura's body as plain text, one blank line between blocks.

    Text written loose between blocks (a section's prose straight after its ``<h2>``, with no
    ``<p>``) is trafilatura's element tails: a sentence of prose there is a paragraph of its
    own, as trafilatura's own text output gives it. Loose text under twelve words (a date, a
    share link's URL, "Tags: ...") is left out, as it was: trimming sees blocks only.
    ``loose=False`` renders the blocks alone (what extraction's choices are measured by).
    """
    blocks: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        text = _collapse("".join(parts))
        if loose and _is_loose_prose(text):
            blocks.append(text)
        parts.clear()

    def walk(container: lxml.etree._Element) -> None:
        parts.append(container.text or "")
        for child in container:
            if _descends(child):
                flush()
                walk(child)
                flush()
                parts.append(child.tail or "")
            elif child.tag in _BLOCKS:
                flush()
                block = _block_text(child)
                if block:
                    blocks.append(block)
                parts.append(child.tail or "")
            else:
                _inline_parts(child, parts)
        flush()

    walk(body)
    return "\n\n".join(blocks)


# Loose text of this many words is prose; a date, a URL or a "Tags:" line is shorter.
LOOSE_PROSE_WORDS = 12


def _is_loose_prose(text: str) -> bool:
    return len(text.split()) >= LOOSE_PROSE_WORDS


def _block_text(element: lxml.etree._Element) -> str:
    if element.tag == "list":
        items = [inline_text(item) for item in element.iter("item")]
        return "\n".join(i for i in items if i)
    if element.tag == "table":
        rows = [
            " | ".join(inline_text(cell) for cell in row.iter("cell"))
            for row in element.iter("row")
        ]
        return "\n".join(r for r in rows if r.strip(" |"))
    if element.tag == "code":
        return "".join(element.itertext()).strip("\n")
    return inline_text(element)


def _descends(element: lxml.etree._Element) -> bool:
    """Tell whether a container's blocks are rendered one by one (divs, quotes of blocks)."""
    return element.tag == "div" or (
        element.tag == "quote" and _has_blocks(element) and not _has_loose_text(element)
    )


def block_elements(body: lxml.etree._Element) -> list[lxml.etree._Element]:
    """Return the outermost text blocks, descending into quotes and divs."""
    found: list[lxml.etree._Element] = []
    for child in body:
        if _descends(child):
            found.extend(block_elements(child))
        elif child.tag in _BLOCKS:
            found.append(child)
    return found


def _has_blocks(element: lxml.etree._Element) -> bool:
    return any(child.tag in _BLOCKS for child in element)


def _has_loose_text(element: lxml.etree._Element) -> bool:
    """Tell whether text sits directly in the element, beside its children (a tweet's byline)."""
    return bool((element.text or "").strip()) or any(
        (child.tail or "").strip() for child in element
    )


def inline_text(element: lxml.etree._Element) -> str:
    """Return an element's text in reading order, spaces collapsed, line breaks kept."""
    parts: list[str] = []
    _inline_parts(element, parts, top=True)
    return _collapse("".join(parts))


def _collapse(text: str) -> str:
    """Collapse spaces within lines and drop empty lines."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _inline_parts(node: lxml.etree._Element, parts: list[str], *, top: bool = False) -> None:
    """Collect text in reading order: a node's text, its children's, then its tail."""
    nested_block = not top and node.tag in _BLOCKS
    if nested_block or node.tag == "lb":
        parts.append("\n")
    if node.tag != "lb" and node.text and (top or node.tag not in ("list", "table")):
        parts.append(node.text)
    for child in node:
        _inline_parts(child, parts)
    if nested_block:
        parts.append("\n")
    if not top and node.tail:
        parts.append(node.tail)
