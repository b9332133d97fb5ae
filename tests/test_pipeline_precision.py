"""Precision rules: what the post text must not carry besides the post (captions, teasers...).

Each test holds markup shaped like the real page furniture it is about, and fails when the
rule behind it is switched off.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import pytest

from pipeline import extract, furniture_markup
from pipeline.body import body_text
from pipeline.extract import extract_post
from pipeline.furniture_markup import clean_html
from pipeline.furniture_text import trim_body

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


def test_headline_standfirst_and_byline_above_the_text_are_dropped() -> None:
    # A newspaper CMS: print-only header, headline and standfirst inside the article body.
    header = (
        "<div class='print-header'><img src='/print-logo.png' alt='print header logo'>"
        f"<span>{URL}</span></div>"
        "<h1 class='headline'>Council opens new library</h1>"
        "<h2 class='subheadline'>Three years after the old one closed, the town has a library "
        "again</h2><p class='byline'>By Jo Bloggs</p><p class='dateline'>Nov. 19, 2019 "
        "5:45 p.m.</p>"
    )
    record = extract_post(page(header + PROSE), URL)
    assert record.text.startswith("The council opened a new library"), record.text[:120]


def test_teasers_between_paragraphs_are_dropped_but_prose_about_them_is_kept() -> None:
    teasers = (
        "<p><strong>Related: </strong><strong><a href='/2019/11/old-library-roof/'>Why the old "
        "library roof could not be saved</a></strong></p>"
        "<p><strong>DON'T MISS</strong></p>"
        "<p><a href='/2019/11/bins/'>New bin collection days announced</a> [INSIGHT]</p>"
        "<p><a href='/2019/11/parking/'>Town centre parking charges to rise</a> [VIDEO]</p>"
    )
    prose_about_related = (
        "<p>Related work on the old library is covered in the council's report, which says "
        "the roof could not be saved and that the site will be sold for housing next year.</p>"
    )
    paragraphs = PROSE.split("</p>")
    body = paragraphs[0] + "</p>" + teasers + prose_about_related + "</p>".join(paragraphs[1:])
    record = extract_post(page(body), URL)
    assert "old library roof could not be saved" not in record.text
    assert "DON'T MISS" not in record.text
    assert "bin collection" not in record.text
    assert "parking charges" not in record.text
    assert "Related work on the old library" in record.text
    assert "Residents queued from early morning" in record.text


def test_pitches_to_the_reader_and_closing_lines_are_dropped() -> None:
    tail = (
        "<p>Have a tip? Jo Bloggs may be reached at jo@news.example.org. Follow her on "
        "Twitter @jobloggs.</p>"
        "<p>Get the latest updates right in your inbox. Subscribe to Town News's "
        "newsletters.</p>"
        "<ul><li><a href='/2019/11/a/'>Ten books to borrow this winter</a></li>"
        "<li><a href='/2019/11/b/'>How the old library roof failed</a></li></ul>"
        "<p>SOURCE: Town News</p><p>Filed under: Libraries |</p>"
    )
    record = extract_post(page(PROSE + tail), URL)
    for furniture in ("may be reached", "inbox", "Ten books", "SOURCE", "Filed under"):
        assert furniture not in record.text
    assert record.text.endswith("keep it busy after hours.")


def test_a_long_paragraph_with_furniture_wording_is_never_dropped() -> None:
    long_one = (
        "<p>If you enjoyed this kind of reading as a child, the new children's corner will "
        "feel familiar: the council copied the old layout, kept the wooden shelves and hired "
        "back two of the librarians who ran the Saturday story hour until the closure.</p>"
    )
    record = extract_post(page(PROSE + long_one), URL)
    assert "If you enjoyed this kind of reading as a child" in record.text


def test_a_reference_link_after_the_text_is_kept_while_a_headline_link_goes() -> None:
    # Trafilatura's body as it comes out of a science news page (phys.org style).
    body = lxml.etree.fromstring(
        "<body><p>The study found the spacecraft mass could be reduced by a third by removing "
        "the crew quarters, with a similar reduction in consumables.</p>"
        "<p><hi rend='#b'>More information:</hi> G. Petit et al. Hibernation and Torpor, "
        "Handbook of Life Support Systems (2018).</p>"
        "<p><ref target='https://doi.org/10.1007/978-3-319-09575-2'>DOI: "
        "10.1007/978-3-319-09575-2</ref></p>"
        "<p><ref target='https://example.org/moon'>Astronauts could sleep their way to "
        "Mars</ref></p></body>"
    )
    assert trim_body(body, ["Hibernating astronauts would need smaller spacecraft"]) == 1
    text = body_text(body)
    assert "DOI: 10.1007/978-3-319-09575-2" in text
    assert "sleep their way" not in text


def test_hover_cards_inside_a_sentence_are_dropped() -> None:
    # A news site's people rollover: the card (photo, name, latest headlines) sits in the text.
    card = (
        "<span class='rollover-people'><a class='rollover-people-link' href='/people/jo'>Jo "
        "Bloggs</a><span class='rollover-people-block'><span class='rollover-block'><img "
        "src='/jo.jpg' alt=''><a class='name' href='/people/jo'>Jo Bloggs</a><a "
        "class='people-articles' href='/2019/11/x/'>Mayor defends bin collection changes | "
        "Parking charges rise</a></span></span></span>"
    )
    opening = f"<p>The library was opened on Monday by the mayor, {card}, who cut a ribbon.</p>"
    record = extract_post(page(opening + PROSE), URL)
    assert "by the mayor, Jo Bloggs, who cut a ribbon." in record.text
    assert "Parking charges" not in record.text


def test_links_to_other_stories_above_the_text_are_dropped() -> None:
    # Trafilatura's body from a music magazine: a teaser rail kept above the article.
    rail = "".join(
        f"<p><ref target='https://mag.example.org/{n}/'><head rend='h3'>{title}</head></ref></p>"
        f"<graphic src='https://mag.example.org/{n}.jpg'/>"
        for n, title in enumerate(
            [
                "Post Malone and Billie Eilish lead this year's award nominations: see the list",
                "Jonas Brothers added to the awards performance lineup",
            ]
        )
    )
    body = lxml.etree.fromstring(
        f"<body>{rail}<p>A half century on, the band are still going, and to celebrate fifty "
        "years together the founding members will reunite for a tour next year.</p></body>"
    )
    assert trim_body(body, ["The band sets a 50th anniversary tour"]) == 2
    assert body_text(body).startswith("A half century on")


def test_headline_matching_the_html_title_or_a_reworded_title_is_dropped() -> None:
    prose = (
        "<p>The council opened a new library in the town centre on Monday, three years after "
        "the old one closed.</p>"
    )
    for heading, titles in (
        # <title> is "Headline - Site" and the declared headline is a shorter one.
        (
            "Town gets its library back",
            ["Library reopens", "Town gets its library back - The Town News Weekly"],
        ),
        # The page's heading spells out what the declared headline abbreviates.
        (
            "High School Roundup: Viera beats Rockledge to stay unbeaten",
            ["HS Roundup: Viera beats Rockledge to stay unbeaten"],
        ),
    ):
        body = lxml.etree.fromstring(f"<body><head rend='h1'>{heading}</head>{prose}</body>")
        assert trim_body(body, titles) == 1, heading
        assert body_text(body).startswith("The council opened")


def test_a_quoted_post_keeps_its_byline_beside_its_paragraphs() -> None:
    # An embedded tweet as trafilatura extracts it: the tweet's words, then its byline loose.
    body = lxml.etree.fromstring(
        "<body><p>Another reader wondered why the council trademarked the slogan.</p>"
        "<quote><p>I love that they trademarked it. <ref target='https://t.co/x'>"
        "https://t.co/x</ref></p>— Jo Bloggs (@jobloggs) <ref target='https://x.example/1'>"
        "November 18, 2019</ref></quote><p>The campaign cost the council very little.</p></body>"
    )
    assert body_text(body).split("\n") == [
        "Another reader wondered why the council trademarked the slogan.",
        "",
        "I love that they trademarked it. https://t.co/x",
        "— Jo Bloggs (@jobloggs) November 18, 2019",
        "",
        "The campaign cost the council very little.",
    ]


def test_an_embedded_tweet_the_article_quotes_is_kept() -> None:
    tweet = (
        "<div class='social-media-embed'><blockquote class='twitter-tweet'><p lang='en' "
        "dir='ltr'>Yes this is real and yes the council spent nearly half a million pounds on "
        "the new library signs: <a href='https://t.co/abc'>https://t.co/abc</a></p>&mdash; Jo "
        "Bloggs (@jobloggs) <a href='https://twitter.com/jobloggs/status/1'>November 18, 2019"
        "</a></blockquote></div>"
    )
    paragraphs = PROSE.split("</p>")
    body = paragraphs[0] + "</p>" + tweet + "</p>".join(paragraphs[1:])
    record = extract_post(page(body), URL)
    assert "spent nearly half a million pounds on the new library signs" in record.text
    assert "— Jo Bloggs (@jobloggs) November 18, 2019" in record.text


def test_a_japanese_paragraph_opening_with_a_date_is_prose_not_a_dateline() -> None:
    # Japanese runs a sentence together as one \w+ token: it must not count as a short line.
    opening = (
        "2019.11.18 町の中心に新しい図書館ができ、住民は朝早くから入口の前に長い列を作りました。"
    )
    body = lxml.etree.fromstring(
        f"<body><p>by 町の新聞 / 2019.11.18</p><p>{opening}</p>"
        "<p>図書館には小さなカフェもあり、夜は地域の団体が無料で部屋を使えます。</p></body>"
    )
    assert trim_body(body, ["新しい図書館"]) == 1
    assert body_text(body).startswith(opening)


def test_short_sentences_that_open_a_post_are_not_taken_for_bylines_or_teasers() -> None:
    # A blog post's opening: the headline, then short sentences that only look like furniture.
    kept = [
        "By the time we arrived, it was dark.",
        "On 12 March 2019 we moved house.",
        "Listen - this matters.",
        "Why we moved",
    ]
    body = lxml.etree.fromstring(
        "<body><head rend='h1'>Moving house</head>"
        + "".join(f"<p>{line}</p>" for line in kept[:3])
        + f"<head rend='h2'>{kept[3]}</head><p>The new house is smaller than the old one, but "
        "it is close to the library and to the station, which matters more now.</p></body>"
    )
    assert trim_body(body, ["Moving house"]) == 1
    assert body_text(body).split("\n\n")[:4] == kept


def test_a_closing_list_of_links_to_other_sites_is_kept_as_the_posts_sources() -> None:
    def closing_list(first: str, second: str) -> lxml.etree._Element:
        return lxml.etree.fromstring(
            "<body><p>The council opened a new library in the town centre on Monday, three "
            "years after the old one closed.</p><head rend='h3'>Sources</head><list>"
            f"<item><ref target='{first}'>The council's library report</ref></item>"
            f"<item><ref target='{second}'>The 2016 survey of the roof</ref></item></list></body>"
        )

    sources = closing_list("https://www.gov.example/report", "https://archive.example.com/roof")
    assert trim_body(sources, ["Council opens new library"], URL) == 0
    own = closing_list("https://news.example.org/2019/a/", "https://www.news.example.org/b/")
    assert trim_body(own, ["Council opens new library"], URL) == 1


def test_a_wordpress_captioned_image_keeps_its_image_and_loses_its_caption() -> None:
    figure = (
        "<div id='attachment_12' class='wp-caption aligncenter'><img class='size-large' "
        "src='/wp-content/uploads/library.jpg' alt='The library'><p class='wp-caption-text'>"
        "The new library seen from the market square.</p></div>"
    )
    record = extract_post(page(PROSE.replace("</p>", "</p>" + figure, 1)), URL)
    assert "market square" not in record.text
    assert "/wp-content/uploads/library.jpg" in record.html


def test_closing_furniture_behind_an_image_and_a_long_membership_pitch_is_dropped() -> None:
    pitch = (
        "If you enjoyed this article, we have a proposition for you: join our members. Members "
        "get all of our content, including the weekend magazine, no paywalls or content meters, "
        "an advertising-minimal experience, and unique access to our writers and editors, all "
        "for less than the price of a coffee each week."
    )
    body = lxml.etree.fromstring(
        f"<body>{PROSE}<p>{pitch}</p><list><item><ref "
        "target='https://news.example.org/2019/a/'>Ten books to borrow this winter</ref></item>"
        "<item><ref target='https://news.example.org/2019/b/'>How the old library roof failed"
        "</ref></item></list><p><graphic src='https://x.example/a.png'/></p></body>"
    )
    assert trim_body(body, ["Council opens new library"], URL) == 2
    assert body_text(body).endswith("keep it busy after hours.")


def test_a_post_that_is_mostly_links_to_the_sites_own_posts_is_not_trimmed_away() -> None:
    # A blog's weekly round-up: one line of introduction, then links to its own posts.
    items = "".join(
        f"<item><ref target='https://news.example.org/2019/{n}/'>{title}</ref></item>"
        for n, title in enumerate(
            [
                "The library reopens after three years",
                "What the roof survey found",
                "Ten books to borrow this winter",
                "How the café was chosen",
            ]
        )
    )
    body = lxml.etree.fromstring(f"<body><p>This week on the blog:</p><list>{items}</list></body>")
    assert trim_body(body, ["This week on the blog"], URL) == 0
    assert "Ten books to borrow this winter" in body_text(body)


def test_a_body_container_that_holds_only_a_teaser_is_not_the_post() -> None:
    # A theme's "featured" card above the post reuses the entry-content class for its excerpt;
    # the post's own entry-content comes later. The first match over 80 characters is a card.
    card = (
        "<aside class='featured'><article><h3><a href='/other/'>Another story</a></h3>"
        "<div class='entry-content'><p>An excerpt of another story about the harbour, cut "
        "short after a sentence or two so that readers click through.</p></div></article></aside>"
    )
    post = f"<article><h1>A library</h1><div class='entry-content'>{PROSE}</div></article>"
    html = f"<html><head><title>A library</title></head><body>{card}{post}</body></html>"
    record = extract_post(html.encode(), URL)
    assert "Residents queued from early morning" in record.text
    assert "An excerpt of another story" not in record.text


def test_a_standfirst_marked_as_the_body_does_not_hide_the_post() -> None:
    # A news theme marks its standfirst "post-content"; the article body sits in a div the
    # platform list does not know.
    standfirst = (
        "<div class='post-content standfirst'><p>The town's new library opened on Monday after "
        "three years, with a café and free rooms for local groups.</p></div>"
    )
    html = page(
        f"<h1>Council opens new library</h1>{standfirst}<div class='story-text'>{PROSE}</div>"
    )
    record = extract_post(html, URL)
    assert "Residents queued from early morning" in record.text
    assert "rooms that local groups can book free of charge" in record.text


def test_text_that_precision_mode_drops_is_recovered_without_it() -> None:
    # Page builders write the column's frame inline ("border: 1px solid"); trafilatura's
    # precision mode discards every element whose style mentions a border, post and all.
    body = (
        "<div class='intro'><p>This guide is updated every week by the newsroom team, who "
        "visit each of the town's public buildings and report on what has changed since the "
        "last edition, what is planned next and how residents can take part.</p></div>"
        f"<div class='column' style='border-left: 1px solid #ddd; padding: 2em'>{PROSE * 2}</div>"
    )
    html = f"<html><head><title>A library</title></head><body><div>{body}</div></body></html>"
    record = extract_post(html.encode(), URL)
    assert "Residents queued from early morning" in record.text
    assert "rooms that local groups can book free of charge" in record.text


FIXTURES = Path(__file__).parent / "fixtures" / "precision"


def test_prose_in_a_widget_grid_is_taken_from_the_element_holding_the_pages_prose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A Drupal page whose CKEditor writes the post's sections as a "ck-widget bs_grid" of
    # columns: trafilatura, in both of its modes, keeps only the two paragraphs above the grid.
    html = (FIXTURES / "drupal-ck-widget-grid.html").read_bytes()
    text = extract_post(html, URL).text
    assert "Say grass wholein seem thosei given a planting" in text  # the first column
    assert "Beingin whole find close therei threei" in text  # the last column
    assert "On Other" in text
    assert len(text) > 4000

    # The mechanism off: trafilatura alone keeps the lines above the grid.
    monkeypatch.setattr(extract, "_from_prose_container", lambda *args: args[3])
    assert "Beingin whole find close therei threei" not in extract_post(html, URL).text


def test_a_comparison_chart_whose_cells_hold_paragraphs_stays_a_table() -> None:
    # Page editors wrap some of a chart's cells in <p> (its row labels) and leave the rest
    # inline: a grid of rows and columns without headings is data, not page layout, and its
    # text belongs to the post.
    def row(cells: list[str]) -> str:
        label, *values = cells
        tds = "".join(f"<td><span>{value}</span></td>" for value in values)
        return f"<tr><td><p><strong>{label}</strong></p></td>{tds}</tr>"

    chart = (
        "<table><tbody>"
        + row(["Library", "Opening hours", "Study rooms"])
        + row(["Central", "Open until eight every weekday evening", "Six, bookable online"])
        + row(["Northgate", "Closed on Sundays through the winter", "Two, first come"])
        + row(["Riverside", "Shares its hours with the leisure centre", "None yet"])
        + "</tbody></table>"
    )
    body = f"<div class='entry-content'>{PROSE}<h2>How the branches compare</h2>{chart}</div>"
    record = extract_post(page(body), URL)
    assert "Closed on Sundays through the winter" in record.text
    assert "Shares its hours with the leisure centre" in record.text
    assert "<table>" in record.html


def test_text_after_a_lazy_loaded_image_is_kept() -> None:
    # Lazy-loading themes put a data: placeholder in src and the picture's URL elsewhere;
    # trafilatura dropped such an image together with the sentences written after it.
    img = (
        "<img alt='The reading room' width='600' height='300' class='wp-image-31 lazy' "
        "data-lazy-src='https://news.example.org/img/room.png' "
        "src='data:image/svg+xml;base64,PHN2ZyB2aWV3Qm94PSIwIDAgNjAwIDMwMCI+PC9zdmc+'>"
    )
    body = (
        f"<div class='entry-content'>{PROSE}<h3><strong>2. The reading room:</strong> quiet at "
        f"last</h3>{img} The reading room seats eighty people at long oak tables, and every "
        "seat has a lamp and a socket for a laptop.<h3>3. The café</h3>"
        f"{PROSE}</div>"
    )
    record = extract_post(page(body), URL)
    assert "The reading room seats eighty people at long oak tables" in record.text
    assert "https://news.example.org/img/room.png" in record.html


def test_an_author_box_named_in_a_themes_own_words_is_removed_before_extraction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Trade-press and page-builder themes name the box about the writer in their own way
    # ("about-author-new", "elementor-author-box--layout-image-above"). Trafilatura's own
    # filters let it through on a page whose prose precision mode mostly skipped and that was
    # extracted again, so it goes with the furniture, before extraction.
    boxes = (
        "<div class='about-author-new'><h2 class='heading'>About the Author</h2>"
        "<div class='author-name'>Jo Bloggs</div><p>Jo Bloggs is the senior reporter at Town "
        "News, where she has covered the council, its budgets and its buildings for twelve "
        "years after a decade at regional papers.</p></div>"
        "<div class='elementor-author-box elementor-author-box--layout-image-above'>"
        "<div class='elementor-author-box__text'><h4>Sam Green, CFP</h4><p>Sam Green is a "
        "fee-only adviser who began his career in local government finance in 2000 and "
        "writes about public money.</p></div></div>"
    )
    body = f"<div class='content-body'>{PROSE}</div><div class='block'>{boxes}</div>"

    def cleaned_text() -> str:
        return clean_html(page(body)).text_content()

    assert "senior reporter at Town News" not in cleaned_text()
    assert "fee-only adviser" not in cleaned_text()
    assert "keep it busy after hours." in cleaned_text()

    fragments = "|".join(furniture_markup.FURNITURE_FRAGMENTS)
    monkeypatch.setattr(furniture_markup, "_FRAGMENTS", re.compile(fragments))
    assert "senior reporter at Town News" in cleaned_text()
