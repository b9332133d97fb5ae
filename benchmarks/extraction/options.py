"""The options both extraction benchmarks take: dataset, systems, jobs, output, per-page, quiet."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def benchmark_options(
    *,
    dataset: Path,
    dataset_help: str,
    systems: Collection[str],
    section: str,
    per_page_help: str,
) -> Callable[[F], F]:
    """Add ``--dataset``, ``--systems``, ``--jobs``, ``--output`` and ``--per-page``.

    ``section`` names the part of RESULTS.md the run (re)writes, in ``--output``'s help.
    """
    options = [
        click.option(
            "--dataset",
            type=click.Path(file_okay=False, path_type=Path),
            default=dataset,
            show_default=True,
            help=dataset_help,
        ),
        click.option(
            "--systems",
            default=",".join(systems),
            show_default=True,
            help="Comma-separated systems to run.",
        ),
        click.option(
            "--jobs", type=click.IntRange(1), default=2, show_default=True, help="Worker processes."
        ),
        click.option(
            "--output",
            default=str(DEFAULT_OUTPUT),
            show_default=True,
            help=f"Markdown file whose {section} section is (re)written; '-' to write nothing.",
        ),
        click.option(
            "--per-page",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=per_page_help,
        ),
    ]

    def decorate(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def quiet_option(fn: F) -> F:
    """Add ``--quiet``, which turns progress on stderr off."""
    return click.option("--quiet", is_flag=True, help="No progress on stderr.")(fn)
