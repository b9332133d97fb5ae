"""Command line: ``python -m benchmarks.extraction.wcxb [--dataset PATH] [--jobs N]``.

Scores the pipeline, trafilatura (defaults and favor_precision) and readability-lxml on
WCXB's development split in one run, per page type and per half (see
:func:`benchmarks.extraction.wcxb_data.half_of`), and writes the tables to RESULTS.md.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from benchmarks.extraction.dataset import DatasetError
from benchmarks.extraction.options import CONTEXT_SETTINGS, ROOT, benchmark_options, quiet_option
from benchmarks.extraction.report import environment, write_section
from benchmarks.extraction.systems import parse_systems, unavailable_reason, version
from benchmarks.extraction.wcxb_data import WcxbPage, load_wcxb, word_score
from benchmarks.extraction.wcxb_report import (
    HALVES,
    PAGE_TYPES,
    f1_table,
    losses_table,
    metadata_table,
)
from benchmarks.extraction.wcxb_run import WCXB_SYSTEMS, Output, Scored, run_systems

DEFAULT_DATASET = ROOT / ".." / "shared" / "datasets" / "wcxb-dev"
SECTION_TITLE = "## WCXB development split"


def _reuse(path: Path, pages: list[WcxbPage], skip: set[str]) -> dict[str, list[Scored]]:
    """Read the outputs of systems not run now from a --per-page file of an earlier run."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: not a --per-page JSON file ({exc})") from exc
    results: dict[str, list[Scored]] = {}
    for name, by_page in data.items():
        if name in skip:
            continue
        rows = []
        for page in pages:
            out = Output(**by_page.get(page.page_id, {"text": ""}))
            rows.append(Scored(page, out, word_score(page.text, out.text)))
        results[name] = rows
    return results


def _chosen(pages: list[WcxbPage], page_types: str, half: str | None) -> list[WcxbPage]:
    """Keep the pages of the given types (comma-separated; empty: all) and half (None: both)."""
    types = {t.strip() for t in page_types.split(",") if t.strip()}
    unknown = types - set(PAGE_TYPES)
    if unknown:
        raise click.BadParameter(
            f"unknown page type(s) {', '.join(sorted(unknown))}; known: {', '.join(PAGE_TYPES)}",
            param_hint="--page-types",
        )
    return [
        p for p in pages if (not types or p.page_type in types) and (half is None or p.half == half)
    ]


@click.command(context_settings=CONTEXT_SETTINGS)
@benchmark_options(
    dataset=DEFAULT_DATASET,
    dataset_help="The wcxb-dev folder (index.json, html/, ground-truth/).",
    systems=WCXB_SYSTEMS,
    section="WCXB",
    per_page_help="Write every system's output per page to this JSON file.",
)
@click.option(
    "--reuse",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Take systems not in --systems from this --per-page file (for iterating; "
    "never for the committed figures, which come from one run of every system).",
)
@click.option(
    "--losses",
    type=int,
    default=0,
    show_default=True,
    help="List this many development-half pages where we lose most to trafilatura.",
)
@click.option(
    "--page-types",
    default="",
    help="Comma-separated page types to run (default all; for iterating, with --output -).",
)
@click.option(
    "--half",
    type=click.Choice(HALVES),
    default=None,
    help="Run one half only (for iterating, with --output -).",
)
@quiet_option
def main(
    dataset: Path,
    systems: str,
    jobs: int,
    output: str,
    per_page: Path | None,
    reuse: Path | None,
    losses: int,
    page_types: str,
    half: str | None,
    quiet: bool,
) -> None:
    """Score extractors on WCXB's development split, per page type and half.

    Example: nice -n 10 python -m benchmarks.extraction.wcxb --jobs 2 --per-page /tmp/wcxb.json
    """
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    names = parse_systems(systems, WCXB_SYSTEMS)
    try:
        pages = load_wcxb(dataset)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    pages = _chosen(pages, page_types, half)
    if (page_types or half) and output != "-":
        raise click.UsageError("--page-types and --half are for iterating: add --output -")
    for name in list(names):
        reason = unavailable_reason(name)
        if reason is not None:
            click.echo(f"{name}: unavailable ({reason})", err=True)
            names.remove(name)
    if not quiet:
        click.echo(f"{', '.join(names)}: {len(pages)} pages on {jobs} jobs...", err=True)
    started = time.perf_counter()
    ran = run_systems(pages, names, jobs)
    wall = time.perf_counter() - started
    results = {**ran, **(_reuse(reuse, pages, set(names)) if reuse else {})}
    ordered = {name: results[name] for name in WCXB_SYSTEMS if name in results}
    if per_page is not None:
        data = {
            name: {r.page.page_id: asdict(r.output) for r in rows} for name, rows in ran.items()
        }
        per_page.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    body = []
    for half in (None, *HALVES):
        label = "both halves" if half is None else f"{half} half"
        count = sum(1 for p in pages if half is None or p.half == half)
        body.append(f"Word F1, {label} ({count} pages):\n\n{f1_table(ordered, half)}\n")
    for half in (None, *HALVES):
        label = "both halves" if half is None else f"{half} half"
        body.append(f"Metadata on article pages, {label}:\n\n{metadata_table(ordered, half)}\n")
    text = "\n".join(body)
    click.echo(text)
    if losses:
        click.echo("\n" + losses_table(ordered, losses))
    if not quiet:
        seconds = {n: sum(r.output.seconds for r in rows) for n, rows in ran.items()}
        click.echo(f"wall {wall:.0f}s; cpu per system {seconds}", err=True)
    if output != "-":
        command = shlex.join(["python", "-m", "benchmarks.extraction.wcxb", *sys.argv[1:]])
        versions = ", ".join(f"{n} {version(n)}" for n in ordered)
        env = "; ".join(f"{k} {v}" for k, v in environment().items())
        write_section(Path(output), _section(text, command, versions, env), SECTION_TITLE)


def _section(tables: str, command: str, versions: str, env: str) -> str:
    return f"""{SECTION_TITLE}

Dataset: WCXB, Foley 2026 (CC-BY-4.0), its development split as it lies in
`../shared/datasets/wcxb-dev` (1,358 pages in 7 page types; the test split is not here).
Metric: WCXB's own word F1 (lower-cased `\\w+` tokens as a multiset; page P, R, F1; the
corpus figure is the mean of page F1s). Titles are compared after NFC and whitespace collapse,
authors ignoring case and punctuation (whole string or any one name), dates on YYYY-MM-DD.
"Invented" counts article pages whose truth has no author (date) where the system gives one.

Halves: a page is in the **development** half when the last byte of sha256(page id) is
even, else **held-out** (`benchmarks/extraction/wcxb_data.py: half_of`), fixed before any
failure was looked at; rules were written from development pages only. "Δ vs best
trafilatura" is our F1 minus the better trafilatura setting on that row (in bold); "pages
lost" is the share of pages where our page F1 is more than 0.05 below that setting's.
Every system gets the page's bytes and URL; trafilatura's metadata is `extract_metadata`.

Re-run from the project root (rewrites this section):

```
nice -n 10 python -m benchmarks.extraction.wcxb --jobs 2
```

This run: `{command}`; {versions}. {env}.

{tables}
"""


if __name__ == "__main__":
    main()
