"""Every HTML page of the test fixtures and the blog set, for checks that must hold on all."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(ROOT.glob("tests/**/*.html")) + sorted(ROOT.glob("benchmarks/blogset/pages/*.html"))


def html_pages(edges: list[str]) -> list[tuple[str, str]]:
    """Return (name, HTML) of every fixture and blog-set page, then the edge pages given."""
    found = [(p.name, p.read_text("utf-8", errors="replace")) for p in PAGES]
    return found + [(f"edge-{n}", html) for n, html in enumerate(edges)]
