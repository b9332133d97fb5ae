"""The trap rules' building blocks (crawler/traps.py); the crawls are in test_crawl_faults.py."""

from __future__ import annotations

import pytest

from crawler.traps import repeated_run, url_pattern


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("http://b.org/cal/?m=202401", "b.org/cal/?m"),
        ("http://b.org/cal/?m=202402&x=1", "b.org/cal/?m&x"),
        ("http://b.org/2024/05/", "b.org/N/N/"),
        ("http://b.org/page/12/", "b.org/page/N/"),
        ("http://b.org/2024/05/my-post/", "b.org/N/N/my-post/"),
        ("http://b.org/?p=123", "b.org/?p"),
        ("http://B.org:8080/s/?sid=abc&sid=def", "b.org:8080/s/?sid"),
    ],
)
def test_url_pattern_keeps_words_and_drops_numbers_and_query_values(url, pattern):
    assert url_pattern(url) == pattern


def test_posts_with_different_slugs_have_different_patterns():
    assert url_pattern("http://b.org/2024/05/alpha/") != url_pattern("http://b.org/2024/05/beta/")


@pytest.mark.parametrize(
    ("path", "run"),
    [
        ("a/b/a/b/a/b", ["a", "b"]),
        ("x/a/a/a", ["a"]),
        ("blog/a/b/c/a/b/c/a/b/c/post", ["a", "b", "c"]),
        ("a/b/a/b", None),  # twice in a row is allowed
        ("2024/05/05/post", None),
        ("tag/news/category/news/tag/news", None),  # repeats, but not in a row
    ],
)
def test_a_run_of_segments_repeated_three_times_in_a_row_is_a_trap(path, run):
    assert repeated_run(path.split("/"), max_repeats=2) == run
