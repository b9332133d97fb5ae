"""Memberships a post has because series pages listed it (the crawler's ``listed_in_series``)."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.records import SeriesMembership


def listed_memberships(listed_in: Iterable[tuple[str, str]]) -> list[SeriesMembership]:
    """Return a ``series-page`` membership per (series name, series page URL) that listed it."""
    return [
        SeriesMembership(name=name, url=series_url, signal="series-page", evidence=series_url)
        for name, series_url in listed_in
    ]
