"""The posts every engine's site publishes: plain prose, several authors, tags and a series.

Bodies are generated from a seeded pool of sentences so each post is a few hundred words,
distinct from the others (near-duplicate detection must not link them), and known exactly
to the grader. Links are written as ``[anchor](href)``; ``markdown()`` keeps them so,
``html()`` turns them into ``<a>`` elements, and ``text()`` is what a reader sees.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")

AUTHORS = ("Amara Okafor", "Declan Hughes", "Priya Raman")

SITE_NAME = "Ward Works Notebook"
SITE_DESCRIPTION = "Notes from a council's service design team."
ABOUT_TITLE = "About this notebook"
ABOUT_TEXT = (
    "This notebook is written by the service design team. We write about what we try, "
    "what fails and what we would do again."
)
# A comment posted on the first post where the engine has comments: its author's name must
# never become the post's author, and its text must never reach the body.
COMMENT_AUTHOR = "Gwendolyn Marsh"
COMMENT_TEXT = "Thanks for writing this up, we tried the same thing in our borough last spring."

_SUBJECTS = (
    "The housing team",
    "Our small pilot group",
    "A neighbourhood panel",
    "The library service",
    "Every ward councillor",
    "The transport officers",
    "A volunteer steering board",
    "The finance directorate",
    "Our digital apprentices",
    "The parks department",
    "A cross-party working group",
    "The waste collection crews",
    "Two district nurses",
    "The planning inspectors",
    "A group of tenants",
    "The youth forum",
    "Our call centre staff",
    "The social care leads",
    "A local charity partner",
    "The climate officer",
)
_VERBS = (
    "mapped",
    "rewrote",
    "tested",
    "questioned",
    "measured",
    "simplified",
    "shared",
    "prototyped",
    "costed",
    "reviewed",
    "abandoned",
    "rebuilt",
    "published",
    "sketched",
    "compared",
    "documented",
    "argued over",
    "redesigned",
    "walked through",
    "scored",
)
_OBJECTS = (
    "the repairs request form",
    "every letter we send about arrears",
    "the bin collection rota",
    "a shared spreadsheet of grant decisions",
    "the route of a typical planning appeal",
    "the budget lines nobody could explain",
    "a paper map of the estate",
    "the queue at the front desk",
    "our open data register",
    "the blue badge renewal journey",
    "the agenda for the next scrutiny meeting",
    "a list of forty unanswered emails",
    "the ward budget allocation rules",
    "a prototype of the new booking page",
    "the wording of the council tax reminder",
    "the cost of one missed appointment",
    "three versions of the same consultation",
    "the timetable for library opening hours",
    "a backlog of pothole reports",
    "the training plan for new starters",
    "the contract for street lighting",
    "the minutes of last year's workshops",
    "a folder of complaints about parking",
    "the rules for community room hire",
    "a survey of residents over seventy",
    "the flow of cases through adult social care",
    "the process for reporting fly tipping",
    "the checklist used at housing viewings",
    "a chart of call volumes by hour",
    "the criteria for small community grants",
)
_TAILS = (
    "before the end of the quarter",
    "with residents in the room",
    "over two long afternoons",
    "without asking for new money",
    "and found the problem was elsewhere",
    "so that a new starter could follow it",
    "against the figures from last year",
    "while the pilot was still running",
    "in plain words rather than jargon",
    "and wrote down what surprised us",
    "with help from the ward office",
    "before anyone had signed anything off",
    "on a whiteboard in the old committee room",
    "until the numbers finally agreed",
    "with a stopwatch and a notebook",
    "to see where people gave up",
    "because the old way had stopped working",
    "after a difficult meeting in March",
    "and sent the draft to everyone involved",
    "so that we could stop guessing",
)


@dataclass(frozen=True)
class Post:
    """One post as the engine is told to publish it."""

    slug: str
    title: str
    author: str
    published: datetime
    category: str
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    series: tuple[str, int] | None = None  # (series name, part number)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def date(self) -> str:
        """Return the published date as YYYY-MM-DD, what the grader compares."""
        return self.published.date().isoformat()

    def markdown(self) -> str:
        """Return the body as Markdown: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs) + "\n"

    def html(self) -> str:
        """Return the body as HTML paragraphs with real links."""
        return "\n".join(
            "<p>" + LINK_RE.sub(r'<a href="\2">\1</a>', p) + "</p>" for p in self.paragraphs
        )

    def text(self) -> str:
        """Return the body as a reader sees it: paragraphs of plain text."""
        return "\n\n".join(LINK_RE.sub(r"\1", p) for p in self.paragraphs)


def _paragraphs(rng: random.Random, topic: str, opening: str | None) -> tuple[str, ...]:
    paragraphs = []
    for index in range(5):
        sentences = []
        for _ in range(3):
            sentences.append(
                f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                f"{rng.choice(_TAILS)}."
            )
        if index == 0:
            lead = opening or f"This post is about {topic}."
            sentences.insert(0, lead)
        if index == 2:
            sentences.append(
                f"We kept notes in the [{topic} working notes](https://example.org/notes/"
                f"{re.sub(r'[^a-z]+', '-', topic.lower()).strip('-')}) for anyone curious."
            )
        paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)


SERIES_NAME = "Ward budgets"
_ORDINALS = {1: "first", 2: "second", 3: "third"}

_PLAIN = (
    ("repairs-form", "Rewriting the repairs request form", "housing repairs"),
    ("front-desk-queue", "What we learned from the front desk queue", "the front desk"),
    ("open-data-register", "Cleaning up our open data register", "open data"),
    ("blue-badge-journey", "Walking the blue badge renewal journey", "blue badges"),
    ("library-hours", "Library opening hours, explained", "library hours"),
    ("fly-tipping-reports", "Making fly tipping reports easier", "fly tipping"),
)
_SERIES = (
    ("ward-budgets-part-1", "Ward budgets, part 1: where the money goes"),
    ("ward-budgets-part-2", "Ward budgets, part 2: asking residents"),
    ("ward-budgets-part-3", "Ward budgets, part 3: what changed"),
)
_TAGS = ("housing", "data", "libraries", "budgets", "design", "streets")
_CATEGORIES = ("Services", "Data", "Budgets")


def _build_posts() -> tuple[Post, ...]:
    rng = random.Random(20261205)
    posts: list[Post] = []
    day = 0
    plain = iter(_PLAIN)
    series = iter(enumerate(_SERIES, start=1))
    # Interleave the series among the plain posts so its parts are not adjacent in listings.
    order = ("p", "s", "p", "p", "s", "p", "p", "s", "p")
    for index, kind in enumerate(order):
        day += 9 + index
        published = datetime(2025, 1, 6, 10, 30, tzinfo=UTC).replace(
            month=1 + (day // 28) % 12, day=1 + day % 28
        )
        if kind == "p":
            slug, title, topic = next(plain)
            author = AUTHORS[_PLAIN.index((slug, title, topic)) % len(AUTHORS)]
            tags = (_TAGS[index % 6], _TAGS[(index + 2) % 6])
            posts.append(
                Post(
                    slug=slug,
                    title=title,
                    author=author,
                    published=published,
                    category=_CATEGORIES[index % 2],
                    tags=tags,
                    paragraphs=_paragraphs(rng, topic, None),
                )
            )
        else:
            part, (slug, title) = next(series)
            opening = (
                f"This is the {_ORDINALS[part]} post in our ward budgets series, one of three."
            )
            posts.append(
                Post(
                    slug=slug,
                    title=title,
                    author=AUTHORS[1],
                    published=published,
                    category="Budgets",
                    tags=("budgets",),
                    paragraphs=_paragraphs(rng, "ward budgets", opening),
                    series=(SERIES_NAME, part),
                )
            )
    return tuple(posts)


POSTS: tuple[Post, ...] = _build_posts()
