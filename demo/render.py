"""Building blocks the three platform renderers share: responses, inline markup, dates, feeds."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape

from demo.content import LINK_RE

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=UTF-8"
ATOM = "application/atom+xml; charset=UTF-8"


@dataclass(frozen=True)
class Page:
    """One HTTP response: status, content type, body and the headers that matter here."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, last_modified: datetime | None = None, status: int = 200) -> Page:
        """Return an HTML page."""
        return cls(status, HTML, text.encode("utf-8"), last_modified)

    @classmethod
    def redirect(cls, location: str) -> Page:
        """Return a permanent redirect to ``location``."""
        body = f'<html><body><a href="{escape(location)}">Moved Permanently</a></body></html>'
        return cls(301, HTML, body.encode("utf-8"), headers={"Location": location})


@dataclass(frozen=True)
class FeedItem:
    """One entry of an RSS or Atom feed."""

    title: str
    link: str
    guid: str
    published: datetime
    updated: datetime
    author: str
    categories: Sequence[str]
    summary: str
    content_html: str


def resolver(bases: dict[str, str], site_key: str) -> Callable[[str], str]:
    """Return a function mapping an inline-markup href to the URL to put in the page."""

    def resolve(href: str) -> str:
        if href.startswith("site:"):
            key, _, path = href.removeprefix("site:").partition("/")
            return bases[key].rstrip("/") + "/" + path
        if href.startswith("/"):
            return bases[site_key].rstrip("/") + href
        return href

    return resolve


def inline_html(markup: str, resolve: Callable[[str], str]) -> str:
    """Return ``markup`` as HTML: text escaped, ``[text](href)`` as links."""
    out: list[str] = []
    pos = 0
    for match in LINK_RE.finditer(markup):
        out.append(escape(markup[pos : match.start()], quote=False))
        href = escape(resolve(match.group(2)))
        out.append(f'<a href="{href}">{escape(match.group(1), quote=False)}</a>')
        pos = match.end()
    out.append(escape(markup[pos:], quote=False))
    return "".join(out)


def paragraphs_html(paragraphs: Sequence[str], resolve: Callable[[str], str]) -> str:
    """Return paragraphs as ``<p>`` elements, one per line."""
    return "\n".join(f"<p>{inline_html(p, resolve)}</p>" for p in paragraphs)


def excerpt(text: str, words: int = 40) -> str:
    """Return the first ``words`` words of ``text`` with an ellipsis, as WordPress does."""
    parts = text.split()
    return " ".join(parts[:words]) + (" [\u2026]" if len(parts) > words else "")


def http_date(moment: datetime) -> str:
    """Return ``moment`` in the RFC 7231 format used by Last-Modified and RSS."""
    return format_datetime(moment, usegmt=True)


def long_date(moment: datetime) -> str:
    """Return a British long date such as ``16 January 2024``."""
    return f"{moment.day} {moment:%B %Y}"


def json_ld(data: dict[str, object]) -> str:
    """Return a JSON-LD script element, safe to embed in HTML."""
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def rss_feed(
    title: str,
    link: str,
    self_url: str,
    description: str,
    items: Sequence[FeedItem],
    generator: str,
) -> Page:
    """Return an RSS 2.0 feed with full content in ``content:encoded``."""
    entries = []
    for item in items:
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in item.categories)
        entries.append(
            f"""<item>
<title>{escape(item.title)}</title>
<link>{escape(item.link)}</link>
<dc:creator><![CDATA[{item.author}]]></dc:creator>
<pubDate>{http_date(item.published)}</pubDate>
{cats}
<guid isPermaLink="false">{escape(item.guid)}</guid>
<description>{escape(item.summary)}</description>
<content:encoded>{escape(item.content_html)}</content:encoded>
</item>"""
        )
    newest = max((i.updated for i in items), default=None)
    build = f"<lastBuildDate>{http_date(newest)}</lastBuildDate>\n" if newest else ""
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
<title>{escape(title)}</title>
<atom:link href="{escape(self_url)}" rel="self" type="application/rss+xml" />
<link>{escape(link)}</link>
<description>{escape(description)}</description>
{build}<language>en-GB</language>
<sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>1</sy:updateFrequency>
<generator>{escape(generator)}</generator>
{chr(10).join(entries)}
</channel>
</rss>
"""
    return Page(200, RSS, body.encode("utf-8"), newest)


def not_found(site_name: str) -> Page:
    """Return the platform-neutral 404 page."""
    return Page.html(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found | {escape(site_name)}</title>
</head><body class="error404"><h1>Page not found</h1>
<p>Sorry, nothing lives at this address. <a href="/">Go to the home page</a>.</p>
</body></html>
""",
        status=404,
    )


def robots_txt(lines: Sequence[str]) -> Page:
    """Return a robots.txt response."""
    return Page(200, TEXT, ("\n".join(lines) + "\n").encode("utf-8"))
