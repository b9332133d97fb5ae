"""Declared metadata and its precedence (pipeline/metadata.py), on the fixture pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline import metadata
from pipeline.document import parse_html
from pipeline.extract import site_from_title
from pipeline.metadata import PageMetadata, clean_title, read_metadata

PAGES = Path(__file__).parent / "fixtures" / "pages"


def declared(name: str) -> PageMetadata:
    """Return what a fixture page declares about itself, fetched from its own URL."""
    url = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))["url"]
    return read_metadata(parse_html((PAGES / f"{name}.html").read_bytes()), url)


def test_microformats_author_wins_over_a_dublin_core_default() -> None:
    # The page's DC.creator names the web team (a CMS default); its h-entry names the writer.
    meta = declared("hentry-naming-things")
    assert meta.author == "Rosa Delgado"
    assert meta.published == "2023-10-24T17:40:00+00:00"  # dt-published


def test_dublin_core_is_read_in_drupals_dcterms_spelling() -> None:
    meta = declared("drupal-library-makerspace")
    assert meta.author == "Mei Lin"  # the byline shows only the username "mei.lin"
    assert meta.title == "A makerspace in the central library"
    assert meta.published == "2024-02-05T09:00:00+00:00"
    assert meta.language == "en"


def test_json_ld_wins_over_microdata_meta_naming_the_site_as_author() -> None:
    # Squarespace writes <meta itemprop="author"> with the site's name; its JSON-LD has the writer.
    meta = declared("squarespace-library-loans")
    assert meta.author == "Ruth Adeyemi"
    assert "The Service Design Studio" in meta.site_names


def test_json_ld_author_wins_over_opengraph_and_byline() -> None:
    meta = declared("medium-user-research-ops")
    assert meta.author == "Nadia Brooks"
    assert meta.title == "Building a user research practice in a council of 300 people"


def test_microdata_author_elements_are_read_when_nothing_else_names_the_author() -> None:
    # Elementor's post-info widget: <li itemprop="author">; the article:author is a profile URL.
    meta = declared("wordpress-devolution-deals-compared")
    assert meta.author == "Sam Okonkwo; Dr Hannah Pike"


def test_site_name_comes_from_a_middle_dot_title_suffix() -> None:
    # "Post · Site" (Jekyll themes): the same separators strip a title and find a site name.
    meta = declared("hentry-naming-things")
    assert (
        meta.html_title == "Naming services after what people want to do · Field Notes from Ashby"
    )
    assert site_from_title(meta.html_title, meta.title) == "Field Notes from Ashby"


def test_the_publishing_software_is_not_the_sites_name() -> None:
    # Blogger's Contempo theme declares "Blogger" as the publisher of every blog it serves.
    meta = declared("blogger-school-streets")
    assert "Blogger" not in meta.site_names
    assert meta.home_link_name == "Travelling Light in Hollowbrook"


def test_html_entities_in_json_ld_strings_are_decoded() -> None:
    # WordPress SEO plugins write the post title into JSON-LD as it sits in the database.
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Q&amp;A: what&#8217;s next for the &#8220;quiet&#8221; streets",
        "author": {"@type": "Person", "name": "Siobh&aacute;n O&#8217;Neill"},
    }
    html = (
        '<html><head><script type="application/ld+json">' + json.dumps(ld) + "</script>"
        "</head><body><p>Text.</p></body></html>"
    )
    meta = read_metadata(parse_html(html), "https://blog.example.org/p/")
    assert meta.title == "Q&A: what\u2019s next for the \u201cquiet\u201d streets"
    assert meta.author == "Siobh\u00e1n O\u2019Neill"


def test_a_title_escaped_twice_is_unescaped() -> None:
    # The CMS escapes the title, then the template escapes it again: "&amp;#8217;" in the HTML.
    head = (
        "<title>Budget Traveler&amp;#8217;s Guide &amp;amp; Checklist | Gabby</title>"
        '<meta property="og:site_name" content="Gabby">'
    )
    html = f"<html><head>{head}</head><body><p>Text.</p></body></html>"
    meta = read_metadata(parse_html(html), "https://blog.example.org/p/")
    assert (
        clean_title(meta.html_title or "", meta.site_names)
        == "Budget Traveler\u2019s Guide & Checklist"
    )


def test_an_author_naming_the_publisher_or_an_account_number_is_not_the_author() -> None:
    # Site builders fill JSON-LD's author with the organisation, and some CMSs write the
    # account id into <meta name=author>; the byline still names the writer.
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Pricing a yoga class",
        "author": {"@type": "Organization", "name": "Studio Notes"},
        "publisher": {"@type": "Organization", "name": "Studio Notes"},
    }
    head = (
        '<script type="application/ld+json">' + json.dumps(ld) + "</script>"
        '<meta name="author" content="223509017">'
    )
    body = '<p class="byline">By <a rel="author" href="/team/shauna/">Shauna Mitchell</a></p>'
    html = f"<html><head>{head}</head><body>{body}<p>Text.</p></body></html>"
    meta = read_metadata(parse_html(html), "https://studio.example/blog/p/")
    assert meta.author == "Shauna Mitchell"


def test_a_role_account_is_not_the_author() -> None:
    # A CMS's default account signs posts nobody signed ("admin", "Webmaster"); a writer's
    # byline further down still counts.
    for author in ("admin", "Webmaster"):
        head = f'<meta name="author" content="{author}">'
        html = f"<html><head>{head}</head><body><p>Text.</p></body></html>"
        assert read_metadata(parse_html(html), "https://quill.example/blog/p/").author is None
    head = '<meta name="author" content="admin">'
    body = '<p class="byline">By <a rel="author" href="/author/ines/">Ines Varga</a></p>'
    html = f"<html><head>{head}</head><body>{body}<p>Text.</p></body></html>"
    assert read_metadata(parse_html(html), "https://quill.example/blog/p/").author == "Ines Varga"


def test_a_company_or_a_blogs_headline_is_not_the_author(monkeypatch: pytest.MonkeyPatch) -> None:
    # A shop's CMS signs its articles with the company's legal name; a blog aggregator's
    # microdata puts the blog's name, a headline, where the author's name goes.
    def author_of(head: str, body: str = "") -> str | None:
        html = f"<html><head>{head}</head><body>{body}<p>Text.</p></body></html>"
        return read_metadata(parse_html(html), "https://bikes.example/articles/p/").author

    company = '<meta name="author" content="SmartCycle Retail Inc">'
    aggregator = (
        '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<a itemprop="name" href="/blogs/1/">7 Great Trail Ideas For 2022 That You Can Ride '
        "Today</a></div>"
    )
    byline = '<p class="byline">By <a rel="author" href="/team/lena/">Lena Park</a></p>'
    assert author_of(company) is None
    assert author_of("", aggregator) is None
    assert author_of(company, byline) == "Lena Park"
    # Several writers are a list, however long: "A, B and C".
    writers = '<meta name="author" content="Thomas Broderick, Nalea Ko and the Rankings Team">'
    assert author_of(writers) == "Thomas Broderick, Nalea Ko and the Rankings Team"

    monkeypatch.setattr(metadata, "_COMPANY", re.compile("(?!)"))
    monkeypatch.setattr(metadata, "_is_headline", lambda author: False)
    assert author_of(company) == "SmartCycle Retail Inc"
    assert author_of("", aggregator) == "7 Great Trail Ideas For 2022 That You Can Ride Today"


def test_a_footers_contact_card_is_not_the_author() -> None:
    # An hCard in the site's foot (a div, not a <footer>) holds the organisation's phone
    # number and contact link; without an h-entry the whole page is searched for vcards,
    # and a contact card names nobody.
    footer = (
        '<div class="site-foot"><div class="site-contact"><div class="vcard"><h4>Phone:</h4>'
        '<p><span itemprop="telephone" class="tel">555/014-2200</span></p>'
        '<h4><a href="/contact/">Contact Us</a></h4></div></div></div>'
    )
    html = f"<html><body><main><h1>Webcams</h1><p>Text.</p></main>{footer}</body></html>"
    assert read_metadata(parse_html(html), "https://parks.example/webcams/").author is None
    card = '<span class="author vcard"><a class="url fn n" href="/u/ada/">Ada Osei</a></span>'
    html = f"<html><body><main><h1>Webcams</h1>{card}<p>Text.</p></main>{footer}</body></html>"
    assert read_metadata(parse_html(html), "https://parks.example/webcams/").author == "Ada Osei"


def test_tags_are_read_from_any_themes_tag_class_not_from_tag_clouds() -> None:
    # Without tag archive links, the tag elements' class is the only sign: "tag" or a theme's
    # prefix before it; a sidebar's tag cloud and its links are not the post's tags.
    body = (
        "<article><h1>Pricing a yoga class</h1><p>Text.</p>"
        '<ul class="entry-tags"><li class="entry-tag">pricing</li>'
        '<li><span class="tag">#studios</span></li><li class="tag-cloud">not a tag</li></ul>'
        '</article><aside class="sidebar"><a href="/tags/yoga/">yoga</a>'
        '<span class="post-tag">sidebar</span></aside>'
    )
    meta = read_metadata(parse_html(f"<html><body>{body}</body></html>"), "https://y.example/p/")
    assert meta.tags == ["pricing", "studios"]
