"""Trim news and blog furniture that survives extraction, from trafilatura's extracted body.

:mod:`pipeline.furniture_markup` removes furniture by what the page calls it (ids, classes)
before extraction. What is left is furniture written as prose inside the article's own container,
recognisable only by where it sits and what it says:

- the header: the headline repeated above the text, the standfirst under it, bylines,
  datelines and reading times, all before the first paragraph of prose;
- teasers: "Related: ...", "SEE MORE: ...", a "DON'T MISS" label over a run of links;
- pitches: "X may be reached at ...", "Subscribe to our newsletter", "If you enjoyed this";
- the tail: after the last paragraph of prose, lists of links to other stories, "Filed
  under", "SOURCE:", credits and citation notices.

Every rule looks at one short block; a block of prose (long, or not matching) is never
dropped, so a paragraph of the post cannot go because it sits next to furniture; and when
more than half of the text looks like furniture, nothing is trimmed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import lxml.etree

from pipeline.body import block_elements, inline_text

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
# Chinese and Japanese run a sentence together as one \w+ "word": this many of their
# characters make a paragraph of prose as surely as PROSE_WORDS words do.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PROSE_CJK_CHARS = 30
# A block with this many words, ending like a sentence, is prose: the header ends there.
PROSE_WORDS = 12
# A heading this long right under the headline is its standfirst, not a section heading.
STANDFIRST_WORDS = 8
# A heading above the text sharing this share of its words with the title is the headline.
TITLE_OVERLAP = 0.7
_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014\u00ab\u00bb-]\s+")
# Furniture lines are short; longer blocks are kept whatever they say.
SHORT_WORDS = 40
# Never trim more than this share of the words: then the "furniture" is the post.
MAX_TRIMMED_SHARE = 0.5
# Pitches for subscriptions run longer, but start or end with their giveaway words.
PITCH_WORDS = 70

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b\d{{1,2}}:\d{{2}}\s*(?:[ap]\.?m\.?)?|\b\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}\b"
    rf"|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b",
    re.IGNORECASE,
)
# Byline, dateline and reading-time lines above the text. A byline names someone: "By Jo
# Bloggs", not "By the time we arrived".
_BYLINE = re.compile(r"^(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or|[Dd]i|[Dd]oor)\s+(?:[A-Z]|[^\x00-\x7f])")
_HEADER_LINE = re.compile(
    r"^(?:updated|published|posted|last updated)\b"
    r"|\b(?:min(?:ute)?s?\.?\s+read|reading time|read time|tempo de leitura|lesezeit"
    r"|temps de lecture|tiempo de lectura)\b",
    re.IGNORECASE,
)
# Labels that introduce links to other stories: "Related: ...", "SEE MORE: ...".
_TEASER_PREFIX = re.compile(
    r"^(?:related(?: stories| articles| posts| content| coverage| reading)?|read more|see more"
    r"|see also|read also|also read|more|more on this|recommended|don['\u2019]?t miss"
    r"|also on [\w.]+|watch|listen)\s*[:|]",
    re.IGNORECASE,
)
_TEASER_LABEL = re.compile(
    r"^(?:related(?: stories| articles| posts| content| coverage| reading)?|read more"
    r"|see more|see also|more stories|more from [\w .]+|don['\u2019]?t miss|recommended"
    r"|you (?:may|might) also like|most (?:read|popular)(?: [\w ]+)?|trending(?: now)?"
    r"|top stories|editor['\u2019]?s picks)\W*$",
    re.IGNORECASE,
)
# Lines addressed to the reader about the site, not about the story.
_PITCH = re.compile(
    r"\b(?:may|can) be (?:reached|contacted) at\b|^have a (?:news )?tip\b"
    r"|\bfollow (?:him|her|them|me) on (?:twitter|facebook|instagram)\b"
    r"|\bsubscribe to (?:our|the|\S+['\u2019]s) (?:[\w'\u2019-]+ ){0,4}newsletters?\b"
    r"|\bsign up (?:for|to) (?:our|the|\S+['\u2019]s) (?:[\w'\u2019-]+ ){0,4}newsletters?\b"
    r"|\bdelivered (?:right )?(?:to|in|into|through) your (?:inbox|letterbox|mailbox)\b"
    r"|\bright in your inbox\b"
    r"|^if you (?:enjoyed|liked|value) (?:this|our) (?:article|story|post|piece|journalism)\b"
    r"|^citation\s*:.*\bretrieved\b|^get access to\b.*\bsubscriptions?\b",
    re.IGNORECASE,
)
# Lines that close an article page: only dropped after the last paragraph of prose.
_TAIL_LINE = re.compile(
    r"^(?:filed under|posted in|categories|tags|tagged)\s*:|^source\s*:\s*[\w ,.]+$"
    r"|^(?:additional reporting|reporting|editing|compiled) by\b"
    r"|^(?:updated|last updated)(?: at| on)?\s[\w :.,]+$|^comments?$|^tell us what you think\b"
    r"|^(?:share|share this|share this article|print|email)$",
    re.IGNORECASE,
)


def trim_body(body: lxml.etree._Element, titles: Iterable[str | None], url: str = "") -> int:
    """Remove furniture blocks from an extracted body; return how many were removed.

    ``titles`` are the page's names for the post (declared headline, ``<title>``...); ``url``
    tells links to the site's other stories from references to other sites.
    """
    site = _site(url)
    title_keys = set()
    for title in titles:
        # "<title>" carries the site's name: "Post title | Site", "Post title - Site".
        for part in (title, *_TITLE_SEPARATORS.split(title or "")):
            if part and len(_words(part)) >= 2:
                title_keys.add(_key(part))
    blocks = block_elements(body)
    doomed: list[lxml.etree._Element] = []
    doomed += _header_furniture(blocks, title_keys, site)
    doomed += _teasers_and_pitches(blocks)
    doomed += _tail_furniture(blocks, set(doomed), site)
    doomed = list(dict.fromkeys(doomed))
    total = sum(_size(block) for block in blocks)
    if total and sum(_size(block) for block in doomed) > MAX_TRIMMED_SHARE * total:
        # Most of the text looking like furniture means the post is that kind of text (a
        # page of links, a short note with a date): keep it all.
        logger.debug("not trimming: %d of %d blocks look like furniture", len(doomed), len(blocks))
        return 0
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            logger.debug("trimmed %r", inline_text(element)[:80])
            _remove(element)
            removed += 1
    return removed


def _header_furniture(
    blocks: list[lxml.etree._Element], title_keys: set[str], site: str
) -> list[lxml.etree._Element]:
    """Return the headline, standfirst and byline blocks above the first prose paragraph."""
    found: list[lxml.etree._Element] = []
    after_title = False
    for block in blocks:
        text = inline_text(block)
        words = _words(text)
        if _is_prose(block, text):
            break
        if _is_title(block, text, title_keys):
            found.append(block)
            after_title = True
            continue
        if after_title and block.tag == "head" and len(words) >= STANDFIRST_WORDS:
            found.append(block)  # the standfirst under the headline
        elif len(words) <= 15 and (
            _BYLINE.match(text) or _HEADER_LINE.search(text) or _only_date(text, words)
        ):
            found.append(block)
        elif _is_link_list(block, site):
            found.append(block)  # links to other stories above the text
        if block.tag != "graphic":
            after_title = False
    return found


def _teasers_and_pitches(blocks: list[lxml.etree._Element]) -> list[lxml.etree._Element]:
    """Return teaser lines, teaser labels with the links under them, and pitches to readers."""
    found: list[lxml.etree._Element] = []
    in_teaser_run = False
    for block in blocks:
        text = inline_text(block)
        words = _words(text)
        # The pitch expression is slow to run over a paragraph: short blocks only are asked.
        if len(words) <= PITCH_WORDS and _PITCH.search(text):
            found.append(block)
            continue
        if len(words) > SHORT_WORDS:
            in_teaser_run = False
            continue
        if _TEASER_LABEL.match(text):
            found.append(block)
            in_teaser_run = True
        elif _TEASER_PREFIX.match(text) or (in_teaser_run and _link_share(block) >= 0.5):
            found.append(block)
        else:
            in_teaser_run = False
    return found


def _tail_furniture(
    blocks: list[lxml.etree._Element], already: set[lxml.etree._Element], site: str
) -> list[lxml.etree._Element]:
    """Return closing lines and link lists after the last paragraph of prose."""
    found: list[lxml.etree._Element] = []
    for block in reversed(blocks):
        if block in already:
            continue
        text = inline_text(block)
        words = _words(text)
        if _is_prose(block, text) or len(words) > SHORT_WORDS:
            break
        if _TAIL_LINE.search(text) or _is_link_list(block, site):
            found.append(block)
        elif text.strip():  # images and empty blocks do not end the tail
            break
    return found


def _is_title(block: lxml.etree._Element, text: str, title_keys: set[str]) -> bool:
    """Tell whether a block repeats the title (a heading may reword it slightly)."""
    key = _key(text)
    if key in title_keys:
        return True
    if block.tag != "head" or len(key.split()) < 4:
        return False
    words = set(key.split())
    return any(
        len(words & set(title.split())) >= TITLE_OVERLAP * max(len(words), len(title.split()))
        for title in title_keys
    )


def _is_prose(block: lxml.etree._Element, text: str) -> bool:
    """Tell whether a block is a paragraph of the text (long enough, not a link)."""
    long_enough = len(_words(text)) >= PROSE_WORDS or len(_CJK.findall(text)) >= PROSE_CJK_CHARS
    return block.tag in ("p", "quote", "list") and long_enough and _link_share(block) < 0.5


def _is_link_list(block: lxml.etree._Element, site: str) -> bool:
    """Tell whether a block lists the site's other stories (every item all link).

    Links mostly to other sites are the post's references or sources, and stay.
    """
    targets = [_site(ref.get("target") or "") for ref in block.iter("ref")]
    known = [target for target in targets if target]
    if site and known and sum(target == site for target in known) * 2 < len(known):
        return False
    if block.tag == "list":
        items = list(block.iter("item"))
        return bool(items) and all(_link_share(item) >= 0.9 for item in items)
    # A lone linked line is a teaser when it reads like a headline, not a DOI or an address.
    words = [w for w in _words(inline_text(block)) if w.isalpha() and len(w) > 1]
    return block.tag in ("p", "head") and _link_share(block) >= 0.9 and len(words) >= 3


def _link_share(element: lxml.etree._Element) -> float:
    """Return the share of an element's words that are link text."""
    total = len(_words(inline_text(element)))
    if not total:
        return 0.0
    linked = sum(len(_words("".join(ref.itertext()))) for ref in element.iter("ref"))
    return linked / total


def _only_date(text: str, words: list[str]) -> bool:
    """Tell whether a short line is a date or time with at most a name beside it.

    "5:45 AM PST 11/19/2019 by Jo Bloggs" is; "On 12 March 2019 we moved house." is a sentence.
    """
    if len(words) > 12 or _DATE.search(text) is None:
        return False
    rest = _DATE.sub(" ", text).strip()
    return len(_words(rest)) <= 6 and not rest.endswith((".", "!", "?"))


def _size(block: lxml.etree._Element) -> int:
    text = inline_text(block)
    return len(_words(text)) + len(_CJK.findall(text))


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _key(text: str) -> str:
    return " ".join(_words(text.casefold()))


def _remove(element: lxml.etree._Element) -> None:
    """Remove an element, keeping its tail text with the parent."""
    parent = element.getparent()
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
