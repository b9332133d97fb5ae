"""Read a post's metadata from what the page declares about itself.

Precedence, field by field, first found wins:

1. JSON-LD of an article type (BlogPosting, NewsArticle, Article ..., also inside ``@graph``);
2. OpenGraph and ``article:*`` properties, with ``<meta name=author>`` and Twitter cards;
3. microformats (h-entry/hentry: ``p-name``/``entry-title``, ``p-author``/vcard, ``dt-published``),
   then schema.org microdata on elements (``itemprop="author"``, as Elementor's post-info writes);
4. Dublin Core (``DC.*`` and ``dcterms.*``, as Drupal's metatag module writes them), last of the
   declared sources because CMSs fill it with defaults (``DC.creator`` naming the web team);
5. visible markup when nothing is declared (:func:`_visible`): the post's own ``<time>`` or
   date element (published before updated; never a comment's or another entry's), its byline
   (``.byline``, ``.author``, block-theme author blocks, a link to an author archive, a
   "By NAME" line), its headline without the permalink anchor themes append (``¶``);
6. trafilatura's heuristics on the visible page (applied by the caller, pipeline.extract).

The title is the post's own title: site names the page declares (publisher, ``og:site_name``,
``application-name``, ``DC.publisher``) are stripped from it as prefixes or suffixes. A publisher
that is the page's ``<meta name=generator>`` (Blogger names itself) is not a site name. Without
a declared name, the caller takes the site from the ``<title>`` ("Post | Site"), then from the
masthead's link to the home page (:attr:`PageMetadata.home_link_name`).
Tags are what the author tagged the post with (``article:tag``, ``rel=tag`` links, JSON-LD
``keywords``, Blogger labels, tag elements and links to tag archives in the post's own block);
categories and sections are not tags.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.evidence import (
    AUTHOR_ARCHIVE_RE,
    in_author_list,
    in_foreign_entry,
    links_home,
    not_own,
)
from crawler.parsed import JsonLd
from pipeline.metadata_scan import OWN_DATE_XPATH, MetadataScan, below, scan

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    ("BlogPosting", "NewsArticle", "Article", "Report", "SocialMediaPosting", "TechArticle")
)
MAX_NAME_CHARS = 60
TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " « ", " » ", " :: ", " · ", ": ")
_DATE_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%A, %B %d, %Y",
    "%A, %d %B %Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
)


@dataclass
class PageMetadata:
    """What the page says about the post; None where it says nothing."""

    title: str | None = None
    html_title: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    site: str | None = None
    description: str | None = None
    language: str | None = None
    canonical: str | None = None
    tags: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)  # every name the page gives the site
    home_link_name: str | None = None  # text of the masthead's link to the home page
    declares_article: bool = False  # JSON-LD of an article type, or og:type "article"


def read_metadata(tree: HtmlElement, url: str, json_ld: list[JsonLd] | None = None) -> PageMetadata:
    """Collect the page's declared metadata, best source first for each field.

    ``json_ld``: the tree's JSON-LD blocks, read already
    (:meth:`crawler.parsed.ParsedPage.json_ld`).
    """
    ld = _json_ld_article(tree, json_ld)
    meta = _meta(tree)
    found = scan(tree)
    memo: dict[HtmlElement, bool] = {}  # what NOT_OWN_XPATH says of each element climbed
    mf = _microformats(tree, found, memo)
    seen = _visible(tree, url, found, memo)
    result = PageMetadata()
    result.html_title = _squash(tree.findtext(".//title") or "") or None

    publisher = ld.get("publisher")
    publisher_name = _name(publisher) if publisher else None
    if publisher_name and _is_generator(publisher_name, meta):
        # Blogger's themes name "Blogger" as every blog's publisher: the software, not the site.
        publisher_name = None
    site_names = [
        publisher_name,
        meta.get("og:site_name"),
        meta.get("application-name"),
        meta.get("apple-mobile-web-app-title"),
        meta.dublin_core("publisher"),
    ]
    result.site_names = _unique(s for s in site_names if s)
    result.site = result.site_names[0] if result.site_names else None
    result.home_link_name = _home_link_name(tree, url)

    result.title = _first(
        _str(ld.get("headline")),
        _str(ld.get("name")),
        meta.get("og:title"),
        meta.get("twitter:title"),
        mf.get("title"),
        meta.dublin_core("title"),
        seen.get("title"),
    )
    result.author = _first(
        *(
            author_or_none(found, result.site_names)
            for found in (
                _authors(ld.get("author")),
                _meta_author(meta),
                mf.get("author"),
                _microdata_author(tree),
                _plain_names(meta.dublin_core_all("creator")),
                seen.get("author"),
            )
        )
    )
    result.published = _first(
        normalise_date(_str(ld.get("datePublished"))),
        normalise_date(meta.get("article:published_time")),
        normalise_date(mf.get("published")),
        normalise_date(meta.dublin_core("date")),
        normalise_date(meta.dublin_core("date.issued")),
        normalise_date(meta.dublin_core("issued")),
        normalise_date(meta.get("date")),
        normalise_date(seen.get("published")),
    )
    result.updated = _first(
        normalise_date(_str(ld.get("dateModified"))),
        normalise_date(meta.get("article:modified_time")),
        normalise_date(meta.get("og:updated_time")),
        normalise_date(mf.get("updated")),
        normalise_date(meta.dublin_core("date.modified")),
        normalise_date(meta.dublin_core("modified")),
        normalise_date(seen.get("updated")),
    )
    result.description = _first(
        _str(ld.get("description")),
        meta.get("og:description"),
        meta.get("description"),
        meta.get("twitter:description"),
        meta.dublin_core("description"),
    )
    lang = (
        tree.get("lang")
        or tree.get("xml:lang")
        or meta.get("og:locale")
        or meta.dublin_core("language")
    )
    result.language = lang.replace("_", "-").split("-")[0].lower() if lang else None
    canonical = tree.xpath("//head/link[@rel='canonical']/@href") or tree.xpath(
        "//link[@rel='canonical']/@href"
    )
    if canonical:
        result.canonical = urljoin(url, canonical[0].strip())
    elif meta.get("og:url"):
        result.canonical = urljoin(url, meta["og:url"])
    result.tags = _unique(
        [
            *_keywords(ld.get("keywords")),
            *meta.get_all("article:tag"),
            *mf.get_all("tags"),
            *seen.get_all("tags"),
        ]
    )
    if result.author and _squash(result.author).casefold() in {
        n.casefold() for n in result.site_names
    }:
        # A theme that prints the site's name where a byline goes: the site is no author.
        result.author = None
    result.declares_article = bool(ld) or (meta.get("og:type") or "").strip().lower() == "article"
    return result


def author_or_none(author: str | None, site_names: list[str]) -> str | None:
    """Return ``author`` unless it names the site, a role or a company, is a number (a user
    id) or is a headline.

    CMSs fill the author field with the publisher ("Cleveland Clinic", "Acme Inc"), a role
    account ("admin", "Webmaster") or an account number when a post has no byline of its
    own, and an aggregator's markup names the blog; the next source may still name the writer.
    """
    if not author:
        return None
    if author.casefold() in {name.casefold() for name in site_names}:
        return None
    if re.fullmatch(r"[\d\W_]+", author) or author.casefold() in ROLE_ACCOUNTS:
        return None
    if _COMPANY.search(author) or _is_headline(author):
        return None
    return author


# Accounts a CMS publishes under when nobody signed the post.
ROLE_ACCOUNTS = frozenset(("admin", "administrator", "site admin", "webmaster"))
# A company's legal name ("SmartEtailing Inc", "Acme Ltd.") is the publisher, not a writer.
_COMPANY = re.compile(r"\b(?:inc|llc|ltd|gmbh|corp|plc)\.?$", re.IGNORECASE)
# A person's name, even with middle names and particles, is under this many words; an author
# field this long without a separator between names holds a headline or a blog's name (an
# aggregator's microdata names the blog as the author).
HEADLINE_WORDS = 8
_NAME_SEPARATOR = re.compile(r"[,;&|/]|\b(?:and|und|et|y)\b", re.IGNORECASE)


def _is_headline(author: str) -> bool:
    return len(author.split()) >= HEADLINE_WORDS and not _NAME_SEPARATOR.search(author)


def clean_title(title: str, site_names: list[str]) -> str:
    """Strip the site's name (and section names after it) from a page title.

    Handles "Blog Name: Post", "Post | Section | Site", "Post - Site" and "Post « Site";
    without a known site name only the part before the last separator is kept when the
    title has separators of the "|", "«" or "»" kind, which never occur in post titles
    in practice.
    """
    # A CMS that escapes the title twice leaves "&#8217;" and "&amp;" in <title> and og:title.
    title = _squash(html.unescape(title))
    names = [_squash(n).casefold() for n in site_names if n and _squash(n)]
    for name in names:
        if title.casefold() == name:
            return title
        for sep in TITLE_SEPARATORS:
            parts = title.split(sep)
            if len(parts) < 2:
                continue
            if parts[-1].strip().casefold() == name:
                # "Post | Section | Site": sections sit between the post and the site.
                kept = parts[:-1]
                if sep == " | " and len(kept) > 1:
                    kept = kept[:1]
                return sep.join(kept).strip()
            if parts[0].strip().casefold() == name:
                return sep.join(parts[1:]).strip()
    for sep in (" | ", " « ", " » "):
        if sep in title:
            return title.split(sep)[0].strip()
    return title


def common_site_name(titles: list[str]) -> str | None:
    """Return the prefix or suffix every title shares (the site's name), if any."""
    if len(titles) < 2:
        return None
    for sep in TITLE_SEPARATORS:
        split = [t.split(sep) for t in titles]
        if all(len(parts) >= 2 for parts in split):
            if len({parts[-1].strip() for parts in split}) == 1:
                return split[0][-1].strip()
            if len({parts[0].strip() for parts in split}) == 1:
                return split[0][0].strip()
    return None


def normalise_date(value: str | None) -> str | None:
    """Return ``value`` as ISO 8601: YYYY-MM-DD without a time, else a full datetime."""
    if not value:
        return None
    text = _squash(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1)).isoformat()
    except ValueError:
        pass
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"^(?:posted|published|updated)\s*(?:on)?\s*:?\s*", "", cleaned, flags=re.I)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


class _MetaTags:
    """The page's ``<meta>`` tags by lower-cased name or property."""

    def __init__(self, tree: HtmlElement) -> None:
        self.values: dict[str, list[str]] = {}
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
            content = _squash(meta.get("content") or "")
            if key and content:
                self.values.setdefault(key, []).append(content)

    def get(self, key: str) -> str | None:
        found = self.values.get(key)
        return found[0] if found else None

    def get_all(self, key: str) -> list[str]:
        return self.values.get(key, [])

    def __getitem__(self, key: str) -> str:
        return self.values[key][0]

    def dublin_core(self, element: str) -> str | None:
        """Return a Dublin Core element, written ``DC.x`` or ``dcterms.x``."""
        return self.get(f"dc.{element}") or self.get(f"dcterms.{element}")

    def dublin_core_all(self, element: str) -> list[str]:
        """Return every value of a Dublin Core element, in either spelling."""
        return [*self.get_all(f"dc.{element}"), *self.get_all(f"dcterms.{element}")]


class _Found(dict[str, Any]):
    """Microformat findings; ``get_all`` for list-valued ones."""

    def get_all(self, key: str) -> list[str]:
        value = self.get(key)
        return list(value) if isinstance(value, list) else []


def _meta(tree: HtmlElement) -> _MetaTags:
    return _MetaTags(tree)


def _json_ld_article(tree: HtmlElement, blocks: list[JsonLd] | None = None) -> dict[str, Any]:
    """Return the first JSON-LD object of an article type, searching ``@graph`` too."""
    if blocks is None:
        scripts = tree.xpath("//script[@type='application/ld+json']")
        blocks = [JsonLd.read(script.text or "") for script in scripts]
    for block in blocks:
        if block.error:
            # Some CMSs leave trailing commas or comments; such blocks are skipped, not fatal.
            logger.debug("unparseable JSON-LD block skipped")
            continue
        if not block.raw.strip():
            continue
        for obj in _ld_objects(block.data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(t in ARTICLE_TYPES for t in types):
                return obj
    return {}


def _ld_objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [obj for item in data for obj in _ld_objects(item)]
    if isinstance(data, dict):
        return [data, *_ld_objects(data.get("@graph", []))]
    return []


def _microformats(tree: HtmlElement, found: MetadataScan, memo: dict[HtmlElement, bool]) -> _Found:
    """Read h-entry / hentry properties from the first entry on the page.

    What each ``scope.xpath`` of :mod:`pipeline.metadata_scan` (``MF_*``) selects, from its scan.
    """
    mf = _Found()
    scope = found.h_entries[0] if found.h_entries else tree
    title = [e for e in found.mf_titles if below(e, scope)]
    if title:
        mf["title"] = heading_text(title[0])
    authors = [
        a for a in found.mf_author_elements(scope) if not not_own(a, memo) and not _contact_card(a)
    ]
    if authors:
        names = [_strip_by(_squash(a.text_content())) for a in authors]
        mf["author"] = "; ".join(_unique(n for n in names if n)) or None
    for key in ("published", "updated"):
        for element in found.mf_dates[key]:
            if not below(element, scope):
                continue
            value = element.get("datetime") or element.get("title") or element.text_content()
            if normalise_date(value):
                mf[key] = value
                break
    # rel="category tag" is WordPress's category, a section of the blog rather than a tag.
    # So is a rel="tag" link in a block of categories (the block theme's post-terms).
    tags = found.mf_tag_links(scope)
    mf["tags"] = _unique(_squash(a.text_content()) for a in [*tags, *found.labels])
    return mf


def _contact_card(element: HtmlElement) -> bool:
    """Tell whether an hCard is an organisation's contact card (telephone, address, e-mail).

    A footer's "vcard" gives the site's phone number and address; a byline's names a person.
    """
    return bool(element.xpath(_CONTACT_XPATH))


_CONTACT_XPATH = (
    "descendant-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' tel ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' adr ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' email ')"
    " or @itemprop='telephone' or @itemprop='address' or @itemprop='email']"
)


# Anchors themes append to headings so a reader can link to them: "Title¶", "Title #".
PERMALINK_MARKS = frozenset(("\u00b6", "#", "\u00a7", "\U0001f517", "link", "permalink"))
BY_NAME_RE = re.compile(
    r"^(?:posted\s+|written\s+)?by\s+(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3})",
)
TAG_ARCHIVE_RE = re.compile(r"/tags?/[^/?#]+|[#?&]tags?[:=]", re.IGNORECASE)
# A class naming one tag: "tag", or a theme's prefix before it ("post-tag", "md-tag", "post_tag").
TAG_CLASS_RE = re.compile(r"(?:[\w-]*[-_])?tag", re.IGNORECASE)


def heading_text(element: HtmlElement) -> str:
    """Return a heading's text without the permalink anchor a theme appends (``¶``)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "a" and _squash(child.text_content()).casefold() in PERMALINK_MARKS:
            parts.append(child.tail or "")
            continue
        parts.append(child.text_content() if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return _squash("".join(parts))


def _visible(
    tree: HtmlElement, url: str, found: MetadataScan, memo: dict[HtmlElement, bool]
) -> _Found:
    """Read what a reader sees of the post when the page declares nothing about it.

    Only the page's own elements count: not a comment's, the page footer's, nor those of
    another entry's block (a teaser, a widget listing other posts).
    """
    seen = _Found()
    headline = tree.xpath("//h1")
    if len(headline) == 1:
        seen["title"] = heading_text(headline[0]) or None
    for (key, _), elements in zip(OWN_DATE_XPATH, found.own_dates, strict=True):
        if key in seen:
            continue
        for element in elements:
            value = element.get("datetime") or element.get("title") or element.text_content()
            if normalise_date(value) and _own(element, url, memo):
                seen[key] = value
                break
    seen["author"] = _byline(url, found, memo)
    tags = []
    for element in found.tag_candidates:
        is_tag = (element.tag == "a" and TAG_ARCHIVE_RE.search(element.get("href") or "")) or (
            any(TAG_CLASS_RE.fullmatch(c) for c in (element.get("class") or "").split())
            and len(element.xpath(".//a")) <= 1  # not a block of several tags' links
        )
        if is_tag and not _in_furniture(element) and _own(element, url, memo):
            tags.append(_squash(element.text_content()).lstrip("#"))
    seen["tags"] = _unique(t for t in tags if t and len(t) <= MAX_NAME_CHARS)
    return seen


def _byline(url: str, found: MetadataScan, memo: dict[HtmlElement, bool]) -> str | None:
    """Return the post's byline: author blocks, rel=author, author archive links, "By NAME".

    The candidates are what ``BYLINE_XPATHS`` select, in turn, then links to author archives.
    """
    candidates = [e for elements in found.bylines for e in elements]
    candidates += [a for a in found.links if AUTHOR_ARCHIVE_RE.search(a.get("href") or "")]
    for element in candidates:
        if not _own(element, url, memo) or in_author_list(element) or links_home(element, url):
            continue
        name = _byline_names(element)
        if name:
            return name
    for element in found.by_lines:
        match = BY_NAME_RE.match(_squash(element.text_content()))
        if match and _own(element, url, memo):
            return match.group("name")
    return None


def _byline_names(element: HtmlElement) -> str | None:
    """Return the names a byline element gives: its author links, else its "By NAME" text.

    "By Hannah Lowe and Dev Mistry | 11 June 2024" gives its two linked names, not the date.
    """
    linked = [
        _squash(a.text_content())
        for a in element.iter("a")
        if AUTHOR_ARCHIVE_RE.search(a.get("href") or "") or "author" in (a.get("rel") or "")
    ]
    linked = [n for n in linked if n and len(n) <= MAX_NAME_CHARS]
    if linked:
        return "; ".join(_unique(linked))
    text = _squash(element.text_content())
    match = BY_NAME_RE.match(text)
    if match:
        return match.group("name")
    name = _strip_by(text)
    if name and len(name) <= MAX_NAME_CHARS and not re.search(r"\d", name):
        return name
    return None


def _own(element: HtmlElement, url: str, memo: dict[HtmlElement, bool]) -> bool:
    return not not_own(element, memo) and not in_foreign_entry(element, url, url)


def _in_furniture(element: HtmlElement) -> bool:
    return bool(
        element.xpath(
            "ancestor::*[self::aside or contains(concat(' ', normalize-space(@class), ' '),"
            " ' widget ') or contains(concat(' ', normalize-space(@class), ' '), ' sidebar ')]"
        )
    )


def _home_link_name(tree: HtmlElement, url: str) -> str | None:
    """Return the text of the masthead link to the site's home page (a heuristic site name).

    The link is ``rel="home"`` (WordPress) or a link to the root of the page's host inside
    ``<header>`` or ``role="banner"`` (Blogger's themes); "Home" itself is a menu item.
    """
    root = urljoin(url, "/")
    candidates = tree.xpath(
        "//a[contains(concat(' ', normalize-space(@rel), ' '), ' home ')]"
        " | //header//a[@href] | //*[@role='banner']//a[@href]"
    )
    for anchor in candidates:
        if urljoin(url, (anchor.get("href") or "").strip()) != root:
            continue
        name = _squash(anchor.text_content())
        if name and name.casefold() != "home" and len(name) <= MAX_NAME_CHARS:
            return name
    return None


def _is_generator(name: str, meta: _MetaTags) -> bool:
    """Tell whether ``name`` is the software that made the page (``<meta name=generator>``)."""
    generators = [g.split()[0].casefold() for g in meta.get_all("generator") if g.split()]
    return name.casefold() in generators


def _microdata_author(tree: HtmlElement) -> str | None:
    """Read authors from elements marked ``itemprop="author"`` (not from ``<meta>`` tags).

    The name is the element's ``itemprop="name"`` when it has one; otherwise its text, if
    that is short enough to be a name (an author box marked as the author holds a biography).
    """
    names = []
    for element in tree.xpath(
        "//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' author ')]"
        "[not(self::meta) and not(self::link)]"
    ):
        named = element.xpath(".//*[@itemprop='name']")
        value = (named[0].get("content") or named[0].text_content()) if named else None
        name = _strip_by(_squash(value or element.text_content()))
        if name and len(name) <= MAX_NAME_CHARS:
            names.append(name)
    return "; ".join(_unique(names)) or None


def _authors(value: Any) -> str | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    names = [_name(item) for item in items]
    joined = "; ".join(_unique(n for n in names if n))
    return joined or None


def _meta_author(meta: _MetaTags) -> str | None:
    return _plain_names(
        [*meta.get_all("author"), *meta.get_all("article:author"), *meta.get_all("twitter:creator")]
    )


def _plain_names(names: list[str]) -> str | None:
    # article:author is often a profile URL, and twitter:creator a handle: not names.
    names = [n for n in names if not n.startswith(("http://", "https://", "@"))]
    return "; ".join(_unique(_strip_by(n) for n in names)) or None


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return _squash(html.unescape(value)) or None
    if isinstance(value, dict):
        return _str(value.get("name"))
    if isinstance(value, list) and value:
        return _name(value[0])
    return None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [k for item in value for k in _keywords(item)]
    return []


def _str(value: Any) -> str | None:
    """Return a JSON-LD string value: CMSs write it HTML-escaped ("Q&amp;A", "it&#8217;s")."""
    if isinstance(value, list):
        value = value[0] if value else None
    return _squash(html.unescape(value)) or None if isinstance(value, str) else None


def _strip_by(name: str) -> str:
    return re.sub(r"^(?:by|posted by|written by)\s+", "", name, flags=re.I).strip()


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _squash(text: str) -> str:
    return " ".join(text.split())
