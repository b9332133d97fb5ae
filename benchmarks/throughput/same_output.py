"""Show that a change to the worker's reading and extraction changed none of their outputs.

    python benchmarks/throughput/same_output.py dump --code DIR OUT.jsonl [--only KIND]
    python benchmarks/throughput/same_output.py compare BEFORE.jsonl AFTER.jsonl
    python benchmarks/throughput/same_output.py trees

``dump`` imports the project from ``DIR`` (a checkout of the code before, or after) and writes
one JSON line per page: ``extract_post``'s record (or its error) for every page of the
article-extraction benchmark, the WCXB development split, the blog set, the test fixtures and
the throughput network (posts, listings and category pages), and the classifier's
:class:`PageInfo` for the blog set, the fixtures and the network's pages, each judged alone
and with a site's evidence; with ``--worker``, also what a crawl's worker makes of every page
(its reading and record, the page parsed once for both). ``compare`` names every page whose
output differs, field by field, and exits 1 if any does. Run as a script (not ``-m``) so that
``--code`` decides which code is imported.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
DATASETS = HERE / ".." / "shared" / "datasets"  # as the extraction benchmarks read them


def _pages(code: Path, datasets: Path, posts: int) -> Iterator[tuple[str, str, str, bytes]]:
    """Yield (kind, key, url, body): kind "extract", "classify" or "both"."""
    aeb = datasets / "article-extraction-benchmark"
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for item_id, item in sorted(truth.items()):
        with gzip.open(aeb / "html" / f"{item_id}.html.gz", "rb") as f:
            yield "extract", f"aeb/{item_id}", item.get("url", ""), f.read()
    wcxb = datasets / "wcxb-dev"
    for path in sorted((wcxb / "html").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        meta = json.loads((wcxb / "ground-truth" / f"{page_id}.json").read_text("utf-8"))
        with gzip.open(path, "rb") as f:
            yield "both", f"wcxb/{page_id}", meta.get("url") or "", f.read()
    for path in sorted((code / "benchmarks" / "blogset" / "pages").glob("*.html")):
        meta = json.loads(path.with_suffix(".json").read_text("utf-8"))
        yield "both", f"blogset/{path.stem}", meta["url"], path.read_bytes()
    for path in sorted((code / "tests").rglob("*.html")):
        url = f"https://fixtures.example.org/{path.relative_to(code / 'tests').as_posix()}"
        yield "both", f"tests/{path.relative_to(code / 'tests')}", url, path.read_bytes()
    from benchmarks.throughput.network import Network

    for site in Network(posts).sites:
        site.base = f"http://fieldnotes{site.number:02d}.test"
        for path_ in site.paths():
            page = site.render(path_)
            if page.status == 200 and "html" in page.content_type:
                yield "both", f"network/{site.number}{path_}", site.base + path_, page.body


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)  # type: ignore[type-var]
    return value


def dump(
    code: Path,
    out: Path,
    datasets: Path,
    posts: int,
    only: str | None,
    every: int = 1,
    extract: bool = True,
    worker: bool = False,
) -> None:
    """Write every page's outputs, as the code in ``code`` gives them."""
    sys.path.insert(0, str(code))
    from crawler.evidence import SiteEvidence
    from crawler.pages import decide, read_page
    from pipeline.extract import ExtractionError, extract_post

    with out.open("w", encoding="utf-8") as f:
        for number, (kind, key, url, body) in enumerate(_pages(code, datasets, posts)):
            if (only and not key.startswith(tuple(only.split(",")))) or number % every:
                continue
            line: dict[str, object] = {"key": key}
            if not extract and kind == "extract":
                continue
            try:
                if extract:
                    line["record"] = _plain(extract_post(body, url))
            except ExtractionError as exc:
                line["record"] = {"error": exc.message}
            if worker:
                line.update(_worker_outputs(url, body))
            if kind == "both":
                site = SiteEvidence(post_shapes={"/#4/#2/*/": 3, "/blog/*": 2})
                # What classify_page(url, body) and classify_page(..., site=site) give.
                reading = read_page(url, body)
                line["with_site"] = _plain(decide(copy.deepcopy(reading), url, site))
                line["alone"] = _plain(decide(reading, url))
            f.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")


def _worker_outputs(url: str, body: bytes) -> dict[str, object]:
    """What a crawl's worker makes of the page: its reading and, if it may be a post, record.

    The page's encoding is the one Scrapy's response would give it (no HTTP header).
    """
    from scrapy.http import HtmlResponse

    from crawler.reading import ReadJob, read_in_worker
    from pipeline.extraction_pipeline import extract_page

    encoding = HtmlResponse(url or "http://page.test/", body=body).encoding
    extractor = functools.partial(extract_page, clean=True)
    job = ReadJob(url, url, body, encoding, (), (), "same-output", extractor)
    reading, extracted = read_in_worker(job)
    found: dict[str, object] = {"worker_reading": _plain(reading)}
    if extracted is not None:
        if extracted.error is not None:
            found["worker_record"] = {"error": str(extracted.error)}
        else:
            found["worker_record"] = _plain(extracted.record)
            found["worker_record"]["fetched_at"] = ""  # type: ignore[index]
    return found


def trees(datasets: Path, posts: int) -> int:
    """Check every page's shared tree against extraction's own parse, node for node.

    For each page: parse it as a worker does (:class:`crawler.parsed.ParsedPage`), let
    extraction take the tree over (:func:`pipeline.document.adopt_tree`) and compare it with
    :func:`pipeline.document.parse_html` of extraction's text: the serialised document, every
    text node and every element's text and tail. Prints the counts; 1 if any tree differs.
    """
    import lxml.etree
    from scrapy.http import HtmlResponse

    from crawler.parsed import ParsedPage
    from pipeline.document import adopt_tree, parse_html
    from pipeline.extract import ExtractionError, decode_html

    def nodes(root: lxml.etree._Element) -> tuple[object, ...]:
        every = [(e.tag, e.text, e.tail) for e in root.iter()]
        return lxml.etree.tostring(root.getroottree()), root.xpath("//text()"), every

    counts = {"shared, same tree": 0, "parsed again": 0, "not HTML": 0, "different": 0}
    for _, key, url, body in _pages(HERE, datasets, posts):
        encoding = HtmlResponse(url or "http://page.test/", body=body).encoding
        parsed = ParsedPage.parse(url, body, encoding)
        try:
            text = decode_html(body, url, encoding, parsed=parsed)
        except ExtractionError:
            counts["not HTML"] += 1
            continue
        tree = parsed.take_tree(text)
        if tree is None:
            counts["parsed again"] += 1
        elif nodes(adopt_tree(tree)) != nodes(parse_html(text)):
            counts["different"] += 1
            print("differs:", key)
        else:
            counts["shared, same tree"] += 1
    print(counts)
    return 1 if counts["different"] else 0


def _read(path: Path) -> dict[str, dict[str, object]]:
    lines = (json.loads(line) for line in path.read_text("utf-8").split("\n") if line)
    return {line["key"]: line for line in lines}


def _differences(before: object, after: object, where: str = "") -> Iterator[str]:
    if where == "" and isinstance(before, dict) and isinstance(after, dict):
        # A dump without records (--no-extract) is compared on what both hold.
        shared = set(before) & set(after)
        before = {k: v for k, v in before.items() if k in shared}
        after = {k: v for k, v in after.items() if k in shared}
    if isinstance(before, dict) and isinstance(after, dict):
        for name in sorted(set(before) | set(after)):
            yield from _differences(before.get(name), after.get(name), f"{where}.{name}")
    elif before != after:
        yield f"{where}: {str(before)[:120]!r} -> {str(after)[:120]!r}"


def compare(before_path: Path, after_path: Path) -> int:
    """Print every difference; return 1 if there is one."""
    before, after = _read(before_path), _read(after_path)
    differing = 0
    for key in sorted(set(before) | set(after)):
        found = list(_differences(before.get(key), after.get(key)))
        if found:
            differing += 1
            print(key)
            for line in found[:10]:
                print("   ", line)
    outputs = sum(len(v) - 1 for v in before.values())
    print(f"{len(before)} pages, {outputs} outputs before; {differing} pages differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    d = commands.add_parser("dump", help="write every page's outputs as some code gives them")
    d.add_argument("out", type=Path)
    d.add_argument("--code", type=Path, default=HERE, help="the checkout to import")
    d.add_argument("--datasets", type=Path, default=DATASETS)
    d.add_argument("--posts", type=int, default=1000, help="posts in the throughput network")
    d.add_argument(
        "--only", help="only pages whose key starts with one of these (comma-separated: wcxb/,aeb/)"
    )
    d.add_argument("--no-extract", action="store_true", help="the classifier's outputs only")
    d.add_argument("--every", type=int, default=1, help="only every N-th page (a quick look)")
    d.add_argument(
        "--worker",
        action="store_true",
        help="also what a crawl's worker makes of each page (crawler.reading.read_in_worker)",
    )
    t = commands.add_parser("trees", help="check the worker's shared trees, node for node")
    t.add_argument("--datasets", type=Path, default=DATASETS)
    t.add_argument("--posts", type=int, default=1000, help="posts in the throughput network")
    c = commands.add_parser("compare", help="name every page whose outputs differ")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(
            args.code.resolve(),
            args.out,
            args.datasets,
            args.posts,
            args.only,
            args.every,
            not args.no_extract,
            args.worker,
        )
        return 0
    if args.command == "trees":
        return trees(args.datasets, args.posts)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
