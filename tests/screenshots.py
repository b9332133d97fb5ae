"""Take the README's screenshots of a running demo: ``make demo``, then, in another shell,
``.venv/bin/python -m tests.screenshots [URL] [FOLDER]`` (default http://127.0.0.1:8001/ and
docs/screenshots). Uses the system Chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.browser import CHROMIUM_ARGS, chromium_path

# File name, path under the URL, what it shows.
SHOTS = (
    ("home.png", "", "the home page: what the archive holds"),
    ("posts.png", "archive/posts", "the posts table"),
    ("search.png", "-/search?q=procurement+OR+libr*", "search with OR and a prefix"),
    ("series.png", "archive/series/1", "a series, its parts in order"),
    ("changes.png", "archive/changes_in_run", "what the last crawl changed"),
)


def main(argv: list[str] | None = None) -> int:
    """Write one PNG per entry of SHOTS, plus the post the search finds first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8001/")
    parser.add_argument("folder", nargs="?", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        print("no Chromium found (apt install chromium)", file=sys.stderr)
        return 1
    args.folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for name, where, what in SHOTS:
            page.goto(args.url + where)
            page.screenshot(path=str(args.folder / name))
            print(f"{args.folder / name}: {what}", file=sys.stderr)
        page.goto(args.url + "-/search?q=budget")
        page.locator("a.hit-title").first.click()
        page.wait_for_load_state()
        page.screenshot(path=str(args.folder / "post.png"))
        print(f"{args.folder / 'post.png'}: a post's reading view", file=sys.stderr)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
