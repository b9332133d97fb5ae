"""The record the pipeline makes of one post; the archive stores it as it is."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

# Fields made from other fields of the record; see PostRecord.content_hash.
DERIVED_RENDERINGS = ("markdown",)


@dataclass(frozen=True)
class Link:
    """An outbound link of the post's text, with its anchor text exactly as written."""

    url: str
    text: str


@dataclass(frozen=True)
class SeriesMembership:
    """Evidence that the post is part of a named series."""

    name: str
    position: int | None = None  # stated part number, 1-based
    total: int | None = None  # stated number of parts ("part 3 of 5")
    url: str | None = None  # the series page, where there is one
    signal: str = ""  # which rule matched, e.g. "series-box", "title-part", "series-page"
    evidence: str = ""  # the matched text
    # Set on a merged membership (pipeline.series.merge_memberships): every signal that
    # agreed on this series, strongest first, and what they disagreed on, if anything.
    signals: tuple[SeriesMembership, ...] = ()
    conflict: str | None = None
    # Previous/next-in-series links of the page: a page with only these names no series.
    neighbours: tuple[str, ...] = ()


@dataclass
class PostRecord:
    """One post, cleaned. ``url`` is canonical and is the archive's primary key."""

    url: str
    title: str
    text: str
    source: str = ""
    fetched_url: str = ""
    fetched_at: str = ""
    author: str | None = None  # authors joined with "; "
    published: str | None = None  # ISO 8601 date or datetime
    updated: str | None = None
    site: str | None = None
    description: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    series: list[SeriesMembership] = field(default_factory=list)
    html: str | None = None  # sanitised HTML rendering of the post body
    markdown: str | None = None  # Markdown rendering, made from ``html``
    # The page's rel=canonical when it names another site: how a syndicated copy points at
    # its original. Not the record's URL (see pipeline.extract.canonical_url).
    declared_original: str | None = None
    # The text's near-duplicate signature, made where the post was extracted (a worker) so
    # the archive need not: (scheme name, LeanMinHash bytes or None for a text too short to
    # compare); None when not made. See pipeline.signatures.fingerprint.
    fingerprint: tuple[str, bytes | None] | None = field(default=None, repr=False, compare=False)

    def content_hash(self) -> str:
        """Hash what the post says (not when it was fetched), to tell unchanged from updated.

        Renderings derived from ``html`` (``markdown``) are left out: they add no words of
        their own, and leaving them out keeps the hashes that archives already hold, so an
        upgrade that adds a rendering does not turn every stored post "updated".

        Series memberships learnt from series pages are left out: whether a crawl reaches the
        series page before the post depends on timing, and the post says the same either way.
        """
        data = asdict(self)
        # declared_original is about the page, not what the post says.
        for volatile in (
            "fetched_at",
            "fetched_url",
            "source",
            "declared_original",
            "fingerprint",
            *DERIVED_RENDERINGS,
        ):
            data.pop(volatile)
        data["series"] = [m for m in data["series"] if m["signal"] != "series-page"]
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_json(self) -> dict[str, object]:
        """Return the record as plain JSON-ready data (what ``blogarchive extract`` prints)."""
        data = asdict(self)
        del data["fingerprint"]  # bytes, and only a cache of what the text gives
        return data
