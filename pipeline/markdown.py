"""Render a post's sanitised HTML as Markdown, for reading and export.

The Markdown is made from the sanitised HTML (:func:`pipeline.extract.body_html`), never from
the page, so it holds exactly what the HTML rendering holds, and an archive that only has the
HTML (one built before this rendering existed) can be given the same Markdown later.
"""

from __future__ import annotations

import re

from markdownify import MarkdownConverter

_BLANK_RUNS = re.compile(r"\n{3,}")


class _PostConverter(MarkdownConverter):
    """markdownify with the house options: ATX headings, "-" bullets, no HTML escaping of _."""

    def __init__(self) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="-",
            escape_underscores=False,
            escape_asterisks=True,
            strip=["script", "style"],
        )


def html_to_markdown(html: str | None) -> str | None:
    """Return the Markdown rendering of sanitised post HTML (None for no HTML)."""
    if html is None:
        return None
    rendered = _PostConverter().convert(html)
    lines = [line.rstrip() for line in rendered.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))
