"""Render posts.txt into the blog set's pages: ``python -m benchmarks.blogset.generate``.

Each post becomes ``pages/<slug>.html`` (its platform's markup and furniture) and
``pages/<slug>.json`` (url, title, author, date, platform, text and furniture). The output is
committed; ``--check`` fails when it differs from what the generator would write now.
The generator refuses to write a page whose furniture string is part of the post or is not
on the page, or whose post text is not on the page.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import lxml.html

from benchmarks.blogset.platforms import (
    Template,
    blogger,
    builders,
    cms,
    elementor,
    ghost,
    medium,
    wordpress,
)
from benchmarks.blogset.post import Post, read_posts

PAGES = Path(__file__).parent / "pages"
TEMPLATES: dict[str, Template] = {
    **wordpress.TEMPLATES,
    **elementor.TEMPLATES,
    **blogger.TEMPLATES,
    **ghost.TEMPLATES,
    **medium.TEMPLATES,
    **builders.TEMPLATES,
    **cms.TEMPLATES,
}


def render(post: Post) -> tuple[str, dict[str, object]]:
    """Return one post's page and its expected record."""
    try:
        template = TEMPLATES[post.platform]
    except KeyError:
        raise ValueError(f"post {post.slug}: no template {post.platform!r}") from None
    page, furniture = template(post)
    tree = lxml.html.document_fromstring(page)
    canonical = tree.xpath("//link[@rel='canonical']/@href")[0]
    expected = {
        "url": canonical,
        "platform": post.platform,
        "title": post.title,
        "site": post.site,
        "author": post.author,
        "date": post.published.isoformat(),
        "text": post.text(),
        "furniture": list(dict.fromkeys(furniture)),
    }
    check(post, tree, furniture)
    return page, expected


def check(post: Post, tree: lxml.html.HtmlElement, furniture: list[str]) -> None:
    """Refuse a page whose truth could not be right (see the module docstring)."""
    for script in tree.xpath("//script | //style"):
        script.drop_tree()
    visible = " ".join(tree.find("body").text_content().split())
    text = " ".join(post.text().split())
    problems = []
    for line in post.text().splitlines():
        if line.strip() and " ".join(line.split()) not in visible:
            problems.append(f"post text not on the page: {line[:60]!r}")
    for string in furniture:
        if string in text or string in post.title:
            problems.append(f"furniture string is part of the post: {string!r}")
        if string not in visible:
            problems.append(f"furniture string not on the page: {string!r}")
    if problems:
        raise ValueError(f"{post.slug}: " + "; ".join(problems))


def build() -> dict[str, str]:
    """Return every file of the set by name."""
    files: dict[str, str] = {}
    for post in read_posts():
        page, expected = render(post)
        files[f"{post.slug}.html"] = page
        files[f"{post.slug}.json"] = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the pages, or with ``--check`` report whether the committed ones are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = sorted(
            name
            for name, content in files.items()
            if not (PAGES / name).exists() or (PAGES / name).read_text(encoding="utf-8") != content
        )
        extra = sorted(p.name for p in PAGES.glob("*") if p.name not in files)
        if stale or extra:
            print(f"stale: {stale} extra: {extra}; run python -m benchmarks.blogset.generate")
            return 1
        return 0
    PAGES.mkdir(exist_ok=True)
    for old in PAGES.glob("*"):
        if old.name not in files:
            old.unlink()
    for name, content in files.items():
        (PAGES / name).write_text(content, encoding="utf-8")
    print(f"wrote {len(files) // 2} pages to {PAGES}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
