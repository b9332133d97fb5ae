"""Add back paragraphs that precision mode skipped inside the text it kept (an ensemble step).

Trafilatura's precision mode keeps a post's text and drops the page's furniture, but now and
then it drops a paragraph of the post as well (one its link-density or class-name tests
condemn). Its default mode keeps that paragraph, with more furniture around it. Where the
two extractions agree on the blocks before and after it, a paragraph of prose that only the
default mode kept sits inside the post and is the post's text; what lies before the first
shared block or after the last one (headers, teasers, comments) is left to precision mode.

The second extraction costs as much as the first, so it runs only when the page shows a
paragraph between two kept ones that the kept text lacks (:func:`skipped_prose`).
"""

from __future__ import annotations

import copy
import re
from collections import Counter

import lxml.etree
from lxml.html import HtmlElement

from pipeline.body import block_elements, inline_text

_WORD = re.compile(r"\w+")
# A paragraph added back has this many words, ends like a sentence, and is mostly not links.
PROSE_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?:;\u2026\"\u201d\u2019)\]]\s*$")
# Page paragraphs shorter than this (letters and digits) are neither kept nor skipped prose.
MIN_KEY = 40
# A page paragraph of this many characters, missing from the kept text, asks for the check.
SKIPPED_CHARS = 100
# A paragraph whose opening or ending this long is in the kept text is kept (in another form:
# precision mode joined it with the next line, or cut a link out of it).
OPENING = 60


def skipped_prose(page: HtmlElement, kept_text: str) -> bool:
    """Tell whether a paragraph of the page lies between two kept ones without being kept."""
    kept = _key(kept_text)
    if not kept:
        return False
    seen_kept = False
    missed = False
    for paragraph in page.iter("p"):
        key = _key(paragraph.text_content())
        if len(key) < MIN_KEY:
            continue
        if key in kept or key[:OPENING] in kept:
            if missed:
                return True
            seen_kept = True
        elif seen_kept and len(" ".join(paragraph.text_content().split())) >= SKIPPED_CHARS:
            missed = True
    return False


def add_missed_blocks(kept: lxml.etree._Element, fuller: lxml.etree._Element) -> int:
    """Insert into ``kept`` the paragraphs of ``fuller`` that lie between two blocks both hold.

    Both bodies are trafilatura's XML, each already trimmed of furniture by our own rules. A
    paragraph repeated in ``fuller`` (a promotion shown twice) is not the post's. Return how
    many paragraphs were added.
    """
    kept_blocks = block_elements(kept)
    kept_keys = [_key(inline_text(block)) for block in kept_blocks]
    kept_text = "|".join(kept_keys)
    by_key = {key: block for key, block in zip(kept_keys, kept_blocks, strict=True) if key}
    fuller_blocks = block_elements(fuller)
    fuller_keys = [_key(inline_text(block)) for block in fuller_blocks]
    counts = Counter(fuller_keys)
    anchors = [by_key.get(key) for key in fuller_keys]
    shared = [i for i, anchor in enumerate(anchors) if anchor is not None]
    if len(shared) < 2:
        return 0
    added = 0
    previous: lxml.etree._Element | None = None
    for i in range(shared[0], shared[-1]):
        anchor, key, block = anchors[i], fuller_keys[i], fuller_blocks[i]
        if anchor is not None:
            previous = anchor
            continue
        already = key[:OPENING] in kept_text or key[-OPENING:] in kept_text
        if previous is None or already or counts[key] > 1 or not _is_prose(block):
            continue
        twin = copy.deepcopy(block)
        twin.tail = None
        previous.addnext(twin)
        previous = twin
        added += 1
    return added


def _is_prose(block: lxml.etree._Element) -> bool:
    text = inline_text(block)
    words = _WORD.findall(text)
    if block.tag != "p" or len(words) < PROSE_WORDS or not _SENTENCE_END.search(text):
        return False
    linked = sum(len(_WORD.findall("".join(ref.itertext()))) for ref in block.iter("ref"))
    return linked * 2 < len(words)


def _key(text: str) -> str:
    # Without spaces: the two modes join inline elements differently ("Ethiopian<a>plateau").
    return "".join(_WORD.findall(text.casefold()))
