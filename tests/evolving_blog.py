"""A generated WordPress-style blog whose posts tests edit, delete and add between crawls.

``write_blog`` renders the whole site (posts, paginated home page, RSS feed, sitemap, one
series page, robots.txt) from a list of :class:`BlogPost`; rewrite it between crawls and
serve the folder with :class:`tests.crawler_server.FixtureSite`, which reads files per request.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

WORDS = (
    *("council", "budget", "transit", "housing", "library", "survey", "street", "data"),
    *("open", "civic", "map", "archive", "residents", "meeting", "grant", "repair"),
    *("bridge", "school", "water", "garden", "market", "report", "notes"),
)
PER_PAGE = 8
SERIES_NAME = "City data"
SERIES_PATH = "/series/city-data/"


@dataclass(frozen=True)
class BlogPost:
    """One post of the generated blog."""

    slug: str
    title: str
    published: str  # YYYY-MM-DD
    paragraphs: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()  # (href, anchor text); hrefs may be site paths
    author: str = "Ana Lopez"
    tags: tuple[str, ...] = ("civic",)
    in_series: bool = False

    @property
    def path(self) -> str:
        year, month, _ = self.published.split("-")
        return f"/{year}/{month}/{self.slug}/"


def sentence(seed: int, length: int = 12) -> str:
    """Return a deterministic sentence of ``length`` words."""
    # Seeded, not periodic: posts of one blog must not share long runs of words, or the
    # archive rightly takes them for copies of each other (near-duplicate detection).
    words = random.Random(seed).choices(WORDS, k=length)
    return " ".join(words).capitalize() + "."


def make_posts(count: int, *, series: int = 3) -> list[BlogPost]:
    """Return ``count`` posts, oldest first; the first ``series`` form the series."""
    posts: list[BlogPost] = []
    for n in range(1, count + 1):
        paragraphs = tuple(
            " ".join(sentence(n * 10 + p * 3 + s) for s in range(3)) for p in range(3)
        )
        links: tuple[tuple[str, str], ...] = (("https://example.org/source/", f"source {n}"),)
        if posts:
            links += ((posts[-1].path, f"the post before {n}"),)
        in_series = n <= series
        posts.append(
            BlogPost(
                slug=f"post-{n}",
                title=f"{SERIES_NAME}, part {n}" if in_series else f"Post number {n}",
                published=f"{2024 + n // 28}-{(n - 1) % 12 + 1:02d}-{n % 27 + 1:02d}",
                paragraphs=paragraphs,
                links=links,
                tags=("civic", WORDS[n % len(WORDS)]),
                in_series=in_series,
            )
        )
    return posts


@dataclass
class Blog:
    """The site's posts and where it is rendered."""

    root: Path
    name: str = "Evolving Blog"
    posts: list[BlogPost] = field(default_factory=list)

    def post(self, slug: str) -> BlogPost:
        """Return the post with ``slug``."""
        return next(p for p in self.posts if p.slug == slug)

    def edit(self, slug: str, **changes: object) -> BlogPost:
        """Change fields of one post (re-render with :meth:`write`)."""
        i = next(i for i, p in enumerate(self.posts) if p.slug == slug)
        self.posts[i] = replace(self.posts[i], **changes)  # type: ignore[arg-type]
        return self.posts[i]

    def delete(self, slug: str) -> BlogPost:
        """Remove one post from the site: its page answers 404 and no listing shows it."""
        post = self.post(slug)
        self.posts.remove(post)
        return post

    def write(self) -> None:
        """Render the whole site into ``root``, replacing what was there."""
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        for post in self.posts:
            self._file(post.path + "index.html", self._post_page(post))
        newest_first = sorted(self.posts, key=lambda p: (p.published, p.slug), reverse=True)
        pages = [newest_first[i : i + PER_PAGE] for i in range(0, len(newest_first), PER_PAGE)]
        for number, page in enumerate(pages or [[]], start=1):
            path = "/" if number == 1 else f"/page/{number}/"
            has_next = number < len(pages)
            self._file(path + "index.html", self._listing(page, number, has_next))
        series = [p for p in self.posts if p.in_series]
        self._file(SERIES_PATH + "index.html", self._series_page(series))
        self._file("/feed/index.rss", self._feed(newest_first[:10]))
        self._file("/sitemap.xml", self._sitemap(self.posts))
        self._file(
            "/robots.txt", "User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {{BASE}}/sitemap.xml\n"
        )

    def _file(self, path: str, text: str) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def _head(self, title: str, extra: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)} | {self.name}</title>\n"
            f'<meta property="og:site_name" content="{self.name}">\n{extra}'
            '<link rel="alternate" type="application/rss+xml" href="/feed/index.rss">\n</head>\n'
        )

    def _nav(self) -> str:
        return f'<nav><a href="/">Home</a> <a href="{SERIES_PATH}">{SERIES_NAME} series</a></nav>\n'

    def _post_page(self, post: BlogPost) -> str:
        body = "".join(f"<p>{escape(p)}</p>\n" for p in post.paragraphs)
        if post.links:
            items = " ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for h, t in post.links)
            body += f"<p>Further reading: {items}</p>\n"
        tags = ", ".join(escape(t) for t in post.tags)
        meta = (
            '<meta property="og:type" content="article">\n'
            f'<meta property="article:published_time" content="{post.published}T09:00:00Z">\n'
            f'<meta name="author" content="{escape(post.author)}">\n'
            + "".join(f'<meta property="article:tag" content="{escape(t)}">\n' for t in post.tags)
        )
        return (
            self._head(post.title, meta)
            + '<body class="post-template-default single single-post">\n'
            + self._nav()
            + '<main><article class="post hentry">'
            + f'<h1 class="entry-title">{escape(post.title)}</h1>\n'
            + f'<time datetime="{post.published}">{post.published}</time>\n'
            + f'<span class="author vcard">{escape(post.author)}</span>\n'
            + f'<div class="entry-content">{body}</div>\n'
            + f'<footer class="entry-footer">Tags: {tags}</footer>\n'
            + "</article></main></body></html>\n"
        )

    def _listing(self, posts: list[BlogPost], number: int, has_next: bool) -> str:
        entries = "".join(
            f'<article class="post hentry" id="{p.slug}"><h2 class="entry-title">'
            f'<a href="{p.path}" rel="bookmark">{escape(p.title)}</a></h2>\n'
            f'<time datetime="{p.published}">{p.published}</time>'
            f"<p>{escape(p.paragraphs[0][:80])}…</p></article>\n"
            for p in posts
        )
        older = (
            f'<div class="nav-links"><a class="next" href="/page/{number + 1}/">Older</a></div>'
            if has_next
            else ""
        )
        return (
            self._head(self.name if number == 1 else f"Page {number}")
            + '<body class="home blog">\n'
            + self._nav()
            + f"<main>{entries}{older}</main></body></html>\n"
        )

    def _series_page(self, posts: list[BlogPost]) -> str:
        entries = "".join(
            f'<article class="post hentry"><h2 class="entry-title">'
            f'<a href="{p.path}">{escape(p.title)}</a></h2></article>\n'
            for p in posts
        )
        return (
            self._head(SERIES_NAME)
            + '<body class="archive category">\n'
            + f'<main><h1 class="page-title">Series: {SERIES_NAME}</h1>\n'
            + '<div class="archive-description"><p>Opening up the city\'s data.</p></div>\n'
            + f"{entries}</main></body></html>\n"
        )

    def _feed(self, posts: list[BlogPost]) -> str:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{{{{BASE}}}}{p.path}</link></item>\n"
            for p in posts
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>{self.name}</title><link>{{{{BASE}}}}/</link>\n{items}</channel></rss>\n"
        )

    def _sitemap(self, posts: list[BlogPost]) -> str:
        urls = "".join(f"<url><loc>{{{{BASE}}}}{p.path}</loc></url>\n" for p in posts)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n"
        )


def new_blog(root: Path, count: int) -> Blog:
    """Return a blog of ``count`` posts rendered into ``root``."""
    blog = Blog(root, posts=make_posts(count))
    blog.write()
    return blog
