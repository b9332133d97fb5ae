"""Render results: the Markdown table, the RESULTS.md section and the per-page JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
from dataclasses import asdict
from pathlib import Path

from benchmarks.extraction.diff import leaked_and_lost
from benchmarks.extraction.runner import PageResult, SystemResult
from benchmarks.extraction.scorer import aggregate

ROOT = Path(__file__).resolve().parents[2]

# A page counts as changed against a baseline when its recall or F1 moves by this much.
RECALL_LOSS = 0.005
F1_CHANGE = 0.02

SECTION_TITLE = "## Article extraction benchmark"

RESULTS_HEADER = """# Benchmarks

Figures measured on this project's code; each section says how to re-run it.
Datasets are read from where they lie (`../shared/datasets/...` by default) and never copied here.

"""

# Upstream README's latest published run (see the dataset's README.md), for comparison.
PUBLISHED_ROWS = [
    ("AutoExtract (commercial, Nov 2019)", "—", "0.970 ± 0.005", 0.984, 0.956, 0.470),
    ("rs_trafilatura", "9261e08", "0.970 ± 0.004", 0.951, 0.990, 0.287),
    ("go_trafilatura", "ae7ea06", "0.960 ± 0.007", 0.940, 0.980, 0.287),
    ("trafilatura (`include_comments=False`)", "2.0.0", "0.958 ± 0.006", 0.938, 0.978, 0.293),
    ("Diffbot (commercial, Nov 2019)", "—", "0.951 ± 0.010", 0.958, 0.944, 0.348),
    ("newspaper4k", "0.9.3.1", "0.949 ± 0.008", 0.964, 0.934, 0.326),
    ("readability_js", "0.6.0", "0.947 ± 0.005", 0.914, 0.982, 0.166),
    ("readability-lxml", "0.8.4.1", "0.922 ± 0.013", 0.913, 0.931, 0.315),
    ("goose3", "3.1.20", "0.896 ± 0.015", 0.940, 0.856, 0.232),
    ("justext", "3.0.2", "0.804 ± 0.018", 0.858, 0.756, 0.088),
    ("html-text (whole-page baseline)", "0.7.0", "0.665 ± 0.015", 0.500, 0.994, 0.000),
]


def results_table(results: list[SystemResult], unavailable: dict[str, str]) -> str:
    """Return our systems' figures as a Markdown table."""
    lines = [
        "| system | version | F1 | precision | recall | accuracy | errors | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(results, key=lambda r: -r.metrics.f1):
        m = r.metrics
        lines.append(
            f"| {r.name} | {r.version} | {m.f1:.3f} ± {m.f1_std:.3f} | {m.precision:.3f} "
            f"| {m.recall:.3f} | {m.accuracy:.3f} | {r.errors} | {r.wall_seconds:.0f} |"
        )
    for name, reason in unavailable.items():
        lines.append(f"| {name} | unavailable: {reason} | | | | | | |")
    return "\n".join(lines)


def halves_table(results: list[SystemResult], halves: tuple[set[str], set[str]]) -> str:
    """Return each system's figures on the development and the held-out half."""
    lines = [
        "| system | F1 development | P | R | F1 held-out | P | R |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(results, key=lambda r: -r.metrics.f1):
        cells = []
        for ids in halves:
            m = aggregate([p.score for p in r.pages if p.item_id in ids], resamples=1)
            cells.append(f"{m.f1:.3f} | {m.precision:.3f} | {m.recall:.3f}")
        lines.append(f"| {r.name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def changes_table(
    result: SystemResult, baseline: dict[str, dict[str, object]], truths: dict[str, str]
) -> str:
    """Count pages that got better or worse against a baseline run; list every worse one.

    A page is worse when its recall fell by more than ``RECALL_LOSS`` (text of the post was
    lost) or its F1 fell by ``F1_CHANGE`` or more; better when its F1 rose by that much.
    """
    worse, better, compared = [], 0, 0
    for page in result.pages:
        before = baseline.get(page.item_id)
        if before is None:
            continue
        compared += 1
        d_f1 = page.score.f1 - float(str(before["f1"]))
        d_p = page.score.precision - float(str(before["precision"]))
        d_r = page.score.recall - float(str(before["recall"]))
        if d_r < -RECALL_LOSS or d_f1 <= -F1_CHANGE:
            worse.append((d_f1, d_p, d_r, page))
        elif d_f1 >= F1_CHANGE:
            better += 1
    lines = [
        f"{result.name} against the baseline, {compared} pages compared: {better} pages "
        f"gained {F1_CHANGE} F1 or more; {len(worse)} lost recall (more than {RECALL_LOSS}) "
        f"or {F1_CHANGE} F1:",
        "",
        "| item_id | url | ΔF1 | ΔP | ΔR | F1 now | longest lost run now |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for d_f1, d_p, d_r, page in sorted(worse, key=lambda row: row[0]):
        _, lost = leaked_and_lost(truths[page.item_id], page.prediction)
        lines.append(
            f"| {page.item_id[:12]} | {page.url} | {d_f1:+.3f} | {d_p:+.3f} | {d_r:+.3f} "
            f"| {page.score.f1:.3f} | {lost} |"
        )
    return "\n".join(lines)


def published_table() -> str:
    """Return upstream's published figures as a Markdown table."""
    lines = [
        "| system | version | F1 | precision | recall | accuracy |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, version, f1, precision, recall, accuracy in PUBLISHED_ROWS:
        lines.append(
            f"| {name} | {version} | {f1} | {precision:.3f} | {recall:.3f} | {accuracy:.3f} |"
        )
    return "\n".join(lines)


def section(table: str, environment: dict[str, str], command: str, extra: str = "") -> str:
    """Return the whole RESULTS.md section for one run."""
    env = "; ".join(f"{key} {value}" for key, value in environment.items())
    return f"""{SECTION_TITLE}

Dataset: [scrapinghub/article-extraction-benchmark](https://github.com/scrapinghub/article-extraction-benchmark)
(181 news and blog pages, MIT). Metric: upstream `evaluate.py` (4-token shingles, page-averaged
precision and recall, F1 of the two means, accuracy = exact token match; ± is the bootstrap
standard deviation over 1000 page resamples, seed 0). Seconds are wall time on the pool.

Re-run from the project root (rewrites this section; needs `readability-lxml` for that row):

```
python -m benchmarks.extraction --dataset ../shared/datasets/article-extraction-benchmark \\
    --per-page /tmp/extraction-pages.json --per-page-text
```

Systems: `trafilatura-default` is `trafilatura.extract(html)`; `trafilatura-precision` adds
`favor_precision=True, include_comments=False`; `blogarchive` is `pipeline.extract.extract_post`;
`readability-lxml` is `Document(html).summary(html_partial=True)` flattened with a line break
per block element (upstream flattens with `html-text` and ran 0.8.4.1, so the rows differ).
A page that raises counts as an empty prediction (column "errors").

Overfitting guard: rules are written looking at the development half only (even positions in
item id order); the held-out half (odd positions) is reported beside it. `--baseline FILE`
(a `--per-page` file of an earlier run) lists every page whose recall fell.

This run: `{command}`. {env}.

{table}
{extra}
Published upstream (latest run of their README), for comparison:

{published_table()}
"""


def write_section(path: Path, text: str, title: str = SECTION_TITLE) -> None:
    """Create ``path`` or replace the section ``title`` in it, leaving other sections alone."""
    existing = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated.rstrip() + "\n", encoding="utf-8")


def worst_pages(result: SystemResult, count: int) -> list[PageResult]:
    """Return the ``count`` pages with the lowest page F1."""
    return sorted(result.pages, key=lambda p: (p.score.f1, p.item_id))[:count]


def worst_table(result: SystemResult, count: int, truths: dict[str, str]) -> str:
    """Return the worst pages of one system with the longest leaked and lost runs of text."""
    lines = [
        f"Worst {count} pages for {result.name} by page F1:",
        "",
        "| item_id | url | F1 | P | R | longest leaked run | longest lost run |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for page in worst_pages(result, count):
        s = page.score
        leaked, lost = leaked_and_lost(truths[page.item_id], page.prediction)
        if page.error:
            leaked = f"error: {page.error[:60]}"
        lines.append(
            f"| {page.item_id} | {page.url} | {s.f1:.3f} | {s.precision:.3f} "
            f"| {s.recall:.3f} | {leaked} | {lost} |"
        )
    return "\n".join(lines)


def write_per_page(path: Path, results: list[SystemResult], include_text: bool) -> None:
    """Write every page's score per system as JSON (prediction text only if asked)."""
    data: dict[str, dict[str, dict[str, object]]] = {}
    for result in results:
        pages: dict[str, dict[str, object]] = {}
        for page in result.pages:
            entry: dict[str, object] = {
                "url": page.url,
                "f1": page.score.f1,
                "precision": page.score.precision,
                "recall": page.score.recall,
                **asdict(page.score),
                "error": page.error,
                "seconds": round(page.seconds, 4),
                "prediction_chars": len(page.prediction),
            }
            if include_text:
                entry["prediction"] = page.prediction
            pages[page.item_id] = entry
        data[result.name] = pages
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out.stdout.strip()


def environment() -> dict[str, str]:
    """Say when, on which commit and on what machine a benchmark ran."""
    return {
        "Run": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "blogarchive commit": _git_revision(),
        "Python": platform.python_version(),
        "machine": f"{platform.machine()}, nproc {os.cpu_count()}",
    }
