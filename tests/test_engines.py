"""The real-engine matrix: each engine's site crawled twice and graded check by check.

One test per (engine, check); each engine is built (cached), served and crawled once per
session. A check an engine is known to fail is a strict xfail naming the failures, so a fix
turns it into an XPASS that asks for the marker to go. A missing engine skips with the
reason, and fails when BLOGARCHIVE_REQUIRE_ENGINES=1 (CI).
"""

from __future__ import annotations

import pytest

from tests.engines import Engine, EngineUnavailable, all_engines, engines_required
from tests.engines.grade import CHECKS, Grade, grade_site

ENGINES = {engine.name: engine for engine in all_engines()}


class Matrix:
    """Grades each engine's site on first use and keeps the grade for its other checks."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.grades: dict[str, Grade | str | AssertionError] = {}

    def grade(self, engine: Engine) -> Grade:
        """Return the engine's grade, building, serving and crawling its site the first time."""
        if engine.name not in self.grades:
            work = self.factory.mktemp(engine.name)
            try:
                with engine.serve(work) as site:
                    self.grades[engine.name] = grade_site(site, work)
            except EngineUnavailable as exc:
                self.grades[engine.name] = f"{engine.name} unavailable: {exc}"
            except Exception as exc:  # a failed build or crawl fails every check once, not again
                self.grades[engine.name] = AssertionError(f"{engine.name}: {exc}")
        grade = self.grades[engine.name]
        if isinstance(grade, AssertionError):
            pytest.fail(str(grade))
        if isinstance(grade, str):
            if engines_required():
                pytest.fail(f"{grade} (BLOGARCHIVE_REQUIRE_ENGINES is set)")
            pytest.skip(grade)
        return grade


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    return Matrix(tmp_path_factory)


def _cases() -> list[object]:
    cases = []
    for engine in ENGINES.values():
        for check in CHECKS:
            # Each engine's checks share one build and crawl: keep them on one xdist worker.
            marks = [pytest.mark.e2e, pytest.mark.xdist_group(f"engine-{engine.name}")]
            if check in engine.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=engine.xfail[check]))
            cases.append(pytest.param(engine.name, check, marks=marks, id=f"{engine.name}-{check}"))
    return cases


@pytest.mark.parametrize(("engine", "check"), _cases())
def test_engine_site_passes_check(matrix: Matrix, engine: str, check: str) -> None:
    grade = matrix.grade(ENGINES[engine])
    assert not grade.failures[check], grade.report(check)
