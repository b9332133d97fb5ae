"""Tell whether a post says it belongs to a blog series, and where in it.

Signals, strongest first: a series box ("This entry is part 3 of 5 in the series X",
WordPress Organize Series' ``.seriesmeta``), the title ("X: Part 2", "Part 2: ...",
"(2/5)"), and sentences in the opening paragraphs ("In the seventh blog of the Creative
Councils series", "closes the first X blog series"). "A series of meetings" or "a TV
series" is not a blog series: a sentence counts only with blog/post/instalment/part
context or a capitalised series name.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipeline.clean import parse_html
from pipeline.records import SeriesMembership

logger = logging.getLogger(__name__)

_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
_NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
)  # fmt: skip
ORDINALS = {word: n for n, word in enumerate(_ORDINAL_WORDS, start=1)}
NUMBERS = {word: n for n, word in enumerate(_NUMBER_WORDS, start=1)}
_ORDINAL = r"(?:" + "|".join(ORDINALS) + r"|final|last|\d{1,2}(?:st|nd|rd|th))"
_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBERS) + r")"
_UNIT = r"(?:blog(?:\s+post)?|post|instal(?:l)?ment|part|entry|article|episode)"
_CAPITALISED = r"[A-Z][\w'\u2019&-]*(?:\s+[A-Z][\w'\u2019&-]*)*"
_NAME = r"(?:the\s+|our\s+|my\s+|this\s+)?(?:\(?short\)?\s+)?(?P<name>" + _CAPITALISED + ")"

SERIES_BOX = re.compile(
    r"(?:this\s+(?:entry|post)\s+is\s+)?part\s+(?P<pos>\d+)\s+of\s+(?P<total>\d+)\s+in\s+the\s+"
    r"series\s*[:\-\u2013]?\s*[\"\u201c']?(?P<name>[^\"\u201d\n]+?)[\"\u201d']?\s*$",
    re.I,
)
TITLE_PATTERNS = (
    # "Name: Part 2", "Name, part two", "Name - Part 2 of 5" (any dash)
    re.compile(
        r"^(?P<name>.+?)\s*[:,\-\u2013\u2014]\s*part\s+(?P<pos>" + _NUMBER + r")"
        r"(?:\s+of\s+(?P<total>" + _NUMBER + r"))?\b", re.I,
    ),
    # "Part 2: Name" / "Part two - name"
    re.compile(
        r"^part\s+(?P<pos>" + _NUMBER + r")(?:\s+of\s+(?P<total>" + _NUMBER + r"))?"
        r"\s*[:\-\u2013\u2014]\s*(?P<name>.+)$", re.I,
    ),
    # "Name (2/5)" / "Name [2 of 5]"
    re.compile(
        r"^(?P<name>.+?)\s*[(\[](?P<pos>\d{1,2})\s*(?:/|of)\s*(?P<total>\d{1,2})[)\]]\s*$", re.I
    ),
)  # fmt: skip
SENTENCE_PATTERNS = (
    # "In the seventh blog of the Creative Councils series", "the second post in our X series"
    re.compile(
        r"\b(?i:the|this|our|my)\s+(?P<ord>(?i:" + _ORDINAL + r"))\s+(?i:" + _UNIT
        + r")\s+(?i:of|in|from)\s+" + _NAME + r"\s+(?i:blog\s+)?(?i:series)\b"
    ),
    # "closes the first Creative Councils blog series", "kicks off our (short) series on X"
    re.compile(
        r"\b(?i:closes|opens|starts|begins|ends|concludes|continues|kicks\s+off)\s+"
        r"(?i:the\s+|our\s+|my\s+|this\s+)?(?P<ord>(?i:" + _ORDINAL + r")\s+)?(?:\(?short\)?\s+)?"
        r"(?:(?P<name>[A-Z][\w'\u2019&-]*(?:\s+[A-Z][\w'\u2019&-]*)*)(?:['\u2019]s?)?\s+)?"
        r"(?P<blog>(?i:blog|post)\s+)?(?i:series)"
        r"(?:\s+(?i:on|about)\s+(?P<topic>[\w'\u2019 -]{3,60}?))?"
        r"(?=[,.;:!?)]|\s+(?i:with|by|and|which|that)\b|$)",
    ),
    # "part 2 of our series on X" / "part three of the Creative Councils series"
    re.compile(
        r"\b(?i:part)\s+(?P<pos>(?i:" + _NUMBER + r"))\s+(?i:of)\s+"
        r"(?i:the\s+|our\s+|my\s+|this\s+)?"
        r"(?:(?P<name>[A-Z][\w'\u2019&-]*(?:\s+[A-Z][\w'\u2019&-]*)*)\s+)?(?i:blog\s+)?(?i:series)"
        r"(?:\s+(?i:on|about)\s+(?P<topic>[\w'\u2019 -]{3,60}?))?(?=[,.;:!?)]|$)",
    ),
)  # fmt: skip
# Series names that say what kind of thing it is, not which blog series.
NOT_SERIES_NAMES = frozenset(("tv", "television", "netflix", "bbc", "a", "the", "this", "our"))
OPENING_CHARS = 1200


def detect_series(
    title: str, text: str, html_tree_or_str: HtmlElement | str | bytes | None, url: str
) -> list[SeriesMembership]:
    """Return the series the post says it belongs to, strongest evidence first."""
    found: list[SeriesMembership] = []
    if html_tree_or_str is not None:
        tree = (
            html_tree_or_str
            if isinstance(html_tree_or_str, HtmlElement)
            else parse_html(html_tree_or_str)
        )
        found.extend(_series_box(tree, url))
    found.extend(_from_title(title))
    found.extend(_from_sentences(text[:OPENING_CHARS]))
    return _merge(found)


def _series_box(tree: HtmlElement, url: str) -> list[SeriesMembership]:
    """Read an Organize Series style box: "This entry is part 3 of 5 in the series X"."""
    boxes = tree.xpath(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' seriesmeta ')]"
        " | //*[contains(concat(' ', normalize-space(@class), ' '), ' series-box ')]"
    )
    found = []
    for box in boxes:
        text = " ".join(box.text_content().split())
        match = SERIES_BOX.search(text)
        if not match:
            continue
        link = box.xpath(".//a[@href]")
        found.append(
            SeriesMembership(
                name=match.group("name").strip(),
                position=int(match.group("pos")),
                total=int(match.group("total")),
                url=urljoin(url, link[0].get("href", "")) if link else None,
                signal="series-box",
                evidence=text,
            )
        )
    return found


def _from_title(title: str) -> list[SeriesMembership]:
    for pattern in TITLE_PATTERNS:
        match = pattern.search(title.strip())
        if match:
            name = match.group("name").strip(" :-\u2013\u2014")
            if not name:
                continue
            return [
                SeriesMembership(
                    name=name,
                    position=_number(match.group("pos")),
                    total=_number(match.group("total")),
                    signal="title-part",
                    evidence=title.strip(),
                )
            ]
    return []


def _from_sentences(text: str) -> list[SeriesMembership]:
    found = []
    for pattern in SENTENCE_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            name = (groups.get("name") or "").strip()
            topic = (groups.get("topic") or "").strip()
            if name.lower() in NOT_SERIES_NAMES:
                name = ""
            # Without a series name a sentence must say it is a blog/post series.
            if not name and not topic:
                continue
            said = match.group(0).lower()
            blog_context = groups.get("blog") or groups.get("pos") or "short" in said
            if not name and not (blog_context or "our" in said):
                continue
            found.append(
                SeriesMembership(
                    name=_bare_name(name or topic),
                    position=_sentence_position(match.group(0), groups),
                    signal="sentence",
                    evidence=match.group(0).strip(),
                )
            )
    return found


def _bare_name(name: str) -> str:
    """Drop a possessive ending: "Creative Councils'" and "Lab's" name the series too."""
    for ending in ("'s", "\u2019s", "'", "\u2019"):
        name = name.removesuffix(ending)
    return name


def _sentence_position(sentence: str, groups: dict[str, str | None]) -> int | None:
    """Return the post's place the sentence states ("the seventh blog", "kicks off")."""
    lowered = sentence.lower()
    if re.match(r"(?:opens|starts|begins|kicks\s+off)\b", lowered):
        return 1
    if re.match(r"(?:closes|ends|concludes|continues)\b", lowered):
        return None  # "closes the first X series": the ordinal counts series, not posts
    ordinal = (groups.get("ord") or "").strip().lower()
    return _position(ordinal) if ordinal else _number(groups.get("pos"))


def _position(ordinal: str) -> int | None:
    if ordinal in ORDINALS:
        return ORDINALS[ordinal]
    digits = re.match(r"\d+", ordinal)
    return int(digits.group(0)) if digits else None  # "final"/"last": position unknown


def _number(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip().lower()
    return int(value) if value.isdigit() else NUMBERS.get(value)


def _merge(found: list[SeriesMembership]) -> list[SeriesMembership]:
    """Keep one membership per series name (the first, strongest signal)."""
    merged: dict[str, SeriesMembership] = {}
    for membership in found:
        merged.setdefault(membership.name.casefold(), membership)
    return list(merged.values())
