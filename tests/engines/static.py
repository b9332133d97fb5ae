"""Static engines: build once per change of sources (cached outside the repo), serve on loopback.

A static engine's build writes the site for the placeholder origin ``ORIGIN`` (engines write
absolute URLs into canonical links, feeds and sitemaps); ``tests.engines.serve`` copies the
built tree with the placeholder replaced by the address it listens on, so one cached build
serves on any free port.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import lxml.html

from tests.engines import Engine, EngineUnavailable
from tests.engines.content import POSTS, Post
from tests.engines.site import BuiltSite

ORIGIN = "http://engine.blogarchive.invalid"
CACHE_ENV = "BLOGARCHIVE_ENGINES_CACHE"
# Builds kept per engine: worktrees with other versions of a builder each keep theirs.
KEEP_BUILDS = 4
ROOT = Path(__file__).resolve().parents[2]

# A build function writes the engine's sources into its first folder, builds the site into
# the second and returns each post's URL path ("/posts/2025/01/slug/") by slug.
BuildFn = Callable[[Path, Path], dict[str, str]]


def cache_root() -> Path:
    """Return the folder built sites are cached in (``$BLOGARCHIVE_ENGINES_CACHE`` or ~/.cache)."""
    configured = os.environ.get(CACHE_ENV)
    root = Path(configured) if configured else Path.home() / ".cache" / "blogarchive-engines"
    root.mkdir(parents=True, exist_ok=True)
    return root


def package_versions(packages: list[str]) -> dict[str, str]:
    """Return each package's installed version; a missing one makes the engine unavailable.

    A bare name is a Python distribution; ``deb:NAME`` is a Debian package (dpkg's version),
    ``bin:NAME`` a command on PATH (what ``NAME --version`` prints).
    """
    versions = {}
    for package in packages:
        kind, _, name = package.rpartition(":")
        if kind == "deb":
            versions[package] = _deb_version(name)
            continue
        if kind == "bin":
            if shutil.which(name) is None:
                raise EngineUnavailable(f"{name} is not on PATH (.ci/run installs it)")
            done = subprocess.run([name, "--version"], capture_output=True, text=True, check=False)
            versions[package] = (done.stdout or done.stderr).strip()
            continue
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            raise EngineUnavailable(
                f"{package} is not installed (pip install -e '.[test,engines]')"
            ) from None
    return versions


def _deb_version(name: str) -> str:
    if shutil.which("dpkg-query") is None:
        raise EngineUnavailable(f"Debian package {name}: not a Debian system (no dpkg-query)")
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}", name],
        capture_output=True,
        text=True,
        check=False,
    )
    status, _, version = done.stdout.partition(" ")
    if done.returncode != 0 or not status.startswith("ii"):
        raise EngineUnavailable(f"Debian package {name} is not installed (.ci/run installs it)")
    return version.strip()


def source_key(files: list[Path], versions: Mapping[str, str]) -> str:
    """Hash what a build depends on: the posts, the build code and the engines' versions."""
    digest = hashlib.sha256(json.dumps(sorted(versions.items())).encode())
    for path in [ROOT / "tests/engines/content.py", Path(__file__), *files]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_paths(out: Path) -> list[str]:
    """Return the URL path of every HTML page in a built tree (``dir/index.html`` is ``dir/``)."""
    paths = []
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        if rel == "404.html":
            continue
        paths.append("/" + (rel.removesuffix("index.html") if page.name == "index.html" else rel))
    return paths


def cached_build(name: str, build: BuildFn, files: list[Path], packages: list[str]) -> Path:
    """Build the site once per source key; return the cache folder holding ``site/``."""
    versions = package_versions(packages)
    target = cache_root() / f"{name}-{source_key(files, versions)}"
    if (target / "manifest.json").exists():
        return target
    scratch = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "src").mkdir(parents=True)
    started = time.monotonic()
    post_paths = build(scratch / "src", scratch / "site")
    missing = [p for p in post_paths.values() if p not in page_paths(scratch / "site")]
    if missing or len(post_paths) != len(POSTS):
        raise AssertionError(f"{name}: the build did not write the posts it names: {missing}")
    manifest = {
        "post_paths": post_paths,
        "page_paths": page_paths(scratch / "site"),
        "versions": versions,
        "build_seconds": round(time.monotonic() - started, 2),
    }
    (scratch / "manifest.json").write_text(json.dumps(manifest, indent=2))
    try:
        scratch.rename(target)
    except OSError:  # another process built the same key meanwhile: keep theirs
        shutil.rmtree(scratch, ignore_errors=True)
    _prune(name, keep=KEEP_BUILDS)
    return target


def _prune(name: str, keep: int) -> None:
    """Remove all but the ``keep`` newest cached builds of one engine (older sources)."""
    key = re.compile(rf"{re.escape(name)}-[0-9a-f]{{16}}")
    builds = sorted(
        (p for p in cache_root().iterdir() if key.fullmatch(p.name) and p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def run_build(command: list[str], cwd: Path, timeout: float = 300) -> None:
    """Run an engine's build command; its output is the failure message when it fails."""
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
            f"\n{done.stderr[-3000:]}"
        )


@contextmanager
def serve_tree(site: Path, log: Path, timeout: float = 30) -> Iterator[str]:
    """Serve a built tree with ``tests.engines.serve`` on a free port; yield its base URL."""
    with log.open("w") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "tests.engines.serve", str(site), ORIGIN],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()  # printed once the socket listens
            assert line.startswith("http://"), f"server did not start: {log.read_text()[-2000:]}"
            yield line
        finally:
            proc.terminate()
            proc.wait(timeout=timeout)


def check_chrome(name: str, site: Path, chrome: list[str]) -> None:
    """Fail when a chrome string is on no page of the site: its check would prove nothing.

    A string counts as there in a page's markup (an attribute: "Edit this page" is a link's
    title) or in its text (across tags and entities: "Powered by <a>Hexo</a>").
    """
    pages = []
    for page in site.rglob("*.html"):
        markup = page.read_bytes()
        pages.append(markup.decode("utf-8", "replace").casefold())
        text = lxml.html.fromstring(markup).text_content() if markup.strip() else ""
        pages.append(" ".join(text.split()).casefold())
    absent = [c for c in chrome if not any(c.casefold() in page for page in pages)]
    if absent:
        raise AssertionError(f"{name}: chrome strings on no page of the built site: {absent}")


def static_engine(
    name: str,
    build: BuildFn,
    *,
    files: list[Path],
    packages: list[str],
    chrome: list[str],
    site_name: str,
    shows_author: bool = True,
    shows_date: bool = True,
    xfail: Mapping[str, str] | None = None,
) -> Engine:
    """Return the registry entry of a static engine: cached build, served copy, BuiltSite."""
    by_slug: dict[str, Post] = {post.slug: post for post in POSTS}

    @contextmanager
    def serve(work: Path) -> Iterator[BuiltSite]:
        built = cached_build(name, build, files, packages)
        manifest = json.loads((built / "manifest.json").read_text())
        check_chrome(name, built / "site", chrome)
        with serve_tree(built / "site", work / f"{name}-server.log") as base:
            post_paths: dict[str, str] = manifest["post_paths"]
            posts = {base + path: by_slug[slug] for slug, path in post_paths.items()}
            others = [base + p for p in manifest["page_paths"] if p not in post_paths.values()]
            yield BuiltSite(
                engine=name,
                base_url=base + "/",
                post_urls=posts,
                non_post_urls=others,
                site_name=site_name,
                chrome=chrome,
                shows_author=shows_author,
                shows_date=shows_date,
            )

    return Engine(name=name, serve=serve, xfail=dict(xfail or {}))
