"""The Debian engines' own machinery: package checks and the PHP server's lifetime."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.engines import EngineUnavailable, engines_required
from tests.engines.static import package_versions
from tests.engines.wordpress import _free_port, _stop_group, _wait_for_http


def test_a_missing_debian_package_is_unavailable_with_the_reason() -> None:
    if shutil.which("dpkg-query") is None:
        with pytest.raises(EngineUnavailable, match="not a Debian system"):
            package_versions(["deb:no-such-blog-engine"])
        return
    with pytest.raises(EngineUnavailable, match="no-such-blog-engine is not installed"):
        package_versions(["deb:no-such-blog-engine"])
    assert package_versions(["deb:dpkg"])["deb:dpkg"][0].isdigit()


def _group(pgid: int) -> list[int]:
    """Return the live processes of a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


def _php_server(root: Path) -> subprocess.Popen:
    if shutil.which("php") is None:
        reason = "php is not installed (.ci/run installs php-cli)"
        if engines_required():
            pytest.fail(reason)
        pytest.skip(reason)
    (root / "index.php").write_text("<?php echo 'ok';\n")
    log = root / "php.log"
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(root)],
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_for_http(f"http://127.0.0.1:{port}/", proc, log)
    return proc


def test_php_server_workers_end_with_the_server(tmp_path: Path) -> None:
    proc = _php_server(tmp_path)
    _stop_group(proc)
    assert _group(proc.pid) == []


def test_php_server_workers_outlive_a_plain_terminate(tmp_path: Path) -> None:
    # Why _stop_group exists: php -S forks PHP_CLI_SERVER_WORKERS children, and ending the
    # parent alone leaves them serving (they were left behind after every test session).
    proc = _php_server(tmp_path)
    proc.terminate()
    proc.wait(timeout=30)
    try:
        assert _group(proc.pid), "the workers ended with the parent"
    finally:
        _stop_group(proc)
    assert _group(proc.pid) == []
