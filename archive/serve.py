"""Publish the archive with Datasette: a read-only snapshot, served immutable."""

from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

import yaml
from datasette.app import SETTINGS as _DATASETTE_SETTINGS
from datasette.app import Datasette

from archive.errors import ArchiveError
from archive.publish import default_snapshot_path
from archive.store import Archive

logger = logging.getLogger(__name__)

# The database name metadata.yaml is written for; replaced by the snapshot's own name.
PLACEHOLDER_DB = "blogarchive"

# The reading view of posts: a template override and the plugin that feeds it.
TEMPLATES_DIR = Path(__file__).with_name("templates")
PLUGINS_DIR = Path(__file__).with_name("plugins")
STARTUP_TIMEOUT = 60.0  # seconds Datasette may take to start listening (a slow, busy machine)

# The names ``serve --setting`` accepts.
DATASETTE_SETTINGS = frozenset(setting.name for setting in _DATASETTE_SETTINGS)

# Datasette settings the archive is served with: downloads on (of the immutable snapshot);
# no suggested facets (word_count and dates are not useful ones; metadata.yaml names facets);
# eight values a facet, so the rows start on the first screen.
SETTINGS = {"allow_download": "on", "suggest_facets": "off", "default_facet_size": "8"}


def render_metadata(db_name: str, *, noindex: bool = True) -> dict[str, Any]:
    """Return ``metadata.yaml`` with its database section under ``db_name``.

    ``noindex`` (the default) has robots.txt disallow everything and every response say
    ``X-Robots-Tag: noindex``: the archive republishes other people's posts.
    """
    text = resources.files("archive").joinpath("metadata.yaml").read_text(encoding="utf-8")
    metadata: dict[str, Any] = yaml.safe_load(text)
    databases = metadata.get("databases", {})
    if PLACEHOLDER_DB in databases and db_name != PLACEHOLDER_DB:
        databases[db_name] = databases.pop(PLACEHOLDER_DB)
    metadata.setdefault("plugins", {})["blogarchive"] = {"noindex": noindex}
    return metadata


def metadata_path(snapshot: Path) -> Path:
    """Return where the rendered metadata for ``snapshot`` is written, beside it."""
    return snapshot.with_name(f"{snapshot.stem}.metadata.json")


def write_metadata(snapshot: Path, *, noindex: bool = True) -> Path:
    """Write the metadata Datasette needs to serve ``snapshot`` and return its path."""
    path = metadata_path(snapshot)
    metadata = render_metadata(snapshot.stem, noindex=noindex)
    path.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return path


def datasette_args(
    snapshot: Path, *, host: str, port: int, settings: Sequence[tuple[str, str]] = ()
) -> list[str]:
    """Return the full command that serves ``snapshot`` read-only, downloads allowed.

    Only immutable databases (``-i``) get Datasette's download link; the metadata file is
    the one :func:`write_metadata` writes. ``settings`` come after the archive's own, so
    they win.
    """
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(snapshot),
        "--metadata",
        str(metadata_path(snapshot)),
        *[arg for name, value in SETTINGS.items() for arg in ("--setting", name, value)],
        *[arg for name, value in settings for arg in ("--setting", name, value)],
        "--template-dir",
        str(TEMPLATES_DIR),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--host",
        host,
        "--port",
        str(port),
    ]


def _setting_value(value: str) -> bool | int | str:
    """Return a ``--setting`` value as the Python value Datasette's constructor takes."""
    if value in ("on", "off"):
        return value == "on"
    return int(value) if value.isdigit() else value


def make_datasette(snapshot: Path, *, noindex: bool = True) -> Datasette:
    """Return an in-process Datasette over ``snapshot`` configured as :func:`serve` runs it."""
    return Datasette(
        immutables=[str(snapshot)],
        metadata=render_metadata(snapshot.stem, noindex=noindex),
        settings={name: _setting_value(value) for name, value in SETTINGS.items()},
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
    )


def ensure_snapshot(db_path: Path) -> Path:
    """Publish a fresh snapshot of ``db_path`` unless the existing one is newer; return it."""
    snapshot = default_snapshot_path(db_path)
    sources = [p for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists()]
    if not sources:
        if snapshot.exists():
            return snapshot
        raise ArchiveError(db_path, "no archive here: run a crawl first")
    newest = max(p.stat().st_mtime_ns for p in sources)
    if not snapshot.exists() or snapshot.stat().st_mtime_ns < newest:
        with Archive.open(db_path) as archive:
            archive.publish(snapshot)
    return snapshot


class ServeError(Exception):
    """Datasette could not serve (the port is taken, the server exited at start)."""


class UnknownSettingError(ServeError):
    """Settings that are not Datasette's, by name (a user's mistake: a usage error)."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            f"{', '.join(names)}: not a Datasette setting (see datasette serve --help-settings)"
        )
        self.names = list(names)


def check_settings(settings: Sequence[tuple[str, str]]) -> None:
    """Raise :class:`UnknownSettingError` naming the settings Datasette does not have."""
    unknown = [name for name, _ in settings if name not in DATASETTE_SETTINGS]
    if unknown:
        raise UnknownSettingError(unknown)


def check_port(host: str, port: int) -> None:
    """Raise :class:`ServeError` if nothing can listen on ``host:port`` (taken, not ours)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: a port left in TIME_WAIT by an earlier server is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ServeError(
                f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port"
                " (0 picks a free one)"
            ) from exc


def wait_until_listening(process: subprocess.Popen[bytes], host: str, port: int) -> None:
    """Wait until the server accepts connections; raise ServeError if it exits first."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        code = process.poll()
        if code is not None:
            raise ServeError(
                f"Datasette exited with status {code} before serving on {host}:{port}"
                " (see its message above)"
            )
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"Datasette did not listen on {host}:{port} in {STARTUP_TIMEOUT}s")
        time.sleep(0.1)


def free_port(host: str) -> int:
    """Return a TCP port on ``host`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def serve(
    db_path: Path,
    *,
    host: str,
    port: int,
    open_browser: bool = False,
    settings: Sequence[tuple[str, str]] = (),
    noindex: bool = True,
    serving: Callable[[Path, str], None] = lambda snapshot, url: None,
) -> int:
    """Serve the archive's snapshot with Datasette until stopped; return Datasette's exit code.

    ``port=0`` picks a free port. Tells ``serving`` the snapshot and its URL once Datasette
    listens; raises :class:`ServeError` if it cannot (:class:`UnknownSettingError` for a
    setting Datasette does not have, before anything starts). Each crawl publishes a new
    snapshot over the old one; the server reads it at the next request.
    """
    check_settings(settings)
    snapshot = ensure_snapshot(Path(db_path))
    write_metadata(snapshot, noindex=noindex)
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    args = datasette_args(snapshot, host=host, port=port, settings=settings)
    if open_browser:
        args.append("--open")
    url = f"http://{host}:{port}/"
    process = subprocess.Popen(args)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    # SIGTERM must reach Datasette too, or terminating us would orphan the server.
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        # Said only once it is true: the line callers (and `make demo`) wait for.
        wait_until_listening(process, host, port)
        serving(snapshot, url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
