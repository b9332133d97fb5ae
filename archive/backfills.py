"""Fill columns that a migration adds to an archive that already holds posts.

A migration (:mod:`archive.migrations`) changes the schema; when the new column's value is
computed from a row by Python (a URL's key, a Markdown rendering), the migration calls a
backfill from here. Each backfill is frozen: it carries its own copy of the function it needs
as that function was when the migration shipped, so an old archive upgraded today gets the
values it would have got then, whatever later versions of the live code
(:mod:`crawler.urls`, :mod:`pipeline.markdown`) compute. A backfill that must compute
something else is a new function with a new version suffix, run by a new migration; never
edit one that has shipped.

Each backfill is idempotent: it computes every value from the row itself, so running it again
writes the same values.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from markdownify import MarkdownConverter
from sqlite_utils.db import Database
from w3lib.url import canonicalize_url as w3lib_canonicalize_url


def posts_site_id_and_word_count_v1(db: Database) -> None:
    """Give each post its site's id (by host) and its word count; count each site's posts.

    Shipped with m002_posts_site_id_word_count.
    """
    site_ids = dict(db.execute("SELECT host, id FROM sites").fetchall())
    for url, text in db.execute("SELECT url, text FROM posts").fetchall():
        db.execute(
            "UPDATE posts SET site_id = ?, word_count = ? WHERE url = ?",
            [site_ids.get(_netloc_v1(url)), _word_count_v1(text), url],
        )
    db.execute(
        "UPDATE sites SET post_count = (SELECT count(*) FROM posts WHERE posts.site_id = sites.id)"
    )


def posts_markdown_v1(db: Database) -> None:
    """Render each post's stored sanitised HTML as Markdown.

    Shipped with m004_posts_markdown, with the converter options extraction used then.
    """
    rows = db.execute("SELECT url, html FROM posts WHERE html IS NOT NULL").fetchall()
    for url, html in rows:
        db.execute("UPDATE posts SET markdown = ? WHERE url = ?", [_markdown_v1(html), url])


def posts_url_key_v1(db: Database) -> None:
    """Key each post's URL, keeping the fragment (it names one entry of a listing page).

    Shipped with m008_post_duplicates.
    """
    for (url,) in db.execute("SELECT url FROM posts").fetchall():
        db.execute("UPDATE posts SET url_key = ? WHERE url = ?", [_url_key_v1(url), url])


# Frozen copies. Only the libraries below them (w3lib, markdownify) may still move.


def _word_count_v1(text: str | None) -> int:
    return len(text.split()) if text else 0


def _netloc_v1(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and (parts.scheme, parts.port) not in {("http", 80), ("https", 443)}:
        return f"{host}:{parts.port}"
    return host


class _MarkdownConverterV1(MarkdownConverter):
    def __init__(self) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="-",
            escape_underscores=False,
            escape_asterisks=True,
            strip=["script", "style"],
        )


_BLANK_RUNS_V1 = re.compile(r"\n{3,}")


def _markdown_v1(html: str) -> str:
    rendered = _MarkdownConverterV1().convert(html)
    lines = [line.rstrip() for line in rendered.strip().splitlines()]
    return _BLANK_RUNS_V1.sub("\n\n", "\n".join(lines))


# courlan 1.4's TRACKERS_RE, copied so that a courlan upgrade cannot change stored keys.
_COURLAN_TRACKERS_V1 = (
    r"^(?:dc|fbc|gc|twc|yc|ysc)lid|^(?:click|gbra|msclk|igsh|partner|wbra)id"
    r"|^(?:ads?|mc|ga|gs|itm|mc|mkt|ml|mtm|oly|pk|utm|vero)_"
    r"|(?:\b|_)(?:aff|affi|affiliate|campaign|cl?id|eid|ga|gl|kwd|keyword|medium|ref|referr?er"
    r"|session|source|uid|xtor)"
)
_TRACKERS_V1 = re.compile(rf"(?:{_COURLAN_TRACKERS_V1})(?:(?<=_)|(?=$|[-_.\d]))", re.I)
_TRACKING_PARAMS_V1 = frozenset(
    {"share", "replytocom", "amp", "igshid", "spm", "ref_src", "at_medium", "at_campaign"}
)
_TRACKING_PREFIXES_V1 = ("utm_", "pk_", "mtm_", "hsa_", "at_")
_CONTENT_PARAMS_V1 = frozenset(
    {"p", "page_id", "paged", "page", "cat", "tag", "s", "m", "id", "lang", "updated-max",
     "max-results", "start", "by-date", "q"}
)  # fmt: skip
_VIEW_SWITCHES_V1 = frozenset({"m=0", "m=1"})
_DEFAULT_PORTS_V1 = {"http": 80, "https": 443}
_INDEX_DOCUMENT_V1 = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.I)


def _is_tracking_param_v1(name: str) -> bool:
    lowered = name.lower()
    if lowered in _CONTENT_PARAMS_V1:
        return False
    return (
        lowered in _TRACKING_PARAMS_V1
        or lowered.startswith(_TRACKING_PREFIXES_V1)
        or _TRACKERS_V1.search(lowered) is not None
    )


def _canonicalize_url_v1(url: str) -> str:
    normal = w3lib_canonicalize_url(url.strip(), keep_fragments=True)
    parts = urlsplit(normal)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and _DEFAULT_PORTS_V1.get(scheme) != port:
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair not in _VIEW_SWITCHES_V1 and not _is_tracking_param_v1(pair.split("=")[0])
    )
    return urlunsplit((scheme, host, parts.path or "/", query, parts.fragment))


def _url_key_v1(url: str) -> str:
    parts = urlsplit(_canonicalize_url_v1(url))
    host = parts.netloc.removeprefix("www.")
    path = _INDEX_DOCUMENT_V1.sub("/", parts.path).rstrip("/")
    key = host + path
    if parts.query:
        key += "?" + parts.query
    if parts.fragment:
        key += "#" + parts.fragment
    return key
