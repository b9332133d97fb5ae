"""The ensemble step: paragraphs precision mode skipped inside the kept text are added back.

The markup is shaped like a review theme's: a "bottom line" box between two paragraphs of the
post (precision mode drops any block whose class starts or ends with "bottom").
"""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from pipeline import extract
from pipeline.extract import extract_post
from pipeline.recall_merge import add_missed_blocks, skipped_prose

URL = "https://garden.example.org/2024/05/raised-beds/"
PARAGRAPHS = (
    "We built our first raised beds three springs ago, after the lower lawn flooded for the "
    "second winter running and the vegetables we planted there simply rotted in the ground.",
    "The beds are thirty centimetres deep, which is enough for carrots and potatoes, and they "
    "warm up weeks earlier than the soil around them, so we sow sooner as well.",
    "A third topsoil, a third compost and a third of the old turf, turned upside down at the "
    "bottom, has held its structure far better than the bagged mix we tried first.",
    "The boards cost about forty pounds a bed, and the soil roughly the same again; the beds "
    "have paid for themselves in the second season.",
)
BOXED = (
    "In short: the beds drain within an hour of the heaviest rain, where the lawn beside "
    "them stays a pond for days."
)


def page(box: str) -> bytes:
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return (
        "<html><head><title>Raised beds | Lower Lawn Garden</title>"
        "<meta property='og:type' content='article'></head><body>"
        "<article class='post'><h1>Raised beds, three years on</h1>"
        f"<div class='entry-content'>{first}{box}{rest}</div></article>"
        "<footer><p>Lower Lawn Garden, a garden diary since 2009.</p></footer></body></html>"
    ).encode()


BOTTOM_LINE_BOX = f"<div class='bottom-line'><p>{BOXED}</p></div>"


def test_a_paragraph_precision_mode_skipped_inside_the_post_is_added_back() -> None:
    record = extract_post(page(BOTTOM_LINE_BOX), URL)
    assert BOXED in record.text
    # In its place, between the paragraphs around it, once.
    assert record.text.index(PARAGRAPHS[1]) < record.text.index(BOXED)
    assert record.text.index(BOXED) < record.text.index(PARAGRAPHS[2])
    assert record.text.count(BOXED) == 1
    assert BOXED in (record.html or "")
    assert "garden diary" not in record.text


def test_without_the_step_the_paragraph_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "skipped_prose", lambda page, kept: False)
    record = extract_post(page(BOTTOM_LINE_BOX), URL)
    assert BOXED not in record.text
    assert PARAGRAPHS[2] in record.text


def test_a_page_with_nothing_skipped_is_not_extracted_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[bool] = []
    real = extract._bare_extraction

    def counted(*args: object, **kwargs: bool) -> object:
        calls.append(kwargs["favor_precision"])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extract, "_bare_extraction", counted)
    extract_post(page(f"<p>{BOXED}</p>"), URL)
    assert calls == [True]
    calls.clear()
    extract_post(page(BOTTOM_LINE_BOX), URL)
    assert calls == [True, False]


def body(*blocks: str) -> lxml.etree._Element:
    return lxml.etree.fromstring(f"<body>{''.join(blocks)}</body>")


P = [f"<p>{text}</p>" for text in PARAGRAPHS]


def texts(element: lxml.etree._Element) -> list[str]:
    return ["".join(block.itertext()) for block in element]


def test_only_prose_between_two_shared_blocks_is_added() -> None:
    promo = "<p>Our planting calendar tells you what to sow each week of the year, free.</p>"
    linked = (
        "<p>See <ref target='https://garden.example.org/a'>our guide to building raised "
        "beds from scaffold boards</ref> and <ref target='https://garden.example.org/b'>"
        "the soil calculator</ref>.</p>"
    )
    kept = body(P[0], P[1], P[3])
    fuller = body(
        "<p>Sign in to comment on this post and join the discussion with other readers.</p>",
        P[0],
        promo,
        P[1],
        f"<p>{BOXED}</p>",
        "<head rend='h2'>Soil</head>",
        linked,
        promo,
        P[3],
        "<p>Next: why we moved the compost heaps to the shady end of the garden this year.</p>",
    )
    assert add_missed_blocks(kept, fuller) == 1
    assert texts(kept) == [PARAGRAPHS[0], PARAGRAPHS[1], BOXED, PARAGRAPHS[3]]


def test_a_paragraph_kept_in_another_form_is_not_added_twice() -> None:
    joined = PARAGRAPHS[1].replace("earlier than", "earlier <ref>than</ref>")
    kept = body(P[0], f"<p>{PARAGRAPHS[1]} {BOXED}</p>", P[3])
    fuller = body(P[0], f"<p>{joined}</p>", f"<p>{BOXED}</p>", P[3])
    assert add_missed_blocks(kept, fuller) == 0


def test_skipped_prose_asks_for_a_paragraph_between_kept_ones() -> None:
    html = lxml.html.fromstring(f"<div>{P[0]}<p>{BOXED}</p>{P[1]}{P[2]}</div>")
    kept_around = f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"
    assert skipped_prose(html, kept_around)
    assert not skipped_prose(html, f"{kept_around}\n\n{BOXED}")
    # Missed only before or after the kept text: a header or comments, not a skipped paragraph.
    assert not skipped_prose(html, PARAGRAPHS[1])
    assert not skipped_prose(html, PARAGRAPHS[0])
