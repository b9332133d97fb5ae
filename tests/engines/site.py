"""What an engine's build hands the grader: where the site is served and what it must yield."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.engines.content import Post


@dataclass
class BuiltSite:
    """A blog built by a real engine and served on loopback, with what its crawl must store.

    ``post_urls`` maps each post's absolute URL (as the engine publishes it) to the post;
    ``non_post_urls`` are pages that must never become a record (home, page/N, tags,
    categories, authors, date archives, About). ``shows_*`` say which fields the theme
    prints, so the grader demands them exact only there. ``chrome`` lists the theme's own
    strings (footer, nav, "Leave a reply", ...) that must not reach any stored post.
    """

    engine: str  # e.g. "pelican", "wordpress-twentytwentyfive"
    base_url: str  # the URL the crawl starts from, ending in "/"
    post_urls: dict[str, Post]
    non_post_urls: list[str]
    site_name: str
    chrome: list[str] = field(default_factory=list)
    shows_author: bool = True
    shows_date: bool = True
    has_series_markup: bool = False
