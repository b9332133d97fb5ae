"""The engine matrix's own machinery: body scoring, the build cache, a missing engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engines import EngineUnavailable, all_engines, engines_required
from tests.engines.content import POSTS
from tests.engines.grade import MIN_BODY_F1, grade_site, word_f1
from tests.engines.static import cached_build, package_versions


def test_word_f1_passes_the_source_and_fails_a_body_with_chrome_or_a_lost_paragraph() -> None:
    text = POSTS[0].text()
    assert word_f1(text, text) == 1.0
    assert word_f1(text, text.upper()) == 1.0
    paragraphs = text.split("\n\n")
    assert word_f1(text, "\n\n".join(paragraphs[1:])) < MIN_BODY_F1
    chrome = "Published: Fri 10 January 2025 By Amara Okafor In Services. tags: housing data"
    assert word_f1(text, f"{chrome}\n\n{text}") < MIN_BODY_F1


def _fake_build(calls: list[int]):  # type: ignore[no-untyped-def]
    def build(src: Path, out: Path) -> dict[str, str]:
        calls.append(1)
        for post in POSTS:
            (out / post.slug).mkdir(parents=True)
            (out / post.slug / "index.html").write_text(f"<h1>{post.title}</h1>")
        (out / "index.html").write_text("<h1>home</h1>")
        return {post.slug: f"/{post.slug}/" for post in POSTS}

    return build


def test_a_site_is_built_once_per_source_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOGARCHIVE_ENGINES_CACHE", str(tmp_path / "cache"))
    calls: list[int] = []
    first = cached_build("fake", _fake_build(calls), [], ["pytest"])
    again = cached_build("fake", _fake_build(calls), [], ["pytest"])
    assert first == again
    assert len(calls) == 1
    source = tmp_path / "builder.py"
    source.write_text("# another version of the builder\n")
    rebuilt = cached_build("fake", _fake_build(calls), [source], ["pytest"])
    assert rebuilt != first
    assert len(calls) == 2


def test_a_missing_engine_is_unavailable_with_the_reason() -> None:
    with pytest.raises(EngineUnavailable, match="no-such-blog-engine is not installed"):
        package_versions(["no-such-blog-engine"])


@pytest.mark.e2e
def test_the_recrawl_check_fails_when_the_second_crawl_is_not_incremental(
    tmp_path: Path,
) -> None:
    # The matrix's recrawl check passes on Pelican; with validators off (--full) the second
    # crawl extracts every post again, and the same check must say so.
    pelican = next(e for e in all_engines() if e.name == "pelican-notmyidea")
    try:
        with pelican.serve(tmp_path) as site:
            grade = grade_site(site, tmp_path, recrawl_args=("--full",))
    except EngineUnavailable as exc:
        if engines_required():
            raise
        pytest.skip(str(exc))
    found = {(f.field, f.stored) for f in grade.failures["recrawl"]}
    assert ("pages extracted again", len(site.post_urls)) in found, grade.report("recrawl")
    assert not grade.failures["posts_stored"]
