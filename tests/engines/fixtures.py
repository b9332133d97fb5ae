"""Cut real-markup fixtures from served engine sites: ``python -m tests.engines.fixtures NAME``.

Writes ``tests/fixtures/engines/<engine>-<page>.html`` with a sibling ``.json`` (engine, url,
kind and, for a post, the fields its theme shows) for the page classifier's and the metadata
reader's tests. Scripts, styles and inline SVG go (they are large and carry no evidence); the
markup is otherwise the engine's own, with the served origin made ``http://site.example``.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.engines import all_engines
from tests.engines.content import Post
from tests.engines.site import BuiltSite

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "engines"
ORIGIN = "http://site.example/"
_DROP = re.compile(r"<(script|style|svg)\b.*?</\1>\s*", re.S | re.I)


def _pick(site: BuiltSite) -> dict[str, tuple[str, Post | None]]:
    """Return the pages worth a fixture: a post (with its comment), a tag, an author, About."""
    post_url, post = next(iter(site.post_urls.items()))
    pages: dict[str, tuple[str, Post | None]] = {"post": (post_url, post)}
    for page in ("tag", "author", "about"):
        paths = (u for u in site.non_post_urls if u.removeprefix(site.base_url).startswith(page))
        url = next(paths, None)
        if url:
            pages[page] = (url, None)
    pages["home"] = (site.base_url, None)
    return pages


def cut(site: BuiltSite) -> list[Path]:
    """Fetch ``site``'s chosen pages and write them as fixtures; return the files written."""
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for page, (url, post) in _pick(site).items():
        html = httpx.get(url, timeout=30).text
        html = _DROP.sub("", html).replace(site.base_url, ORIGIN)
        html = html.replace(site.base_url.rstrip("/"), ORIGIN.rstrip("/"))
        html = html.replace(quote(site.base_url, safe=""), quote(ORIGIN, safe=""))
        meta: dict[str, object] = {
            "engine": site.engine,
            "url": url.replace(site.base_url, ORIGIN),
            "kind": "post" if post else "listing" if page in ("tag", "author", "home") else "other",
        }
        if post:
            meta["title"] = post.title
            if site.shows_author:
                meta["author"] = post.author
            if site.shows_date:
                meta["published"] = post.date
            meta["tags"] = list(post.tags)
        path = OUT / f"{site.engine}-{page}.html"
        path.write_text(html)
        path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
        written += [path, path.with_suffix(".json")]
    return written


def main(names: list[str]) -> None:
    engines = {engine.name: engine for engine in all_engines()}
    for name in names:
        with tempfile.TemporaryDirectory() as work, engines[name].serve(Path(work)) as site:
            for path in cut(site):
                print(path.relative_to(OUT.parents[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
