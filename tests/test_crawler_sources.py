"""sources.toml is validated before any request, and errors say what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import (
    SOURCE_KEYS,
    Source,
    SourcesError,
    load_sources,
    source_from_urls,
    sources_from_urls,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_every_key(tmp_path):
    path = write(
        tmp_path,
        """
[[source]]
name = "civic"
start_urls = ["https://WWW.Civic.example/blog/?utm_source=x"]
feeds = ["https://civic.example/feed/"]
sitemaps = ["https://civic.example/sitemap.xml"]
post_patterns = ['/\\d{4}/\\d{2}/[^/]+/$']
series_patterns = ['/series/']
hosts = ["civic.example", "blog.civic.example:8080"]
delay = 1
concurrency = 2
max_pages = 500
max_depth = 5

[[source]]
start_urls = ["http://127.0.0.1:8001/"]
""",
    )
    civic, local = load_sources(path)
    assert civic == Source(
        name="civic",
        start_urls=("https://www.civic.example/blog/",),
        feeds=("https://civic.example/feed/",),
        sitemaps=("https://civic.example/sitemap.xml",),
        post_patterns=(r"/\d{4}/\d{2}/[^/]+/$",),
        series_patterns=("/series/",),
        hosts=frozenset({"civic.example", "blog.civic.example:8080"}),
        delay=1.0,
        concurrency=2,
        max_pages=500,
        max_depth=5,
    )
    assert local.name == "127.0.0.1:8001"
    assert local.hosts == frozenset({"127.0.0.1:8001"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[source]]\nname = "a"\nstart_urls = [\n', "invalid TOML"),
        ('[[source]]\nname = "a"\nstart_urls = ["http://a.example/"]\nfeed = []\n', "'feed'"),
        ('[[source]]\nname = "a"\nstart_urls = "http://a.example/"\n', "expected a list"),
        ('[[source]]\nname = "a"\nstart_urls = ["http://a.example/"]\ndelay = "2"\n', "'delay'"),
        ('[[source]]\nname = "a"\nstart_urls = ["http://a/"]\npost_patterns = ["(["]\n', "regex"),
        ('[[source]]\nname = "a"\n', "'start_urls' is required"),
        ('[[source]]\nname = "a"\nstart_urls = []\n', "at least one URL"),
        ('[[source]]\nname = "a"\nstart_urls = ["ftp://a.example/"]\n', "not an http(s) URL"),
        ('[[source]]\nname = "a"\nstart_urls = ["http://a/"]\nmax_pages = -1\n', "must be >= 1"),
        ('[[source]]\nname = "a"\nstart_urls = ["http://a/"]\nconcurrency = true\n', "bool"),
        ("[other]\nx = 1\n", "unknown top-level key 'other'"),
        ("", "no [[source]] tables"),
    ],
)
def test_invalid_sources_file_names_the_problem(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    message = str(info.value)
    assert expected in message
    assert str(path) in message


def test_syntax_error_names_line_and_column(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "a"\nstart_urls = ["http://a/"\nmax_pages = 3\n')
    with pytest.raises(SourcesError, match=r"line 4, column \d+"):
        load_sources(path)


def test_error_names_source_index_name_and_key(tmp_path):
    path = write(
        tmp_path,
        '[[source]]\nname = "ok"\nstart_urls = ["http://a/"]\n\n'
        '[[source]]\nname = "broken"\nstart_urls = ["http://b/"]\nmax_depth = -2\n',
    )
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert "source #2 ('broken')" in str(info.value)
    assert "'max_depth'" in str(info.value)


def test_duplicate_names_are_rejected(tmp_path):
    path = write(
        tmp_path,
        '[[source]]\nname = "a"\nstart_urls = ["http://a/"]\n\n'
        '[[source]]\nname = "a"\nstart_urls = ["http://b/"]\n',
    )
    with pytest.raises(
        SourcesError, match=r"source #2 \('a'\): key 'name': duplicate of source #1"
    ):
        load_sources(path)


def test_missing_file_is_a_sources_error(tmp_path):
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.toml")


def test_source_from_urls_is_named_after_the_host():
    source = source_from_urls(["http://127.0.0.1:8123/blog/", " http://127.0.0.1:8123/about/ "])
    assert source.name == "127.0.0.1:8123"
    assert source.start_urls == ("http://127.0.0.1:8123/blog/", "http://127.0.0.1:8123/about/")
    assert source.allows("http://127.0.0.1:8123/post/")
    assert not source.allows("http://127.0.0.1:9999/post/")


def test_urls_of_several_hosts_become_one_source_each_named_per_host():
    sources = sources_from_urls(
        ["http://127.0.0.1:8123/", "http://blog.example/a/", "http://127.0.0.1:8123/about/"]
    )
    assert [(s.name, s.start_urls) for s in sources] == [
        ("127.0.0.1:8123", ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/about/")),
        ("blog.example", ("http://blog.example/a/",)),
    ]
    assert not sources[0].allows("http://blog.example/a/")


def test_source_from_urls_rejects_non_http_urls():
    with pytest.raises(SourcesError, match="urls: key 'start_urls'"):
        source_from_urls(["file:///etc/passwd"])


def test_every_key_has_help_for_the_readme():
    assert all(key.help.endswith(".") for key in SOURCE_KEYS)
    assert {key.name for key in SOURCE_KEYS} == set(Source.__dataclass_fields__)


def test_series_urls_are_crawled_and_read_as_series_pages(tmp_path):
    from crawler.pages import classify_page

    path = write(
        tmp_path,
        """
[[source]]
start_urls = ["https://civic.example/"]
series_urls = ["https://civic.example/topics/creative-councils"]
""",
    )
    [source] = load_sources(path)
    assert source.start_urls == (
        "https://civic.example/",
        "https://civic.example/topics/creative-councils",
    )
    # A page that does not call itself a series is one because the sources file says so.
    html = "<html><body><h1>Creative Councils</h1><ol><li><a href='/cc-1/'>1</a></li>"
    html += "<li><a href='/cc-2/'>2</a></li></ol></body></html>"
    listed = "https://civic.example/topics/creative-councils/"
    assert classify_page(listed, html).series is None
    info = classify_page(listed, html, series_patterns=source.series_patterns)
    assert info.series is not None
    assert (info.series.name, info.series.post_urls) == (
        "Creative Councils",
        ["https://civic.example/cc-1/", "https://civic.example/cc-2/"],
    )
    assert (
        classify_page(
            "https://civic.example/topics/other/", html, series_patterns=source.series_patterns
        ).series
        is None
    )


def test_spider_given_urls_of_two_hosts_files_them_under_two_sources():
    from crawler.spiders.blog import BlogSpider

    spider = BlogSpider(urls="http://a.example/,http://b.example:8080/x/")
    assert sorted(spider.sources) == ["a.example", "b.example:8080"]
