"""The ``blogarchive`` command: crawl, extract, serve, export, migrate, runs, duplicates.

Command bodies stay a few lines over the stage functions, with no SQL of their own. It lives
in the last stage, the only one allowed to import the others (crawler -> pipeline -> archive;
no stage imports a later one: import-linter's contracts in pyproject.toml, run by
``make lint``), and with the fleet's writer it is the one archive module that may use the
crawler's runners, not only its data.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from crawler.fleet import CRAWLERS
from crawler.settings import CONCURRENT_REQUESTS_PER_DOMAIN, declared_setting

if TYPE_CHECKING:
    from crawler.run import CrawlSummary

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def db_option(fn: F) -> F:
    """Add ``--db``, the archive's SQLite file."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path(declared_setting("BLOGARCHIVE_DB").default),
        show_default=True,
        help="The archive's SQLite file (created if missing).",
    )(fn)


def usable_archive(db_path: Path, *, write: bool, create: bool = False) -> None:
    """Stop with one ``Error:`` line if the archive cannot be used (see archive/access.py)."""
    from archive.access import check_archive
    from archive.errors import ArchiveError

    try:
        check_archive(db_path, write=write, create=create)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def quiet_option(fn: F) -> F:
    """Add ``--quiet``, which turns progress output off."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="No progress display; errors and the summary only."
    )(fn)


def load_crawl_sources(urls: tuple[str, ...] | list[str], sources_path: Path | None) -> list[Any]:
    """Load a run's sources from a sources file or start URLs; bad input is a ClickException."""
    from crawler.sources import SourcesError, run_sources

    try:
        return run_sources(sources_path, list(urls))
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc


def verbose_option(fn: F) -> F:
    """Add ``-v/--verbose``, which shows Scrapy's log."""
    return click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log on stderr.")(fn)


def parse_settings(overrides: tuple[str, ...]) -> dict[str, Any]:
    """Turn repeated ``-s NAME=VALUE`` options into a settings dict (crawler/settings.py)."""
    from crawler.settings import OverrideError, parse_overrides

    try:
        return parse_overrides(overrides)
    except OverrideError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from exc


def settings_option(fn: F) -> F:
    """Add ``-s/--set NAME=VALUE``, a Scrapy setting override."""
    return click.option(
        "-s",
        "--set",
        "overrides",
        multiple=True,
        metavar="NAME=VALUE",
        help="Override a Scrapy setting, e.g. -s AUTOTHROTTLE_ENABLED=False (repeatable).",
    )(fn)


def crawl_scope_options(fn: F) -> F:
    """Add what a crawl fetches and how fast: shared by ``crawl`` and ``writer``."""
    options = [
        click.option(
            "--max-pages",
            type=click.IntRange(min=1),
            help="At most N page requests per source; robots.txt, feeds, sitemaps and the feed"
            " paths probed at the start are not counted, a page's retries and redirects count"
            " as that page.",
        ),
        click.option(
            "--max-depth", type=click.IntRange(min=0), help="Follow links at most N deep."
        ),
        click.option(
            "--delay",
            type=click.FloatRange(min=0),
            help="Seconds between requests to one site (robots.txt Crawl-delay still wins if"
            " longer).",
        ),
        click.option(
            "--no-throttle",
            is_flag=True,
            help="No delay between requests and no AutoThrottle, for benchmarks against a local"
            " server (robots.txt, its Crawl-delay included, is still obeyed).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            help="Requests in flight at once to one site"
            f" (default: {CONCURRENT_REQUESTS_PER_DOMAIN}).",
        ),
        click.option(
            "--full",
            is_flag=True,
            help="Fetch every page whole: no If-None-Match/If-Modified-Since from earlier"
            " captures.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def workers_option(where: str) -> Callable[[F], F]:
    """Add ``--workers``, the extraction processes; with 0 it extracts in ``where``."""
    workers = declared_setting("BLOGARCHIVE_EXTRACT_WORKERS").shown
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        help=f"Extraction processes (default: {workers}; 0 extracts in {where}).",
    )


def targets_option(sources_help: str) -> Callable[[F], F]:
    """Add the start URLS argument and ``--sources FILE``."""

    def decorate(fn: F) -> F:
        fn = click.option(
            "--sources",
            "sources_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=sources_help,
        )(fn)
        return click.argument("urls", nargs=-1)(fn)

    return decorate


def no_contradiction(delay: float | None, no_throttle: bool) -> None:
    """Refuse ``--delay`` with ``--no-throttle`` (``crawl`` and ``writer``)."""
    if no_throttle and delay:
        raise click.UsageError("--delay and --no-throttle contradict each other: give one")


def crawl_options(
    db_path: Path,
    urls: tuple[str, ...],
    sources_path: Path | None,
    given: dict[str, Any],
    **extra: Any,
) -> Any:
    """Return the CrawlOptions of ``crawl`` or ``writer`` from their options (``given``)."""
    from crawler.run import CrawlOptions

    return CrawlOptions(
        db_path=db_path,
        sources_path=sources_path,
        urls=list(urls),
        max_pages=given["max_pages"],
        max_depth=given["max_depth"],
        delay=given["delay"],
        throttle=not given["no_throttle"],
        concurrency=given["concurrency"],
        settings=parse_settings(given["overrides"]),
        log_level="INFO" if given["verbose"] else "WARNING",
        full=given["full"],
        **extra,
    )


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="blogarchive")
def cli() -> None:
    """Crawl blogs and blog series into a clean SQLite archive, published with Datasette.

    \b
    Example:
        blogarchive crawl https://blog.example.org/ --db archive.db
        blogarchive serve --db archive.db
    """


@cli.command()
@targets_option("A sources.toml naming the blogs to crawl (instead of URLS).")
@db_option
@workers_option("the crawler process")
@click.option(
    "--time-budget",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Stop the crawl after this many seconds; the run is partial (for scheduled runs).",
)
@crawl_scope_options
@settings_option
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Crawl with several processes sharing the frontier in Redis (redis://HOST:PORT/N)"
    " and one writer process owning the archive; see --crawlers.",
)
@click.option(
    "--crawlers",
    type=click.IntRange(min=1),
    help=f"Crawler processes on this machine with --redis (default: {CRAWLERS}).",
)
@verbose_option
@quiet_option
def crawl(
    urls: tuple[str, ...],
    sources_path: Path | None,
    db_path: Path,
    max_pages: int | None,
    max_depth: int | None,
    delay: float | None,
    no_throttle: bool,
    concurrency: int | None,
    workers: int | None,
    time_budget: float | None,
    overrides: tuple[str, ...],
    full: bool,
    redis_url: str | None,
    crawlers: int | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Crawl blogs into the archive, staying on their hosts.

    A page captured before is asked for conditionally; a 304 reuses the stored capture.

    \b
    Examples:
        blogarchive crawl https://blog.example.org/ --db archive.db
        blogarchive crawl --sources sources.toml --db archive.db --max-pages 500
        blogarchive crawl --sources sources.toml --db archive.db --full
        blogarchive crawl --sources sources.toml --db archive.db --time-budget 1800
        blogarchive crawl http://127.0.0.1:8000/ --no-throttle --concurrency 16
        blogarchive crawl --sources sources.toml --redis redis://127.0.0.1:6379/0 --crawlers 3
    """
    from archive.crawl import crawl as run_one_crawl

    if bool(urls) == bool(sources_path):
        raise click.UsageError("give either start URLS or --sources FILE (one of the two)")
    no_contradiction(delay, no_throttle)
    sources = load_crawl_sources(urls, sources_path)
    options = crawl_options(
        db_path,
        urls,
        sources_path,
        locals(),
        workers=workers,
        progress=not quiet and sys.stderr.isatty(),
        time_budget=time_budget,
    )
    usable_archive(db_path, write=True, create=True)
    if crawlers is not None and not redis_url:
        raise click.UsageError("--crawlers needs --redis URL (the frontier they share)")
    if redis_url:
        from crawler.fleet import FleetError
        from crawler.fleet_run import run_fleet

        try:
            code = run_fleet(redis_url, options, crawlers, verbose=verbose)
        except FleetError as exc:
            raise click.ClickException(str(exc)) from exc
        sys.exit(code)
    end_with_summary(lambda: run_one_crawl(sources, options))


def end_with_summary(run: Callable[[], CrawlSummary]) -> None:
    """Run a crawl, print its summary line and exit with its status (``crawl``, ``writer``).

    A crawl that could not run says why in one ``Error:`` line, as a ClickException prints
    it, with the crawl's own exit status (130 for Ctrl-C).
    """
    from archive.errors import ArchiveError
    from crawler.fleet import FleetError
    from crawler.run import CrawlFailed

    try:
        summary = run()
    except (CrawlFailed, ArchiveError, FleetError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 1))
    click.echo(summary.line(), err=True)
    sys.exit(summary.outcome.exit_code)


def redis_option(fn: F) -> F:
    """Add ``--redis URL``, where the crawl's frontier and outbox are."""
    return click.option(
        "--redis",
        "redis_url",
        required=True,
        metavar="URL",
        help="The crawl's Redis, e.g. redis://10.0.0.5:6379/0 (the /N picks the database).",
    )(fn)


@cli.command("crawler")
@redis_option
@workers_option("the crawler process")
@verbose_option
def crawler_command(redis_url: str, workers: int | None, verbose: bool) -> None:
    """Join the crawl in Redis as one crawler process; any number, on any machine.

    It takes requests from the shared frontier and sends what it fetched to the writer
    through Redis; it ends when the whole fleet is out of work.

    \b
    Example:
        blogarchive crawler --redis redis://10.0.0.5:6379/0
    """
    from crawler.fleet import FleetError
    from crawler.fleet_run import run_fleet_crawler

    try:
        result = run_fleet_crawler(
            redis_url, log_level="INFO" if verbose else "WARNING", workers=workers
        )
    except FleetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.line(), err=True)
    sys.exit(result.exit_code)


@cli.command()
@targets_option("Start a new crawl of the blogs of this sources.toml (instead of URLS).")
@redis_option
@db_option
@crawl_scope_options
@settings_option
@verbose_option
def writer(
    urls: tuple[str, ...],
    sources_path: Path | None,
    redis_url: str,
    db_path: Path,
    max_pages: int | None,
    max_depth: int | None,
    delay: float | None,
    no_throttle: bool,
    concurrency: int | None,
    full: bool,
    overrides: tuple[str, ...],
    verbose: bool,
) -> None:
    """Write a fleet's crawl into the archive: the one process that owns it and its WARCs.

    With URLS or --sources it starts a new crawl in Redis for crawlers to join; without,
    it writes the crawl already there (a writer started again after it stopped goes on
    where it was). It ends with the crawl's summary line and exit status.

    \b
    Examples:
        blogarchive writer --sources sources.toml --redis redis://10.0.0.5:6379/0 --db a.db
        blogarchive writer --redis redis://10.0.0.5:6379/0 --db a.db
    """
    from archive.writer import write_fleet_crawl

    no_contradiction(delay, no_throttle)
    options = crawl_options(db_path, urls, sources_path, locals())
    usable_archive(db_path, write=True, create=True)
    logging.basicConfig(level=options.log_level, format="%(levelname)s %(name)s: %(message)s")
    if urls or sources_path:
        load_crawl_sources(urls, sources_path)  # a bad sources file before Redis hears of it
    end_with_summary(lambda: write_fleet_crawl(redis_url, options))


@cli.command()
@targets_option("The sources.toml to replay (default: the one the last crawl used).")
@db_option
@workers_option("this process")
@settings_option
@verbose_option
@quiet_option
def reextract(
    urls: tuple[str, ...],
    sources_path: Path | None,
    db_path: Path,
    workers: int | None,
    overrides: tuple[str, ...],
    verbose: bool,
    quiet: bool,
) -> None:
    """Rebuild every post from the archive's stored captures, without the network.

    Replays the crawl (same spider, extraction and store) from the WARC captures and
    records it as a run; prints one JSON line per post that changed, then a summary.

    \b
    Examples:
        blogarchive reextract --db archive.db
        blogarchive reextract --db archive.db -s BLOGARCHIVE_CLEAN=False
    """
    from archive.errors import ArchiveError
    from archive.reextract import reextract as run_reextraction
    from crawler.run import CrawlFailed, CrawlOptions
    from crawler.sources import SourcesError

    if urls and sources_path:
        raise click.UsageError("give start URLS or --sources FILE, not both")
    usable_archive(db_path, write=True)
    options = CrawlOptions(
        db_path=db_path,
        sources_path=sources_path,
        urls=list(urls),
        workers=workers,
        settings=parse_settings(overrides),
        log_level="INFO" if verbose else "WARNING",
        progress=not quiet and sys.stderr.isatty(),
    )
    try:
        done = run_reextraction(options)
    except (ArchiveError, SourcesError, CrawlFailed) as exc:
        raise click.ClickException(str(exc)) from exc
    for line in done.report.lines():
        click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(done.report.summary(), err=True)
    sys.exit(done.summary.outcome.exit_code)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE[=URL]...")
@click.option(
    "--url",
    "urls",
    multiple=True,
    help="The URL the page was fetched from: once for every file, or once per file in order "
    "(default: the file's file:// URL).",
)
@click.option(
    "--urls-from",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="A file of URLs, one line per FILE in the same order.",
)
def extract(inputs: tuple[str, ...], urls: tuple[str, ...], urls_from: Any) -> None:
    """Print the record the pipeline would store for each HTML file, one JSON line each.

    Always one line per FILE, in order: a file with no post gets a line with its url, empty
    text and an "error" field, and the exit status is 1 when any file failed.

    \b
    Examples:
        blogarchive extract saved-post.html --url https://blog.example.org/2024/05/post/
        blogarchive extract a.html=https://blog.example.org/a/ b.html=https://blog.example.org/b/
        blogarchive extract pages/*.html --urls-from urls.txt | jq .title
    """
    from pipeline.saved_pages import PairingError, extract_saved_pages, pair_with_urls

    try:
        pages = pair_with_urls(inputs, urls, urls_from.read().splitlines() if urls_from else None)
    except PairingError as exc:
        raise click.UsageError(str(exc)) from exc
    failed = 0
    for page in extract_saved_pages(pages):
        if page.error is not None:
            click.echo(f"Error: {page.path}: {page.error}", err=True)
            failed += 1
        click.echo(json.dumps(page.to_json(), ensure_ascii=False))
    if failed:
        click.echo(f"{failed} of {len(pages)} files gave no post", err=True)
        sys.exit(1)


@cli.command()
@click.argument("target")
@click.option("--url", help="The URL a saved FILE was fetched from (default: its file:// URL).")
@click.option(
    "--post-pattern",
    "post_patterns",
    multiple=True,
    metavar="REGEX",
    help="A post_patterns regex to try, as a source would set it (repeatable).",
)
def classify(target: str, url: str | None, post_patterns: tuple[str, ...]) -> None:
    """Print how the crawler classifies one page (post, listing or other) and why, as JSON.

    TARGET is a URL to fetch or a saved HTML file. The evidence lists each signal with its
    weight: a post needs 3 from the page itself (or 1 plus what a crawl learns of the
    site: its feeds, the URL shapes of its posts).

    \b
    Examples:
        blogarchive classify https://blog.example.org/2024/05/a-post/
        blogarchive classify saved.html --url https://blog.example.org/2024/05/a-post/
        blogarchive classify saved.html --post-pattern '/\\d{4}/\\d{2}/[^/]+/$'
    """
    from crawler.pages import classify_page, fetch_page

    path = Path(target)
    try:
        if "://" in target:
            page_url, body = target, fetch_page(target)
        elif path.is_file():
            page_url, body = url or path.resolve().as_uri(), path.read_bytes()
        else:
            raise click.BadParameter(f"{target}: neither a URL nor a file", param_hint="TARGET")
    except OSError as exc:
        raise click.ClickException(f"{target}: cannot fetch: {exc}") from exc
    info = classify_page(page_url, body, post_patterns=post_patterns)
    click.echo(json.dumps(info.explain(page_url), ensure_ascii=False, indent=2))


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("-p", "--port", default=8001, show_default=True, help="Port (0 picks a free one).")
@click.option(
    "--setting",
    "settings",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="A Datasette setting, e.g. --setting sql_time_limit_ms 3000 (repeatable).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the archive in a web browser.")
@click.option(
    "--allow-indexing",
    is_flag=True,
    help="Let search engines index the archive (default: robots.txt and X-Robots-Tag say no).",
)
def serve(
    db_path: Path,
    host: str,
    port: int,
    settings: tuple[tuple[str, str], ...],
    open_browser: bool,
    allow_indexing: bool,
) -> None:
    """Serve the archive with Datasette (a published, immutable snapshot of it).

    Each crawl publishes a new snapshot; the running server serves it from the next request.

    \b
    Examples:
        blogarchive serve --db archive.db --port 8001
        blogarchive serve --db archive.db --open --setting sql_time_limit_ms 3000
    """
    from archive.errors import ArchiveError
    from archive.serve import ServeError, UnknownSettingError
    from archive.serve import serve as serve_archive

    def serving(snapshot: Path, url: str) -> None:
        click.echo(f"Serving {snapshot} at {url}")  # the line callers wait for

    usable_archive(db_path, write=False)
    try:
        code = serve_archive(
            db_path,
            host=host,
            port=port,
            open_browser=open_browser,
            settings=settings,
            noindex=not allow_indexing,
            serving=serving,
        )
    except UnknownSettingError as exc:
        raise click.BadParameter(str(exc), param_hint="--setting") from exc
    except (ArchiveError, ServeError) as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(code)


@cli.command()
@db_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "markdown"]),  # archive.export.FORMATS (a test checks)
    default="jsonl",
    show_default=True,
    help="JSON Lines, CSV, or a folder of Markdown files with YAML front matter.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (default: stdout); for markdown, the folder (required).",
)
def export(db_path: Path, fmt: str, output: Path | None) -> None:
    """Export every post (text, Markdown, metadata, series) as JSON Lines, CSV or Markdown.

    \b
    Examples:
        blogarchive export --db archive.db > posts.jsonl
        blogarchive export --db archive.db -f csv -o posts.csv
        blogarchive export --db archive.db -f markdown -o posts/
    """
    from archive.errors import ArchiveError
    from archive.export import ExportUsageError, export_posts

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such archive")
    try:
        with click.open_file("-", "w", encoding="utf-8") as stdout:
            count = export_posts(db_path, fmt, output, stdout)
    except ExportUsageError as exc:
        raise click.UsageError(exc.message) from exc
    except (ArchiveError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{db_path}: {count} posts exported as {fmt}" + (f" to {output}" if output else ""),
        err=True,
    )


@cli.command()
@db_option
def migrate(db_path: Path) -> None:
    """Create the archive or upgrade it to the current schema.

    \b
    Example:
        blogarchive migrate --db archive.db
    """
    from archive.errors import ArchiveError
    from archive.store import Archive

    usable_archive(db_path, write=True, create=True)
    try:
        Archive.open(db_path).close()
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{db_path}: schema up to date", err=True)


@cli.command()
@db_option
@click.option("-n", "--limit", default=20, show_default=True, help="How many runs to list.")
def runs(db_path: Path, limit: int) -> None:
    """List the archive's crawl runs, newest first, as JSON lines.

    A run still "running" also says whether its process is alive; a dead one is closed as
    "interrupted" by the next crawl.

    \b
    Example:
        blogarchive runs --db archive.db -n 5
    """
    from archive.errors import ArchiveError
    from archive.runs import recent_runs

    usable_archive(db_path, write=False)
    try:
        rows = recent_runs(db_path, limit)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


@cli.command()
@db_option
def duplicates(db_path: Path) -> None:
    """Link posts republished on other sites to their original; list every pair as JSON lines.

    Crawls do this as they store posts; this command also compares posts no crawl has seen
    since the archive was upgraded or the detection settings changed.

    \b
    Example:
        blogarchive duplicates --db archive.db
    """
    from archive.errors import ArchiveError
    from archive.store import Archive

    usable_archive(db_path, write=True)
    try:
        with Archive.open(db_path) as archive:
            pairs = archive.index_duplicates()
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for pair in pairs:
        click.echo(json.dumps(pair, ensure_ascii=False))
    click.echo(f"{db_path}: {len(pairs)} posts are copies of another", err=True)


def main() -> None:
    """Run the command line (the ``blogarchive`` entry point)."""
    from archive.errors import ArchiveError

    logging.captureWarnings(True)
    try:
        cli()
    except ArchiveError as exc:
        # A command that missed turning it into a ClickException: still one line, no traceback.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
