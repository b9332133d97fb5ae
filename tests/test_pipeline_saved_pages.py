"""Saved HTML files through the pipeline (pipeline/saved_pages.py), what `blogarchive extract`
prints: each file paired with its URL, one line per file even when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.saved_pages import PairingError, extract_saved_pages, pair_with_urls
from tests.conftest import saved_post


def test_each_file_takes_its_own_url_or_one_of_the_given_ones(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.html"), str(tmp_path / "b.html")
    paired = pair_with_urls([f"{a}=https://x.example/a/", f"{b}=https://x.example/b/"], [])
    assert paired == [(Path(a), "https://x.example/a/"), (Path(b), "https://x.example/b/")]
    listed = ["https://y.example/1/", "", "https://y.example/2/ "]
    assert [url for _, url in pair_with_urls([a, b], [], listed)] == [
        "https://y.example/1/",
        "https://y.example/2/",
    ]
    each = pair_with_urls([a, b], ["https://z.example/1/", "https://z.example/2/"])
    assert [url for _, url in each] == ["https://z.example/1/", "https://z.example/2/"]
    one = pair_with_urls([a, b], ["https://z.example/post/"])
    assert [url for _, url in one] == ["https://z.example/post/"] * 2
    alone = pair_with_urls([a], [])
    assert alone == [(Path(a), Path(a).resolve().as_uri())]


def test_a_file_named_like_file_equals_url_is_that_file(tmp_path: Path) -> None:
    odd = tmp_path / "page.html=https:"
    odd.mkdir()
    (odd / "x.example").write_text("<html></html>")
    name = f"{odd}//x.example"  # FILE=URL in shape, but the file is there
    assert pair_with_urls([name], []) == [(Path(name), Path(name).resolve().as_uri())]
    assert pair_with_urls([f"{tmp_path}/gone.html=https://x.example"], []) == [
        (tmp_path / "gone.html", "https://x.example")
    ]


@pytest.mark.parametrize(
    ("urls", "listed", "said"),
    [
        (["https://a/1", "https://a/2"], None, "2 --url values for 3 files"),
        ([], ["https://a/1"], "--urls-from has 1 URLs for 3 files"),
    ],
)
def test_urls_that_do_not_pair_up_are_refused(
    urls: list[str], listed: list[str] | None, said: str
) -> None:
    with pytest.raises(PairingError, match=said):
        pair_with_urls(["a.html", "b.html", "c.html"], urls, listed)


def test_every_file_gets_a_line_in_order_even_a_failed_one(tmp_path: Path) -> None:
    first = saved_post(tmp_path / "a.html", "First post")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><div></div></body></html>")
    missing = tmp_path / "gone.html"
    pages = pair_with_urls([first, str(empty), str(missing)], [])
    lines = [page.to_json() for page in extract_saved_pages(pages)]
    assert [line["file"] for line in lines] == [first, str(empty), str(missing)]
    assert lines[0]["title"] == "First post"
    assert "error" not in lines[0]
    assert lines[1] == {
        "file": str(empty),
        "url": empty.resolve().as_uri(),
        "text": "",
        "error": lines[1]["error"],
    }
    assert lines[1]["error"]
    assert lines[2]["error"] == "No such file or directory"
