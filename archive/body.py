"""A post's body as the archive shows it (the reading view and the Atom feeds)."""

from __future__ import annotations

import nh3
from markupsafe import Markup, escape

# nh3's allow-list, except that images keep no source: the archive holds no image, so an
# <img> would fetch from another site (telling it who reads what); its alt text shows instead.
BODY_ATTRIBUTES = {
    tag: set(names) - ({"src", "srcset"} if tag == "img" else set())
    for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
}


def post_body(html: str | None, text: str | None) -> Markup:
    """Return the post body to render: its stored HTML sanitised again, else its text as paragraphs.

    The HTML was sanitised by nh3 when stored; cleaning it again here means an archive written
    by another tool, or edited by hand, still cannot put script into the page, nor make the
    reader's browser request anything: links stay links, images show their alt text.
    """
    if html:
        cleaned = nh3.clean(
            html, attributes=BODY_ATTRIBUTES, link_rel="noopener noreferrer nofollow"
        )
        return Markup(cleaned)
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>" for p in paragraphs))
