"""What a worker process has imported (run in the crawl's worker pool by tests)."""

from __future__ import annotations

import sys


def loaded_modules() -> list[str]:
    """Return the names of the modules this process has imported."""
    return sorted(sys.modules)
