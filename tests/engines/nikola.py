"""Nikola with its default theme, bootblog4: posts, a page, tag/category/author/date archives.

The site is what ``nikola init`` writes (its default ``conf.py``, Disqus comments included),
with the settings a user changes appended: the blog's name and URL, three posts per index
page, monthly archives. Posts are Markdown with Nikola's metadata comment.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.engines import content
from tests.engines.static import ORIGIN, run_build, static_engine

# The blog's own settings, written over the lines ``nikola init`` put in conf.py (the
# footer is formatted from them further down the file) or added at its end.
SETTINGS = {
    "BLOG_AUTHOR": "Ward Works team",
    "BLOG_TITLE": content.SITE_NAME,
    "SITE_URL": ORIGIN + "/",
    "BLOG_EMAIL": "team@wardworks.example",
    "BLOG_DESCRIPTION": content.SITE_DESCRIPTION,
    "TIMEZONE": "UTC",
    "INDEX_DISPLAY_POST_COUNT": 3,
    "CREATE_MONTHLY_ARCHIVE": True,
    "COMMENT_SYSTEM_ID": "wardworks",
}

CHROME = [
    "Contents ©",
    "Ward Works team",
    "Powered by",
    "Nikola",
    "Please enable JavaScript",
    "Previous post",
    "Next post",
    "Skip to main content",
    "Toggle navigation",
    "Comments",
    "Source",
    content.SITE_NAME,
]


def _post_source(post: content.Post) -> str:
    return (
        "<!--\n"
        f".. title: {post.title}\n"
        f".. slug: {post.slug}\n"
        f".. date: {post.published:%Y-%m-%d %H:%M:%S} UTC\n"
        f".. author: {post.author}\n"
        f".. category: {post.category}\n"
        f".. tags: {', '.join(post.tags)}\n"
        "-->\n\n"
        f"{post.markdown()}"
    )


def build(src: Path, out: Path) -> dict[str, str]:
    """Init a Nikola site in ``src``, add the posts, build it into ``out``; return post paths."""
    run_build([sys.executable, "-m", "nikola", "init", "--quiet", "site"], cwd=src)
    site = src / "site"
    conf = (site / "conf.py").read_text()
    for name, value in {**SETTINGS, "OUTPUT_FOLDER": str(out)}.items():
        line = f"{name} = {value!r}"
        conf, found = re.subn(
            rf"^{name} = .*$", line.replace("\\", r"\\"), conf, count=1, flags=re.M
        )
        if not found:
            conf += line + "\n"
    (site / "conf.py").write_text(conf)
    for post in content.POSTS:
        (site / f"posts/{post.slug}.md").write_text(_post_source(post))
    (site / "pages/about.md").write_text(
        f"<!--\n.. title: {content.ABOUT_TITLE}\n.. slug: about\n-->\n\n{content.ABOUT_TEXT}\n"
    )
    run_build([sys.executable, "-m", "nikola", "build"], cwd=site)
    return {post.slug: f"/posts/{post.slug}/" for post in content.POSTS}


ENGINES = [
    static_engine(
        "nikola-bootblog4",
        build,
        files=[Path(__file__)],
        packages=["nikola", "markdown"],
        chrome=CHROME,
        site_name=content.SITE_NAME,
    )
]
