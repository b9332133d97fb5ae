"""Every project setting is declared once, read without a default of its own, and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import settings as project_settings
from crawler.settings import declared_setting

ROOT = Path(__file__).parent.parent
PACKAGES = ("crawler", "pipeline", "archive")
NAME = re.compile(r"\bBLOGARCHIVE_[A-Z_]+\b")
# A settings read that restates a default: settings.get("BLOGARCHIVE_X", default).
READ_WITH_DEFAULT = re.compile(r"\.get\w*\(\s*\"(BLOGARCHIVE_[A-Z_]+)\"\s*,")


def settings_table() -> str:
    """Return README's settings table, as the declarations make it."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for setting in project_settings.declared:
        default = setting.shown or f"`{setting.default!r}`"
        rows.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join(rows) + "\n"


def source_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def test_every_setting_the_code_names_is_declared() -> None:
    declared = {setting.name for setting in project_settings.declared}
    named = {
        (name, path.relative_to(ROOT).as_posix())
        for path in source_files()
        for name in NAME.findall(path.read_text(encoding="utf-8"))
    }
    undeclared = sorted(f"{path}: {name}" for name, path in named if name not in declared)
    assert not undeclared, f"declare these in crawler/settings.py (declared): {undeclared}"


def test_no_setting_is_read_with_a_default_of_its_own() -> None:
    restated = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in source_files()
        for match in READ_WITH_DEFAULT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not restated, f"read these without a default (it is declared once): {restated}"


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "README.md's settings table is out of date; replace it with the output of"
        " `python -m tests.test_settings`"
    )


def test_scrapy_loads_each_declared_default_and_not_the_table() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for setting in project_settings.declared:
        assert settings[setting.name] == setting.default, setting.name
    assert "DECLARED" not in settings
    assert "Setting" not in settings


def test_the_cli_states_no_declared_default_of_its_own() -> None:
    # Its --db default and --workers help come from the declarations (declared_setting).
    assert declared_setting("BLOGARCHIVE_DB").default == "archive.db"
    with pytest.raises(KeyError):
        declared_setting("BLOGARCHIVE_NO_SUCH_SETTING")
    cli = (ROOT / "archive" / "cli.py").read_text(encoding="utf-8")
    for setting in project_settings.declared:
        if isinstance(setting.default, str) and setting.default:
            assert f'"{setting.default}"' not in cli, (
                f"archive/cli.py restates {setting.name}'s default; use declared_setting"
            )


if __name__ == "__main__":
    print(settings_table(), end="")
