"""Crawl a served engine's site twice with ``blogarchive crawl`` and grade the archive in SQL.

``grade_site`` is the whole grader: it returns, for every check of ``CHECKS``, the failures
found, each saying what to fix (engine, page URL, field, what was expected, what was stored).
``python -m tests.engines.grade [ENGINE ...]`` prints every engine's checks and failures.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import dict_rows, run_cli
from tests.engines.site import BuiltSite

CHECKS: dict[str, str] = {
    "posts_stored": "every post stored under its own URL",
    "no_other_records": "no record for any non-post page (home, page/N, archives, About)",
    "title": "each post's title exact",
    "author": "each post's author exact, where the theme shows it",
    "published": "each post's published date exact, where the theme shows it",
    "body": f"each post's body text equal to the source (word F1 >= {0.98})",
    "chrome": "none of the theme's chrome strings in any post",
    "series": "the three-part series found with its parts in order",
    "recrawl": "a second crawl of the unchanged site stores nothing new and extracts nothing",
    "site_name": "the site named as it declares itself",
}
MIN_BODY_F1 = 0.98
WORD_RE = re.compile(r"\w+")
EXTRACTED_RE = re.compile(r"'blogarchive/extracted': (\d+)")


@dataclass(frozen=True)
class Failure:
    """One thing the archive got wrong about one page."""

    url: str
    field: str
    expected: object
    stored: object

    def line(self, engine: str) -> str:
        """Say what to fix, on one line."""
        return (
            f"{engine}: {self.url}: {self.field}:"
            f" expected {self.expected!r}, stored {self.stored!r}"
        )


@dataclass
class Grade:
    """The failures of each check on one engine's site, and how long its crawls took."""

    engine: str
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    crawl_seconds: list[float] = field(default_factory=list)

    def report(self, check: str, limit: int = 20) -> str:
        """Return a check's failures as lines of what to fix."""
        found = self.failures.get(check, [])
        lines = [f"{self.engine}: {check} ({CHECKS[check]}): {len(found)} failures"]
        lines += ["  " + failure.line(self.engine) for failure in found[:limit]]
        if len(found) > limit:
            lines.append(f"  ... and {len(found) - limit} more")
        return "\n".join(lines)

    def failing(self) -> dict[str, str]:
        """Return a one-line reason for each failing check (what an xfail marker says)."""
        reasons = {}
        for check, found in self.failures.items():
            if found:
                fields = sorted({f.field for f in found})
                reasons[check] = f"{len(found)} failures ({', '.join(fields)})"
        return reasons


def word_f1(expected: str, stored: str) -> float:
    """Return the F1 of the two texts' word multisets (case-folded)."""
    want = Counter(WORD_RE.findall(expected.casefold()))
    got = Counter(WORD_RE.findall(stored.casefold()))
    common = sum((want & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def crawl(site: BuiltSite, db: Path, *extra: str) -> tuple[str, float]:
    """Run ``blogarchive crawl BASE --db DB`` as a user would, without delays on loopback.

    Returns the crawl's log (``-v``: Scrapy's log with its stats) and how long it took.
    """
    started = time.monotonic()
    done = run_cli(
        "crawl",
        site.base_url,
        "--db",
        str(db),
        "-v",
        *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"),
        *extra,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise AssertionError(
            f"{site.engine}: crawl failed ({done.returncode}):\n{done.stderr[-4000:]}"
        )
    return done.stderr, seconds


def grade_site(site: BuiltSite, work: Path, recrawl_args: tuple[str, ...] = ()) -> Grade:
    """Crawl ``site`` twice into ``work`` and grade every check of ``CHECKS``.

    ``recrawl_args`` are added to the second crawl's command (the harness's own test turns
    the incremental crawl off with ``--full`` to show the recrawl check failing).
    """
    db = work / f"{site.engine}.db"
    grade = Grade(engine=site.engine)
    first_log, first_seconds = crawl(site, db)
    stored = {row["url"]: row for row in dict_rows(db, "select * from posts order by url")}
    second_log, second_seconds = crawl(site, db, *recrawl_args)
    grade.crawl_seconds = [round(first_seconds, 2), round(second_seconds, 2)]
    failures = grade.failures = {check: [] for check in CHECKS}

    for url, post in site.post_urls.items():
        row = stored.get(url)
        if row is None:
            # A post not stored cannot be read right either: each field check fails on it too,
            # so storing it later cannot turn those checks from passing to failing.
            failures["posts_stored"].append(Failure(url, "record", post.title, None))
            for check in ("title", "author", "published", "body", "chrome"):
                failures[check].append(Failure(url, "record", "stored", None))
            continue
        if row["title"] != post.title:
            failures["title"].append(Failure(url, "title", post.title, row["title"]))
        if site.shows_author and row["author"] != post.author:
            failures["author"].append(Failure(url, "author", post.author, row["author"]))
        if site.shows_date and not str(row["published"] or "").startswith(post.date):
            failures["published"].append(Failure(url, "published", post.date, row["published"]))
        f1 = word_f1(post.text(), row["text"] or "")
        if f1 < MIN_BODY_F1:
            failures["body"].append(
                Failure(url, "text", f"word F1 >= {MIN_BODY_F1}", f"{f1:.3f}: {row['text']!r}")
            )
        page = f"{row['title']}\n{row['text']}".casefold()
        for chrome in site.chrome:
            if chrome.casefold() in page:
                failures["chrome"].append(Failure(url, "text", f"no {chrome!r}", "present"))

    non_posts = set(site.non_post_urls)
    for url, row in stored.items():
        if url not in site.post_urls:
            why = "no record (a non-post page)" if url in non_posts else "no record (not a post)"
            failures["no_other_records"].append(Failure(url, "record", why, row["title"]))

    failures["series"] = _grade_series(site, db)
    if stored and not EXTRACTED_RE.search(first_log):
        raise AssertionError("the crawl's log has no 'blogarchive/extracted' stat to grade by")
    failures["recrawl"] = _grade_recrawl(site, db, stored, second_log)
    host = urlsplit(site.base_url).netloc
    names = [r["name"] for r in dict_rows(db, "select name from sites where host = ?", (host,))]
    if names != [site.site_name]:
        failures["site_name"].append(Failure(site.base_url, "sites.name", site.site_name, names))
    return grade


def _grade_series(site: BuiltSite, db: Path) -> list[Failure]:
    parts = sorted(
        (post.series[1], url) for url, post in site.post_urls.items() if post.series is not None
    )
    if not parts:
        return []
    wanted = [(url, position) for position, url in parts]
    found: dict[str, list[tuple[str, int | None]]] = {}
    for row in dict_rows(
        db,
        "select s.name, sp.post_url, sp.position from series s"
        " join series_posts sp on sp.series_id = s.id order by s.id, sp.position",
    ):
        found.setdefault(row["name"], []).append((row["post_url"], row["position"]))
    if any(members == wanted for members in found.values()):
        return []
    return [Failure(parts[0][1], "series parts (url, position)", wanted, found or None)]


def _grade_recrawl(
    site: BuiltSite, db: Path, first: dict[str, dict[str, Any]], log: str
) -> list[Failure]:
    failures = []
    runs = dict_rows(db, "select posts_new, posts_updated from crawl_runs order by id")
    if len(runs) != 2 or runs[1]["posts_new"] or runs[1]["posts_updated"]:
        failures.append(Failure(site.base_url, "second run (new, updated)", (0, 0), runs[-1:]))
    extracted = [int(n) for n in EXTRACTED_RE.findall(log)]
    if sum(extracted):
        failures.append(Failure(site.base_url, "pages extracted again", 0, sum(extracted)))
    for error in dict_rows(
        db,
        "select url, stage, message from errors"
        " where run_id = (select max(id) from crawl_runs) order by url",
    ):
        failures.append(
            Failure(
                error["url"],
                f"error in the second crawl ({error['stage']})",
                None,
                error["message"],
            )
        )
    now = {row["url"]: row for row in dict_rows(db, "select * from posts order by url")}
    for url in sorted(set(first) | set(now)):
        if first.get(url) != now.get(url):
            failures.append(Failure(url, "row after the second crawl", "unchanged", "changed"))
    return failures


def main(names: list[str]) -> None:
    """Grade the named engines (all when none is named) and print each check's outcome."""
    from tests.engines import EngineUnavailable, all_engines

    for engine in all_engines():
        if names and engine.name not in names:
            continue
        with tempfile.TemporaryDirectory() as work:
            try:
                with engine.serve(Path(work)) as site:
                    grade = grade_site(site, Path(work))
            except EngineUnavailable as exc:
                print(f"{engine.name}: unavailable: {exc}")
                continue
        print(f"{engine.name}: crawls took {grade.crawl_seconds} s")
        for check in CHECKS:
            known = " (marked xfail)" if check in engine.xfail else ""
            outcome = "FAIL" if grade.failures[check] else "pass"
            print(f"{engine.name}: {check}: {outcome}{known}")
            if grade.failures[check]:
                print(grade.report(check, limit=5))


if __name__ == "__main__":
    main(sys.argv[1:])
