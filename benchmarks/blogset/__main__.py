"""Command line: ``python -m benchmarks.blogset [--systems ...] [--no-write]``."""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.blogset.benchmark import SYSTEMS, SystemOutcome, load_set, run_system
from benchmarks.extraction.systems import BLOGARCHIVE, READABILITY, unavailable_reason, version

RESULTS = Path(__file__).resolve().parents[1] / "RESULTS.md"
SECTION_TITLE = "## Blog set"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(results: list[SystemOutcome]) -> str:
    """Return the per-system figures as a Markdown table."""
    lines = [
        "| system | version | token F1 | precision | recall | pages leaking | strings leaked "
        "| title | author | date | site | errors | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        m = r.metrics
        errors = sum(1 for p in r.pages if p.error)
        lines.append(
            f"| {r.name} | {version(r.name)} | {m.f1:.3f} ± {m.f1_std:.3f} | {m.precision:.3f} "
            f"| {m.recall:.3f} | {r.pages_leaking}/{len(r.pages)} "
            f"| {r.strings_leaked}/{r.strings_total} | {_pct(r.accuracy('title'))} "
            f"| {_pct(r.accuracy('author'))} | {_pct(r.accuracy('date'))} "
            f"| {_pct(r.accuracy('site'))} | {errors} "
            f"| {r.seconds:.1f} |"
        )
    return "\n".join(lines)


def details(result: SystemOutcome) -> str:
    """Return what one system got wrong, page by page."""
    lines = []
    for p in result.pages:
        wrong = [
            f"{name}: got {getattr(p.extracted, name)!r}, expected {getattr(p.page, name)!r}"
            for name in ("title", "author", "date", "site")
            if p.field_ok(name) is False
        ]
        if p.error:
            wrong.insert(0, f"error: {p.error}")
        if p.leaked:
            wrong.append(f"leaked: {p.leaked}")
        if p.score.f1 < 0.97:
            wrong.append(f"F1 {p.score.f1:.3f} (P {p.score.precision:.3f} R {p.score.recall:.3f})")
        if wrong:
            lines.append(f"{p.page.name}:\n  " + "\n  ".join(wrong))
    return "\n".join(lines) or "no problems"


def section(results: list[SystemOutcome], pages: int, platforms: int, command: str) -> str:
    """Return the RESULTS.md section."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""{SECTION_TITLE}

The project's own labelled set (`benchmarks/blogset/`): {pages} invented posts on
local-government innovation in {platforms} platform templates: WordPress (classic, block, Astra
and Elementor themes; CookieYes, Complianz, Cookiebot, OneTrust, GDPR Cookie Consent), Blogger,
Ghost (one site with TrustArc), Medium, Drupal 10 (EU Cookie Compliance, Osano), a news CMS
(Didomi, Quantcast), Squarespace, Wix and an h-entry personal site. Each page has furniture next
to the post: consent dialogs, browser warnings, share/like bars, related posts, author boxes,
comment threads and prompts, newsletter boxes, in-body "read more" teasers, post navigation.
The pages are generated from `posts.txt` by `python -m benchmarks.blogset.generate` and committed.

Re-run from the project root (rewrites this section; `pip install -e '.[bench]'` for readability):

```
python -m benchmarks.blogset
```

Token F1 is `benchmarks/extraction/scorer.py`'s metric (4-token shingles, page-averaged precision
and recall; ± bootstrap std). "pages leaking" counts pages whose text holds any furniture string,
"strings leaked" the furniture strings found over all pages. Title, author and site name are
exact after whitespace is squashed (several authors joined with "; "); date compares the
YYYY-MM-DD part. trafilatura's metadata is its `bare_extraction` record (`sitename` for the site);
readability-lxml has a title only. Targets for `blogarchive` (issue 3): zero leaks, F1 >= 0.97,
title, author and date each >= 97%; `tests/test_blogset_gate.py` pins them, the site name too.

Without the rules this set led to (Medium's `speechify-ignore` chrome removed, Blogger's
div-per-paragraph bodies made paragraphs; microformats ranked above Dublin Core, `dcterms.*` and
`itemprop="author"` elements read; a publisher that is the page's generator ignored; the
masthead's home link and "Post · Site" titles as site names), the pipeline (main at da10fff)
scored on these pages: F1 0.999, 5/47 pages leaking (Medium clap counts), one paragraph glued
to its link ("schoolsshow"), author 91.5%, site 89.4%. On the article-extraction-benchmark the
rules change no page (F1 0.979 with and without; compared page by page with `--per-page`).

This run: `{command}`, {when}, Python {platform.python_version()}.

{table(results)}
"""


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section of RESULTS.md, leaving the others alone."""
    existing = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION_TITLE)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + text
    path.write_text(updated.rstrip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the systems over the set, print the table, write RESULTS.md."""
    parser = argparse.ArgumentParser(description="Score extractors on the blog set.")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated systems")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite RESULTS.md")
    parser.add_argument("--details", action="store_true", help="list each system's mistakes")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {', '.join(SYSTEMS)}")
    pages = load_set()
    results = []
    with ProcessPoolExecutor() as pool:
        for name in names:
            reason = unavailable_reason(name) if name in (BLOGARCHIVE, READABILITY) else None
            if reason:
                print(f"{name}: unavailable ({reason})", file=sys.stderr)
                continue
            results.append(run_system(name, pages, pool))
    print(table(results))
    if args.details:
        for result in results:
            print(f"\n### {result.name}\n{details(result)}")
    if not args.no_write:
        command = "python -m benchmarks.blogset" + (
            f" --systems {args.systems}" if argv and "--systems" in " ".join(argv) else ""
        )
        platforms = len({p.platform for p in pages})
        write_section(RESULTS, section(results, len(pages), platforms, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
