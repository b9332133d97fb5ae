"""Blogs built by real blog engines with their shipped themes, crawled and graded in the tests.

``content`` holds the posts every engine publishes; each engine module builds a site from
them and returns a ``site.BuiltSite`` that says what the crawl must store and must not;
``grade`` crawls a served site with ``blogarchive crawl`` and grades the archive.

The registry: each module named in ``ENGINE_MODULES`` has a module-level ``ENGINES`` list of
``Engine``. ``tests/test_engines.py`` runs every check of ``grade.CHECKS`` on each of them.
To add an engine, write a module whose ``Engine.serve`` builds (cached) and serves the site,
raising ``EngineUnavailable`` when the engine cannot be had here, and name it below.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from tests.engines.site import BuiltSite

ENGINE_MODULES: tuple[str, ...] = (
    "tests.engines.pelican",
    "tests.engines.nikola",
    "tests.engines.mkdocs_material",
    "tests.engines.wordpress",
    "tests.engines.jekyll",
    "tests.engines.hexo",
)

# On CI an engine that cannot be built is a failure, not a skip (.ci/run sets it).
REQUIRE_ENV = "BLOGARCHIVE_REQUIRE_ENGINES"


class EngineUnavailable(RuntimeError):
    """The engine (or its theme, or a service it needs) cannot be had on this machine."""


@dataclass(frozen=True)
class Engine:
    """One engine with one theme, as the matrix runs it.

    ``serve(work)`` builds the site (from a cache when its sources are unchanged), serves it
    on loopback and yields the ``BuiltSite``; ``work`` is a scratch folder of the test's.
    ``xfail`` maps a check of ``grade.CHECKS`` to why it is known to fail on this engine
    today: the test is a strict xfail, so a fix shows up as an XPASS to remove it from here.
    """

    name: str
    serve: Callable[[Path], AbstractContextManager[BuiltSite]]
    xfail: Mapping[str, str] = field(default_factory=dict)


def engines_required() -> bool:
    """Tell whether a missing engine must fail the test run instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def all_engines() -> list[Engine]:
    """Return every registered engine, in the order of ``ENGINE_MODULES``."""
    found: list[Engine] = []
    for name in ENGINE_MODULES:
        found.extend(importlib.import_module(name).ENGINES)
    return found
