"""Series named by titles that share a prefix or suffix ("Creative Councils: Starting small").

A shared prefix alone is weak: "Review: ...", "Interview: ..." and "Weeknotes: ..." are
formats, not series. So a shared affix names a series only when at least two posts of one
site carry it and it is corroborated: the posts are tagged with it, or another signal of one
of them (a series box, a series page, a sentence) names the same series.

Titles that only count, "(k/N)" after a different subject each time, name nothing; posts of
one author numbered out of one N close together in time, in order, are one series all the
same (:func:`counted_series`), under a generated name (:func:`counted_name`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

from pipeline.series.detect import series_key

# "Prefix: rest" (colon), and "rest | Suffix" / "rest \u2013 Suffix" (bar or spaced dash).
_PREFIX = re.compile(r"^(?P<affix>[^:|]{3,60}?)\s*:\s+(?P<rest>\S.{2,})$")
_SUFFIX = re.compile(
    r"^(?P<rest>.{3,}?\S)\s+(?:\||\u2013|\u2014|-)\s+(?P<affix>[^:|\u2013\u2014]{3,60})$"
)
MAX_AFFIX_WORDS = 6
# Formats and sections, not series.
GENERIC_AFFIXES = frozenset(
    {
        "review", "reviews", "interview", "interviews", "news", "update", "updates", "opinion",
        "comment", "analysis", "guest post", "guest blog", "event", "events", "podcast",
        "video", "explainer", "feature", "case study", "announcement", "press release",
        "breaking", "live", "watch", "listen", "report", "weeknotes", "week notes",
        "q&a", "faq", "how to", "guide", "recap", "blog", "blog post",
    }
)  # fmt: skip


def title_affix(title: str) -> str | None:
    """Return the series-like prefix or suffix of a title, if it has one."""
    title = " ".join(title.split())
    for pattern in (_PREFIX, _SUFFIX):
        match = pattern.match(title)
        if not match:
            continue
        affix = match.group("affix").strip()
        words = affix.split()
        if not words or len(words) > MAX_AFFIX_WORDS or affix.lower() in GENERIC_AFFIXES:
            continue
        if re.fullmatch(r"[\d\W]+", affix) or re.match(r"(?i)part\s+\w+$", affix):
            continue
        return affix
    return None


def affix_series(affix: str, tags_of_posts: list[list[str]], other_names: list[str]) -> bool:
    """Tell whether ``affix``, which titles of these posts of one site share, names a series.

    ``tags_of_posts`` holds each post's tags; ``other_names`` are the series names other
    signals of these posts give.
    """
    if len(tags_of_posts) < 2:
        return False
    key = series_key(affix)
    tagged = sum(1 for tags in tags_of_posts if key in {series_key(t) for t in tags})
    return tagged >= 2 or key in {series_key(n) for n in other_names}


# "Mapping demand (1/3)", "Procurement [2 of 3]": a count and nothing else naming a series.
_COUNT = re.compile(r"[(\[](?P<pos>\d{1,2})\s*(?:/|of)\s*(?P<total>\d{1,2})[)\]]")
# Parts of one counted series follow each other within this many days, in stated order.
COUNT_GAP_DAYS = 31


@dataclass(frozen=True)
class CountedTitle:
    """A post of one site whose title states "(k/N)" and whose other signals name nothing."""

    url: str
    title: str
    author: str
    published: date


def title_count(title: str) -> tuple[int, int] | None:
    """Return (k, N) when the title states "(k/N)" with 1 <= k <= N, else None."""
    match = _COUNT.search(title)
    if not match:
        return None
    position, total = int(match.group("pos")), int(match.group("total"))
    return (position, total) if 1 <= position <= total else None


def counted_series(post: CountedTitle, others: list[CountedTitle]) -> list[CountedTitle]:
    """Return the posts that make one unnamed series with ``post`` (itself included), or [].

    "(1/3)", "(2/3)", "(3/3)" after a different subject each time name no series; they are one
    only when, on one site, the same author numbers them out of the same N, each published no
    more than :data:`COUNT_GAP_DAYS` after the one before, in stated order, no part number
    claimed twice (two series counted alike at once: which post is in which cannot be told,
    so none is grouped) and no subject repeated. ``others`` are the site's counted posts.
    """
    own = title_count(post.title)
    if own is None:
        return []
    alike = {post.url: post}
    for other in others:
        count = title_count(other.title)
        if other.author == post.author and count and count[1] == own[1]:
            alike.setdefault(other.url, other)
    same = sorted(alike.values(), key=lambda p: (p.published, _part(p)))
    # The posts close in time to ``post``: each within the gap of the one before.
    runs: list[list[CountedTitle]] = [[same[0]]]
    for before, after in itertools.pairwise(same):
        if (after.published - before.published).days <= COUNT_GAP_DAYS:
            runs[-1].append(after)
        else:
            runs.append([after])
    run = next(r for r in runs if post in r)
    parts = [_part(p) for p in run]
    if len(run) < 2 or parts != sorted(set(parts)):
        return []  # alone, out of stated order, or a part number claimed twice
    if len({series_key(_subject(p.title)) for p in run}) < len(run):
        return []  # a subject repeated: a shared name joins them already
    return run


def _part(post: CountedTitle) -> int:
    count = title_count(post.title)
    return count[0] if count else 0


def _subject(title: str) -> str:
    """Return what the title says before its count: "Budget Diaries" of "Budget Diaries (1/3):
    The vote" (a shared one names the series already), "Procurement" of "Procurement (2/3)"."""
    match = _COUNT.search(title)
    return (title[: match.start()] if match else title).strip(" :-\u2013\u2014")


def counted_name(run: list[CountedTitle]) -> str:
    """Name an unnamed counted series after what its parts share, marked as generated."""
    count = title_count(run[0].title)
    total = count[1] if count else len(run)
    return f"Untitled {total}-part series by {run[0].author}, {run[0].published.isoformat()}"
