"""Extraction of single pages: text, links, titles, metadata precedence and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trafilatura

from pipeline import document, extract
from pipeline.body import block_elements, inline_text
from pipeline.document import parse_html
from pipeline.extract import ExtractionError, extract_post
from pipeline.furniture_markup import clean_html
from pipeline.metadata import clean_title, common_site_name, normalise_date, read_metadata

PAGES = Path(__file__).parent / "fixtures" / "pages"

BODY = (
    "<p>Councils across the region have spent the year testing small changes to how they "
    "answer residents, and most of those changes cost almost nothing to try out.</p>"
    "<p>The second paragraph explains that the tests were run by front-line staff, with "
    "managers agreeing in advance that a failed test would not count against anyone.</p>"
)


def page(body: str, head: str = "<title>A post</title>", wrapper: str = "article") -> str:
    return f"<html><head>{head}</head><body><{wrapper}>{body}</{wrapper}></body></html>"


@pytest.mark.parametrize("name", ["ghost-participatory-budgeting-kickoff", "plain-paper-map"])
def test_furniture_leaks_when_cleaning_is_off_and_not_when_on(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.json").read_text())
    html = (PAGES / f"{name}.html").read_bytes()
    raw = extract_post(html, expected["url"], clean=False)
    cleaned = extract_post(html, expected["url"])
    leaked = [f for f in expected["without"] if f in raw.text]
    assert leaked, "clean_html no longer matters on this page: pick a page where it does"
    assert not [f for f in expected["without"] if f in cleaned.text]


def test_anchor_text_is_kept_and_never_replaced_by_the_link_target() -> None:
    html = page(
        "<div class='entry-content'><p>This post closes the first Creative Councils' "
        '<a href="/archive/x-13-12-2006">blog</a> series, which ran through the winter '
        "and covered eleven councils and a great many small experiments.</p>"
        "<p>Read the <a href='https://example.org/report'><em>full report</em></a> "
        "or <a href='javascript:void(0)'>open the menu</a> or "
        "<a href='mailto:lab@example.org'>email us</a> or <a href='#top'>go up</a> for "
        "more detail on what each council tried and what it learned along the way.</p></div>"
    )
    record = extract_post(html.encode(), "https://lab.example.org/2006/12/closing/")
    assert "closes the first Creative Councils' blog series, which ran" in record.text
    assert "x-13-12-2006" not in record.text
    assert [(link.url, link.text) for link in record.links] == [
        ("https://lab.example.org/archive/x-13-12-2006", "blog"),
        ("https://example.org/report", "full report"),
    ]


def test_canonical_url_on_another_host_is_ignored() -> None:
    head = '<title>A post</title><link rel="canonical" href="https://aggregator.example.com/p/1">'
    record = extract_post(page(BODY, head), "https://Blog.Example.org/p/1?utm_source=x#top")
    assert record.url == "https://blog.example.org/p/1"
    assert record.fetched_url == "https://Blog.Example.org/p/1?utm_source=x#top"


def test_canonical_url_on_the_same_host_wins_and_is_canonicalised() -> None:
    head = '<title>A post</title><meta property="og:url" content="/p/1/?fbclid=abc">'
    record = extract_post(page(BODY, head), "https://blog.example.org/?p=1")
    assert record.url == "https://blog.example.org/p/1/"


def test_declared_charset_is_honoured_for_bytes() -> None:
    html = page(BODY.replace("residents", "résidents"), '<meta charset="iso-8859-1">')
    record = extract_post(html.encode("iso-8859-1"), "https://blog.example.org/p")
    assert "résidents" in record.text


def test_given_encoding_is_used_before_guessing() -> None:
    html = page(BODY.replace("residents", "Ŝeŝ residents"))
    record = extract_post(html.encode("utf-16"), "https://blog.example.org/p", encoding="utf-16")
    assert "Ŝeŝ residents" in record.text


def test_soft_hyphens_are_dropped_and_characters_composed() -> None:
    # German and Dutch CMSs hyphenate long words for narrow screens; macOS writes decomposed
    # accents ("e" + U+0301) into what it pastes.
    body = BODY.replace("residents", "Bundes&shy;bürger und Stadt\u00adverwaltung, cafe\u0301s")
    record = extract_post(
        page(body, "<title>Verwaltungs&shy;reform</title>").encode(), "https://x.example/p"
    )
    assert "Bundesbürger und Stadtverwaltung, cafés" in record.text
    assert record.title == "Verwaltungsreform"


def test_one_bad_byte_in_a_utf8_page_spoils_only_that_byte() -> None:
    # A page pasted together from a UTF-8 template and one cp1252 snippet (a Windows editor's
    # "smart quote"): declared UTF-8, valid UTF-8 everywhere but one byte.
    html = page(BODY.replace("residents", "résidents, café owners"), '<meta charset="utf-8">')
    raw = html.encode("utf-8").replace(b"front-line", b"front\x96line")
    record = extract_post(raw, "https://blog.example.org/p")
    assert "résidents, café owners" in record.text
    assert "front\ufffdline" in record.text


def test_a_latin1_page_declared_utf8_is_read_as_latin1() -> None:
    # The opposite case: a Latin-1 file served with the server's default "charset=utf-8".
    # Every non-ASCII byte is invalid UTF-8, so the declaration is wrong, not one byte.
    html = page(BODY.replace("residents", "résidents, café crème owners"), "")
    raw = html.encode("latin-1")
    record = extract_post(raw, "https://blog.example.org/p", encoding="utf-8")
    assert "résidents, café crème owners" in record.text


def test_an_undeclared_utf8_page_with_a_bad_byte_is_still_utf8() -> None:
    html = page(BODY.replace("residents", "naïve résidents"), "<title>Zoë\u2019s post</title>")
    raw = html.encode("utf-8").replace(b"front-line", b"front\xa0line")
    record = extract_post(raw, "https://blog.example.org/p")
    assert "naïve résidents" in record.text
    assert record.title == "Zoë\u2019s post"


def test_utf8_encoded_twice_is_repaired() -> None:
    # A CMS that read its UTF-8 templates as Latin-1 and wrote the page out as UTF-8 again:
    # the page's bytes are valid UTF-8 of "donâ\x80\x99t" (C1 controls mid-word).
    words = "residents don\u2019t mind \u2013 the caf\u00e9\u00ae is open"
    twice = words.encode("utf-8").decode("latin-1")
    html = page(BODY.replace("residents", twice), '<meta charset="utf-8">')
    record = extract_post(html.encode("utf-8"), "https://blog.example.org/p")
    assert words in record.text
    assert "\u0080" not in record.text
    assert "\u00c2" not in record.text


def test_an_undeclared_cp1252_page_is_read_as_cp1252() -> None:
    html = page(BODY.replace("residents", "résidents"), "<title>Zoë\u2019s post</title>")
    record = extract_post(html.encode("cp1252"), "https://blog.example.org/p")
    assert "résidents" in record.text
    assert record.title == "Zoë\u2019s post"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"just some words, no markup at all", "not HTML"),
        (b"<html><head><title>Nothing</title></head><body></body></html>", "no post text"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no post text"),
    ],
)
def test_garbage_input_raises_extraction_error_naming_the_url(body: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_post(body, "https://blog.example.org/broken")
    assert caught.value.url == "https://blog.example.org/broken"
    assert reason in str(caught.value)
    assert str(caught.value).startswith("https://blog.example.org/broken: ")


def test_headline_repeated_as_first_paragraph_is_dropped() -> None:
    head = (
        "<title>Small tests, big lessons</title>"
        '<meta property="og:title" content="Small tests, big lessons">'
    )
    html = page(
        "<div class='entry-content'><p>Small tests, big lessons</p>" + BODY + "</div>", head
    )
    record = extract_post(html, "https://blog.example.org/p")
    assert record.text.startswith("Councils across the region")


def test_json_ld_beats_meta_and_microformats() -> None:
    head = (
        '<title>Meta title | Site</title><meta property="og:title" content="OG title">'
        '<meta name="author" content="Meta Author">'
        '<meta property="article:published_time" content="2020-01-01">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Site"}, {"@type": "BlogPosting", "headline": "LD title",'
        ' "author": [{"name": "Ann One"}, {"name": "Bob Two"}], "datePublished": "2021-02-03"}]}'
        "</script>"
    )
    body = (
        '<p class="entry-title">Microformat title</p><span class="author vcard">'
        '<span class="fn">Mf Author</span></span><time class="published" '
        'datetime="2019-01-01">1 Jan</time>' + BODY
    )
    html = page(body, head, "article class='hentry'")
    record = extract_post(html, "https://b.example.org/p")
    assert (record.title, record.author) == ("LD title", "Ann One; Bob Two")
    # The declared date's precedence; the record's date is htmldate's weighing of them all.
    assert read_metadata(parse_html(html), "https://b.example.org/p").published == "2021-02-03"


def test_microformats_are_used_when_nothing_else_is_declared() -> None:
    body = (
        '<h1 class="entry-title">Microformat title</h1><span class="author vcard">By '
        '<span class="fn">Mf Author</span></span><abbr class="published" '
        'title="2019-01-01T10:00:00Z">10am</abbr>' + BODY
    )
    record = extract_post(page(body, "", "div class='hentry'"), "https://b.example.org/p")
    assert (record.title, record.author, record.published) == (
        "Microformat title",
        "Mf Author",
        "2019-01-01T10:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Civic Lab Notes: Starting small", ["Civic Lab Notes"], "Starting small"),
        ("Starting small | Features | Local Gov Review", ["Local Gov Review"], "Starting small"),
        ("Starting small - Civic Lab Notes", ["Civic Lab Notes"], "Starting small"),
        ("Starting small « Civic Lab Notes", ["civic lab notes"], "Starting small"),
        ("Starting small — The Studio", ["The Studio"], "Starting small"),
        ("Creative Councils: Part 2 | Lab", ["Lab"], "Creative Councils: Part 2"),
        ("Creative Councils: Part 2", ["Lab"], "Creative Councils: Part 2"),
        ("Post | by Ann | Notes | Medium", [], "Post"),
        ("Lab", ["Lab"], "Lab"),
        ("Open data - a primer", [], "Open data - a primer"),
    ],
)
def test_clean_title_strips_only_the_site_name(title: str, names: list[str], expected: str) -> None:
    assert clean_title(title, names) == expected


def test_common_site_name_is_the_shared_part_of_titles() -> None:
    assert common_site_name(["A | Lab", "B | Lab"]) == "Lab"
    assert common_site_name(["Lab: A", "Lab: B"]) == "Lab"
    assert common_site_name(["A | Lab", "B | Other"]) is None


def test_title_without_structured_metadata_comes_from_title_and_h1() -> None:
    html = page("<h1>Starting small</h1>" + BODY, "<title>Starting small - Civic Lab</title>")
    record = extract_post(html, "https://b.example.org/p")
    assert (record.title, record.site) == ("Starting small", "Civic Lab")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-19", "2024-03-19"),
        ("2024-03-19T09:30:00+00:00", "2024-03-19T09:30:00+00:00"),
        ("2024-03-19T09:30:00Z", "2024-03-19T09:30:00+00:00"),
        ("2024-05-14T10:00:00+0100", "2024-05-14T10:00:00+01:00"),
        ("19 March 2024", "2024-03-19"),
        ("March 19th, 2024", "2024-03-19"),
        ("Posted on 3 May 2024", "2024-05-03"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_are_normalised_to_iso_8601(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_wrapper_named_like_a_cookie_banner_is_kept_when_it_holds_the_post() -> None:
    html = (
        "<html><body><div class='cookie-consent-wrapper'><div id='cookie-notice'>We use "
        "cookies. OK</div><article>" + BODY + "</article></div></body></html>"
    )
    cleaned = clean_html(parse_html(html))
    text = cleaned.text_content()
    assert "Councils across the region" in text
    assert "We use cookies" not in text


def test_class_tokens_match_whole_tokens_only() -> None:
    html = (
        "<html><body><article><div class='shared-services'>" + BODY + "</div>"
        "<div class='share-buttons'>Share on X</div></article></body></html>"
    )
    text = clean_html(html).text_content()
    assert "Councils across the region" in text
    assert "Share on X" not in text


def test_furniture_wording_inside_the_post_body_is_kept() -> None:
    body = (
        "<div class='entry-content'><p>Residents can have your say on the budget at any "
        "library until May, and we want as many people as possible to do so.</p>"
        + BODY
        + "</div><div class='prompt'><h3>Have your say</h3><p>Sign in to comment.</p></div>"
    )
    record = extract_post(page(body), "https://b.example.org/p")
    assert "Residents can have your say on the budget" in record.text
    assert "Sign in to comment" not in record.text


def test_extraction_is_deterministic() -> None:
    html = (PAGES / "wordpress-creative-councils-closing.html").read_bytes()
    first = extract_post(html, "https://civiclabnotes.example.org/x/")
    second = extract_post(html, "https://civiclabnotes.example.org/x/")
    assert first.content_hash() == second.content_hash()


def test_extraction_error_survives_pickling_between_processes() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(ExtractionError("https://b.example.org/p", "empty body")))
    assert (error.url, error.message, str(error)) == (
        "https://b.example.org/p",
        "empty body",
        "https://b.example.org/p: empty body",
    )


@pytest.mark.parametrize(
    ("declared", "visible", "expected"),
    [
        # SEO plugins write a longer headline for search results than the one on the page.
        (
            "How to Prune Apple Trees (2025 Guide with Pictures)",
            "How to Prune Apple Trees",
            "How to Prune Apple Trees",
        ),
        # A kicker above the headline is part of the declared title, not of the h1.
        (
            "Analysis: Why the harbour wall failed",
            "Why the harbour wall failed",
            "Why the harbour wall failed",
        ),
        # The h1 is the site's masthead: the declared headline stays.
        ("Why the harbour wall failed", "Town Notes", "Why the harbour wall failed"),
        # A one-word h1 is a section name.
        ("Why the harbour wall failed", "News", "Why the harbour wall failed"),
        # An editor's visible headline over a different SEO title.
        (
            "Harbour wall: 7 reasons it failed in 2025",
            "What the storm taught us",
            "What the storm taught us",
        ),
    ],
)
def test_the_visible_headline_wins_over_the_declared_one(
    declared: str, visible: str, expected: str
) -> None:
    head = (
        f'<title>{declared} | Town Notes</title><meta property="og:title" content="{declared}">'
        '<meta property="og:site_name" content="Town Notes">'
    )
    record = extract_post(page(f"<h1>{visible}</h1>{BODY}", head), "https://x.example/p")
    assert record.title == expected


def test_a_declared_date_that_is_the_sites_build_date_loses_to_the_byline() -> None:
    # Site builders write the page's last build into JSON-LD as both datePublished and
    # dateModified; the byline shows when the post was written.
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"BlogPosting", "headline": "A post", "datePublished": "Jun 24, 2025", '
        '"dateModified": "Jun 24, 2025"}</script>'
    )
    byline = (
        "<div class='byline'><div class='post-author'>Jo Bloggs</div>"
        "<div class='post-date'>August 25, 2024</div></div>"
    )
    record = extract_post(page(byline + BODY, "<title>A post</title>" + ld), "https://x.example/p")
    assert record.published == "2024-08-25"


def test_a_declared_datetime_on_the_found_day_keeps_its_time() -> None:
    head = (
        "<title>A post</title>"
        '<meta property="article:published_time" content="2024-08-25T09:30:00+00:00">'
    )
    record = extract_post(page(BODY, head), "https://x.example/p")
    assert record.published == "2024-08-25T09:30:00+00:00"


def test_a_copyright_year_is_not_a_publication_date() -> None:
    footer = "<footer><p>&copy; 2024 Town Notes. All rights reserved.</p></footer>"
    body = f"<article>{BODY}</article>{footer}"
    html = f"<html><head><title>A post</title></head><body>{body}</body></html>"
    assert extract_post(html, "https://x.example/p").published is None


def test_canonical_naming_the_index_file_of_the_fetched_directory_keeps_the_directory() -> None:
    # Hexo's og:url: /2025/01/10/slug/index.html for the /2025/01/10/slug/ every link gives.
    head = '<meta property="og:url" content="https://blog.example.org/2025/01/10/p/index.html">'
    record = extract_post(page(BODY, head), "https://blog.example.org/2025/01/10/p/")
    assert record.url == "https://blog.example.org/2025/01/10/p/"
    elsewhere = extract_post(page(BODY, head), "https://blog.example.org/p/")
    assert elsewhere.url == "https://blog.example.org/2025/01/10/p/index.html"


def test_a_post_after_a_stray_end_of_document_is_read_as_a_browser_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A WordPress header template that ends with "</body></html>": the post, its byline and
    # date follow it, and the page's real end comes later. Browsers put it all in the body.
    head = (
        "<title>Six types of HR outsourcing</title><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2024-02-27T13:30:32+00:00'>"
    )
    header = "<header><nav><ul><li><a href='/contact'>Contact Us</a></li></ul></nav></header>"
    post = (
        "<div class='blog-detail-page'><section><div class='container'><h1>Six types of HR "
        "outsourcing</h1><div id='blog-content' class='details-table-right blog-content-data'>"
        f"{BODY}</div></div></section></div>"
    )
    html = f"<html><head>{head}</head><body>{header}</body></html>\n{post}</body></html>"
    record = extract_post(html.encode(), "https://hr.example.com/blog/hr-outsourcing/")
    assert "Councils across the region" in record.text
    assert "front-line staff" in record.text
    assert (record.published or "").startswith("2024-02-27")

    monkeypatch.setattr(document, "_fold_content_after_the_document", lambda root: None)
    try:  # the header's navigation alone is left: no post, or a post of a link
        lost = extract_post(html.encode(), "https://hr.example.com/blog/hr-outsourcing/").text
    except ExtractionError:
        lost = ""
    assert "Councils across the region" not in lost


def test_a_visible_numeric_date_read_day_first_yields_to_the_declared_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A US guide (HubSpot) shows "09.10.2024" under its title and declares 2024-09-10 in JSON-LD
    # written with spaced colons, which htmldate does not read; it reads the dotted date day
    # first (9 October).
    ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": "Renovation phases",
        "datePublished": "2024-09-10T16:07:00.000Z",
        "dateModified": "2025-11-25T17:47:39.214Z",
    }
    head = (
        "<title>Renovation phases</title>"
        f"<script type='application/ld+json'>{json.dumps(ld, separators=(',', ' : '))}</script>"
    )
    body = (
        "<div class='blog-post__header'><h1>Renovation phases</h1>"
        f"<p class='blog-post__date post-date'>09.10.2024</p></div>{BODY}"
    )
    html = page(body, head=head, wrapper="main").encode()
    url = "https://renovation.example.com/guides/renovation-phases"
    assert (extract_post(html, url).published or "").startswith("2024-09-10")

    monkeypatch.setattr(extract, "_day_and_month_swapped", lambda day: None)
    assert (extract_post(html, url).published or "").startswith("2024-10-09")


def test_prose_written_straight_after_a_heading_without_a_paragraph_is_kept() -> None:
    # A news CMS writes sections as "<h2>Heading</h2>Its text...<br>", no <p>: trafilatura
    # keeps that text as the heading's tail, which a renderer of its blocks alone loses.
    html = (PAGES.parent / "precision" / "news-sections-without-paragraphs.html").read_bytes()
    url = "https://news.example.com/life/coffee/articleshow/12345.cms"
    assert "Same plantin never over wholeing carryi" in extract_post(html, url).text

    # Without the tails: the blocks alone (what the text was before) lose the section's text.
    document = trafilatura.bare_extraction(html.decode(), url=url, favor_precision=True)
    assert document is not None
    blocks = "\n\n".join(inline_text(block) for block in block_elements(document.body))
    assert "Which shapei spokeing" in blocks
    assert "Same plantin never over" not in blocks
