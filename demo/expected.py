"""What a correct crawl of the demo sites must produce, derived from the data the sites render.

Every function takes the base URLs printed by ``python -m demo.server`` (or yielded by
``serve_demo``) because permalinks are absolute and include the port.
"""

from __future__ import annotations

from typing import Any

from demo import blogger, civic_lab_notes, wordpress
from demo.content import LINK_RE, Post, anchor_texts, inline_text, sentences
from demo.render import resolver
from demo.sites import PLATFORMS


def _must_contain(post: Post) -> list[str]:
    """Return two whole body sentences: one plain, one holding a link's anchor text."""
    plain: list[str] = []
    linked: list[str] = []
    for paragraph in post.paragraphs:
        anchors = anchor_texts(paragraph)
        for sentence in sentences(inline_text(paragraph)):
            if any(anchor in sentence for anchor in anchors):
                linked.append(sentence)
            elif len(sentence.split()) >= 8:
                plain.append(sentence)
    if not plain or not linked:
        raise ValueError(f"{post.slug}: needs a plain sentence and one with a link")
    return [plain[0], linked[0]]


def _links(post: Post, base_urls: dict[str, str], site_key: str) -> list[dict[str, str]]:
    resolve = resolver(base_urls, site_key)
    return [
        {"url": resolve(m.group(2)), "text": m.group(1)}
        for paragraph in post.paragraphs
        for m in LINK_RE.finditer(paragraph)
    ]


def expected_posts(base_urls: dict[str, str]) -> list[dict[str, Any]]:
    """Return one dict per post the crawler must archive, newest first within each site.

    Keys: url (the page's rel=canonical), site_key, title, author, published (YYYY-MM-DD),
    updated (YYYY-MM-DD or None), series, part, total, tags, must_contain (two sentences,
    the second holding an inline link's anchor text), links ([{url, text}] in body order)
    and republished_from (the original's URL when the post is a word-for-word copy).
    """
    found = []
    for key, platform in PLATFORMS.items():
        base = base_urls[key]
        for post in platform.site.posts:
            original = None
            if post.republished_from:
                source_key, slug = post.republished_from
                source = PLATFORMS[source_key]
                original = source.permalink(base_urls[source_key], source.site.post(slug))
            found.append(
                {
                    "url": platform.permalink(base, post),
                    "site_key": key,
                    "title": post.title,
                    "author": post.author,
                    "published": post.published[:10],
                    "updated": post.updated[:10] if post.updated else None,
                    "series": post.series,
                    "part": post.part,
                    "total": post.total,
                    "tags": list(post.tags),
                    "must_contain": _must_contain(post),
                    "links": _links(post, base_urls, key),
                    "republished_from": original,
                }
            )
    return found


def furniture_strings() -> list[str]:
    """Return strings that only page furniture shows: none may appear in an archived text."""
    strings: list[str] = []
    for platform in PLATFORMS.values():
        strings += platform.site.furniture
        strings += [comment.text for comment in platform.site.comments]
    return list(dict.fromkeys(strings))


def private_strings() -> list[str]:
    """Return text that only pages behind a robots.txt Disallow contain."""
    return [civic_lab_notes.PRIVATE_MARKER]


def disallowed_paths(site_key: str) -> list[str]:
    """Return the path prefixes robots.txt disallows on ``site_key`` that its pages link to."""
    return list(PLATFORMS[site_key].disallowed)


def listing_urls(base_urls: dict[str, str]) -> list[str]:
    """Return every listing page a polite crawler can reach; none may become a record."""
    return [
        base_urls[key].rstrip("/") + path
        for key, platform in PLATFORMS.items()
        for path in platform.listing_paths()
    ]


def other_urls(base_urls: dict[str, str]) -> list[str]:
    """Return allowed pages that are neither posts nor listings (About pages and the like)."""
    return [
        base_urls[key].rstrip("/") + path
        for key, platform in PLATFORMS.items()
        for path in platform.other_paths
        if not path.startswith(platform.disallowed)
    ]


def feeds(base_urls: dict[str, str]) -> dict[str, list[str]]:
    """Return the feeds each site advertises with ``<link rel=alternate>``."""
    return {
        "wordpress": [base_urls["wordpress"].rstrip("/") + "/feed/"],
        "blogger": [base_urls["blogger"].rstrip("/") + blogger.FEED_PATH],
    }


def sitemaps(base_urls: dict[str, str]) -> dict[str, list[str]]:
    """Return the sitemaps each site names in robots.txt."""
    return {"magazine": [base_urls["magazine"].rstrip("/") + "/sitemap.xml"]}


def series(base_urls: dict[str, str]) -> list[dict[str, Any]]:
    """Return each series: name, the URL of its series page and its parts' URLs in order."""
    site = wordpress.SITE
    base = base_urls["wordpress"]
    return [
        {
            "name": civic_lab_notes.SERIES,
            "url": base.rstrip("/") + wordpress.SERIES_PATH,
            "parts": [
                wordpress.permalink(base, p) for p in site.series_parts(civic_lab_notes.SERIES)
            ],
        }
    ]


def feed_only_urls(base_urls: dict[str, str]) -> list[str]:
    """Return Blogger posts a robots-respecting crawler can reach only through the Atom feed."""
    base = base_urls["blogger"]
    return [blogger.permalink(base, p) for p in blogger.SITE.posts[blogger.PER_PAGE :]]
