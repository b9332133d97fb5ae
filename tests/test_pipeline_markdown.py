"""The Markdown rendering of a post (pipeline/markdown.py) and how it is hashed."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from pipeline.extract import extract_post
from pipeline.markdown import html_to_markdown
from pipeline.records import PostRecord

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(PAGES.glob("*.html"))


def extract(name: str) -> tuple[dict[str, object], PostRecord]:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return expected, extract_post((PAGES / f"{name}.html").read_bytes(), str(expected["url"]))


def test_markdown_keeps_headings_lists_quotes_and_links() -> None:
    _, record = extract("wordpress-creative-councils-closing")
    assert record.markdown is not None
    lines = record.markdown.splitlines()
    assert "## Three things we would keep" in lines
    assert "- A one-page experiment brief instead of a business case." in lines
    assert any(line.startswith("> We stopped asking") for line in lines)
    assert "[open experiments register](https://data.harrowfield.gov.example/experiments)" in (
        record.markdown
    )
    assert "<" not in record.markdown


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_markdown_is_the_sanitised_html_rendered_and_has_no_furniture(page: Path) -> None:
    expected, record = extract(page.stem)
    assert record.markdown == html_to_markdown(record.html)
    for furniture in expected["without"]:  # type: ignore[union-attr]
        assert furniture not in record.markdown, f"{page.name}: {furniture!r} in markdown"
    unlinked = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", record.markdown or "")
    for sentence in expected["with"]:  # type: ignore[union-attr]
        assert sentence in " ".join(unlinked.split()), f"{page.name}: lost {sentence!r}"


def test_content_hash_ignores_the_markdown_but_not_the_text() -> None:
    _, record = extract("ghost-participatory-budgeting-kickoff")
    restyled = dataclasses.replace(record, markdown="something else entirely")
    edited = dataclasses.replace(record, text=record.text + " A late correction.")
    assert restyled.content_hash() == record.content_hash()
    assert edited.content_hash() != record.content_hash()


def test_no_html_gives_no_markdown() -> None:
    assert html_to_markdown(None) is None
