"""The demo blogs' life between two crawls, so ``make demo`` shows what a re-crawl finds.

Before: the blogs as ``demo/sites.py`` has them, except that part 2 of the Creative Councils
series is not published yet (a gap the archive reports). After: one post edited (a
correction added), one deleted (it answers 404) and part 2 published, filling the gap.

The platforms render from their module's ``SITE`` (and WordPress from ``ARCHIVES``, made from
it), read at each request, so a stage is a swap of those module attributes in the process
serving the blogs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import ModuleType

from demo import (
    blogger,
    civic_lab_notes,
    innovation_review,
    magazine,
    town_hall_tinkerer,
    wordpress,
)
from demo.content import Post, Site


@dataclass(frozen=True)
class Change:
    """One post a stage changes: which site, which post, and what a reader should look at."""

    site_key: str
    slug: str
    what: str


GAP = Change(
    "wordpress", "creative-councils-permission-to-experiment", "a new part fills a series gap"
)
EDITED = Change("magazine", "can-councils-buy-software-like-buses", "edited: a correction added")
DELETED = Change("blogger", "why-i-still-keep-paper-map-of-every", "deleted: its page answers 404")
CHANGES = (GAP, EDITED, DELETED)

CORRECTION = (
    "Correction, added after publication: the joint framework covers fourteen councils, not"
    " twelve as this article first said; the savings figures are unchanged."
)

ORIGINAL: dict[str, Site] = {
    "wordpress": civic_lab_notes.SITE,
    "magazine": innovation_review.SITE,
    "blogger": town_hall_tinkerer.SITE,
}
MODULES: dict[str, ModuleType] = {"wordpress": wordpress, "magazine": magazine, "blogger": blogger}


def _without(site: Site, slug: str) -> Site:
    return dataclasses.replace(site, posts=tuple(p for p in site.posts if p.slug != slug))


def _edited(post: Post) -> Post:
    return dataclasses.replace(
        post, paragraphs=(*post.paragraphs, CORRECTION), updated="2025-02-03T10:00:00+00:00"
    )


def before() -> dict[str, Site]:
    """Return the sites as the first crawl finds them: the series' part 2 not yet out."""
    return {**ORIGINAL, GAP.site_key: _without(ORIGINAL[GAP.site_key], GAP.slug)}


def after() -> dict[str, Site]:
    """Return the sites as the second crawl finds them: part 2 out, one edit, one deletion."""
    magazine_site = ORIGINAL[EDITED.site_key]
    edited = tuple(_edited(p) if p.slug == EDITED.slug else p for p in magazine_site.posts)
    return {
        **ORIGINAL,
        EDITED.site_key: dataclasses.replace(magazine_site, posts=edited),
        DELETED.site_key: _without(ORIGINAL[DELETED.site_key], DELETED.slug),
    }


def set_stage(sites: dict[str, Site]) -> None:
    """Make the demo servers in this process render ``sites`` from their next request on."""
    for key, site in sites.items():
        module = MODULES[key]
        module.SITE = site
        if hasattr(module, "ARCHIVES"):  # WordPress indexes its archive pages at import
            module.ARCHIVES = module._archives()
