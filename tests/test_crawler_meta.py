"""Every ``request.meta`` key of the project is declared once, in crawler/meta.py."""

from __future__ import annotations

import ast
from pathlib import Path

from crawler import meta

ROOT = Path(__file__).parent.parent
PACKAGES = ("crawler", "pipeline", "archive")


def literal_meta_keys(source: str) -> list[tuple[int, str]]:
    """Return (line, key) of each string literal used as a request.meta key in ``source``.

    Reads ``x.meta[...]``, ``x.meta.get/pop/setdefault(...)``, ``"k" in x.meta`` and the keys
    of a ``meta={...}`` argument.
    """
    found: list[tuple[int, ast.expr]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_meta(node.value):
            found.append((node.lineno, node.slice))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and _is_meta(func.value) and node.args:
                found.append((node.lineno, node.args[0]))
            for keyword in node.keywords:
                if keyword.arg == "meta" and isinstance(keyword.value, ast.Dict):
                    found += [(node.lineno, k) for k in keyword.value.keys if k is not None]
        elif isinstance(node, ast.Compare) and any(_is_meta(c) for c in node.comparators):
            found.append((node.lineno, node.left))
    return sorted(
        (line, key.value)
        for line, key in found
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    )


def _is_meta(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "meta"


def test_the_scan_finds_a_key_spelled_as_a_literal() -> None:
    """The check below would fail on the shared frontier's old literals."""
    source = (
        'request.meta["fleet_lease"] = lease\n'
        'if request.meta.get("expect") == "content": pass\n'
        'if "source" in response.meta: pass\n'
        'Request(url, meta={"settle_late": True, SOURCE: name})\n'
    )
    assert literal_meta_keys(source) == [
        (1, "fleet_lease"),
        (2, "expect"),
        (3, "source"),
        (4, "settle_late"),
    ]


def test_only_scrapys_own_meta_keys_are_spelled_as_literals() -> None:
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {key!r}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "meta.py"
        for line, key in literal_meta_keys(path.read_text(encoding="utf-8"))
        if key not in meta.SCRAPY_KEYS
    ]
    assert not spelled, f"declare these request.meta keys in crawler/meta.py: {spelled}"
