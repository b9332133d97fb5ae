"""A real headless Chromium for page tests, driven by Playwright.

Playwright's own browser download needs the internet, so the tests use the system Chromium
(Debian's ``chromium`` package, which .ci/run installs). Without it the browser tests are
skipped, unless BLOGARCHIVE_REQUIRE_BROWSER=1 (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")

# Flags that keep Chromium off the network it has no business using on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Return the system Chromium's path, or None."""
    configured = os.environ.get("BLOGARCHIVE_CHROMIUM")
    if configured:
        return configured
    return next((p for name in CHROMIUM_CANDIDATES if (p := shutil.which(name))), None)


def browser_unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them where a browser is required."""
    if os.environ.get("BLOGARCHIVE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}")
    pytest.skip(reason)


# Module scope, not session: Playwright's sync API keeps an event loop running while it is
# open, and asyncio.run() in other test modules refuses to start inside it.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Yield a launched headless Chromium (a Playwright Browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        browser_unavailable("no Chromium found (apt install chromium, or set BLOGARCHIVE_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """Yield a fresh browser page; fail the test on any script error the page raises."""
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"script errors on the page: {errors}"
