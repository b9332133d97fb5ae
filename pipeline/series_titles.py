"""Series named by titles that share a prefix or suffix ("Creative Councils: Starting small").

A shared prefix alone is weak: "Review: ...", "Interview: ..." and "Weeknotes: ..." are
formats, not series. So a shared affix names a series only when at least two posts of one
site carry it and it is corroborated: the posts are tagged with it, or another signal of one
of them (a series box, a series page, a sentence) names the same series.
"""

from __future__ import annotations

import re

from pipeline.series import series_key

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
