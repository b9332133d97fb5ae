"""The demo sites' data model: sites, posts, comments and the furniture each platform adds.

Post texts are written for this project. Paragraphs use a tiny inline markup,
``[anchor text](href)``, where ``href`` is an absolute URL, a root-relative path on the
same site, or ``site:KEY/path`` for a link to another demo site (its port is only known
once the servers are bound).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
# A sentence ends at . ! or ? followed by a space and a capital letter or opening quote.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\u2018\"'])")


@dataclass(frozen=True)
class Comment:
    """A reader's comment shown under a post (furniture for the archive)."""

    author: str
    text: str


@dataclass(frozen=True)
class Post:
    """One blog post as its platform publishes it."""

    slug: str
    title: str
    author: str
    published: str  # ISO 8601 with offset, UTC
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()
    category: str = ""
    updated: str | None = None
    series: str | None = None
    part: int | None = None
    total: int | None = None
    standfirst: str = ""
    post_id: int = 0
    # (site key, slug) of the post this one republishes word for word.
    republished_from: tuple[str, str] | None = None

    @property
    def published_at(self) -> datetime:
        """Return the publication time as an aware datetime."""
        return datetime.fromisoformat(self.published)

    @property
    def updated_at(self) -> datetime:
        """Return the last modification time (the publication time if never updated)."""
        return datetime.fromisoformat(self.updated or self.published)

    @property
    def text(self) -> str:
        """Return the body as plain text, one paragraph per line."""
        return "\n".join(inline_text(p) for p in self.paragraphs)


@dataclass(frozen=True)
class Site:
    """One demo blog: its name, posts (newest first) and the strings its furniture shows."""

    key: str
    name: str
    tagline: str
    posts: tuple[Post, ...]
    comments: tuple[Comment, ...] = ()
    about: tuple[str, ...] = ()
    furniture: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        newest_first = tuple(sorted(self.posts, key=lambda p: p.published_at, reverse=True))
        # Frozen dataclass: object.__setattr__ is the documented way to normalise a field.
        object.__setattr__(self, "posts", newest_first)

    def post(self, slug: str) -> Post:
        """Return the post with ``slug``."""
        for post in self.posts:
            if post.slug == slug:
                return post
        raise KeyError(f"{self.key}: no post with slug {slug!r}")

    def series_parts(self, name: str) -> list[Post]:
        """Return the parts of series ``name`` in their stated order."""
        parts = [p for p in self.posts if p.series == name]
        return sorted(parts, key=lambda p: p.part or 0)


def inline_text(markup: str) -> str:
    """Return ``markup`` as plain text: each link becomes its anchor text."""
    return LINK_RE.sub(lambda m: m.group(1), markup)


def anchor_texts(markup: str) -> list[str]:
    """Return the anchor texts of the links in ``markup``."""
    return [m.group(1) for m in LINK_RE.finditer(markup)]


def sentences(text: str) -> list[str]:
    """Split plain text into sentences (the demo texts avoid abbreviations on purpose)."""
    return [s.strip() for s in SENTENCE_END_RE.split(text) if s.strip()]


def slugify(text: str) -> str:
    """Return a lower-case hyphenated slug for taxonomy URLs."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
