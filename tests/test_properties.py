"""Property-based tests (hypothesis): URL canonicalisation, date parsing, the sources parser.

Generated inputs, so the properties hold for URLs, dates and files no fixture thought of.
No deadline: the machine is shared, and a slow example is not a wrong one.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.sources import SourcesError, load_sources
from crawler.urls import canonicalize_url, netloc, url_key
from pipeline.metadata import normalise_date

PROPERTIES = settings(
    deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
hosts = st.builds(
    lambda parts, tld: ".".join([*parts, tld]),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["org", "com", "net", "blog"]),
)
segment = st.text(string.ascii_letters + string.digits + "-._~%!$&'()*+,;=:@é", max_size=10)
paths = st.lists(segment, max_size=4).map(lambda parts: "/" + "/".join(parts))
params = st.lists(
    st.tuples(
        st.sampled_from(["p", "page", "utm_source", "fbclid", "q", "tag", "ref", "x", "m"]),
        st.text(string.ascii_letters + string.digits + "%=+", max_size=6),
    ),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(hosts)
    host = draw(st.sampled_from([host, host.upper(), "www." + host, "WWW." + host.upper()]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    query = "&".join(f"{k}={v}" for k, v in draw(params))
    fragment = draw(st.sampled_from(["", "#top", "#comment-3"]))
    return f"{scheme}://{host}{port}{draw(paths)}{'?' + query if query else ''}{fragment}"


@PROPERTIES
@given(urls())
@example("http://Example.org:80/a/../b/./c?b=2&a=1&utm_source=x#frag")
def test_canonicalising_twice_changes_nothing(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert url_key(once) == url_key(url)
    assert url_key(url, keep_fragment=True) == url_key(
        once + url.partition("#")[1] + url.partition("#")[2], keep_fragment=True
    )


@PROPERTIES
@given(urls(), st.sampled_from(["utm_source=news", "fbclid=abc", "utm_medium=mail"]))
def test_tracking_parameters_and_fragments_do_not_change_a_url(url: str, tracker: str) -> None:
    base = url.split("#", 1)[0]
    tracked = base + ("&" if "?" in base else "?") + tracker + "#section"
    assert canonicalize_url(tracked) == canonicalize_url(url)


@PROPERTIES
@given(urls())
def test_a_canonical_url_is_on_the_same_site(url: str) -> None:
    canonical = canonicalize_url(url)
    assert netloc(canonical) == netloc(url)
    assert canonical.startswith(("http://", "https://"))
    assert "#" not in canonical


@PROPERTIES
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_spelling_of_a_date_parses_to_that_date(day: date) -> None:
    for spelling in (
        day.isoformat(),
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
        f"{day:%b} {day.day}, {day.year}",
    ):
        parsed = normalise_date(spelling)
        assert parsed is not None, spelling
        assert parsed[:10] == day.isoformat(), spelling


@PROPERTIES
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_an_iso_datetime_parses_to_itself(moment: datetime) -> None:
    parsed = normalise_date(moment.isoformat())
    assert parsed is not None
    assert datetime.fromisoformat(parsed) == moment


@PROPERTIES
@given(st.text(max_size=40))
def test_any_text_is_a_date_or_none_never_an_error(text: str) -> None:
    parsed = normalise_date(text)
    assert parsed is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", parsed)


names = st.text(string.ascii_lowercase + "-_", min_size=1, max_size=10).filter(
    lambda s: s.strip("-_")
)


@st.composite
def sources_files(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A valid sources.toml and, per source, its name and first start URL."""
    chosen = draw(
        st.lists(st.tuples(names, urls()), min_size=1, max_size=4, unique_by=lambda t: t[0])
    )
    tables = []
    for name, url in chosen:
        url = url.split("#")[0].replace('"', "").replace("\\", "")
        table = f'[[source]]\nname = "{name}"\nstart_urls = ["{url}"]\n'
        if draw(st.booleans()):
            table += f"delay = {draw(st.floats(min_value=0, max_value=60)):.2f}\n"
        if draw(st.booleans()):
            table += f"max_pages = {draw(st.integers(min_value=1, max_value=10**6))}\n"
        tables.append(table)
    return "\n".join(tables), [(name, url.split("#")[0]) for name, url in chosen]


@PROPERTIES
@given(sources_files())
def test_a_valid_sources_file_loads_every_source(tmp_path: Path, generated) -> None:
    text, expected = generated
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_sources(path)
    assert [s.name for s in loaded] == [name for name, _ in expected]
    for source, (_, url) in zip(loaded, expected, strict=True):
        assert source.start_urls == (canonicalize_url(url.replace('"', "").replace("\\", "")),)
        assert source.allows(source.start_urls[0])


@PROPERTIES
@given(st.text(max_size=200))
@example('[[source]]\nname = "a"\nstart_urls = ["ftp://x/"]\n')
@example('[[source]]\nname = "a"\nstart_urls = "http://a/"\nmax_pages = 0\n')
@example("[[source]]\n[[source]]\n")
def test_any_text_loads_or_is_one_sources_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    error: SourcesError | None = None
    try:
        loaded = load_sources(path)
    except SourcesError as exc:
        error = exc
    if error is None:
        assert all(s.start_urls for s in loaded)
    else:
        assert str(path) in str(error), error  # the message names the file
