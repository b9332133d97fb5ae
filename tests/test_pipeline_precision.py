"""Precision rules: what the post text must not carry besides the post (captions, teasers...).

Each test holds markup shaped like the real page furniture it is about, and fails when the
rule behind it is switched off.
"""

from __future__ import annotations

from pipeline.extract import extract_post

URL = "https://news.example.org/2019/11/council-opens-library/"
PROSE = (
    "<p>The council opened a new library in the town centre on Monday, three years after "
    "the old one closed because its roof could no longer be repaired at a sensible cost.</p>"
    "<p>Residents queued from early morning, and by noon the staff had issued more than four "
    "hundred new cards, most of them to families who had never held one before.</p>"
    "<p>The building also houses a small café and rooms that local groups can book free of "
    "charge in the evenings, which the council hopes will keep it busy after hours.</p>"
)


def page(body: str, title: str = "Council opens new library") -> bytes:
    head = f"<title>{title} | Town News</title><meta property='og:title' content='{title}'>"
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>".encode()


def test_nested_inline_markup_keeps_reading_order() -> None:
    # Bold lead-ins wrapping a link, as in news round-ups: "<b><a>Headline</a>.</b> Text".
    item = (
        "<li><strong><a href='/a'>The library opens on Monday</a>.</strong> It has taken "
        "three years and a new roof to get there, the council said.</li>"
    )
    record = extract_post(page(PROSE + f"<ol>{item * 2}</ol>"), URL)
    assert "The library opens on Monday. It has taken three years" in record.text


def test_image_captions_stay_out_of_the_text_but_the_image_stays_in_the_html() -> None:
    # A news CMS's inline image (caption spans inside the paragraph) and a gallery item.
    inline = (
        "<p><span class='image-container'><img src='/lib.jpg' alt='The new library'>"
        "<span class='caption-source'><span class='caption'>The new library seen from the "
        "market square.</span><span class='source'>Jo Bloggs</span></span></span></p>"
    )
    gallery = (
        "<ul class='gallery'><li class='gallery-item'><div class='img-wrap'>"
        "<img src='/queue.jpg' alt=''></div><div class='caption'><div class='caption-text'>"
        "Residents queue outside the library on Monday morning before it opens.</div>"
        "<span class='credit'>Photo: Jo Bloggs</span></div></li></ul>"
    )
    record = extract_post(page(inline + gallery + PROSE), URL)
    assert "market square" not in record.text
    assert "Residents queue outside" not in record.text
    assert "Residents queued from early morning" in record.text
    assert "/lib.jpg" in record.html
