"""A page is decoded and parsed once in the worker: the reading and the extraction share it.

:func:`crawler.reading.read_in_worker` parses the page into a :class:`crawler.parsed.ParsedPage`;
the classifier reads its tree, then extraction takes the tree over
(:func:`pipeline.document.adopt_tree`) instead of parsing its own text again. The tree it
takes must be the one its own parse makes, node for node, and every output the same as
reading and extracting the page apart.
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import functools
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
import pytest

from crawler.evidence import structured_evidence
from crawler.items import utc_now
from crawler.pages import decide, read_page
from crawler.parsed import JsonLd, ParsedPage
from crawler.reading import ReadJob, read_in_worker
from pipeline.document import adopt_tree, parse_html
from pipeline.extract import ExtractionError, decode_html, extract_post
from pipeline.extraction_pipeline import extract_page
from pipeline.metadata import read_metadata

ROOT = Path(__file__).resolve().parents[1]
URL = "https://blog.example.org/2024/05/a-walk-by-the-river/"
PROSE = (
    "We walked along the river for most of the afternoon, counting herons and talking"
    " about the old mill that used to stand by the weir before the floods of the winter."
)
POST = f"""<!DOCTYPE html>
<!-- a theme's note before the document -->
<html lang="en"><head><title>A walk by the river | Field notes</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{{"@type": "BlogPosting", "headline": "A walk by the river",
 "author": {{"@type": "Person", "name": "Ada Lovelace"}}, "datePublished": "2024-05-02"}}</script>
</head><body class="single-post">
<article class="post"><h1 class="entry-title">A walk by the river</h1>
<div class="entry-content"><!-- wp:paragraph --><p>{PROSE}</p><!-- /wp:paragraph -->
<p>Re<!-- -->act split this paragraph<!--a--><!--b--> with comments, {PROSE}</p>
<p><!-- first -->{PROSE}<?php echo 1; ?> and the rest of it.</p></div></article>
</body></html>
"""


def pages() -> Iterator[tuple[str, str, bytes]]:
    """Every HTML page of the test fixtures and the blog set: (name, URL, body)."""
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.html")):
        yield (
            path.relative_to(ROOT).as_posix(),
            f"https://fixtures.example.org/{path.name}",
            (path.read_bytes()),
        )
    for path in sorted((ROOT / "benchmarks" / "blogset" / "pages").glob("*.html")):
        yield (
            path.relative_to(ROOT).as_posix(),
            f"https://blogset.example.org/{path.stem}/",
            (path.read_bytes()),
        )


def serialised(root: lxml.etree._Element) -> tuple[bytes, list[str], list[object]]:
    """The whole document, its text nodes and every node's text and tail: to compare trees."""
    nodes = [(e.tag, e.text, e.tail, dict(e.attrib)) for e in root.iter()]
    texts = [str(t) for t in root.xpath("//text()")]
    return lxml.etree.tostring(root.getroottree()), texts, nodes


def taken(body: bytes | str, encoding: str = "utf-8") -> tuple[ParsedPage, str, object]:
    parsed = ParsedPage.parse(URL, body, encoding)
    text = decode_html(body, URL, encoding, parsed=parsed)
    return parsed, text, parsed.take_tree(text)


class CountingParses:
    """Count the whole-page parses lxml makes (every parse of the page goes through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
        self.calls = 0
        self.size = size
        real = lxml.etree.fromstring

        def fromstring(text, *args, **kwargs):  # type: ignore[no-untyped-def]
            if len(text) >= self.size:
                self.calls += 1
            return real(text, *args, **kwargs)

        monkeypatch.setattr(lxml.etree, "fromstring", fromstring)


def worker_job(body: bytes, extractor: object) -> ReadJob:
    return ReadJob(URL, URL, body, "utf-8", (), (), "test", extractor)  # type: ignore[arg-type]


def test_the_worker_parses_a_post_page_once_for_reading_and_extraction(monkeypatch):
    body = POST.encode()
    parses = CountingParses(monkeypatch, 9 * len(body) // 10)
    handed: list[ParsedPage] = []

    def extractor(page, parsed):  # type: ignore[no-untyped-def]
        handed.append(parsed)
        return extract_page(page, parsed=parsed)

    reading, extracted = read_in_worker(worker_job(body, extractor))
    assert extracted is not None
    assert extracted.error is None
    assert parses.calls == 1
    # The reading's tree is the one extraction took over.
    assert handed[0].taken
    # Apart, as before: two parses, and the same record.
    parses.calls = 0
    alone = extract_post(body, URL, source="test", fetched_at=extracted.record.fetched_at)
    assert parses.calls == 1
    assert dataclasses.asdict(alone) == dataclasses.asdict(extracted.record)
    assert decide(reading, URL).kind == "post"


def test_with_the_tree_not_handed_over_the_page_is_parsed_twice(monkeypatch):
    # The mechanism off (extraction given no parsed page): a second parse, the same record.
    body = POST.encode()
    parses = CountingParses(monkeypatch, 9 * len(body) // 10)
    off = functools.partial(lambda page, parsed: extract_page(page))
    _, extracted = read_in_worker(worker_job(body, off))
    assert parses.calls == 2
    assert extracted is not None
    assert extracted.record.title == "A walk by the river"


def test_extraction_takes_the_tree_its_own_parse_would_make():
    _, text, tree = taken(POST)
    assert tree is not None
    assert serialised(adopt_tree(tree)) == serialised(parse_html(text))
    # Comments gone, the text around each joined in one node, as a parser that drops them.
    paragraphs = tree.xpath("//p")
    assert paragraphs[1].text.startswith("React split this paragraph with comments")
    assert len(paragraphs[1].xpath("text()")) == 1
    assert not tree.xpath("//comment() | //processing-instruction()")


def test_every_fixture_and_blog_set_page_gives_the_same_tree_and_record():
    shared = 0
    for name, url, body in pages():
        parsed = ParsedPage.parse(url, body, "utf-8")
        text = decode_html(body, url, "utf-8", parsed=parsed)
        assert text == decode_html(body, url, "utf-8"), name
        reference = serialised(parse_html(text))
        tree = parsed.take_tree(text)
        if tree is None:
            continue
        shared += 1
        assert serialised(adopt_tree(tree)) == reference, name
    assert shared >= 100


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("a byte-order mark", codecs.BOM_UTF8 + POST.encode()),
        ("a soft hyphen", POST.replace("afternoon", "after\u00adnoon").encode()),
        ("decomposed characters", POST.replace("weir", "we\u0301ir").encode()),
        ("a NUL character", POST.replace("herons", "her\x00ons").encode()),
        ("an XML declaration", ('<?xml version="1.0"?>\n' + POST).encode()),
        ("a comment after the document", (POST + "<!-- cached -->\n").encode()),
        (
            "content after a stray </html>",
            POST.replace("</body></html>", "</html><p>x</p>").encode(),
        ),
        ("a no-break space before the document", ("\u00a0" + POST).encode()),
    ],
)
def test_pages_the_two_parses_may_differ_on_are_parsed_again(case, body):
    parsed = ParsedPage.parse(URL, body, "utf-8")
    try:
        text = decode_html(body, URL, "utf-8", parsed=parsed)
    except ExtractionError:
        text = ""
    assert parsed.take_tree(text) is None, case
    # Read and extracted through the worker all the same, as apart.
    _, extracted = read_in_worker(worker_job(body, functools.partial(extract_page)))
    assert extracted is not None
    if extracted.error is not None:  # the NUL: binary content, apart as well
        with pytest.raises(ExtractionError, match="binary content"):
            extract_post(body, URL)
        return
    alone = extract_post(body, URL, source="test", fetched_at=extracted.fetched_at)
    assert dataclasses.asdict(alone) == dataclasses.asdict(extracted.record)


def test_a_tree_is_handed_over_once_and_only_for_its_own_text():
    parsed, text, tree = taken(POST)
    assert tree is not None
    assert parsed.take_tree(text) is None  # extraction owns it now
    with pytest.raises(RuntimeError):
        parsed.selector()
    other = ParsedPage.parse(URL, POST)
    assert other.take_tree(text + " ") is None


def test_the_decoding_is_reused_only_for_the_same_bytes_and_codec():
    body = POST.replace("river", "rivi\u00e8re").encode("cp1252")
    as_latin = ParsedPage.parse(URL, body, "cp1252")
    assert decode_html(body, URL, "cp1252", parsed=as_latin) == decode_html(body, URL, "cp1252")
    # Read as UTF-8 by the reader (bad bytes replaced), as cp1252 by extraction: its own.
    as_utf8 = ParsedPage.parse(URL, body, "utf-8")
    assert decode_html(body, URL, "cp1252", parsed=as_utf8) == decode_html(body, URL, "cp1252")
    assert as_utf8.take_tree(decode_html(body, URL, "cp1252")) is None
    # Another page's bytes are never taken for these.
    elsewhere = ParsedPage.parse(URL, POST.encode() + b" ", "utf-8")
    assert decode_html(POST.encode(), URL, "utf-8", parsed=elsewhere) == POST


@pytest.mark.parametrize(
    "raw",
    [
        '{"@type": "BlogPosting", "headline": "H"}',
        '\n  {"@type": ["Article"]}  \n',
        '\u00a0{"@type": "BlogPosting"}',  # str.strip() takes the no-break space; JSON does not
        '{"@type": "BlogPosting",}',  # not JSON
        "   ",
        "",
        '[{"@graph": [{"@type": "NewsArticle", "headline": "G"}]}]',
    ],
)
def test_json_ld_read_once_gives_what_each_reader_read_itself(raw):
    html = f"""<html><head><script type="application/ld+json">{raw}</script>
    <script type="application/ld+json">{{"@type": "Person", "name": "N"}}</script>
    </head><body><p>{PROSE}</p></body></html>"""
    parsed = ParsedPage.parse(URL, html)
    blocks = parsed.json_ld()
    assert [b.raw for b in blocks] == [raw, '{"@type": "Person", "name": "N"}']
    assert structured_evidence(parsed.selector(), blocks) == structured_evidence(parsed.selector())
    tree = parse_html(html)
    with_blocks = read_metadata(copy.deepcopy(tree), URL, blocks)
    assert dataclasses.asdict(with_blocks) == dataclasses.asdict(read_metadata(tree, URL))


def test_json_ld_is_parsed_once_for_reading_and_extraction(monkeypatch):
    reads: list[str] = []
    real = JsonLd.read.__func__  # type: ignore[attr-defined]

    def counting(cls, raw):  # type: ignore[no-untyped-def]
        reads.append(raw)
        return real(cls, raw)

    monkeypatch.setattr(JsonLd, "read", classmethod(counting))
    _, extracted = read_in_worker(worker_job(POST.encode(), functools.partial(extract_page)))
    assert extracted is not None
    assert extracted.record.author == "Ada Lovelace"
    assert len(reads) == 1


def test_the_reading_of_a_parsed_page_is_the_reading_of_its_bytes():
    for name, url, body in pages():
        parsed = ParsedPage.parse(url, body)
        shared = read_page(url, b"", parsed=parsed)
        alone = read_page(url, body)
        assert dataclasses.asdict(shared) == dataclasses.asdict(alone), name
    assert utc_now()
