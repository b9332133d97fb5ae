"""Readable permalinks: /-/posts/<host>/<path> and /-/series/<slug>, shown on their pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_archive_datasette import get
from tests.test_archive_search import published

POST_PAGE = "/archive/posts/https~3A~2F~2Fparish~2Eexample~2Eorg~2Fdata~2F"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published(tmp_path_factory.mktemp("permalinks"))


@pytest.mark.parametrize("key", ["parish.example.org/data", "parish.example.org/data/"])
def test_post_permalink_redirects_to_the_post(snapshot: Path, key: str) -> None:
    response = get(snapshot, f"/-/posts/{key}")
    assert response.status_code == 302
    assert response.headers["location"] == POST_PAGE


def test_series_permalink_redirects_to_the_series(snapshot: Path) -> None:
    response = get(snapshot, "/-/series/open-data")
    assert response.status_code == 302
    assert response.headers["location"] == "/archive/series/1"


def test_unknown_permalinks_are_not_found(snapshot: Path) -> None:
    assert get(snapshot, "/-/posts/parish.example.org/nothing").status_code == 404
    assert get(snapshot, "/-/series/nothing").status_code == 404


def test_pages_show_their_permalinks_and_dates_as_dates(snapshot: Path) -> None:
    post = get(snapshot, POST_PAGE).text
    assert '<a class="permalink" href="/-/posts/parish.example.org/data">permalink</a>' in post
    assert 'datetime="2024-04-01">2024-04-01</time>' in post
    series = get(snapshot, "/archive/series/1").text
    assert '<a class="permalink" href="/-/series/open-data">permalink</a>' in series
