"""The three demo platforms behind one interface, keyed as the server and tests name them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from demo import blogger, magazine, wordpress
from demo.content import Post, Site
from demo.render import Page, not_found

RenderFn = Callable[[str, dict[str, list[str]], dict[str, str]], Page | None]


@dataclass(frozen=True)
class Platform:
    """One demo site: its content, how it renders and what its URL layout is."""

    site: Site
    render_path: RenderFn
    permalink: Callable[[str, Post], str]
    listing_paths: Callable[[], list[str]]
    other_paths: tuple[str, ...]
    disallowed: tuple[str, ...]

    @property
    def key(self) -> str:
        """Return the site key (``wordpress``, ``magazine`` or ``blogger``)."""
        return self.site.key

    def render(self, path: str, query: dict[str, list[str]], bases: dict[str, str]) -> Page:
        """Return the response for ``path``, a 404 page when nothing lives there."""
        return self.render_path(path, query, bases) or not_found(self.site.name)


PLATFORMS: dict[str, Platform] = {
    module.SITE.key: Platform(
        site=module.SITE,
        render_path=module.render,
        permalink=module.permalink,
        listing_paths=module.listing_paths,
        other_paths=module.OTHER_PATHS,
        disallowed=module.DISALLOWED,
    )
    for module in (wordpress, magazine, blogger)
}
