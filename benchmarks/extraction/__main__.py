"""Command line: ``python -m benchmarks.extraction --dataset PATH [--systems ...]``."""

from __future__ import annotations

import json
import logging
import shlex
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from benchmarks.extraction.dataset import DatasetError, load_pages, split_halves
from benchmarks.extraction.options import CONTEXT_SETTINGS, ROOT, benchmark_options, quiet_option
from benchmarks.extraction.report import (
    changes_table,
    environment,
    halves_table,
    results_table,
    section,
    worst_table,
    write_per_page,
    write_section,
)
from benchmarks.extraction.runner import SystemResult, run_system
from benchmarks.extraction.systems import (
    BLOGARCHIVE,
    SYSTEMS,
    parse_systems,
    unavailable_reason,
    version,
)

DEFAULT_DATASET = ROOT / ".." / "shared" / "datasets" / "article-extraction-benchmark"


@click.command(context_settings=CONTEXT_SETTINGS)
@benchmark_options(
    dataset=DEFAULT_DATASET,
    dataset_help="Folder holding ground-truth.json and html/.",
    systems=SYSTEMS,
    section="benchmark",
    per_page_help="Write per-page scores of every system to this JSON file.",
)
@click.option("--per-page-text", is_flag=True, help="Also store each prediction in --per-page.")
@click.option(
    "--worst", default=BLOGARCHIVE, show_default=True, help="System whose worst pages to list."
)
@click.option("--worst-count", type=int, default=10, show_default=True, help="How many to list.")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A --per-page file of an earlier run: list the pages that got worse or better.",
)
@quiet_option
def main(
    dataset: Path,
    systems: str,
    jobs: int,
    output: str,
    per_page: Path | None,
    per_page_text: bool,
    worst: str,
    worst_count: int,
    baseline: Path | None,
    quiet: bool,
) -> None:
    """Score extractors on the article-extraction-benchmark.

    Example: python -m benchmarks.extraction --systems trafilatura-precision --per-page /tmp/p.json
    """
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, stream=sys.stderr)
    # trafilatura warns about every odd link on these pages; the scores already say what matters.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    names = parse_systems(systems, SYSTEMS)
    try:
        pages = load_pages(dataset)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc

    unavailable = {n: r for n in names if (r := unavailable_reason(n)) is not None}
    results: list[SystemResult] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for name in names:
            if name in unavailable:
                click.echo(f"{name}: unavailable ({unavailable[name]})", err=True)
                continue
            if not quiet:
                click.echo(f"{name}: extracting {len(pages)} pages on {jobs} jobs...", err=True)
            result = run_system(name, version(name), pages, pool)
            results.append(result)
            if not quiet:
                m = result.metrics
                click.echo(f"{name}: F1 {m.f1:.3f} in {result.wall_seconds:.0f}s", err=True)

    table = results_table(results, unavailable)
    development, held_out = split_halves(pages)
    halves = halves_table(
        results, ({p.item_id for p in development}, {p.item_id for p in held_out})
    )
    extra = (
        f"\nBy half ({len(development)} development pages: even positions in item id order, "
        f"the only ones looked at when writing rules; {len(held_out)} held-out pages: odd "
        f"positions):\n\n{halves}\n"
    )
    click.echo(table + "\n" + extra)
    truths = {page.item_id: page.truth for page in pages}
    for result in results:
        if result.name == worst:
            click.echo("\n" + worst_table(result, worst_count, truths))
    if baseline is not None:
        earlier = _load_baseline(baseline)
        for result in results:
            if result.name in earlier:
                changes = changes_table(result, earlier[result.name], truths)
                click.echo("\n" + changes)
                if result.name == BLOGARCHIVE:
                    extra += f"\nAgainst the baseline `{baseline.name}`. {changes}\n"
    if per_page is not None:
        write_per_page(per_page, results, per_page_text)
    if output != "-":
        command = shlex.join(["python", "-m", "benchmarks.extraction", *sys.argv[1:]])
        write_section(Path(output), section(table, environment(), command, extra))


def _load_baseline(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Read a --per-page file written by an earlier run."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: not a --per-page JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: not a --per-page JSON file (no systems)")
    return data


if __name__ == "__main__":
    main()
