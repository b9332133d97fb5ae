"""Jekyll from Debian's packages with its default theme, minima, and its common plugins.

jekyll-feed, jekyll-seo-tag and jekyll-sitemap as a new site's Gemfile has them, plus
jekyll-paginate and jekyll-archives (tag, category and date archives; minima ships no layout
for them, so the site has the small ``archive`` layout their README shows). Posts use
Jekyll's default permalinks, ``/CATEGORY/YYYY/MM/DD/SLUG.html``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.engines import content
from tests.engines.static import ORIGIN, run_build, static_engine

PER_PAGE = 3
PACKAGES = [
    "deb:jekyll",
    "deb:jekyll-theme-minima",
    "deb:ruby-jekyll-feed",
    "deb:ruby-jekyll-seo-tag",
    "deb:ruby-jekyll-sitemap",
    "deb:ruby-jekyll-paginate",
    "deb:ruby-jekyll-archives",
]
# minima's footer (the site's description; its apostrophe is escaped in the HTML) and the home
# page's subscribe line.
CHROME = ["subscribe", "via RSS", content.SITE_DESCRIPTION.split("'")[0]]

_ARCHIVE_LAYOUT = """---
layout: default
---
<div class="home">
  <h1 class="page-heading">
    {{ page.type | capitalize }}: {{ page.title | default: page.date | date: "%B %Y" }}
  </h1>
  <ul class="post-list">
    {%- for post in page.posts -%}
    <li>
      <span class="post-meta">{{ post.date | date: "%b %-d, %Y" }}</span>
      <h3>
        <a class="post-link" href="{{ post.url | relative_url }}">{{ post.title | escape }}</a>
      </h3>
    </li>
    {%- endfor -%}
  </ul>
</div>
"""


def _config() -> dict[str, object]:
    return {
        "title": content.SITE_NAME,
        "url": ORIGIN,
        "description": content.SITE_DESCRIPTION,
        "theme": "minima",
        "plugins": [
            "jekyll-feed",
            "jekyll-seo-tag",
            "jekyll-sitemap",
            "jekyll-paginate",
            "jekyll-archives",
        ],
        "paginate": PER_PAGE,
        "paginate_path": "/page:num/",
        "show_excerpts": True,
        "jekyll-archives": {
            "enabled": ["categories", "tags", "year", "month"],
            "layout": "archive",
            "permalinks": {
                "year": "/:year/",
                "month": "/:year/:month/",
                "tag": "/tag/:name/",
                "category": "/category/:name/",
            },
        },
    }


def _front_matter(fields: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n\n"


def _write_sources(src: Path) -> None:
    (src / "_posts").mkdir(parents=True, exist_ok=True)
    (src / "_layouts").mkdir()
    (src / "_config.yml").write_text(yaml.safe_dump(_config(), sort_keys=False))
    (src / "_layouts" / "archive.html").write_text(_ARCHIVE_LAYOUT)
    # jekyll-paginate only paginates an index.html (not index.md).
    (src / "index.html").write_text(_front_matter({"layout": "home"}))
    (src / "about.md").write_text(
        _front_matter({"layout": "page", "title": content.ABOUT_TITLE, "permalink": "/about/"})
        + content.ABOUT_TEXT
        + "\n"
    )
    for post in content.POSTS:
        fields = {
            "layout": "post",
            "title": post.title,
            "author": post.author,
            "date": post.published.strftime("%Y-%m-%d %H:%M:%S +0000"),
            "categories": [post.category.lower()],
            "tags": list(post.tags),
        }
        name = f"{post.published:%Y-%m-%d}-{post.slug}.md"
        (src / "_posts" / name).write_text(_front_matter(fields) + post.markdown())


def build(src: Path, out: Path) -> dict[str, str]:
    """Write the Jekyll site into ``src``, build it into ``out``; return post URL paths."""
    _write_sources(src)
    run_build(["jekyll", "build", "--source", str(src), "--destination", str(out)], cwd=src)
    return {
        post.slug: f"/{post.category.lower()}/{post.published:%Y/%m/%d}/{post.slug}.html"
        for post in content.POSTS
    }


ENGINES = [
    static_engine(
        "jekyll-minima",
        build,
        files=[Path(__file__)],
        packages=PACKAGES,
        chrome=CHROME,
        site_name=content.SITE_NAME,
    )
]
