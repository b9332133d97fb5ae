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

import gzip
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from archive.store import Archive
from crawler.items import SeriesListing
from crawler.pages import classify_page
from pipeline.extract import ExtractionError, extract_post

HERE = Path(__file__).parent
RESULTS = HERE.parent / "RESULTS.md"
HEADING = "## Series detection benchmark"

Pairs = dict[str, str]  # page url -> predicted series key


def score(labels: dict[str, dict], predicted: Pairs, order: dict[str, list[str]]) -> dict:
    """Return precision, recall and exact-order accuracy of ``predicted`` against ``labels``."""
    truth = {v["url"]: v["series"] for v in labels.values() if v.get("series")}
    part = {v["url"]: v.get("part") for v in labels.values()}
    votes: dict[str, Counter[str]] = {}
    for page_url, key in predicted.items():
        votes.setdefault(key, Counter())[truth.get(page_url) or ""] += 1
    mapping = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
    correct = sum(1 for u, k in predicted.items() if truth.get(u) and mapping[k] == truth[u])
    exact = 0
    missed: list[str] = []
    for series in sorted(set(truth.values())):
        members = [u for u, s in truth.items() if s == series]
        keys = {predicted.get(u) for u in members}
        if len(keys) != 1 or None in keys or mapping.get(keys.pop() or "") != series:
            missed.append(f"{series} (split or partly missed)")
            continue
        ordered = [u for u in order.get(predicted[members[0]], []) if u in members]
        parts = [int(part[u] or 0) for u in ordered]  # members of a series carry a part
        if parts == sorted(parts) and len(ordered) == len(members):
            exact += 1
        else:
            missed.append(f"{series} (out of order)")
    same_true = _pairs({u: s for u, s in truth.items()})
    same_predicted = _pairs(predicted)
    together = len(same_true & same_predicted)
    return {
        "pair_precision": together / len(same_predicted) if same_predicted else 1.0,
        "pair_recall": together / len(same_true) if same_true else 1.0,
        "precision": correct / len(predicted) if predicted else 1.0,
        "recall": correct / len(truth) if truth else 1.0,
        "exact_order": exact / len(set(truth.values())),
        "predicted": len(predicted),
        "correct": correct,
        "labelled": len(truth),
        "series": len(set(truth.values())),
        "missed": missed,
    }


def _pairs(assigned: dict[str, str]) -> set[tuple[str, str]]:
    """Return the pairs of pages put in one series."""
    return {(a, b) for a in assigned for b in assigned if a < b and assigned[a] == assigned[b]}


def run(labels: dict[str, dict], work: Path) -> tuple[dict, dict, float]:
    """Extract and store every page; return our scores, the baseline's, and seconds."""
    started = time.perf_counter()
    with Archive.open(work / "bench.db") as archive:
        run_id = archive.start_run({"benchmark": "series"})
        for name, label in sorted(labels.items(), key=lambda item: "listing" not in item[1]):
            html = (HERE / "pages" / name).read_bytes()
            if label.get("listing"):
                # Series archive pages go through the crawler's reading of a page, as in a crawl.
                info = classify_page(label["url"], html)
                if info.series is not None:
                    listed = SeriesListing(
                        info.series.name, label["url"], "bench", info.series.post_urls
                    )
                    archive.store_series_listing(listed, run_id)
                continue
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


def claims_on(folder: Path) -> tuple[int, list[str]]:
    """Run detection over an unlabelled corpus; return pages read and the series claimed."""
    pages, claims = 0, []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            record = extract_post(data, f"https://corpus.invalid/{path.name}")
        except ExtractionError:
            continue
        pages += 1
        claims += [
            f"{path.name}: {m.name!r} ({m.signal}: {m.evidence[:80]})" for m in record.series
        ]
    return pages, claims


def report(
    labels: dict[str, dict],
    ours: dict,
    base: dict,
    seconds: float,
    corpus: tuple[Path, int, list[str]] | None = None,
) -> str:
    """Return the RESULTS.md section."""
    platforms = sorted({name.split("-", 1)[0] for name in labels})
    rows = [
        f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['exact_order']:.3f} |"
        f" {s['pair_precision']:.3f} | {s['pair_recall']:.3f} |"
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
            " `python -m benchmarks.series.make_pages`; re-run with `python -m benchmarks.series"
            " --write --corpus ../shared/datasets/article-extraction-benchmark/html`"
            " (rewrites this section only).",
            "",
            "Every page goes through `extract_post` into a real archive; membership is over"
            " (page, series) pairs, a predicted series counting as the labelled series most of"
            " its pages carry; exact order = share of series with every part found and in part"
            " order; pair precision/recall count pairs of pages put in one series, so a series"
            " split in two or two series merged shows there. Series archive pages are read by"
            " the crawler's `classify_page` and stored as listings first, as in a crawl."
            " Baseline: only the Organize Series box (what a plugin-aware crawler reads),"
            " ordered by date.",
            "",
            "| system | precision | recall | exact order | pair precision | pair recall"
            " | correct/predicted | correct/labelled |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "Series not found whole and in order: "
            + (", ".join(ours["missed"]) or "none")
            + (
                '. Known limit: a series whose only signal is "(k/N)" after a different subject'
                " in each title is split, as the titles name no series."
                if ours["missed"]
                else "."
            ),
            "",
            f"Recall ratio against the baseline: {ratio:.1f}x. Wall time {seconds:.1f} s for"
            f" {len(labels)} pages (extraction included), Python {sys.version.split()[0]}.",
            "",
            *(
                [
                    f"Unlabelled real pages (`{corpus[0].name}`, run with `--corpus`): series"
                    f" claims: {len(corpus[2])} over {corpus[1]} pages"
                    + (": " + "; ".join(corpus[2]) if corpus[2] else "."),
                    "",
                ]
                if corpus
                else []
            ),
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
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also list the series claimed on an unlabelled folder of pages (.html or .html.gz).",
)
def main(write: bool, labels: Path, corpus: Path | None) -> None:
    """Score series detection on the labelled pages.

    Example: python -m benchmarks.series --write
    --corpus ../shared/datasets/article-extraction-benchmark/html
    """
    data = json.loads(labels.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as work:
        ours, base, seconds = run(data, Path(work))
    claimed = None
    if corpus is not None:
        pages, claims = claims_on(corpus)
        claimed = (corpus.parent if corpus.name == "html" else corpus, pages, claims)
    text = report(data, ours, base, seconds, claimed)
    click.echo(text)
    if write:
        write_section(text)


if __name__ == "__main__":
    main()
