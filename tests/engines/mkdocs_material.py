"""MkDocs with Material for MkDocs and its blog plugin: a standalone blog as Material documents it.

The blog is the whole site (``blog_dir: .``): posts with authors from ``.authors.yml`` and
author profile pages, categories, tags (the tags plugin's index page), date archives,
pagination, excerpts with "Continue reading", heading permalinks (``toc``), an "Edit this
page" action and an About page. MkDocs writes the sitemap; the feeds come from the RSS
plugin Material's blog documentation sets up (mkdocs-rss-plugin).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.engines import content
from tests.engines.static import ORIGIN, run_build, static_engine

AUTHOR_IDS = {name: name.split()[0].lower() for name in content.AUTHORS}

CONFIG = f"""
site_name: {json.dumps(content.SITE_NAME)}
site_url: {ORIGIN}/
site_description: {json.dumps(content.SITE_DESCRIPTION)}
repo_url: https://git.example.org/wardworks/notebook
edit_uri: edit/main/docs/
theme:
  name: material
  features:
    - content.action.edit
    - navigation.footer
    - navigation.top
plugins:
  - search
  - blog:
      blog_dir: .
      pagination_per_page: 3
      authors_profiles: true
  - tags
  - rss:
      match_path: "posts/.*"
      use_git: false
      date_from_meta:
        as_creation: date
      categories:
        - categories
        - tags
markdown_extensions:
  - toc:
      permalink: true
nav:
  - Blog:
    - index.md
  - {json.dumps(content.ABOUT_TITLE)}: about.md
  - Tags: tags.md
"""

CHROME = [
    "Made with",
    "Material for MkDocs",
    "Edit this page",
    "Back to top",
    "Continue reading",
    "Skip to content",
    "Table of contents",
    "Initializing search",
    "min read",
    "Metadata",
    content.SITE_NAME,
]


def _post_source(post: content.Post) -> str:
    body = post.markdown().split("\n\n", 1)
    return (
        "---\n"
        f"date: {post.date}\n"
        f"authors:\n  - {AUTHOR_IDS[post.author]}\n"
        f"categories:\n  - {post.category}\n"
        f"tags:\n" + "".join(f"  - {tag}\n" for tag in post.tags) + f"slug: {post.slug}\n"
        "---\n\n"
        f"# {post.title}\n\n{body[0]}\n\n<!-- more -->\n\n{body[1]}"
    )


def build(src: Path, out: Path) -> dict[str, str]:
    """Write the MkDocs project into ``src``, build it into ``out``; return post URL paths."""
    docs = src / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "assets").mkdir()
    (docs / "assets/avatar.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8"/></svg>'
    )
    authors = "authors:\n" + "".join(
        f"  {key}:\n    name: {name}\n    description: Service designer\n"
        f"    avatar: assets/avatar.svg\n"
        for name, key in AUTHOR_IDS.items()
    )
    (docs / ".authors.yml").write_text(authors)
    (docs / "index.md").write_text("# Blog\n")
    (docs / "about.md").write_text(f"# {content.ABOUT_TITLE}\n\n{content.ABOUT_TEXT}\n")
    (docs / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    for post in content.POSTS:
        (docs / f"posts/{post.slug}.md").write_text(_post_source(post))
    (src / "mkdocs.yml").write_text(CONFIG)
    run_build([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=src)
    return {
        post.slug: f"/{post.published:%Y/%m/%d}/{re.sub(r'[^a-z0-9-]', '', post.slug)}/"
        for post in content.POSTS
    }


ENGINES = [
    static_engine(
        "mkdocs-material-blog",
        build,
        files=[Path(__file__)],
        packages=["mkdocs", "mkdocs-material", "mkdocs-rss-plugin"],
        chrome=CHROME,
        site_name=content.SITE_NAME,
    )
]
