"""Scrapy settings for blogarchive, each with its reason; per-run overrides come from the CLI."""

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One of the project's settings: its name, its default and what it does."""

    name: str
    default: Any
    help: str
    # How the documentation states a default that depends on the machine.
    shown: str | None = None
    # Read by a fleet's writer (the archive pipeline, the run's summary): the crawl's -s value
    # reaches it (crawler/fleet_run.py crawl_definition); the others stay with the crawlers.
    writer: bool = False


BOT_NAME = "blogarchive"  # Names the project in logs and stats.
SPIDER_MODULES = ["crawler.spiders"]  # Where `scrapy crawl blog` finds BlogSpider.
NEWSPIDER_MODULE = "crawler.spiders"  # Keeps `scrapy genspider` out of the package root.

# Identify ourselves honestly so site owners can find us and write robots.txt rules for us.
USER_AGENT = "blogarchive/0.1 (+https://github.com/blogarchive)"
# No cookie jar: an archive needs no session, and a session id in a cookie would go back to
# the site with every request (and into the captures' request headers).
COOKIES_ENABLED = False
ROBOTSTXT_OBEY = True  # An archive is a guest: pages disallowed by robots.txt are never fetched.

AUTOTHROTTLE_ENABLED = True  # Slow down on slow servers; small blogs run on small hosting.
AUTOTHROTTLE_START_DELAY = 0.25  # Start gently but not glacially; AutoThrottle adapts from here.
AUTOTHROTTLE_MAX_DELAY = 30.0  # Never wait longer than this between requests to one host.
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # One request in flight per host on average.
DOWNLOAD_DELAY = 0.25  # Minimum gap per host; tests override it to 0.
CONCURRENT_REQUESTS = 16  # Overall parallelism across all sources.
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # Per download slot (host:port); polite for one small blog.
# Items of one response processed at once. Scrapy starts this many asyncio tasks for every
# response, even one that yields a single item; a page yields at most a listing's entries.
CONCURRENT_ITEMS = 4
DEPTH_LIMIT = 0  # Depth is capped per source by max_depth in the spider (meta crawl_depth).
RETRY_TIMES = 2  # Transient errors get two more tries, then become a CrawlError.
# Wall-clock limit of one request, body included: a page trickling a byte a second ends here.
DOWNLOAD_TIMEOUT = 30
# Scrapy's default is 1 GiB; HttpCompressionMiddleware applies it to the decompressed size
# too, so this also stops gzip and brotli bombs. Sitemaps get 50 MiB (their protocol limit).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024  # Log pages this big: a blog page rarely is.
REDIRECT_MAX_TIMES = 10  # Scrapy's 20 is Firefox's; a blog needs one or two hops.
# Holds CONCURRENT_REQUESTS_PER_DOMAIN without a download delay (Scrapy 2.19 on asyncio does
# not; see crawler/politeness.py) and keys every request's slot by host:port.
DOWNLOADER = "crawler.politeness.PoliteDownloader"
# What a crawl remembers per URL stays out of Python objects (crawler/frontier.py): pending
# requests in a disk queue of the crawl's own, seen fingerprints as 8-byte hashes.
SCHEDULER = "crawler.frontier.FrontierScheduler"
# Scrapy's LIFO pickle queue, naming callbacks without listing the spider's members a request.
SCHEDULER_DISK_QUEUE = "crawler.frontier.CallbackNamesDiskQueue"
DUPEFILTER_CLASS = "crawler.frontier.CompactDupeFilter"
STATS_CLASS = "crawler.stats.CrawlStats"  # Scrapy's, without a shim run at every attribute read.
# The project's own settings, declared once: name, default and help (README's settings table
# is checked against it by tests/test_settings.py). Components read them without a default of
# their own. Lower case, so that Scrapy does not load the table itself as a setting.
declared = (
    Setting(
        "BLOGARCHIVE_DB", "archive.db", "The archive's SQLite file; the CLI sets it from --db."
    ),
    Setting(
        "BLOGARCHIVE_HISTORY",
        "archive.history.ArchiveHistory",
        "Who answers what was captured and stored before (crawler/history.py), by dotted"
        " path; empty: no history, every page is new.",
    ),
    Setting(
        "BLOGARCHIVE_RECHECK",
        True,
        "At the end of a crawl, request the archived posts it did not reach (edits to unlisted"
        " posts, deletions).",
    ),
    Setting(
        "BLOGARCHIVE_CAPTURE",
        True,
        "Keep every kept response's raw bytes (WARC files beside the db).",
    ),
    Setting(
        "BLOGARCHIVE_CONDITIONAL",
        True,
        "Revalidate captured pages with If-None-Match/If-Modified-Since; --full turns it off.",
    ),
    Setting(
        "BLOGARCHIVE_ROBOTS_WAIT",
        5.0,
        "Seconds the start pages wait for robots.txt, so the sitemaps it names are queued"
        " first (their dates spare a re-crawl its unchanged pages).",
    ),
    Setting(
        "BLOGARCHIVE_TRUST_LASTMOD",
        True,
        "A sitemap lastmod or feed date before the page's capture: reuse it, no request.",
    ),
    Setting(
        "BLOGARCHIVE_EXTRACTION_KEY",
        "pipeline.extraction_pipeline.extraction_key",
        "A function of the settings naming the extractor's version, by dotted path: a page whose"
        " 200 repeats its capture is extracted again only when it changed; empty: no version.",
    ),
    Setting(
        "BLOGARCHIVE_MALLOC_TRIM_SECONDS",
        30.0,
        "Every this many seconds, hand the C heap's free pages back to the system (glibc's"
        " malloc_trim; crawler/memory.py): full-size pages leave holes that stay resident."
        " 0: never.",
    ),
    Setting(
        "BLOGARCHIVE_EXTRACT_WORKERS",
        os.cpu_count() or 1,
        "Worker processes that parse pages and extract posts; 0: all in the crawler's process"
        " (the CLI's --workers).",
        shown="one per core",
    ),
    Setting(
        "BLOGARCHIVE_CLEAN",
        True,
        "Remove page furniture before extraction (off only to compare).",
    ),
    Setting(
        "BLOGARCHIVE_DEDUP",
        True,
        "Link near-duplicate posts to their original (off only to compare).",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_WRITE_BATCH",
        50,
        "Writes (posts, captures, errors, ...) committed together in one transaction; a kill"
        " loses at most the batch under way, which the next run fetches again. 1: each on its"
        " own.",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_WRITE_BATCH_SECONDS",
        1.0,
        "A batch is also committed once its first write is this old (readers of the archive"
        " see a crawl's writes this late at most).",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_SNAPSHOT",
        None,
        "Where the published copy goes; unset: published/<db name> beside the db; empty: not"
        " published.",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_RUN_ARGS",
        {},
        "What the run was asked (the CLI sets it), kept in crawl_runs.args.",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_PAGE_BUDGET",
        20000,
        "Requests discovered per source, at most, in one run (a trap rule; 0: off).",
        writer=True,
    ),
    Setting(
        "BLOGARCHIVE_PATTERN_LIMIT",
        25,
        "Dead-end pages per URL pattern before it is closed (a trap rule; 0: off).",
    ),
    Setting(
        "BLOGARCHIVE_MAX_PATH_SEGMENTS",
        16,
        "Paths with more segments are not followed (a trap rule, Heritrix's is 20; 0: off).",
    ),
    Setting(
        "BLOGARCHIVE_MAX_SEGMENT_REPEATS",
        2,
        "/a/b/a/b/ passes, /a/b/a/b/a/b/ is a trap (a trap rule; 0: off).",
    ),
    Setting(
        "BLOGARCHIVE_QUERY_COPY_LIMIT",
        10,
        "Pages of a host whose rel=canonical drops a query name, none keeping it, before links"
        " with that name are followed without it (a trap rule; 0: off).",
    ),
    Setting(
        "BLOGARCHIVE_MAX_RETRY_AFTER",
        120,
        "Cap on a server's Retry-After wait, in seconds.",
    ),
    Setting(
        "BLOGARCHIVE_REDIS",
        "",
        "The Redis URL of a crawl shared by several crawler processes (crawler/fleet.py; set"
        " by `blogarchive crawler`); empty: one process, no Redis.",
    ),
    Setting(
        "BLOGARCHIVE_FLEET_ID",
        "",
        "This crawler's name in a fleet (host-pid-random; set by `blogarchive crawler`).",
    ),
    Setting(
        "BLOGARCHIVE_FLEET_TIMEOUT",
        10.0,
        "Seconds without a heartbeat before a fleet's crawler counts as dead and its requests"
        " are queued again.",
    ),
    Setting(
        "BLOGARCHIVE_OUTBOX_MAX",
        2000,
        "Records waiting for a fleet's writer at which every crawler pauses, until half are"
        " written.",
    ),
    Setting(
        "BLOGARCHIVE_FLEET_SLOT_AWARE",
        True,
        "A fleet's crawler takes from the shared frontier only requests for hosts with fewer"
        " requests leased than their concurrency (off only to compare).",
    ),
    Setting(
        "BLOGARCHIVE_FLEET_SHARED_ROBOTS",
        True,
        "A fleet fetches each host's robots.txt once, for all its crawlers, through Redis (off"
        " only to compare: each crawler fetches it).",
    ),
)
# As Scrapy reads a settings module: one upper-case name per setting. The CLI refuses other
# BLOGARCHIVE_* names (a misspelling: parse_overrides below).
globals().update({setting.name: setting.default for setting in declared})


def declared_setting(name: str) -> Setting:
    """Return the declaration of the project setting ``name`` (its default, its help)."""
    for setting in declared:
        if setting.name == name:
            return setting
    raise KeyError(name)


class OverrideError(ValueError):
    """A ``NAME=VALUE`` setting override that cannot be used, in words."""


def parse_overrides(overrides: Iterable[str]) -> dict[str, Any]:
    """Turn ``NAME=VALUE`` overrides (the CLI's repeated ``-s``) into a settings dict.

    A ``BLOGARCHIVE_*`` name this version does not know is refused with the nearest known
    one: a misspelt setting would otherwise be ignored without a word.
    """
    known = sorted(setting.name for setting in declared)
    settings: dict[str, Any] = {}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise OverrideError(f"expected NAME=VALUE, got {item!r}")
        if name.upper().startswith("BLOGARCHIVE_") and name not in known:
            nearest = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.0)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            raise OverrideError(f"unknown setting {name}{hint}")
        settings[name] = value
    return settings


# Scrapy re-reads and re-parses a callback's source on every response to warn about
# `return value` in generators (its cache is keyed by short-lived bound methods): a third of an
# incremental run's CPU. The spider's callbacks are covered by tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False  # No listening debug port on a batch job.
REMOTE_CONTROL_ENABLED = False  # Same for 2.19's remote-control HTTP server (runs code).
LOG_LEVEL = "INFO"  # Progress without per-request debug noise; the CLI can raise it.
FEED_EXPORT_ENCODING = "utf-8"  # -O exports keep non-ASCII titles readable.
# Names that resolve to loopback, private or link-local addresses are refused, except the
# sources' own hosts (crawler/addresses.py): a link or redirect cannot reach the local network.
TWISTED_DNS_RESOLVER = "crawler.addresses.GuardedResolver"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # async def start/mw.

# Other stages, by dotted path only: the crawler package never imports them.
ITEM_PIPELINES = {
    "pipeline.extraction_pipeline.ExtractionPipeline": 300,
    "archive.archive_pipeline.ArchivePipeline": 800,
}

SPIDER_MIDDLEWARES = {
    # Closest to the spider: pages a sitemap dates unchanged are parsed from the archive at
    # once; their links pass through depth, referer and the rest as the sitemap's output.
    "crawler.dated_shortcut.DatedPageShortcut": 950,
    # Before DepthMiddleware (900): links past a trap rule are dropped, dead ends counted.
    "crawler.traps.TrapGuard": 920,
}

EXTENSIONS = {
    # The same throttle, except that a 304 may lower the delay like a 200 (incremental runs).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.RevalidatingAutoThrottle": 0,
    # The worker processes that read pages and extract posts (crawler/workers.py).
    "crawler.workers.Workers": 0,
    # Hands the crawl's end to the archive as data, and stops the crawl when it refuses.
    "crawler.run_end.RunEnds": 0,
    # Gives the C heap's free pages back every BLOGARCHIVE_MALLOC_TRIM_SECONDS.
    "crawler.memory.MallocTrim": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # Compares host names only; demo blogs differ by port. SourceScopeMiddleware replaces it.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # Last to see a response: reads the final page (redirected, decoded) in a worker.
    "crawler.reading.PageReader": 20,
    # Before the page count: a copy of a page requested already is dropped uncounted.
    "crawler.traps.QueryCopyGate": 40,
    "crawler.middlewares.SourceScopeMiddleware": 50,  # Before robots: no robots.txt for off-host.
    # Every request waiting for a host's robots.txt gets its rules (Scrapy 2.19 gives them to
    # the first only; see crawler/middlewares.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
    "crawler.middlewares.CrawlDelayMiddleware": 110,  # Listens to robots_parsed; after robots.
    "crawler.middlewares.RetryAfterMiddleware": 560,  # Sees 429/503 before RetryMiddleware (550).
    # After redirects are scheduled, before compression and redirects handle the answer.
    "crawler.traps.TrapGate": 940,
    # Next to the downloader: final request headers, raw (still compressed) bodies, redirects.
    "crawler.capture_middleware.CaptureMiddleware": 950,
}
