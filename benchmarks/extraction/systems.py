"""The extractors under test: each turns one page's HTML (and its URL) into plain text."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from importlib import metadata

import click
import lxml.html

Extractor = Callable[[str, str], str]

BLOGARCHIVE = "blogarchive"
READABILITY = "readability-lxml"

# Elements after which a reader sees a line break; without one, lxml's text_content() glues
# "end</p><p>Start" into one \w+ token and costs the peer shingles it did extract.
_BLOCK_TAG_NAMES = (
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4"
    " h5 h6 header hr li main nav ol p pre section table td th tr ul"
)
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())


def trafilatura_default(html: str, url: str) -> str:
    """Extract with ``trafilatura.extract`` defaults (comments included)."""
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_precision(html: str, url: str) -> str:
    """Extract with ``favor_precision=True, include_comments=False``."""
    import trafilatura

    return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""


def blogarchive(html: str, url: str) -> str:
    """Extract with our own pipeline, as the crawler would feed it (bytes + URL)."""
    from pipeline.extract import extract_post

    record = extract_post(html.encode("utf-8"), url)
    return (record.text if record is not None else "") or ""


def readability_lxml(html: str, url: str) -> str:
    """Extract with readability-lxml, flattening its summary HTML with line breaks per block."""
    from readability import Document

    return flatten_summary(Document(html).summary(html_partial=True))


def flatten_summary(summary: str) -> str:
    """Flatten readability's summary HTML to text, one line break after each block element."""
    if not summary.strip():
        return ""
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content())


SYSTEMS: dict[str, Extractor] = {
    "trafilatura-default": trafilatura_default,
    "trafilatura-precision": trafilatura_precision,
    READABILITY: readability_lxml,
    BLOGARCHIVE: blogarchive,
}

_MODULES = {
    "trafilatura-default": "trafilatura",
    "trafilatura-precision": "trafilatura",
    READABILITY: "readability",
    BLOGARCHIVE: "pipeline.extract",
}

_DISTRIBUTIONS = {
    "trafilatura-default": "trafilatura",
    "trafilatura-precision": "trafilatura",
    READABILITY: "readability-lxml",
    BLOGARCHIVE: "blogarchive",
}


def unavailable_reason(name: str) -> str | None:
    """Return why a system cannot run here (missing module), or None if it can."""
    try:
        module = importlib.import_module(_MODULES[name])
    except Exception as exc:  # any import-time failure means "not runnable", not a crash
        return f"{type(exc).__name__}: {exc}"
    if name == BLOGARCHIVE and not hasattr(module, "extract_post"):
        return "pipeline.extract has no extract_post"
    return None


def version(name: str) -> str:
    """Return the installed version of the distribution behind a system."""
    try:
        return metadata.version(_DISTRIBUTIONS[name])
    except metadata.PackageNotFoundError:
        return "?"


def parse_systems(value: str, known: Collection[str]) -> list[str]:
    """Read a comma-separated ``--systems`` value; refuse a name not in ``known``."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown {unknown}; choose from {', '.join(known)}")
    return names
