"""Render trafilatura's extracted body (its XML: p, head, list, quote, table...) as text."""

from __future__ import annotations

import lxml.etree

_BLOCKS = ("p", "head", "list", "quote", "code", "table", "graphic")


def body_text(body: lxml.etree._Element) -> str:
    """Render trafilatura's body as plain text, one blank line between blocks."""
    blocks: list[str] = []
    for element in block_elements(body):
        if element.tag == "list":
            items = [inline_text(item) for item in element.iter("item")]
            block = "\n".join(i for i in items if i)
        elif element.tag == "table":
            rows = [
                " | ".join(inline_text(cell) for cell in row.iter("cell"))
                for row in element.iter("row")
            ]
            block = "\n".join(r for r in rows if r.strip(" |"))
        elif element.tag == "code":
            block = "".join(element.itertext()).strip("\n")
        else:
            block = inline_text(element)
        if block:
            blocks.append(block)
    return "\n\n".join(blocks)


def block_elements(body: lxml.etree._Element) -> list[lxml.etree._Element]:
    """Return the outermost text blocks, descending into quotes and divs."""
    found: list[lxml.etree._Element] = []
    for child in body:
        if child.tag == "div" or (
            child.tag == "quote" and _has_blocks(child) and not _has_loose_text(child)
        ):
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
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
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
