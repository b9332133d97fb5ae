"""Extract every saved page in tests/fixtures/pages and compare with its expected JSON.

Each ``<platform>-<slug>.html`` has a sibling ``.json`` with the fields the record must
have, ``with`` (sentences that must survive) and ``without`` (furniture that must go).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract import extract_post
from pipeline.records import PostRecord

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(PAGES.glob("*.html"))
FIELDS = ("title", "author", "published", "updated", "site", "description", "language", "tags")


def load(page: Path) -> tuple[dict[str, Any], PostRecord]:
    """Return the expected JSON of a fixture and the record extracted from its HTML."""
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return expected, extract_post(page.read_bytes(), expected["url"], source=page.stem)


def test_there_are_fixtures_for_every_platform() -> None:
    platforms = {page.stem.split("-")[0] for page in FIXTURES}
    wanted = {"wordpress", "magazine", "blogger", "ghost", "medium", "squarespace", "drupal"}
    assert wanted <= platforms, f"add fixtures for {sorted(wanted - platforms)}"
    assert all(page.with_suffix(".json").exists() for page in FIXTURES), "every .html needs .json"


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_page_extracts_as_expected(page: Path) -> None:
    expected, record = load(page)
    problems = []
    for name in FIELDS:
        if name in expected and getattr(record, name) != expected[name]:
            problems.append(
                f"{name}: got {getattr(record, name)!r}, expected {expected[name]!r} "
                f"(see pipeline/metadata.py for where {name} is read)"
            )
    if record.url != expected["canonical"]:
        problems.append(
            f"url: got {record.url!r}, expected the canonical {expected['canonical']!r} "
            "(pipeline.extract.canonical_url)"
        )
    for sentence in expected["with"]:
        if sentence not in record.text:
            problems.append(
                f"lost body text {sentence!r}: check pipeline/furniture_markup.py did not remove"
                " its block and that trafilatura kept it (precision mode drops short blocks)"
            )
    for furniture in expected["without"]:
        where = [f for f in ("title", "text") if furniture in getattr(record, f)]
        if where:
            problems.append(
                f"furniture {furniture!r} leaked into {where}: add its id/class to "
                "pipeline/furniture_markup.py (or its wording to FURNITURE_TEXT if it is a small"
                " block)"
            )
    for wanted in expected.get("series", []):
        found = [s for s in record.series if s.name == wanted["name"]]
        if not found:
            problems.append(
                f"series {wanted['name']!r} not detected (pipeline/series/detect.py);"
                f" got {record.series}"
            )
            continue
        for key, value in wanted.items():
            if getattr(found[0], key) != value:
                problems.append(f"series {key}: got {getattr(found[0], key)!r}, expected {value!r}")
    assert not problems, f"{page.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_paragraphs_are_separated_by_blank_lines(page: Path) -> None:
    _, record = load(page)
    assert "\n\n" in record.text, f"{page.name}: paragraphs run together: {record.text[:200]!r}"
    assert "\n\n\n" not in record.text


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_links_have_anchor_text_that_is_in_the_text(page: Path) -> None:
    _, record = load(page)
    assert record.links, f"{page.name}: no links found in the body"
    for link in record.links:
        assert link.url.startswith(("http://", "https://")), link
        assert link.text in record.text, f"{page.name}: anchor {link.text!r} not in text"
        assert link.url not in record.text, f"{page.name}: link target leaked into text"


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_html_rendering_is_sanitised(page: Path) -> None:
    _, record = load(page)
    assert record.html, f"{page.name}: no html rendering"
    for forbidden in ("<script", "<form", "<div", "class=", "style=", "onclick", "<input"):
        assert forbidden not in record.html, f"{page.name}: {forbidden!r} in sanitised html"
    assert "<p>" in record.html
