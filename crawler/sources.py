"""Blog sources: what to crawl, read from ``sources.toml`` and validated before any request."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.urls import canonicalize_url, netloc


class SourcesError(ValueError):
    """A sources file (or ad hoc URL list) that cannot be used; the message says where."""


@dataclass(frozen=True)
class Source:
    """One blog to archive and how politely to crawl it."""

    name: str
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    post_patterns: tuple[str, ...] = ()
    series_patterns: tuple[str, ...] = ()
    # Also in start_urls and, as exact-URL regexes, in series_patterns.
    series_urls: tuple[str, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)
    delay: float | None = None
    concurrency: int | None = None
    max_pages: int | None = None
    max_depth: int | None = None

    def __post_init__(self) -> None:
        if not self.hosts:
            # Frozen dataclass: object.__setattr__ is the documented way to fill a derived default.
            object.__setattr__(self, "hosts", frozenset(netloc(u) for u in self.start_urls))

    def allows(self, url: str) -> bool:
        """Tell whether ``url`` is on one of this source's hosts."""
        return netloc(url) in self.hosts


@dataclass(frozen=True)
class SourceKey:
    """One key a ``[[source]]`` table may have: its type, default and help for the README."""

    name: str
    kind: str  # "str" | "urls" | "regexes" | "hosts" | "float" | "int"
    default: Any
    help: str
    required: bool = False


SOURCE_KEYS: tuple[SourceKey, ...] = (
    SourceKey("name", "str", None, "Short unique name; defaults to the first start URL's host."),
    SourceKey("start_urls", "urls", (), "Pages to start from (home page, archive).", True),
    SourceKey("feeds", "urls", (), "RSS/Atom feeds whose items are posts."),
    SourceKey("sitemaps", "urls", (), "Sitemaps or sitemap indexes listing posts."),
    SourceKey("post_patterns", "regexes", (), "Regexes; a URL matching one is a post."),
    SourceKey("series_patterns", "regexes", (), "Regexes; a URL matching one is a series page."),
    SourceKey(
        "series_urls", "urls", (), "Series pages: crawled from the start, read as series pages."
    ),
    SourceKey("hosts", "hosts", None, "Allowed host[:port]s; defaults to the start URLs' hosts."),
    SourceKey("delay", "float", None, "Seconds between requests to this source's hosts."),
    SourceKey("concurrency", "int", None, "Parallel requests to each of this source's hosts."),
    SourceKey(
        "max_pages",
        "int",
        None,
        "At most this many page requests (robots.txt, feeds and sitemaps not counted).",
    ),
    SourceKey("max_depth", "int", None, "Follow links at most this many hops from a start URL."),
)
_KEYS_BY_NAME = {key.name: key for key in SOURCE_KEYS}
# Numbers that must be at least 1 (0 pages or 0 parallel requests would crawl nothing).
_POSITIVE = {"concurrency", "max_pages"}


def _check_url(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a URL string, got {type(value).__name__} {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return canonicalize_url(value)


def _check_regex(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a regex string, got {type(value).__name__} {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regex {value!r}: {exc}") from exc
    return value


def _check_host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"expected a host[:port] string, got {value!r}")
    text = value.strip()
    host = netloc(text if "://" in text else f"http://{text}")
    if not host:
        raise ValueError(f"{value!r} is not a host[:port]")
    return host


def _list_of(check: Callable[[Any], str]) -> Callable[[Any], tuple[str, ...]]:
    def convert(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__} {value!r}")
        return tuple(check(item) for item in value)

    return convert


def _check_str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _check_number(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        # bool is an int subclass; `delay = true` is a mistake, not 1 second.
        allowed = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return kind(value)

    return convert


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": _check_str,
    "urls": _list_of(_check_url),
    "regexes": _list_of(_check_regex),
    "hosts": _list_of(_check_host),
    "float": _check_number(float),
    "int": _check_number(int),
}


def _convert(key: SourceKey, value: Any) -> Any:
    converted = _CONVERTERS[key.kind](value)
    if key.kind in {"float", "int"}:
        floor = 1 if key.name in _POSITIVE else 0
        if converted < floor:
            raise ValueError(f"must be >= {floor}, got {converted}")
    return converted


def source_from_table(table: dict[str, Any], where: str = "<source>") -> Source:
    """Build a :class:`Source` from one ``[[source]]`` table; ``where`` prefixes error messages."""
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table, got {type(table).__name__}")
    label = f"{where} ({table['name']!r})" if isinstance(table.get("name"), str) else where
    unknown = sorted(set(table) - set(_KEYS_BY_NAME))
    if unknown:
        known = ", ".join(_KEYS_BY_NAME)
        raise SourcesError(f"{label}: unknown key {unknown[0]!r} (known keys: {known})")
    values: dict[str, Any] = {}
    for key in SOURCE_KEYS:
        if key.name not in table:
            if key.required:
                raise SourcesError(f"{label}: key {key.name!r} is required ({key.help})")
            continue
        try:
            values[key.name] = _convert(key, table[key.name])
        except (TypeError, ValueError) as exc:
            raise SourcesError(f"{label}: key {key.name!r}: {exc}") from exc
    if not values["start_urls"]:
        raise SourcesError(f"{label}: key 'start_urls' must list at least one URL")
    values.setdefault("name", netloc(values["start_urls"][0]))
    if "hosts" in values:
        values["hosts"] = frozenset(values["hosts"])
    series_urls = values.get("series_urls", ())
    if series_urls:
        values["start_urls"] = tuple(dict.fromkeys((*values["start_urls"], *series_urls)))
        values["series_patterns"] = (
            *values.get("series_patterns", ()),
            *(f"^{re.escape(url.rstrip('/'))}/?$" for url in series_urls),
        )
    return Source(**values)


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate every ``[[source]]`` table of a TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line L, column C)".
        raise SourcesError(f"{path}: invalid TOML: {exc}") from exc
    extra = sorted(set(data) - {"source"})
    if extra:
        raise SourcesError(f"{path}: unknown top-level key {extra[0]!r}; use [[source]] tables")
    tables = data.get("source")
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[source]] tables")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        source = source_from_table(table, where=f"{path}: source #{index}")
        if source.name in seen:
            raise SourcesError(
                f"{path}: source #{index} ({source.name!r}): key 'name': duplicate of "
                f"source #{seen[source.name]}"
            )
        seen[source.name] = index
        sources.append(source)
    return sources


def source_from_urls(urls: list[str]) -> Source:
    """Build an ad hoc source from start URLs, named after the first URL's host."""
    cleaned = [u.strip() for u in urls if u.strip()]
    return source_from_table({"start_urls": cleaned}, where="urls")


def sources_from_urls(urls: list[str]) -> list[Source]:
    """Build one ad hoc source per host of the start URLs, each named after its host.

    Several blogs given on the command line stay apart: their pages, errors and site names
    are filed under their own source, as in a sources file.
    """
    by_host: dict[str, list[str]] = {}
    for url in (u.strip() for u in urls):
        if url:
            by_host.setdefault(netloc(url), []).append(url)
    if not by_host:
        return [source_from_urls([])]
    return [source_from_urls(group) for group in by_host.values()]


def run_sources(sources_path: str | Path | None, urls: list[str]) -> list[Source]:
    """Return a run's sources: those of the sources file if one is given, else the URLs'."""
    return load_sources(sources_path) if sources_path else sources_from_urls(urls)


def sources_help() -> list[tuple[str, str, str]]:
    """Return (key, type, help) rows for documenting ``sources.toml``."""
    return [(key.name, key.kind, key.help) for key in SOURCE_KEYS]
