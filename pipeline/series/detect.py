"""Tell whether a post says it belongs to a blog series, and where in it.

Signals, in order of precedence (:data:`PRECEDENCE`; the first one that states a fact wins):

1. ``series-box``: "This entry is part 3 of 5 in the series X" (Organize Series' ``.seriesmeta``
   and any short block that says so);
2. ``series-page``: a series/category/tag archive that calls itself a series listed the post
   (added by the crawler, and by the archive for pages seen later);
3. ``series-toc``: a table of contents of the series on the post, the post's own entry marked;
4. ``series-nav``: previous/next-in-series links (named: "Next in the X series");
5. ``title-part``: "X: Part 2", "Part 2: ...", "X (2/5)";
6. ``sentence``: the title, standfirst or opening paragraphs say so: "In the seventh blog of
   the X series", "closes the X series" (``topic-sentence`` when it names only a topic:
   "kicks off our series on participatory budgeting");
7. ``title-prefix``: titles of several posts share "X: ..." (:mod:`pipeline.series.titles`);
8. ``title-count``: titles of one author on one site numbered "(k/N)" out of the same N, in
   order and close in time, with a different subject each and nothing else naming a series:
   a series with a generated name, "Untitled N-part series by ..." (the subjects yield to it);
9. ``copy-of``: the archive holds the post as a copy of a series part (issue 5's duplicates).

Signals naming one series (same slug) are merged into one membership that keeps them all;
signals that name none (previous/next links, "kicks off our new series") join the one series
the others name, or, when there is none, make one nameless membership (``name == ""``) that
the archive resolves later through the post's neighbours, title prefix or series page;
when they disagree on the part number or total, the stronger wins and the disagreement is
recorded in ``conflict``. A final-part statement counts as a fact: "the seventh and final
blog" states part 7 of 7, and "closes the series" / "the last post of the X series" makes the
post part N when a signal of the post states the length N (when only another post does, the
archive numbers it: :mod:`archive.series.memberships`); a stronger signal's part or total
still wins, with the disagreement recorded. Names have their own order: a name read from a
title ("Part 3: Budgets" names the post, not the series) yields to a name any other signal
gives, and a mere topic ("our series on housing") yields to both; the folded names are
recorded as a conflict.
"A series of meetings" or "a TV series" is not a blog series: a sentence counts only with
blog/post/instalment/part context or a capitalised series name.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import replace

from lxml.html import HtmlElement

from pipeline.document import parse_html
from pipeline.records import SeriesMembership
from pipeline.series.markup import CAPITALISED, NOT_SERIES_NAMES, markup_signals

logger = logging.getLogger(__name__)

PRECEDENCE = (
    "series-box",
    "series-page",
    "series-toc",
    "series-nav",
    "title-part",
    "sentence",
    "topic-sentence",
    "title-prefix",
    "title-count",
    "copy-of",
)
# How weak the name a signal gives is: a title may name the post's own subject, and "our
# series on budgeting" names a topic, so a name from any other signal wins over them.
NAME_WEAKNESS = {"title-part": 1, "title-prefix": 1, "topic-sentence": 2}

_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
_NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
)  # fmt: skip
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
ORDINALS = {word: n for n, word in enumerate(_ORDINAL_WORDS, start=1)}
NUMBERS = {word: n for n, word in enumerate(_NUMBER_WORDS, start=1)}
ROMAN = {word: n for n, word in enumerate(_ROMAN, start=1)}
_ORDINAL = r"(?:" + "|".join(ORDINALS) + r"|final|last|\d{1,2}(?:st|nd|rd|th))"
_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBERS) + r")"
_TITLE_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBERS) + "|" + "|".join(_ROMAN[::-1]) + r")"
# Not "episode": "the fourth episode of the Doctor Who series" is television.
_UNIT = r"(?:blog(?:\s+post)?|post|instal(?:l)?ment|part|entry|article)"
_TITLE_UNIT = r"(?:part|episode|instal(?:l)?ment)"
_NAME = r"(?:the\s+|our\s+|my\s+|this\s+)?(?:\(?short\)?\s+)?(?P<name>" + CAPITALISED + ")"
# "the seventh and final blog": the stated part is also the series' length.
_AND_FINAL = r"(?:\s+(?i:and)\s+(?P<final>(?i:final|last)))?"
_LENGTH = r"(?:(?P<total>" + _NUMBER + r")[-\s]part\s+)?"
# Where a topic ("our series on participatory budgeting") ends.
_TOPIC = (
    r"(?:\s+(?i:on|about)\s+(?P<topic>[\w'\u2019 -]{3,60}?))?"
    r"(?=[,.;:!?)]|\s+(?i:with|by|and|which|that|in|for|at|from|written|as|over)\b|$)"
)

TITLE_PATTERNS = (
    # "Name: Part 2", "Name, part two", "Name - Part 2 of 5" (any dash), "Name (Part II)"
    re.compile(
        r"^(?P<name>.+?)\s*(?:[:,\-\u2013\u2014]\s*|[(\[])" + _TITLE_UNIT
        + r"\s+(?P<pos>" + _TITLE_NUMBER + r")(?:\s+of\s+(?P<total>" + _NUMBER + r"))?\b", re.I,
    ),
    # "Part 2: Name" / "Part two - name"
    re.compile(
        r"^" + _TITLE_UNIT + r"\s+(?P<pos>" + _TITLE_NUMBER + r")(?:\s+of\s+(?P<total>"
        + _NUMBER + r"))?\s*[:\-\u2013\u2014]\s*(?P<name>.+)$", re.I,
    ),
    # "Name (2/5)" / "Name [2 of 5]" / "Name (2/5): the subject of this part"
    re.compile(
        r"^(?P<name>.+?)\s*[(\[](?P<pos>\d{1,2})\s*(?:/|of)\s*(?P<total>\d{1,2})[)\]]"
        r"\s*(?:[:\-\u2013\u2014]\s*\S.*)?$", re.I,
    ),
)  # fmt: skip
SENTENCE_PATTERNS = (
    # "In the seventh blog of the Creative Councils series", "the second post in our X series"
    re.compile(
        r"\b(?i:the|this|our|my)\s+(?P<ord>(?i:" + _ORDINAL + r"))" + _AND_FINAL + r"\s+(?i:"
        + _UNIT + r")\s+(?i:of|in|from)\s+" + _NAME + r"\s+(?i:blog\s+)?(?i:series)\b"
    ),
    # "the second post in our ward budgets series": a series named in lower case is still
    # named when the writer owns it ("our", "my"); "our new blog series" names none.
    re.compile(
        r"\b(?i:the|this)\s+(?P<ord>(?i:" + _ORDINAL + r"))" + _AND_FINAL + r"\s+(?i:"
        + _UNIT + r")\s+(?i:of|in|from)\s+(?i:our|my)\s+"
        + r"(?P<name>[a-z][\w'\u2019-]*(?:\s+[a-z][\w'\u2019-]*){0,3}?)\s+(?:blog\s+)?series\b"
    ),
    # "the first post in a short series on X", "the third of our five-part series on X"
    re.compile(
        r"\b(?i:the|this|our|my)\s+(?P<ord>(?i:" + _ORDINAL + r"))" + _AND_FINAL + r"\s+(?:(?i:"
        + _UNIT + r")\s+)?(?i:of|in|from)\s+(?i:a|our|my|this|the)\s+(?:\(?(?i:short)\)?\s+)?"
        + r"(?i:" + _LENGTH + r")(?i:blog\s+)?(?i:series)" + _TOPIC
    ),
    # "closes the first Creative Councils blog series", "kicks off our (short) series on X"
    re.compile(
        r"\b(?i:closes|opens|starts|begins|ends|concludes|continues|kicks\s+off)\s+"
        r"(?i:the\s+|our\s+|my\s+|this\s+)?(?P<ord>(?i:" + _ORDINAL + r")\s+)?(?:\(?short\)?\s+)?"
        r"(?i:" + _LENGTH + r")"
        r"(?:(?P<name>" + CAPITALISED + r")(?:['\u2019]s?)?\s+)?"
        r"(?P<blog>(?i:blog|post)\s+)?(?i:series)" + _TOPIC,
    ),
    # "part 2 of our series on X" / "part three of the Creative Councils series"
    re.compile(
        r"\b(?i:part)\s+(?P<pos>(?i:" + _NUMBER + r"))\s+(?i:of)\s+"
        r"(?i:the\s+|our\s+|my\s+|this\s+)?(?i:" + _LENGTH + r")"
        r"(?:(?P<name>" + CAPITALISED + r")\s+)?(?i:blog\s+)?(?i:series)"
        + _TOPIC,
    ),
)  # fmt: skip
OPENING_CHARS = 1200


def detect_series(
    title: str,
    text: str,
    html_tree_or_str: HtmlElement | str | bytes | None,
    url: str,
    *,
    standfirst: str | None = None,
) -> list[SeriesMembership]:
    """Return the series the post says it belongs to, strongest evidence first."""
    found: list[SeriesMembership] = []
    if html_tree_or_str is not None:
        tree = (
            html_tree_or_str
            if isinstance(html_tree_or_str, HtmlElement)
            else parse_html(html_tree_or_str)
        )
        found.extend(markup_signals(tree, url))
    found.extend(_from_title(title))
    opening = "\n".join(part for part in (title, standfirst or "", text[:OPENING_CHARS]) if part)
    found.extend(_from_sentences(opening))
    return merge_memberships(found)


def _from_title(title: str) -> list[SeriesMembership]:
    for pattern in TITLE_PATTERNS:
        match = pattern.search(title.strip())
        if match:
            name = match.group("name").strip(" :-\u2013\u2014")
            position = _number(match.group("pos"))
            total = _number(match.group("total"))
            if not name or not position or (total and position > total):
                continue
            return [
                SeriesMembership(
                    name=name,
                    position=position,
                    total=total,
                    signal="title-part",
                    evidence=title.strip(),
                )
            ]
    return []


# "This post kicks off our new series.", "... closes the series.": a series, but which one
# only another signal can say (the post's title prefix, a series page listing it).
UNNAMED_SENTENCE = re.compile(
    r"\b(?i:closes?|opens?|starts?|begins?|ends?|concludes?|kicks?\s+off|wraps?\s+up)\s+"
    r"(?i:our|this|my|the)\s+(?:(?i:new|short|little|(?P<total>" + _NUMBER + r")[-\s]part)\s+)*"
    r"(?i:blog\s+)?(?i:series)(?=\s*[.,;:!?)]|\s+(?i:with|by|and|here)\b|\s*$)"
)


def _from_sentences(text: str) -> list[SeriesMembership]:
    found = [
        SeriesMembership(
            name="",
            position=_sentence_position(match.group(0), {}),
            total=_number(match.group("total")),
            signal="sentence",
            evidence=match.group(0).strip(),
        )
        for match in UNNAMED_SENTENCE.finditer(text)
    ]
    for pattern in SENTENCE_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            name = (groups.get("name") or "").strip()
            topic = (groups.get("topic") or "").strip()
            if name.lower() in NOT_SERIES_NAMES:
                name = ""
            name = name[:1].upper() + name[1:]
            # Without a series name a sentence must say it is a blog/post series.
            if not name and not topic:
                continue
            said = match.group(0).lower()
            blog_context = (
                groups.get("blog") or groups.get("pos") or groups.get("ord") or "short" in said
            )
            if not name and not (blog_context or "our" in said):
                continue
            position = _sentence_position(match.group(0), groups)
            found.append(
                SeriesMembership(
                    name=_bare_name(name or topic),
                    position=position,
                    # "the seventh and final blog": seven parts in all
                    total=_number(groups.get("total"))
                    or (position if groups.get("final") else None),
                    signal="sentence" if name else "topic-sentence",
                    evidence=match.group(0).strip(),
                )
            )
    return found


# "closes the series", "the final post in the X series", "the seventh and last blog": the
# post is the series' last part, whatever number that is.
_FINAL = re.compile(
    r"^(?i:closes?|ends?|concludes?|wraps?\s+up)\b|\b(?i:final|last)\s+(?:(?i:"
    + _UNIT
    + r")\s+)?(?i:of|in|from)\b|\b(?i:and\s+(?:final|last))\b"
)
FINAL_SIGNALS = ("sentence", "topic-sentence")


def says_final(signal: SeriesMembership) -> bool:
    """Tell whether a signal states that its post is the last part of the series."""
    return signal.signal in FINAL_SIGNALS and bool(_FINAL.search(signal.evidence))


def _bare_name(name: str) -> str:
    """Drop a possessive ending: "Creative Councils'" and "Lab's" name the series too."""
    for ending in ("'s", "\u2019s", "'", "\u2019"):
        name = name.removesuffix(ending)
    return name


def _sentence_position(sentence: str, groups: dict[str, str | None]) -> int | None:
    """Return the post's place the sentence states ("the seventh blog", "kicks off")."""
    lowered = sentence.lower()
    if re.match(r"(?:opens?|starts?|begins?|kicks?\s+off)\b", lowered):
        return 1
    if re.match(r"(?:closes?|ends?|concludes?|continues|wraps?\s+up)\b", lowered):
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
    if value.isdigit():
        return int(value)
    return NUMBERS.get(value) or ROMAN.get(value)


def series_key(name: str) -> str:
    """Return the key that joins spellings of one series name ("Part-Time" = "part time")."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-") or folded.strip()


def _rank(membership: SeriesMembership) -> int:
    try:
        return PRECEDENCE.index(membership.signal)
    except ValueError:
        return len(PRECEDENCE)


def merge_memberships(found: list[SeriesMembership]) -> list[SeriesMembership]:
    """Merge raw signals into one membership per series, by :data:`PRECEDENCE`.

    Raw signals are flattened first, so merging merged memberships again (with signals the
    archive adds later) gives the same result as merging everything at once.
    """
    unique = {
        (s.signal, series_key(s.name), s.position, s.total, s.evidence): s
        for m in found
        for s in (m.signals or (m,))
    }
    raw = sorted(unique.values(), key=_rank)
    groups: dict[str, list[SeriesMembership]] = {}
    unnamed: list[SeriesMembership] = []
    for signal in raw:
        if signal.name.strip():
            groups.setdefault(series_key(signal.name), []).append(signal)
        else:
            unnamed.append(signal)
    # Weak names (titles, topics) yield to the one stronger name, when there is one.
    weakness = {k: min(NAME_WEAKNESS.get(s.signal, 0) for s in g) for k, g in groups.items()}
    if weakness:
        strongest = [k for k, w in weakness.items() if w == min(weakness.values())]
        if len(strongest) == 1:
            for key in [k for k in groups if weakness[k] > weakness[strongest[0]]]:
                groups[strongest[0]].extend(groups.pop(key))
    if unnamed:
        if len(groups) == 1:
            next(iter(groups.values())).extend(unnamed)
        elif not groups:
            # Kept, nameless, so that the archive can join it to the series that another
            # signal (a neighbour's series, a title prefix, a series page) names later.
            groups[""] = unnamed
        else:
            logger.debug("series signals without a name dropped: %s", unnamed)
    merged = [_merge_group(sorted(g, key=_rank)) for g in groups.values()]
    return sorted(merged, key=_rank)


def _merge_group(signals: list[SeriesMembership]) -> SeriesMembership:
    """Merge one series' signals: each fact from the strongest signal that states it."""
    best = signals[0]
    named = sorted(
        [s for s in signals if s.name] or signals, key=lambda s: NAME_WEAKNESS.get(s.signal, 0)
    )
    conflicts = []
    chosen: dict[str, object] = {}
    for attribute, label in (("position", "part"), ("total", "total")):
        stated = [(s.signal, getattr(s, attribute)) for s in signals if getattr(s, attribute)]
        if not stated:
            chosen[attribute] = None
            continue
        chosen[attribute] = stated[0][1]
        disagreeing = [f"{sig} says {value}" for sig, value in stated if value != stated[0][1]]
        if disagreeing:
            conflicts.append(
                f"{label}: kept {stated[0][1]} from {stated[0][0]}; " + ", ".join(disagreeing)
            )
    final = next((s for s in signals if says_final(s)), None)
    if final is not None and chosen["total"] and not chosen["position"]:
        # "closes the series" on a post another signal gives "of 7": the post is part 7.
        chosen["position"] = chosen["total"]
    names = list(dict.fromkeys(s.name for s in signals if s.name))
    if len({series_key(n) for n in names}) > 1:
        conflicts.append(f"name: kept {named[0].name!r}; also named " + ", ".join(
            repr(n) for n in names if series_key(n) != series_key(named[0].name)
        ))  # fmt: skip
    neighbours = tuple(dict.fromkeys(u for s in signals for u in s.neighbours))
    return replace(
        best,
        name=named[0].name,
        position=chosen["position"],  # type: ignore[arg-type]
        total=chosen["total"],  # type: ignore[arg-type]
        url=next((s.url for s in signals if s.url), None),
        signals=tuple(replace(s, signals=(), conflict=None) for s in signals),
        conflict="; ".join(conflicts) or None,
        neighbours=neighbours,
    )
