"""Compatibility: ``python -m crawler.cli`` runs the ``blogarchive`` command.

The command lives in :mod:`blogarchive.cli`, above the three stages (the crawler imports no
later stage); this name is kept for scripts and tests that still run it.
"""

from blogarchive.cli import cli, main

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
