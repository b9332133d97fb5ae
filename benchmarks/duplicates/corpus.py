"""A generated corpus of blog posts with known copies and near-misses (the near-duplicates
benchmark).

Sites have their own boilerplate and series intros; copies are a post republished on another
site (new headline, editor's note, standfirst, sign-off, a few words changed, sometimes the
last paragraph cut); near-misses share a post's series intro or some of its paragraphs but
are other posts. Every choice comes from one seeded ``random.Random``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from demo.sites import PLATFORMS

NOTES = (
    "Editor's note: this post first appeared on {site} and is republished with permission.",
    "We are grateful to {site} for letting us share this piece with our readers.",
    "This article was originally published by {site}. Views are the author's own.",
)


@dataclass(frozen=True)
class Post:
    """One generated post; ``original`` is the URL of the post it copies, if it is a copy."""

    url: str
    title: str
    text: str
    published: str
    original: str | None = None
    kind: str = "post"  # post, copy or near-miss


def vocabulary() -> list[str]:
    """Return the words of the demo blogs' texts, most frequent first (a Zipf-ish source)."""
    counts: dict[str, int] = {}
    for platform in PLATFORMS.values():
        for post in platform.site.posts:
            for word in re.findall(r"[a-z']+", " ".join(post.paragraphs).lower()):
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


class Generator:
    """Make sentences, paragraphs and posts from the demo vocabulary."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        # Zipf weights: the r-th most frequent word is drawn with weight 1/r.
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]

    def sentence(self) -> str:
        words = self.rng.choices(self.words, self.weights, k=self.rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def body(self, paragraphs: int) -> list[str]:
        return [self.paragraph() for _ in range(paragraphs)]

    def date(self) -> str:
        return f"2024-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"


def _mutate(rng: random.Random, text: str, rate: float, words: list[str]) -> str:
    """Change about ``rate`` of the words (typo fixes, house style)."""
    tokens = text.split(" ")
    for i in range(len(tokens)):
        if rng.random() < rate:
            tokens[i] = rng.choice(words[:500])
    return " ".join(tokens)


def generate(
    posts: int = 2000, copies: int = 200, near_misses: int = 200, seed: int = 0
) -> list[Post]:
    """Return ``posts`` posts in all, of which ``copies`` copies and ``near_misses`` near-misses."""
    gen = Generator(seed)
    rng = gen.rng
    sites = [f"https://site{i:02d}.example.org" for i in range(40)]
    intros = {site: [gen.paragraph() for _ in range(3)] for site in sites}  # series intros
    footers = {site: gen.sentence() for site in sites}
    bases: list[tuple[Post, list[str], str]] = []
    for n in range(posts - copies - near_misses):
        site = rng.choice(sites)
        paragraphs = gen.body(rng.randint(3, 9))
        if rng.random() < 0.4:
            paragraphs = [rng.choice(intros[site]), *paragraphs]
        paragraphs.append(footers[site])
        post = Post(f"{site}/{n}/", f"Post {n}", "\n\n".join(paragraphs), gen.date())
        bases.append((post, paragraphs, site))
    made: list[Post] = [b[0] for b in bases]
    for n in range(copies):
        original, paragraphs, site = rng.choice(bases)
        other = rng.choice([s for s in sites if s != site])
        body = list(paragraphs[:-1])
        if rng.random() < 0.3 and len(body) > 3:
            body = body[:-1]  # the last paragraph cut
        body = [_mutate(rng, p, rng.uniform(0, 0.01), gen.words) for p in body]
        note = rng.choice(NOTES).format(site=site)
        text = "\n\n".join([note, gen.sentence(), *body, footers[other]])
        made.append(
            Post(
                f"{other}/copy-{n}/",
                f"Republished: {original.title}",
                text,
                original.published,
                original=original.url,
                kind="copy",
            )
        )
    for n in range(near_misses):
        original, paragraphs, site = rng.choice(bases)
        if rng.random() < 0.5:
            # Same site, same series intro and footer, a different body.
            kept = [paragraphs[0]] if paragraphs[0] in intros[site] else [rng.choice(intros[site])]
            body = kept + gen.body(rng.randint(3, 6)) + [footers[site]]
            where = site
        else:
            # A follow-up quoting about a third of the post.
            share = max(1, len(paragraphs) // 3)
            body = paragraphs[:share] + gen.body(max(3, len(paragraphs) - share))
            where = rng.choice(sites)
        text = "\n\n".join(body)
        made.append(Post(f"{where}/near-{n}/", f"Near {n}", text, gen.date(), kind="near-miss"))
    rng.shuffle(made)
    return made
