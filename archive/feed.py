"""Atom feeds of the archive: its latest posts, and the parts of one series.

Each entry's ``alternate`` link is the archived copy (which outlives the blog); the original
page is a ``via`` link. Contents are the post's body as the reading view shows it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from archive.body import post_body

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50

LATEST_SQL = f"""
select url, title, author, published, updated, last_changed_at, site, description, html, text
from posts order by coalesce(published, first_seen_at) desc, url limit {FEED_SIZE}
"""
SERIES_SQL = """
select p.url, p.title, p.author, p.published, p.updated, p.last_changed_at, p.site,
       p.description, p.html, p.text, sp.stated_part
from series_posts as sp join posts as p on p.url = sp.post_url
where sp.series_id = :id and sp.copy_of is null
order by sp.position desc
"""


def _timestamp(value: str | None) -> str | None:
    """Return an RFC 3339 timestamp Atom accepts; a bare date is midnight UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def atom_feed(
    *,
    title: str,
    feed_url: str,
    home_url: str,
    posts: Iterable[dict[str, Any]],
    archived_url: Callable[[str], str],
) -> bytes:
    """Return an Atom document of ``posts`` (dicts with the columns of :data:`LATEST_SQL`)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=home_url)
    updated = ET.SubElement(feed, f"{{{ATOM}}}updated")
    newest = ""
    for post in posts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = post["title"]
        ET.SubElement(entry, f"{{{ATOM}}}id").text = post["url"]
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=archived_url(post["url"]))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="via", href=post["url"])
        changed = (
            _timestamp(post["updated"])
            or _timestamp(post["published"])
            or _timestamp(post["last_changed_at"])
        )
        stamp = changed or datetime.now(UTC).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = stamp
        newest = max(newest, stamp)
        if published := _timestamp(post["published"]):
            ET.SubElement(entry, f"{{{ATOM}}}published").text = published
        if post["author"]:
            author = ET.SubElement(entry, f"{{{ATOM}}}author")
            ET.SubElement(author, f"{{{ATOM}}}name").text = post["author"]
        if post["description"]:
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = post["description"]
        body = post_body(post["html"], post["text"])
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = str(body)
    updated.text = newest or datetime.now(UTC).isoformat()
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
