"""Hexo from the npm registry with its default theme, landscape, and the starter's plugins.

The packages are those ``hexo init`` puts in a new blog (the index, archive, category and tag
generators, the EJS, Markdown and Stylus renderers, the landscape theme) plus the feed and
sitemap generators, pinned; ``npm install`` runs inside the cached build. Stands in for Hugo,
which Debian packages without any theme and whose themes no registry here publishes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.engines import content
from tests.engines.static import ORIGIN, run_build, static_engine

PER_PAGE = 3
DEPENDENCIES = {
    "hexo": "8.1.2",
    "hexo-theme-landscape": "1.1.0",
    "hexo-generator-index": "4.0.0",
    "hexo-generator-archive": "2.0.0",
    "hexo-generator-category": "2.0.0",
    "hexo-generator-tag": "2.0.0",
    "hexo-renderer-ejs": "2.0.0",
    "hexo-renderer-marked": "7.0.1",
    "hexo-renderer-stylus": "3.0.1",
    "hexo-generator-feed": "3.0.0",
    "hexo-generator-sitemap": "3.0.1",
}
# landscape's footer and sidebar widgets (its listings carry whole posts: no "Read More" without
# an excerpt marker).
CHROME = ["Powered by", "Recent Posts", "Tag Cloud", "Archives", "Categories"]


def _config() -> dict[str, object]:
    return {
        "title": content.SITE_NAME,
        "subtitle": content.SITE_DESCRIPTION,
        "description": content.SITE_DESCRIPTION,
        "language": "en",
        "timezone": "UTC",
        "url": ORIGIN,
        "permalink": ":year/:month/:day/:title/",
        "per_page": PER_PAGE,
        "pagination_dir": "page",
        "theme": "landscape",
        "feed": {"type": "atom", "path": "atom.xml"},
        "sitemap": {"path": "sitemap.xml"},
    }


def _front_matter(fields: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n\n"


def build(src: Path, out: Path) -> dict[str, str]:
    """Write the Hexo blog into ``src``, install and build it into ``out``; return post paths."""
    # hexo-cli takes a folder for a blog only when package.json names Hexo, as hexo init writes.
    package = {
        "name": "ward-works-notebook",
        "private": True,
        "hexo": {"version": DEPENDENCIES["hexo"]},
        "dependencies": DEPENDENCIES,
    }
    (src / "package.json").write_text(json.dumps(package, indent=2))
    (src / "_config.yml").write_text(yaml.safe_dump(_config(), sort_keys=False))
    (src / "source" / "_posts").mkdir(parents=True)
    (src / "source" / "about").mkdir()
    (src / "source" / "about" / "index.md").write_text(
        _front_matter({"title": content.ABOUT_TITLE}) + content.ABOUT_TEXT + "\n"
    )
    for post in content.POSTS:
        fields = {
            "title": post.title,
            "author": post.author,
            "date": post.published.strftime("%Y-%m-%d %H:%M:%S"),
            "categories": [post.category],
            "tags": list(post.tags),
        }
        (src / "source" / "_posts" / f"{post.slug}.md").write_text(
            _front_matter(fields) + post.markdown()
        )
    npm = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
    run_build(npm, cwd=src, timeout=600)
    run_build(["node_modules/.bin/hexo", "generate"], cwd=src)
    shutil.copytree(src / "public", out)
    return {post.slug: f"/{post.published:%Y/%m/%d}/{post.slug}/" for post in content.POSTS}


ENGINES = [
    static_engine(
        "hexo-landscape",
        build,
        files=[Path(__file__)],
        packages=["bin:node", "bin:npm"],
        chrome=CHROME,
        site_name=content.SITE_NAME,
        # landscape prints no author on a post.
        shows_author=False,
    )
]
