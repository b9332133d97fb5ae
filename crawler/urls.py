"""URL canonicalisation, so that one post is one URL whatever link led to it.

Two forms, for two jobs:

- :func:`canonicalize_url` is still a URL to fetch. It changes only what cannot change the
  page: case of scheme and host, default ports, percent-encoding (w3lib's, the one Scrapy's
  request fingerprints use), query order, tracking parameters and the fragment.
- :func:`url_key` is an identity, not a URL. It also drops the scheme, a leading ``www.``,
  a trailing slash and a trailing ``index.html``: spellings under which a blog serves the
  same post (or redirects to it), but which may not all be fetchable. The spider skips a link
  whose key it has already requested, and the archive stores a post under the URL it first
  stored for that key.

The page's own ``rel=canonical`` outranks both, when it points within the same site
(:func:`pipeline.extract.canonical_url`).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE
from w3lib.url import canonicalize_url as w3lib_canonicalize_url

# Parameters that only track where a click came from, beyond courlan's list (TRACKERS_RE,
# which covers utm_*, fbclid, gclid, mc_*, ref, source, ...): share buttons, WordPress's
# comment-reply links and AMP switches.
TRACKING_PARAMS = frozenset(
    {"share", "replytocom", "amp", "igshid", "spm", "ref_src", "at_medium", "at_campaign"}
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")
# Parameters that select content on blog platforms; never dropped, whatever a tracker list says.
CONTENT_PARAMS = frozenset(
    {"p", "page_id", "paged", "page", "cat", "tag", "s", "m", "id", "lang", "updated-max",
     "max-results", "start", "by-date", "q"}
)  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}
# courlan's pattern searches anywhere in a name, so "gallery" would match its "ga" and
# "reference" its "ref": require that a match ends a word (or ends in "_", like "utm_").
TRACKERS = re.compile(rf"(?:{TRACKERS_RE.pattern})(?:(?<=_)|(?=$|[-_.\d]))", re.I)
# Directory index documents a server answers for the directory itself.
INDEX_DOCUMENT = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.I)


def is_tracking_param(name: str) -> bool:
    """Tell whether a query parameter only tracks the click (utm_*, fbclid, ref, share, ...)."""
    lowered = name.lower()
    if lowered in CONTENT_PARAMS:
        return False
    return (
        lowered in TRACKING_PARAMS
        or lowered.startswith(TRACKING_PREFIXES)
        or TRACKERS.search(lowered) is not None
    )


# Blogger's switch between its mobile and desktop views of one page (WordPress's ?m=202401,
# a month's archive, is content and stays).
VIEW_SWITCHES = frozenset({"m=0", "m=1"})


def _query_without_trackers(query: str) -> str:
    kept = [
        pair
        for pair in query.split("&")
        if pair and pair not in VIEW_SWITCHES and not is_tracking_param(pair.split("=")[0])
    ]
    return "&".join(kept)


# Every page repeats its menu, sidebar and footer links: most canonicalisations are repeats
# (17,543 links on 200 generated pages, 1,371 distinct). Bounded, so memory stays flat.
@functools.lru_cache(maxsize=8192)
def canonicalize_url(url: str, *, keep_fragment: bool = False) -> str:
    """Return the canonical, still fetchable form of ``url``.

    Lower-cases scheme and host, drops default ports, tracking parameters, an empty query
    and (unless ``keep_fragment``) the fragment, normalises percent-encoding (upper-case
    escapes, unreserved characters decoded, non-ASCII encoded as UTF-8), sorts the query
    and gives an empty path as ``/``. Trailing slashes, ``www.`` and the scheme are kept:
    which spelling is right is the site's to say (its rel=canonical); :func:`url_key` is
    what treats them as one.
    """
    normal = w3lib_canonicalize_url(url.strip(), keep_fragments=keep_fragment)
    parts = urlsplit(normal)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = _query_without_trackers(parts.query)
    return urlunsplit((scheme, host, parts.path or "/", query, parts.fragment))


def join_url(base: str, href: str) -> str:
    """Return ``urljoin(base, href)``, from a cache when ``href`` names its own host.

    Such a link joins the same way against any page of the same scheme (``urljoin`` then
    reads nothing of the base but its scheme), and pages repeat their menus' and footers'
    links: most of a crawl's joins are repeats.
    """
    if not base:
        return urljoin(base, href)
    joined = _join_to_host(_scheme(base), href)
    return joined if joined is not None else urljoin(base, href)


@functools.lru_cache(maxsize=1024)
def _scheme(base: str) -> str:
    return urlsplit(base).scheme


@functools.lru_cache(maxsize=8192)
def _join_to_host(scheme: str, href: str) -> str | None:
    # urljoin(base, href) when href has a host: href as it is for another scheme, else href
    # reassembled; either way the base's scheme is all it reads of the base.
    if not scheme or not urlsplit(href, scheme).netloc:
        return None
    return urljoin(f"{scheme}://base.invalid/", href)


def url_key(url: str, *, keep_fragment: bool = False) -> str:
    """Return the identity of ``url``: its canonical form without scheme, www and trailing slash.

    ``http://www.example.org/a/index.html`` and ``https://example.org/a`` have the key
    ``example.org/a``. Not a URL: compare keys, fetch canonical URLs.
    """
    parts = urlsplit(canonicalize_url(url, keep_fragment=keep_fragment))
    host = parts.netloc.removeprefix("www.")
    path = INDEX_DOCUMENT.sub("/", parts.path).rstrip("/")
    key = host + path
    if parts.query:
        key += "?" + parts.query
    if parts.fragment:
        key += "#" + parts.fragment
    return key


def netloc(url: str) -> str:
    """Return ``host[:port]`` of ``url``, lower-cased, without a leading ``www.``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and (parts.scheme, parts.port) not in {("http", 80), ("https", 443)}:
        return f"{host}:{parts.port}"
    return host


def same_site(url: str, hosts: frozenset[str] | set[str]) -> bool:
    """Tell whether ``url`` is on one of ``hosts`` (as given by :func:`netloc`)."""
    return netloc(url) in hosts
