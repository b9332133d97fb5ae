"""The blog set's posts as data: parse ``posts.txt`` and render a post's body and truth."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

POSTS_FILE = Path(__file__).parent / "posts.txt"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass
class Post:
    """One invented post: what it says and who wrote it, before any platform markup."""

    slug: str  # "<platform family>-<slug>", the page's file name
    platform: str  # template name, e.g. "wordpress-cookieyes"
    site: str
    title: str
    authors: list[str]
    published: date
    blocks: list[str]  # paragraphs, "## heading", or "- item" lines
    index: int = 0  # position among the posts of the same template (varies the markup)
    siblings: list[Post] = field(default_factory=list, repr=False)  # for "related posts"

    @property
    def author(self) -> str:
        """Return the authors as the archive stores them, joined with "; "."""
        return "; ".join(self.authors)

    @property
    def host(self) -> str:
        """Return an invented host for the site."""
        return re.sub(r"[^a-z0-9]+", "", self.site.lower()) + ".example.org"

    @property
    def path_slug(self) -> str:
        """Return the slug without its platform prefix."""
        return self.slug.split("-", 1)[1]

    @property
    def description(self) -> str:
        """Return the first sentence of the post, which platforms use as its description."""
        first = plain(self.blocks[0])
        return first.split(". ")[0].rstrip(".") + "."

    def url(self, pattern: str = "/{y}/{m:02d}/{slug}/") -> str:
        """Return the post's URL on its invented host."""
        d = self.published
        return f"https://{self.host}" + pattern.format(
            y=d.year, m=d.month, d=d.day, slug=self.path_slug
        )

    def body(self, p: str = "<p>", inserts: dict[int, str] | None = None) -> str:
        """Render the body: ``p`` is the opening paragraph tag; ``inserts`` go after block i."""
        inserts = inserts or {}
        out = []
        for i, block in enumerate(self.blocks):
            if block.startswith("## "):
                out.append(f"<h2>{inline(block[3:])}</h2>")
            elif block.startswith("- "):
                items = "".join(f"<li>{inline(line[2:])}</li>" for line in block.splitlines())
                out.append(f"<ul>{items}</ul>")
            else:
                out.append(f"{p}{inline(block)}</p>")
            if i in inserts:
                out.append(inserts[i])
        return "\n".join(out)

    def text(self) -> str:
        """Return the expected text: blocks in order, one blank line between them."""
        out = []
        for block in self.blocks:
            if block.startswith("## "):
                out.append(plain(block[3:]))
            elif block.startswith("- "):
                out.append("\n".join(plain(line[2:]) for line in block.splitlines()))
            else:
                out.append(plain(block))
        return "\n\n".join(out)


def inline(text: str) -> str:
    """Escape text for HTML, turning ``[text](url)`` into links."""
    parts, last = [], 0
    for found in _LINK.finditer(text):
        parts.append(html.escape(text[last : found.start()], quote=False))
        parts.append(f'<a href="{html.escape(found[2])}">{html.escape(found[1])}</a>')
        last = found.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def plain(text: str) -> str:
    """Return text with link markup reduced to the anchor text."""
    return _LINK.sub(r"\1", text)


def read_posts(path: Path = POSTS_FILE) -> list[Post]:
    """Parse the posts file; a malformed block is an error naming its line."""
    posts: list[Post] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("=== "):
            i += 1
            continue
        start = i + 1
        slug = line[4:].strip()
        header: dict[str, str] = {}
        i += 1
        while i < len(lines) and lines[i] != "---":
            key, sep, value = lines[i].partition(": ")
            if not sep:
                raise ValueError(f"{path}:{i + 1}: expected 'key: value' in post {slug}")
            header[key] = value.strip()
            i += 1
        body_lines = []
        i += 1
        while i < len(lines) and not lines[i].startswith("=== "):
            body_lines.append(lines[i])
            i += 1
        blocks = [b.strip() for b in "\n".join(body_lines).split("\n\n") if b.strip()]
        missing = {"platform", "site", "title", "author", "date"} - header.keys()
        if missing or not blocks:
            raise ValueError(f"{path}:{start}: post {slug} lacks {sorted(missing) or 'a body'}")
        posts.append(
            Post(
                slug=slug,
                platform=header["platform"],
                site=header["site"],
                title=header["title"],
                authors=[a.strip() for a in header["author"].split(";")],
                published=date.fromisoformat(header["date"]),
                blocks=blocks,
            )
        )
    counters: dict[str, int] = {}
    for post in posts:
        post.index = counters.get(post.platform, 0)
        counters[post.platform] = post.index + 1
        same_site = [p for p in posts if p.site == post.site and p is not post]
        same_platform = [p for p in posts if p.platform == post.platform and p.site != post.site]
        post.siblings = same_site + same_platform
    return posts
