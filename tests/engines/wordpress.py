"""WordPress from Debian's packages, on MariaDB and PHP's built-in server, with a shipped theme.

The build installs WordPress into a private MariaDB data directory (``wp_install`` and the
post functions, run by ``wordpress_install.php``) and caches that directory by a hash of its
sources. Serving copies the cached directory, starts ``mariadbd`` on a private socket and
``php -S`` with a router that does what Apache's rewrite rules do for pretty permalinks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx

from tests.engines import Engine, EngineUnavailable, content
from tests.engines.site import BuiltSite
from tests.engines.static import cache_root, package_versions, run_build, source_key

WORDPRESS = Path("/usr/share/wordpress")
INSTALL_SCRIPT = Path(__file__).with_name("wordpress_install.php")
PER_PAGE = 3
PACKAGES = ["deb:wordpress", "deb:mariadb-server", "deb:php-cli", "deb:php-mysql", "deb:php-xml"]

# Each theme's own strings around a post (footer, comment form, meta labels, widgets), as its
# templates print them; the grader looks for them, case-folded, in every stored post.
_COMMENT_FORM = ["Your email address will not be published", "Post Comment", "Cancel reply"]
THEMES: dict[str, list[str]] = {
    # The block default theme of WordPress 6.1: byline, date and terms are blocks.
    "twentytwentythree": [
        "Proudly powered by",
        "Leave a Reply",
        "Tags:",
        "One response to",
        *_COMMENT_FORM,
        content.COMMENT_AUTHOR,
        content.COMMENT_TEXT,
    ],
    # The classic (PHP template) default theme that Debian packages beside it.
    "twentytwentyone": [
        "Proudly powered by",
        "Leave a comment",
        "Categorized as",
        "Tagged",
        "Post navigation",
        "Recent Posts",
        "Recent Comments",
        "says:",
        *_COMMENT_FORM,
        content.COMMENT_AUTHOR,
        content.COMMENT_TEXT,
    ],
}

_CONFIG = """<?php
// Written by tests/engines/wordpress.py: the database is a private MariaDB on a socket, the
// site's address is whatever host and port the request came to (the port changes per run).
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:' . getenv('BLOGARCHIVE_WP_SOCKET'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
foreach (['AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE'] as $salt) {
    define($salt . '_KEY', 'blogarchive-engine-test-' . $salt);
    define($salt . '_SALT', 'blogarchive-engine-test-salt-' . $salt);
}
$home = isset($_SERVER['HTTP_HOST'])
    ? 'http://' . $_SERVER['HTTP_HOST']
    : getenv('BLOGARCHIVE_WP_HOME');
define('WP_HOME', $home);
define('WP_SITEURL', $home);
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', $home . '/wp-content');
// No cron loopback requests, no calls to wordpress.org (the tests are offline).
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
"""

# Debian's wp-config.php reads /etc/wordpress/config-HOST.php; this tree instead links the
# package's files beside its own wp-config.php, and PHP resolves symlinks in __DIR__, so the
# router fixes ABSPATH to the tree before WordPress's own wp-load.php would.
_ROUTER = """<?php
// php -S router: existing files are served as they are, .php files run, and every other path
// goes to WordPress's front controller, as Apache's rewrite rules send it.
define('ABSPATH', __DIR__ . '/');
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
$file = __DIR__ . $path;
if ($path !== '/' && is_file($file)) {
    if (substr($path, -4) !== '.php') {
        return false;
    }
    $_SERVER['SCRIPT_NAME'] = $path;
    $_SERVER['PHP_SELF'] = $path;
    $_SERVER['SCRIPT_FILENAME'] = $file;
    require $file;
    return;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
require __DIR__ . '/index.php';
"""


def _login(name: str) -> str:
    return name.lower().replace(" ", "-")


def _blocks(html: str) -> str:
    """Return paragraphs as the block editor saves them."""
    return "\n\n".join(
        f"<!-- wp:paragraph -->\n{paragraph}\n<!-- /wp:paragraph -->"
        for paragraph in html.split("\n")
    )


def _site_json(theme: str) -> dict[str, object]:
    first = content.POSTS[0]
    return {
        "theme": theme,
        "name": content.SITE_NAME,
        "description": content.SITE_DESCRIPTION,
        "per_page": PER_PAGE,
        "authors": {_login(name): name for name in content.AUTHORS},
        "comment_author": content.COMMENT_AUTHOR,
        "comment_text": content.COMMENT_TEXT,
        "about_title": content.ABOUT_TITLE,
        "about_content": _blocks(f"<p>{content.ABOUT_TEXT}</p>"),
        "posts": [
            {
                "slug": post.slug,
                "title": post.title,
                "author": post.author,
                "date": post.published.strftime("%Y-%m-%d %H:%M:%S"),
                "category": post.category,
                "tags": list(post.tags),
                "content": _blocks(post.html()),
                "comment": post is first,
                "comment_date": (post.published + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
            }
            for post in content.POSTS
        ],
    }


def _site_tree(site: Path) -> None:
    """Lay out a WordPress tree: the package's files linked, this project's config and router."""
    site.mkdir(parents=True, exist_ok=True)
    for entry in WORDPRESS.iterdir():
        if entry.name not in ("wp-config.php", "wp-content"):
            (site / entry.name).symlink_to(entry)
    (site / "wp-content").mkdir()
    (site / "wp-content" / "themes").symlink_to(WORDPRESS / "wp-content" / "themes")
    (site / "wp-content" / "uploads").mkdir()
    (site / "wp-config.php").write_text(_CONFIG)
    (site / "router.php").write_text(_ROUTER)


def _user_args() -> list[str]:
    # mariadbd refuses to run as root unless told to; CI runs as root.
    return ["--user=root"] if os.geteuid() == 0 else []


@contextmanager
def _mariadb(datadir: Path) -> Iterator[Path]:
    """Run MariaDB on ``datadir`` with a private socket and no network; yield the socket."""
    # A unix socket path must stay under 108 bytes: keep it in a short temporary folder.
    with tempfile.TemporaryDirectory(prefix="ba-maria-") as run_dir:
        sock = Path(run_dir) / "sock"
        proc = subprocess.Popen(
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={datadir}",
                f"--socket={sock}",
                f"--pid-file={run_dir}/pid",
                f"--log-error={run_dir}/error.log",
                f"--tmpdir={run_dir}",
                "--skip-networking",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=16M",
                *_user_args(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_mariadb(sock, proc, Path(run_dir) / "error.log")
            yield sock
        finally:
            subprocess.run(
                ["mariadb-admin", "--no-defaults", f"--socket={sock}", "-uroot", "shutdown"],
                capture_output=True,
                check=False,
                timeout=60,
            )
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_for_mariadb(sock: Path, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    ping = ["mariadb-admin", "--no-defaults", f"--socket={sock}", "-uroot", "--wait=1"]
    # mariadb-admin --connect-timeout and --wait poll for us: no blind sleep.
    done = subprocess.run(
        [*ping, f"--connect-timeout={int(timeout)}", "ping"],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout + 30,
    )
    if done.returncode != 0 or proc.poll() is not None:
        error = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"MariaDB did not start on {sock}: {done.stderr}\n{error}")


def _build(theme: str, out: Path) -> None:
    """Install WordPress with ``theme`` and the posts into a new MariaDB data dir ``out/data``."""
    datadir = out / "data"
    tmpdir = out / "tmp"
    tmpdir.mkdir()
    run_build(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={datadir}",
            # Its own temporary dir: two bootstraps sharing /tmp failed on CI's parallel workers
            # ("Could not remove temporary table '/tmp/#sql-temptable-…'", mysql.tmp_user_sys).
            f"--tmpdir={tmpdir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--innodb-log-file-size=16M",
            *_user_args(),
        ],
        cwd=out,
    )
    with tempfile.TemporaryDirectory(prefix="ba-wp-") as scratch:
        site = Path(scratch) / "site"
        _site_tree(site)
        spec = Path(scratch) / "site.json"
        spec.write_text(json.dumps(_site_json(theme)))
        with _mariadb(datadir) as sock:
            mariadb = ["mariadb", "--no-defaults", f"--socket={sock}", "-uroot"]
            run_build([*mariadb, "-e", "CREATE DATABASE wordpress CHARACTER SET utf8mb4"], out)
            abspath = json.dumps(f"{site}/")
            install = f"define('ABSPATH', {abspath}); require {json.dumps(str(INSTALL_SCRIPT))};"
            run_build(
                [
                    "env",
                    f"BLOGARCHIVE_WP_SOCKET={sock}",
                    "BLOGARCHIVE_WP_HOME=http://127.0.0.1",
                    *["php", "-r", install, str(spec)],
                ],
                cwd=site,
            )


def _cached_build(theme: str) -> Path:
    """Return the cached data dir's folder for ``theme``, building it when its sources changed."""
    if not (WORDPRESS / "wp-content" / "themes" / theme).is_dir():
        raise EngineUnavailable(f"Debian package wordpress-theme-{theme} is not installed")
    versions = package_versions([*PACKAGES, f"deb:wordpress-theme-{theme}"])
    key = source_key([Path(__file__), INSTALL_SCRIPT], versions)
    target = cache_root() / f"wordpress-{theme}-{key}"
    if (target / "data").is_dir():
        return target
    # One WordPress build at a time across test workers: two on 2 cores gain nothing.
    with open(cache_root() / "wordpress.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "data").is_dir():  # built by another worker while this one waited
            return target
        return _build_into(theme, target)


def _build_into(theme: str, target: Path) -> Path:
    """Build ``theme`` beside ``target`` and move it there, removing older builds."""
    scratch = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    _build(theme, scratch)
    try:
        scratch.rename(target)
    except OSError:  # another process built the same key meanwhile: keep theirs
        shutil.rmtree(scratch, ignore_errors=True)
    for stale in target.parent.glob(f"wordpress-{theme}-*"):
        if stale != target:  # a data dir is 35 MB: keep only the current sources' build
            shutil.rmtree(stale, ignore_errors=True)
    return target


def _urls(base: str) -> tuple[dict[str, content.Post], list[str]]:
    posts = {f"{base}{post.published:%Y/%m}/{post.slug}/": post for post in content.POSTS}
    pages = -(-len(content.POSTS) // PER_PAGE)
    months = sorted({f"{base}{post.published:%Y/%m}/" for post in content.POSTS})
    non_posts = [
        base,
        *(f"{base}page/{n}/" for n in range(2, pages + 1)),
        f"{base}about/",
        *sorted({f"{base}category/{post.category.lower()}/" for post in content.POSTS}),
        *sorted({f"{base}tag/{tag}/" for post in content.POSTS for tag in post.tags}),
        *(f"{base}author/{_login(name)}/" for name in content.AUTHORS),
        *sorted({f"{base}{post.published:%Y}/" for post in content.POSTS}),
        *months,
    ]
    return posts, non_posts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"php -S exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=5.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _check_chrome(name: str, urls: list[str], chrome: list[str]) -> None:
    """Fail when a chrome string is on none of ``urls`` (the commented post, home)."""
    pages = [httpx.get(url, timeout=30).text.casefold() for url in urls]
    absent = [c for c in chrome if not any(c.casefold() in page for page in pages)]
    if absent:
        raise AssertionError(f"{name}: chrome strings on none of {urls}: {absent}")


def _stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """End ``proc`` and the workers it forked (its process group); wait until all are gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    while True:
        try:
            os.killpg(proc.pid, 0)  # is anyone of the group left?
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.05)


def wordpress_engine(theme: str) -> Engine:
    """Return the registry entry of WordPress with one of its Debian-packaged themes."""
    name = f"wordpress-{theme}"

    @contextmanager
    def serve(work: Path) -> Iterator[BuiltSite]:
        built = _cached_build(theme)
        datadir = work / "data"
        # The crawl's page views write options and transients: serve a copy of the cache.
        shutil.copytree(built / "data", datadir, symlinks=True)
        site = work / "site"
        _site_tree(site)
        with _mariadb(datadir) as sock:
            port = _free_port()
            base = f"http://127.0.0.1:{port}/"
            env = {
                **os.environ,
                "BLOGARCHIVE_WP_SOCKET": str(sock),
                # php -S answers one request at a time unless it forks workers.
                "PHP_CLI_SERVER_WORKERS": "4",
            }
            log_path = work / "php.log"
            with log_path.open("w") as log:
                # Its own session: php -S forks the workers, and they must end with it.
                proc = subprocess.Popen(
                    ["php", "-S", f"127.0.0.1:{port}", "-t", str(site), str(site / "router.php")],
                    cwd=site,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                try:
                    _wait_for_http(base, proc, log_path)
                    posts, non_posts = _urls(base)
                    _check_chrome(name, [next(iter(posts)), base], THEMES[theme])
                    yield BuiltSite(
                        engine=name,
                        base_url=base,
                        post_urls=posts,
                        non_post_urls=non_posts,
                        site_name=content.SITE_NAME,
                        chrome=THEMES[theme],
                    )
                finally:
                    _stop_group(proc)

    return Engine(name=name, serve=serve, xfail=XFAIL.get(name, {}))


# Checks each theme fails today, with what the grader reports (see tests/test_engines.py).
XFAIL: dict[str, dict[str, str]] = {}

ENGINES = [wordpress_engine("twentytwentythree"), wordpress_engine("twentytwentyone")]
