"""Pelican with its default theme, notmyidea: posts, pages, tag/category/author/date archives.

The site is built with Pelican's own command line from Markdown sources written here, with
the settings a user would set for a blog: clean post URLs by date, pagination, date archives
Atom feeds for the whole site, each category, tag and author, the sitemap plugin and the
theme's Disqus comment section.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.engines import content
from tests.engines.static import ORIGIN, run_build, static_engine

SETTINGS = f"""
SITENAME = {content.SITE_NAME!r}
SITEURL = {ORIGIN!r}
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 3
PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["posts"]
ARTICLE_URL = "posts/{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
YEAR_ARCHIVE_SAVE_AS = "posts/{{date:%Y}}/index.html"
MONTH_ARCHIVE_SAVE_AS = "posts/{{date:%Y}}/{{date:%m}}/index.html"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{{slug}}.atom.xml"
AUTHOR_FEED_ATOM = "feeds/author-{{slug}}.atom.xml"
LINKS = (("Pelican", "https://getpelican.com/"),)
# The sitemap plugin (pelican-sitemap, a namespace plugin Pelican finds by itself).
SITEMAP = {{"format": "xml"}}
# notmyidea's comment section: Disqus, loaded by JavaScript, as the theme ships it.
DISQUS_SITENAME = "wardworks"
"""

CHROME = [
    "Proudly powered by",
    "takes great advantage of",
    "The theme is by",
    "Smashing Magazine",
    "Published:",
    "atom feed",
    "read more",
    "Other articles",
    "Comments !",
    "Please enable JavaScript to view the comments",
    content.SITE_NAME,
]


def _post_source(post: content.Post) -> str:
    return (
        f"Title: {post.title}\n"
        f"Date: {post.published:%Y-%m-%d %H:%M}\n"
        f"Author: {post.author}\n"
        f"Category: {post.category}\n"
        f"Tags: {', '.join(post.tags)}\n"
        f"Slug: {post.slug}\n\n"
        f"{post.markdown()}"
    )


def build(src: Path, out: Path) -> dict[str, str]:
    """Write the Pelican project into ``src``, build it into ``out``; return post URL paths."""
    (src / "content/posts").mkdir(parents=True)
    (src / "content/pages").mkdir(parents=True)
    for post in content.POSTS:
        (src / f"content/posts/{post.slug}.md").write_text(_post_source(post))
    (src / "content/pages/about.md").write_text(
        f"Title: {content.ABOUT_TITLE}\nSlug: about\n\n{content.ABOUT_TEXT}\n"
    )
    (src / "pelicanconf.py").write_text(SETTINGS)
    run_build(
        [sys.executable, "-m", "pelican", "content", "-o", str(out), "-s", "pelicanconf.py"],
        cwd=src,
    )
    return {post.slug: f"/posts/{post.published:%Y/%m}/{post.slug}/" for post in content.POSTS}


ENGINES = [
    static_engine(
        "pelican-notmyidea",
        build,
        files=[Path(__file__)],
        packages=["pelican", "markdown", "pelican-sitemap"],
        chrome=CHROME,
        site_name=content.SITE_NAME,
    )
]
