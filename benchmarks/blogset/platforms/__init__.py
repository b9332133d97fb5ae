"""Platform templates: each renders a Post as that platform's page, with its furniture.

A template returns the page and the furniture strings it placed (text a reader sees that is
not the post: consent dialogs, share bars, comments, related posts ...). The markup follows
what the platforms (and their common plugins) emit: class names, ids, JSON-LD or not,
OpenGraph, byline and date forms, site names in ``<title>``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from benchmarks.blogset.post import Post

# Readers' comments: prose that looks like post text, which is why comment threads leak.
COMMENTS = (
    (
        "Sue Whitfield",
        "We tried something very similar in our district and found the same thing about volunteers burning out after the first winter.",
    ),
    (
        "Gareth",
        "Would you be willing to share the project plan? Our scrutiny committee has asked for exactly this kind of evidence.",
    ),
    (
        "Anonymous",
        "This is all very well but nobody asked the people on my estate what they thought about it.",
    ),
    (
        "Dr. P. Lamb",
        "Interesting numbers. I wonder how much of the change would have happened anyway, given the national trend over the same period.",
    ),
    (
        "Joanne K",
        "Brilliant to see this written up honestly, including the bits that did not work first time round.",
    ),
    (
        "Rob Tennant",
        "Our parish council has been asking for this for years. Who should we contact to get involved?",
    ),
    (
        "Martha",
        "Thank you for publishing the figures rather than just the headline. It makes a real difference to those of us trying to make the case locally.",
    ),
    (
        "Imran Q",
        "How did you handle data protection for the residents who took part? That is usually where our projects stall.",
    ),
)
RELATED_HEADINGS = ("Related", "You might also like", "More from the blog", "Related posts")


class Furniture:
    """Collect furniture markup and the strings in it that must not reach the post text."""

    def __init__(self) -> None:
        self.strings: list[str] = []

    def __call__(self, markup: str, *strings: str) -> str:
        self.strings.extend(strings)
        return markup


Template = Callable[[Post], tuple[str, list[str]]]


def e(text: str) -> str:
    """Escape text for an HTML text node or attribute."""
    return html.escape(text)


def jsonld(data: Any) -> str:
    """Render a JSON-LD script block."""
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def comments(post: Post, count: int) -> list[tuple[str, str]]:
    """Pick ``count`` comments for a post, different from post to post."""
    start = (len(post.slug) + post.index * 3) % len(COMMENTS)
    return [COMMENTS[(start + i) % len(COMMENTS)] for i in range(count)]


def related(post: Post, count: int = 3) -> list[Post]:
    """Return other posts of the same site (for related posts and post navigation)."""
    return post.siblings[:count]


def long_date(d: date) -> str:
    """Return "4 March 2024"."""
    return f"{d.day} {d:%B %Y}"


def us_date(d: date) -> str:
    """Return "March 4, 2024"."""
    return f"{d:%B} {d.day}, {d.year}"


def short_date(d: date) -> str:
    """Return "Mar 4, 2024"."""
    return f"{d:%b} {d.day}, {d.year}"


def ordinal_date(d: date) -> str:
    """Return "4th March 2024"."""
    suffix = "th" if 11 <= d.day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    return f"{d.day}{suffix} {d:%B %Y}"


def reading_time(post: Post) -> int:
    """Return a plausible "N min read" figure."""
    return max(1, len(post.text().split()) // 200 + 1)
