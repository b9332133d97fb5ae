"""URL canonicalisation: a table of spellings, each with its canonical URL and its key."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize_url, is_tracking_param, url_key

# (link as found, canonical URL to fetch and store, identity key)
CASES = [
    # scheme and host case, default ports, empty path
    ("HTTP://Ex.ORG", "http://ex.org/", "ex.org"),
    ("https://ex.org:443/a/", "https://ex.org/a/", "ex.org/a"),
    ("http://ex.org:80/a/", "http://ex.org/a/", "ex.org/a"),
    ("http://127.0.0.1:8080/a/", "http://127.0.0.1:8080/a/", "127.0.0.1:8080/a"),
    # tracking parameters: courlan's list plus our own, content parameters kept
    (
        "https://ex.org/a/?utm_source=x&utm_medium=email&utm_campaign=c",
        "https://ex.org/a/",
        "ex.org/a",
    ),
    (
        "https://ex.org/a/?fbclid=IwAR0&gclid=Cj0&mc_cid=1&mc_eid=2",
        "https://ex.org/a/",
        "ex.org/a",
    ),
    ("https://ex.org/a/?ref=newsletter", "https://ex.org/a/", "ex.org/a"),
    ("https://ex.org/a/?share=twitter", "https://ex.org/a/", "ex.org/a"),
    ("https://ex.org/a/?replytocom=12", "https://ex.org/a/", "ex.org/a"),
    ("https://ex.org/a/?msclkid=1&_ga=2.1", "https://ex.org/a/", "ex.org/a"),
    ("https://ex.org/?p=123&utm_source=x", "https://ex.org/?p=123", "ex.org?p=123"),
    (
        "https://ex.org/search?updated-max=2024-01-01&max-results=20",
        "https://ex.org/search?max-results=20&updated-max=2024-01-01",
        "ex.org/search?max-results=20&updated-max=2024-01-01",
    ),
    ("https://ex.org/page/?page=2&ref=nav", "https://ex.org/page/?page=2", "ex.org/page?page=2"),
    ("https://ex.org/2024/05/a.html?m=1", "https://ex.org/2024/05/a.html", "ex.org/2024/05/a.html"),
    ("https://ex.org/?m=202401", "https://ex.org/?m=202401", "ex.org?m=202401"),
    # query order, blank values kept, empty query dropped
    ("https://ex.org/a?b=2&a=1", "https://ex.org/a?a=1&b=2", "ex.org/a?a=1&b=2"),
    ("https://ex.org/a?x=&y=1", "https://ex.org/a?x=&y=1", "ex.org/a?x=&y=1"),
    ("https://ex.org/a?", "https://ex.org/a", "ex.org/a"),
    # fragments
    ("https://ex.org/a/#comments", "https://ex.org/a/", "ex.org/a"),
    # percent-encoding: escapes upper-cased, unreserved characters decoded, UTF-8 encoded
    ("https://ex.org/caf%c3%a9/", "https://ex.org/caf%C3%A9/", "ex.org/caf%C3%A9"),
    ("https://ex.org/caf\u00e9/", "https://ex.org/caf%C3%A9/", "ex.org/caf%C3%A9"),
    ("https://ex.org/%7Eann/", "https://ex.org/~ann/", "ex.org/~ann"),
    ("https://ex.org/a%2fb", "https://ex.org/a%2Fb", "ex.org/a%2Fb"),
    # www, http/https, trailing slash, index documents: kept in the URL, one key
    ("https://www.ex.org/a/", "https://www.ex.org/a/", "ex.org/a"),
    ("http://ex.org/a", "http://ex.org/a", "ex.org/a"),
    ("https://ex.org/a/index.html", "https://ex.org/a/index.html", "ex.org/a"),
    ("https://ex.org/index.php", "https://ex.org/index.php", "ex.org"),
    ("  https://ex.org/a/  ", "https://ex.org/a/", "ex.org/a"),
]  # fmt: skip


@pytest.mark.parametrize(("link", "canonical", "key"), CASES, ids=[c[0].strip() for c in CASES])
def test_canonical_url_and_key(link: str, canonical: str, key: str) -> None:
    assert canonicalize_url(link) == canonical
    assert url_key(link) == key
    # Canonicalising is idempotent, and the key of the canonical URL is the link's key.
    assert canonicalize_url(canonical) == canonical
    assert url_key(canonical) == key


def test_every_spelling_of_one_post_has_one_key() -> None:
    spellings = [
        "http://www.ex.org/2024/05/a-post/",
        "https://ex.org/2024/05/a-post",
        "HTTPS://EX.org:443/2024/05/a-post/index.html?utm_source=rss#more",
        "https://ex.org/2024/05/a-post/?fbclid=x&share=facebook",
    ]
    assert {url_key(s) for s in spellings} == {"ex.org/2024/05/a-post"}


def test_different_posts_keep_different_keys() -> None:
    urls = [
        "https://ex.org/2024/05/a-post/",
        "https://ex.org/2024/05/a-post-2/",
        "https://other.example.org/2024/05/a-post/",
        "https://ex.org/?p=1",
        "https://ex.org/?p=2",
        "https://ex.org:8080/2024/05/a-post/",
    ]
    assert len({url_key(u) for u in urls}) == len(urls)


def test_fragment_is_kept_when_it_names_an_entry() -> None:
    url = "https://ex.org/page/2/#post-7"
    assert canonicalize_url(url, keep_fragment=True) == url
    assert url_key(url, keep_fragment=True) == "ex.org/page/2#post-7"


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_Campaign", True),
        ("fbclid", True),
        ("gclid", True),
        ("mc_cid", True),
        ("ref", True),
        ("share", True),
        ("affiliate", True),
        ("_ga", True),
        ("source", True),
        ("referrer", True),
        # Words that only begin like a tracker (courlan's "ga", "ref") select content.
        ("gallery", False),
        ("reference", False),
        ("game", False),
        ("p", False),
        ("page", False),
        ("paged", False),
        ("cat", False),
        ("updated-max", False),
        ("id", False),
    ],
)
def test_tracking_parameters(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking
