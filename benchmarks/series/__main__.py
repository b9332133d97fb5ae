"""Measure series detection and ordering: ``python -m benchmarks.series [--write]``.

Every labelled page (``pages/``, labels in ``labels.json``; written by ``make_pages.py``) goes
through the real pipeline (``extract_post``) into a real archive file (``Archive.store_post``),
so cross-page signals (shared title prefixes, series spanning sites) count as they would in
a crawl. A predicted series is matched to the labelled series most of its posts carry.

- membership precision / recall: over (page, series) pairs;
- exact order: a labelled series counts when every part is found and the archive's positions
  put them in the labelled part order (a copy may share its part's place).

The baseline is what a crawler reading only the Organize Series box gets (the
``series-box`` evidence of the same run), ordered by publication date.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from archive.store import Archive
from pipeline.extract import extract_post

HERE = Path(__file__).parent
RESULTS = HERE.parent / "RESULTS.md"
HEADING = "## Series detection benchmark"

Pairs = dict[str, str]  # page url -> predicted series key


def score(labels: dict[str, dict], predicted: Pairs, order: dict[str, list[str]]) -> dict:
    """Return precision, recall and exact-order accuracy of ``predicted`` against ``labels``."""
    truth = {v["url"]: v["series"] for v in labels.values() if v["series"]}
    part = {v["url"]: v["part"] for v in labels.values()}
    votes: dict[str, Counter[str]] = {}
    for page_url, key in predicted.items():
        votes.setdefault(key, Counter())[truth.get(page_url) or ""] += 1
    mapping = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
    correct = sum(1 for u, k in predicted.items() if truth.get(u) and mapping[k] == truth[u])
    exact = 0
    for series in set(truth.values()):
        members = [u for u, s in truth.items() if s == series]
        keys = {predicted.get(u) for u in members}
        if len(keys) != 1 or None in keys or mapping.get(keys.pop() or "") != series:
            continue
        ordered = [u for u in order.get(predicted[members[0]], []) if u in members]
        parts = [part[u] for u in ordered]
        exact += parts == sorted(parts) and len(ordered) == len(members)
    return {
        "precision": correct / len(predicted) if predicted else 1.0,
        "recall": correct / len(truth) if truth else 1.0,
        "exact_order": exact / len(set(truth.values())),
        "predicted": len(predicted),
        "correct": correct,
        "labelled": len(truth),
        "series": len(set(truth.values())),
    }


def run(labels: dict[str, dict], work: Path) -> tuple[dict, dict, float]:
    """Extract and store every page; return our scores, the baseline's, and seconds."""
    started = time.perf_counter()
    with Archive.open(work / "bench.db") as archive:
        run_id = archive.start_run({"benchmark": "series"})
        for name, label in sorted(labels.items()):
            html = (HERE / "pages" / name).read_bytes()
            archive.store_post(extract_post(html, label["url"]), run_id)
        db = archive.db
        ours = dict(
            db.execute("SELECT post_url, series_id FROM series_posts ORDER BY position").fetchall()
        )
        order: dict[str, list[str]] = {}
        for sid, post_url in db.execute(
            "SELECT series_id, post_url FROM series_posts ORDER BY series_id, position"
        ):
            order.setdefault(str(sid), []).append(post_url)
        base = dict(
            db.execute(
                "SELECT post_url, lower(name) FROM series_evidence WHERE signal = 'series-box'"
            ).fetchall()
        )
        base_order: dict[str, list[str]] = {}
        for key, post_url in db.execute(
            "SELECT lower(e.name), e.post_url FROM series_evidence e JOIN posts p"
            " ON p.url = e.post_url WHERE e.signal = 'series-box' ORDER BY p.published"
        ):
            base_order.setdefault(key, []).append(post_url)
    seconds = time.perf_counter() - started
    ours_scores = score(labels, {u: str(s) for u, s in ours.items()}, order)
    return ours_scores, score(labels, base, base_order), seconds


def report(labels: dict[str, dict], ours: dict, base: dict, seconds: float) -> str:
    """Return the RESULTS.md section."""
    platforms = sorted({name.split("-", 1)[0] for name in labels})
    rows = [
        f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['exact_order']:.3f} |"
        f" {s['correct']}/{s['predicted']} | {s['correct']}/{s['labelled']} |"
        for name, s in (("blogarchive (all signals)", ours), ("series box only", base))
    ]
    ratio = ours["recall"] / base["recall"] if base["recall"] else float("inf")
    return "\n".join(
        [
            HEADING,
            "",
            f"Labelled set: `benchmarks/series/` ({len(labels)} pages written for the project,"
            f" {len(platforms)} platform styles: {', '.join(platforms)}; {ours['labelled']} series"
            f' parts in {ours["series"]} series, the rest negatives such as "a series of'
            ' meetings", "TV series" and shared "Review:" prefixes). Regenerate the pages with'
            " `python -m benchmarks.series.make_pages`; re-run with"
            " `python -m benchmarks.series --write` (rewrites this section only).",
            "",
            "Every page goes through `extract_post` into a real archive; membership is over"
            " (page, series) pairs, a predicted series counting as the labelled series most of"
            " its pages carry; exact order = share of series with every part found and in part"
            " order. Baseline: only the Organize Series box (what a plugin-aware crawler reads),"
            " ordered by date.",
            "",
            "| system | precision | recall | exact order | correct/predicted | correct/labelled |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"Recall ratio against the baseline: {ratio:.1f}x. Wall time {seconds:.1f} s for"
            f" {len(labels)} pages (extraction included), Python {sys.version.split()[0]}.",
            "",
        ]
    )


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), leaving others alone."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if HEADING in current:
        before, rest = current.split(HEADING, 1)
        after = rest.split("\n## ", 1)
        tail = "\n## " + after[1] if len(after) > 1 else ""
        current = before + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


@click.command()
@click.option("--write", is_flag=True, help="Rewrite this benchmark's section of RESULTS.md.")
@click.option(
    "--labels",
    type=click.Path(exists=True, path_type=Path),
    default=HERE / "labels.json",
    show_default=True,
    help="Labels file (page file name -> url, series, part).",
)
def main(write: bool, labels: Path) -> None:
    """Score series detection on the labelled pages.

    Example: python -m benchmarks.series --write
    """
    data = json.loads(labels.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as work:
        ours, base, seconds = run(data, Path(work))
    text = report(data, ours, base, seconds)
    click.echo(text)
    if write:
        write_section(text)


if __name__ == "__main__":
    main()
