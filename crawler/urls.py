"""URL canonicalisation, so that one post is one URL whatever link led to it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "share",
        "replytocom",
        "amp",
        "_ga",
        "_gl",
        "yclid",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")


def is_tracking_param(name: str) -> bool:
    """Tell whether a query parameter only tracks the click (utm_*, fbclid, ...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, *, keep_fragment: bool = False) -> str:
    """Return the canonical form of ``url``.

    Lower-cases scheme and host, drops default ports, tracking parameters, empty queries
    and (unless ``keep_fragment``) the fragment, sorts the remaining query parameters and
    gives an empty path as ``/``. Trailing slashes of non-empty paths are kept: on most
    platforms ``/post`` and ``/post/`` are the same page, but the site's own rel=canonical
    decides which one is right, not us.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    query.sort()
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), fragment))


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
