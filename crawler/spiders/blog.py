"""The one spider: finds every post of each configured blog and yields items for the pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.misc import load_object
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.addresses import AddressRefused, GuardedResolver, hostname
from crawler.evidence import SiteEvidence
from crawler.history import History, NoHistory, open_history
from crawler.items import (
    CrawlError,
    FetchedPage,
    PageLinks,
    SeriesListing,
    UnchangedPage,
    utc_now,
)
from crawler.meta import (
    ANSWERED,
    CONTENT,
    CRAWL_DEPTH,
    DISCOVERY,
    EXPECT,
    LASTMOD,
    LINKS_KEY,
    LISTED_IN_SERIES,
    NAMED_BY_ROBOTS,
    NOT_MODIFIED,
    PAGE_KIND,
    PAGE_LINKS,
    PAGE_READING,
    PAYLOAD_DIGEST,
    PROBE,
    READ_PAGE,
    SCOPE_EXEMPT,
    SETTLE_LATE,
    SOURCE,
    STORED_POSTS,
)
from crawler.outcome import STAT_LIMIT_PREFIX, STAT_SOURCES, STAT_UNREACHABLE_PREFIX
from crawler.pages import (
    PageInfo,
    PageReading,
    classify_page,
    decide,
    entry_document,
    is_crawlable,
    links_key,
    settle,
)
from crawler.seen import SeenSet
from crawler.series import SeriesMembers, looks_like_series
from crawler.sources import Source, SourcesError, run_sources
from crawler.urls import canonicalize_url, netloc, url_key

# Where blog platforms put their main feed; a 404 on any of these is expected.
FEED_PROBES = ("feed/", "rss.xml", "atom.xml", "feeds/posts/default", "index.xml")
KEPT_HEADERS = ("Content-Type", "Last-Modified", "ETag", "Content-Language", "Link")
PRIORITY_SERIES, PRIORITY_POST, PRIORITY_PAGINATION, PRIORITY_LINK = 30, 20, 10, 0
# A page only its declared metadata calls a post waits until the site's posts are known.
PRIORITY_UNSETTLED = -100
# robots.txt and sitemaps before pages: their dates spare a re-crawl its unchanged pages.
PRIORITY_SITEMAP = 40
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# What failures that Scrapy raises without a message mean, for the errors table.
SILENT_FAILURES = {
    "DownloadCancelledError": "cancelled: the body grew past DOWNLOAD_MAXSIZE",
    "ResponseDataLossError": "the connection closed before the body's Content-Length",
}
# Failures that, on a host which never answered, mean the host cannot be reached at all.
UNREACHABLE_ERRORS = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)


def _optional_int(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise SourcesError(f"spider argument {name}={value!r}: expected an integer") from exc
    if number < 0:
        raise SourcesError(f"spider argument {name}={value!r}: must be >= 0")
    return number


def _entry_url(page_url: str, anchor: str) -> str:
    """Return the URL of a post cut out of a listing: the listing's, with the entry's anchor."""
    return canonicalize_url(f"{page_url}#{anchor}", keep_fragment=True)


class BlogSpider(scrapy.Spider):
    """Crawl blogs from a sources file (``-a sources=...``) or URLs (``-a urls=a,b``)."""

    name = "blog"

    def __init__(
        self,
        sources: str | None = None,
        urls: str | None = None,
        max_pages: str | int | None = None,
        max_depth: str | int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if bool(sources) == bool(urls):
            raise SourcesError("give exactly one spider argument: sources=<file> or urls=<a,b>")
        loaded = run_sources(sources, str(urls or "").split(","))
        overrides: dict[str, Any] = {}
        if (pages := _optional_int(max_pages, "max_pages")) is not None:
            overrides["max_pages"] = pages
        if (depth := _optional_int(max_depth, "max_depth")) is not None:
            overrides["max_depth"] = depth
        self.sources: dict[str, Source] = {
            s.name: dataclasses.replace(s, **overrides) for s in loaded
        }
        self.pages_sent: Counter[str] = Counter()
        # Series pages that listed each post, for posts reached before or after the series.
        self.series_members = SeriesMembers()
        # Canonical URLs this spider already built a request for (the archive's posts are
        # re-checked only when the crawl did not reach them by itself).
        # Both as 8-byte hashes (crawler/frontier.py): they hold every URL of the crawl.
        self.requested = SeenSet()
        # url_key of every content page requested: one fetch per post, however it is spelled.
        self.requested_keys = SeenSet()
        # robots.txt URLs being read at the start; set once failed, or parsed with every
        # sitemap it names handed to the scheduler.
        self.robots_read: dict[str, asyncio.Event] = {}
        # robots.txt URL -> URLs of the sitemaps it named not yet scheduled; those parsed.
        self.robots_sitemaps: dict[str, set[str]] = {}
        self.robots_parsed: set[str] = set()
        # Per source: the key under which the archive keeps what its pages link to.
        self.links_keys = {
            s.name: links_key(s.post_patterns, s.series_patterns) for s in self.sources.values()
        }
        self.rechecked = False
        # Per source: what its pages taught so far (URL shapes of posts, URLs in its feeds).
        self.site_evidence = {name: SiteEvidence() for name in self.sources}
        # host:port that answered anything (even an error status) / that never did and failed.
        self.answered_hosts: set[str] = set()
        self.unreachable_hosts: dict[str, str] = {}
        # Host names (no port) that may be on a non-public address: the sources' own.
        self.source_hostnames = {hostname(h) for s in self.sources.values() for h in s.hosts}
        # What earlier runs captured and stored (crawler.history); opened by from_crawler.
        self.history: History = NoHistory()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BlogSpider:
        """Create the spider, open the crawl's history and re-check archived posts at the end."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        # One history per crawl: the middlewares and the replay ask it through the spider.
        spider.history = open_history(crawler)
        path = crawler.settings.get("BLOGARCHIVE_EXTRACTION_KEY")
        if path:
            extraction = str(load_object(path)(crawler.settings))
            spider.links_keys = {
                s.name: links_key(s.post_patterns, s.series_patterns, extraction)
                for s in spider.sources.values()
            }
        crawler.signals.connect(spider.recheck_when_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.host_answered, signal=signals.response_received)
        crawler.signals.connect(spider.sitemap_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider.sitemap_scheduled, signal=signals.request_dropped)
        return spider

    def closed(self, reason: str) -> None:
        """Close the crawl's history."""
        self.history.close()

    def host_answered(self, response: Response, request: scrapy.Request, **_: Any) -> None:
        """Remember that the response's host answered: it is reachable from now on."""
        for host in {netloc(request.url), netloc(response.url)}:
            self.answered_hosts.add(host)
            if self.unreachable_hosts.pop(host, None) is not None:
                # A request already in flight got through after all: the host is up.
                stats = self.crawler.stats.get_stats()
                for source in self.sources.values():
                    if host in source.hosts:
                        stats.pop(STAT_UNREACHABLE_PREFIX + source.name, None)

    # -- scope and caps ------------------------------------------------------------------------

    def source_full(self, source: Source) -> bool:
        """Tell whether a source has used up its max_pages."""
        return source.max_pages is not None and self.pages_sent[source.name] >= source.max_pages

    def count_page(self, source: Source) -> bool:
        """Count one page sent against the source's max_pages; False if it is used up."""
        if self.source_full(source):
            return False
        self.pages_sent[source.name] += 1
        return True

    def _request(
        self,
        url: str,
        source: Source,
        *,
        depth: int,
        expect: str = CONTENT,
        callback: Any = None,
        priority: int = PRIORITY_LINK,
        meta: dict[str, Any] | None = None,
        in_scope: bool = True,
    ) -> scrapy.Request | None:
        """Build a request for ``url`` in ``source``; None if out of scope or over a cap."""
        if url in self.requested:
            return None  # most links repeat, already canonical: skip canonicalising them again
        url = canonicalize_url(url)
        if url in self.requested:
            # Scrapy's dupefilter would drop it too, after building and scheduling it: on a
            # re-crawl answered from captures that bookkeeping is most of the run's CPU.
            return None
        if in_scope and not source.allows(url):
            self.crawler.stats.inc_value("blogarchive/offsite_skipped")
            return None
        if expect == CONTENT:
            if not is_crawlable(url):
                return None
            if source.max_depth is not None and depth > source.max_depth:
                self.crawler.stats.inc_value("blogarchive/depth_skipped")
                return None
            if self.source_full(source):
                # A page the cap keeps out: the source was not crawled to its end.
                self.crawler.stats.set_value(
                    STAT_LIMIT_PREFIX + source.name, f"max_pages={source.max_pages} reached"
                )
                return None
            key = url_key(url)
            if key in self.requested_keys:
                self.crawler.stats.inc_value("blogarchive/same_key_skipped")
                return None
            self.requested_keys.add(key)
        self.requested.add(url)
        return scrapy.Request(
            url,
            callback=callback or self.parse_page,
            errback=self.on_error,
            priority=priority,
            meta={
                SOURCE: source.name,
                CRAWL_DEPTH: depth,
                EXPECT: expect,
                SCOPE_EXEMPT: not in_scope,
                # Slots per host:port, not per hostname: sites on other ports are other sites.
                "download_slot": netloc(url),
                # A configured delay is fixed: AutoThrottle would lower it towards DOWNLOAD_DELAY.
                "autothrottle_dont_adjust_delay": source.delay is not None,
                # A page: read in a worker (crawler.reading.PageReader) before parse_page.
                **(
                    {LINKS_KEY: self.links_keys[source.name], READ_PAGE: True}
                    if callback is None
                    else {}
                ),
                **(meta or {}),
            },
        )

    # -- start -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield robots.txt, then start pages, configured feeds and sitemaps and feed probes.

        The rest wait until robots.txt is read (at most ``BLOGARCHIVE_ROBOTS_WAIT`` seconds), so the
        sitemaps it names are queued ahead of pages: on a re-crawl their dates answer most
        posts from their captures, and the pages would otherwise hold the sitemap back.
        """
        self._apply_politeness()
        self._allow_source_addresses()
        self.crawler.stats.set_value(STAT_SOURCES, len(self.sources))
        requests = [r for s in self.sources.values() for r in self._start_requests(s)]
        robots = [r for r in requests if r.callback == self.parse_robots]
        for request in robots:
            self.robots_read[request.url] = asyncio.Event()
            yield request
        if robots:
            waits = [event.wait() for event in self.robots_read.values()]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*waits), self.settings.getfloat("BLOGARCHIVE_ROBOTS_WAIT")
                )
        for request in requests:
            if request.callback != self.parse_robots:
                yield request

    def recheck_when_idle(self) -> None:
        """When the crawl runs dry, request the archived posts it did not reach, once.

        A post no listing, feed or sitemap shows any more can still have been edited or
        deleted, and only a request for it tells; posts the crawl reached are not asked twice.
        """
        if self.rechecked:
            return
        self.rechecked = True
        requests = list(self._recheck_requests())
        self.crawler.stats.set_value("blogarchive/rechecked", len(requests))
        if not requests:
            return
        self.logger.info("re-checking %d archived posts the crawl did not reach", len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _recheck_requests(self) -> Iterator[scrapy.Request]:
        if not self.settings.getbool("BLOGARCHIVE_RECHECK"):
            return
        for url in self.history.recheck_urls():
            source = next((s for s in self.sources.values() if s.allows(url)), None)
            if source is None:
                continue
            request = self.request_post_page(url, source.name)
            if request:
                yield request

    def request_post_page(self, url: str, source_name: str) -> scrapy.Request | None:
        """Return a request for the page a post of source ``source_name`` was stored from.

        As a link to a post is followed (depth 1, a post's priority); None when the source
        is not this crawl's, or the URL is out of its scope, over a cap or requested already.
        Re-checks and replays (:mod:`crawler.replay`) ask for stored posts this way.
        """
        source = self.sources.get(source_name)
        if source is None:
            return None
        return self._request(url, source, depth=1, priority=PRIORITY_POST)

    def _allow_source_addresses(self) -> None:
        # The sources' own hosts may be on any address (a blog on the local network, the
        # tests' 127.0.0.1); every other name must resolve to a public one.
        from twisted.internet import reactor

        resolver = getattr(reactor, "resolver", None)
        if isinstance(resolver, GuardedResolver):
            resolver.allow(host for s in self.sources.values() for host in s.hosts)

    def _apply_politeness(self) -> None:
        # DOWNLOAD_SLOTS is read when slots are created, so per-source delays set here before
        # the first request apply to every slot of the source's hosts, even after slot GC.
        slots = self.crawler.engine.downloader.per_slot_settings
        for source in self.sources.values():
            for host in source.hosts:
                entry = slots.setdefault(host, {})
                if source.delay is not None:
                    entry["delay"] = source.delay
                    # A configured delay is a promise to the site: no random gaps below it.
                    entry["jitter"] = 0.0
                if source.concurrency is not None:
                    entry["concurrency"] = source.concurrency

    def _start_requests(self, source: Source) -> Iterator[scrapy.Request]:
        requests: list[scrapy.Request | None] = []
        for url in source.start_urls:
            requests.append(self._request(url, source, depth=0, priority=PRIORITY_PAGINATION))
        for url in source.feeds:
            requests.append(
                self._request(
                    url, source, depth=0, expect=DISCOVERY, callback=self.parse_feed, in_scope=False
                )
            )
        for url in source.sitemaps:
            requests.append(self._sitemap_request(url, source, in_scope=False))
        roots: dict[str, None] = {}
        for url in source.start_urls:
            parts = urlsplit(url)
            roots.setdefault(f"{parts.scheme}://{parts.netloc}/", None)
            roots.setdefault(url if url.endswith("/") else url.rsplit("/", 1)[0] + "/", None)
        for root in roots:
            if root.count("/") == 3:
                requests.append(
                    self._request(
                        root + "robots.txt",
                        source,
                        depth=0,
                        expect=PROBE,
                        callback=self.parse_robots,
                        priority=PRIORITY_SITEMAP,
                        meta={"dont_obey_robotstxt": True},
                    )
                )
            for probe in FEED_PROBES:
                requests.append(
                    self._request(
                        urljoin(root, probe),
                        source,
                        depth=0,
                        expect=PROBE,
                        callback=self.parse_feed,
                    )
                )
        yield from (r for r in requests if r is not None)

    # -- discovery: robots.txt, sitemaps, feeds ------------------------------------------------

    def _source(self, response: Response | scrapy.Request) -> Source:
        return self.sources[response.meta[SOURCE]]

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the ``Sitemap:`` lines of a robots.txt.

        Start pages wait for the robots.txt until its sitemaps are in the scheduler, not
        just yielded: Scrapy reads a callback's whole output before it schedules any of it.
        """
        source = self._source(response)
        url = response.request.url if response.request else response.url
        unscheduled = self.robots_sitemaps[url] = set()
        try:
            for request in self._robots_sitemaps(response, source):
                request.meta[NAMED_BY_ROBOTS] = url
                unscheduled.add(request.url)
                yield request
        finally:
            self.robots_parsed.add(url)
            if not unscheduled:
                self._robots_done(url)

    def sitemap_scheduled(self, request: scrapy.Request, **_: Any) -> None:
        """Once the last sitemap a robots.txt named is scheduled (or dropped), it is done."""
        url = request.meta.get(NAMED_BY_ROBOTS)
        unscheduled = self.robots_sitemaps.get(url) if url else None
        if unscheduled is None:
            return
        unscheduled.discard(request.url)
        if not unscheduled and url in self.robots_parsed:
            self._robots_done(url)

    def _robots_done(self, url: str) -> None:
        if url in self.robots_read:
            self.robots_read[url].set()

    def _robots_sitemaps(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            request = self._sitemap_request(url, source)
            if request:
                yield request

    def _sitemap_request(
        self, url: str, source: Source, *, in_scope: bool = True
    ) -> scrapy.Request | None:
        return self._request(
            url,
            source,
            depth=0,
            expect=DISCOVERY,
            callback=self.parse_sitemap,
            priority=PRIORITY_SITEMAP,
            in_scope=in_scope,
            # The sitemap protocol allows 50 MB, more than the page limit (DOWNLOAD_MAXSIZE).
            meta={"download_maxsize": MAX_SITEMAP_BYTES},
        )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow a sitemap index's sitemaps and a urlset's page URLs."""
        source = self._source(response)
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        try:
            sitemap = Sitemap(body)
        except (StopIteration, SyntaxError, ValueError):
            self.logger.warning("Not a sitemap: %s", response.url)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                request = self._sitemap_request(loc, source)
            else:
                lastmod = {LASTMOD: entry["lastmod"]} if entry.get("lastmod") else None
                request = self._request(loc, source, depth=1, priority=PRIORITY_POST, meta=lastmod)
            if request:
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow each RSS/Atom item's link, and an Atom feed's rel=next page."""
        if not isinstance(response, TextResponse):
            return
        source = self._source(response)
        sel = Selector(text=response.text, type="xml")
        sel.remove_namespaces()
        root = sel.xpath("name(/*)").get() or ""
        if root.lower() not in {"rss", "feed", "rdf"}:
            # A soft 404 or an HTML page answering a probed feed path.
            return
        links = sel.xpath("//item/link/text()").getall()
        links += sel.xpath("//item[not(link)]/guid[not(@isPermaLink='false')]/text()").getall()
        links += sel.xpath(
            "//entry/link[@rel='alternate' or not(@rel)][not(@type) or @type='text/html']/@href"
        ).getall()
        # Atom dates each entry's last change (RSS's pubDate is only the publication date).
        updated: dict[str, str] = {}
        for entry in sel.xpath("//entry[updated]"):
            for href in entry.xpath(
                "link[@rel='alternate' or not(@rel)][not(@type) or @type='text/html']/@href"
            ).getall():
                updated[href] = entry.xpath("updated/text()").get("").strip()
        self.crawler.stats.inc_value("blogarchive/feed_items", len(links))
        learned = self.site_evidence[source.name].feed_urls
        for link in links:
            learned.add(canonicalize_url(urljoin(response.url, link.strip())))
            lastmod = {LASTMOD: updated[link]} if updated.get(link) else None
            request = self._request(
                urljoin(response.url, link.strip()),
                source,
                depth=1,
                priority=PRIORITY_POST,
                meta=lastmod,
            )
            if request:
                yield request
        for href in sel.xpath("/feed/link[@rel='next']/@href").getall():
            request = self._request(
                urljoin(response.url, href),
                source,
                depth=0,
                expect=DISCOVERY,
                callback=self.parse_feed,
                in_scope=response.meta.get(SCOPE_EXEMPT) is not True,
            )
            if request:
                yield request

    # -- pages -----------------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Yield a post as a FetchedPage, a series page as a SeriesListing, and follow links."""
        source = self._source(response)
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or ("html" not in content_type and content_type):
            if "xml" in content_type and ("rss" in content_type or "atom" in content_type):
                yield from self.parse_feed(response)
            elif (
                response.meta.get(EXPECT) == CONTENT
                and not response.meta.get(PAGE_LINKS)
                # Answered unchanged from its capture: the run that fetched it said so already.
                and not response.meta.get(NOT_MODIFIED)
            ):
                yield self._not_a_page(response, source, f"not HTML ({content_type or 'no type'})")
            return
        if not response.body and not response.meta.get(PAGE_LINKS):
            yield self._not_a_page(response, source, "empty body")
            return
        self.crawler.stats.inc_value(f"blogarchive/pages/{source.name}")
        url = canonicalize_url(response.url)
        info, links = self._page_info(response, source, url)
        if links is not None:
            yield links
        if info is None and response.request is not None:
            # Asked again once the crawl has seen the site's posts (pages.settle).
            again = {k: v for k, v in response.meta.items() if k != PAGE_READING}
            yield response.request.replace(
                dont_filter=True, priority=PRIORITY_UNSETTLED, meta={**again, SETTLE_LATE: True}
            )
        if info is None:
            return
        response.meta[PAGE_KIND] = info.kind
        depth = int(response.meta.get(CRAWL_DEPTH, 0)) + 1
        in_series: dict[str, list[tuple[str, str]]] = {}
        if info.series is not None:
            listing = SeriesListing(
                name=info.series.name,
                url=url,
                source=source.name,
                post_urls=info.series.post_urls,
                description=info.series.description,
            )
            self.crawler.stats.inc_value("blogarchive/series_pages")
            yield listing
            for post_url in info.series.post_urls:
                self.remember_series_member(post_url, (listing.name, url))
                in_series[post_url] = [(listing.name, url)]
        if info.kind == "post":
            self.crawler.stats.inc_value("blogarchive/posts")
            yield self._fetched_page(
                response, source, url, response.body, "post", response.meta.get(PAGE_READING)
            )
        elif info.kind == "listing":
            for entry in info.entries:
                if entry.permalink is None:
                    self.crawler.stats.inc_value("blogarchive/entries")
                    body = entry_document(info.head_html, entry.html)
                    entry_url = _entry_url(url, entry.anchor)
                    yield self._fetched_page(response, source, entry_url, body, "entry")
        for feed in info.feeds:
            request = self._request(
                feed, source, depth=0, expect=DISCOVERY, callback=self.parse_feed, in_scope=False
            )
            if request:
                yield request
        permalinks = [e.permalink for e in info.entries if e.permalink]
        ordered = [(u, PRIORITY_POST) for u in permalinks]
        ordered += [(u, PRIORITY_PAGINATION) for u in info.next_pages]
        ordered += [(u, PRIORITY_LINK) for u in info.links]
        if info.series is not None:
            ordered = [(u, PRIORITY_POST) for u in info.series.post_urls] + ordered
        seen: set[str] = set()
        for link, priority in ordered:
            if link in seen or link == url:
                continue
            seen.add(link)
            if looks_like_series(link, source.series_patterns):
                # Series pages first, so the posts they list are fetched knowing their series.
                priority = PRIORITY_SERIES
            meta = {LISTED_IN_SERIES: in_series[link]} if link in in_series else None
            request = self._request(link, source, depth=depth, priority=priority, meta=meta)
            if request:
                yield request

    def _not_a_page(self, response: Response, source: Source, why: str) -> CrawlError:
        self.crawler.stats.inc_value("blogarchive/not_pages")
        return CrawlError(
            url=response.url,
            stage="fetch",
            message=f"HTTP {response.status}, {why}, {len(response.body)} bytes: not archived",
            source=source.name,
        )

    def _page_info(
        self, response: TextResponse, source: Source, url: str
    ) -> tuple[PageInfo | None, PageLinks | None]:
        """Classify the page, or take what it was when this payload was parsed before.

        Also return the page's links record for the archive when it was classified here.
        None: the page is a post by its declared metadata alone and the crawl knows no post
        of its site yet; it is asked again later (see :func:`crawler.pages.settle`).
        """
        site = self.site_evidence[source.name]
        if PAGE_LINKS in response.meta:
            info = PageInfo.from_links_record(response.meta[PAGE_LINKS])
            if info.kind == "post":
                site.learn_post(url)
            return info, None
        reading: tuple[PageReading, Any] | None = response.meta.get(PAGE_READING)
        if reading is not None:
            # Read in a worker (crawler.reading.PageReader): weighed here with the site.
            info = decide(reading[0], response.url, site)
        else:
            self.crawler.stats.inc_value("blogarchive/pages_read_here")
            info = classify_page(
                response.url,
                response.body,
                encoding=response.encoding,
                post_patterns=source.post_patterns,
                series_patterns=source.series_patterns,
                site=site,
            )
        if info.kind == "post" and info.settled:
            site.learn_post(url)
        elif info.kind == "post":
            if not site.post_shapes and not response.meta.get(SETTLE_LATE):
                return None, None
            settle(info, url, site)
        digest, key = response.meta.get(PAYLOAD_DIGEST), response.meta.get(LINKS_KEY)
        if digest and key:
            record = info.links_record()
            # The posts the page yields: without all of them stored, the body is needed again.
            record["yields"] = [url] if info.kind == "post" else []
            if info.kind == "listing":
                record["yields"] = [
                    _entry_url(url, e.anchor) for e in info.entries if e.permalink is None
                ]
            return info, PageLinks(
                url=url, payload_digest=str(digest), links_key=str(key), page=record
            )
        return info, None

    def _fetched_page(
        self,
        response: Response,
        source: Source,
        url: str,
        body: bytes,
        kind: str,
        reading: tuple[PageReading, Any] | None = None,
    ) -> FetchedPage | UnchangedPage:
        stored = response.meta.get(STORED_POSTS) or {}
        if response.meta.get(NOT_MODIFIED) and url in stored:
            # The server says the page is as captured: the post stored from it still holds.
            return UnchangedPage(
                post_url=stored[url], fetched_url=url, source=source.name, fetched_at=utc_now()
            )
        listed: list[tuple[str, str]] = [
            tuple(pair) for pair in response.meta.get(LISTED_IN_SERIES, [])
        ]
        for pair in self.series_members_of(canonicalize_url(response.url)):
            if pair not in listed:
                listed.append(pair)
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value:
                headers[name] = value.decode("latin-1")
        # Extracted already by the worker that read the page (crawler.workers).
        extracted = reading[1] if reading is not None else None
        return FetchedPage(
            url=url,
            body=b"" if extracted is not None else body,
            source=source.name,
            fetched_at=extracted.fetched_at if extracted is not None else utc_now(),
            status=response.status,
            encoding=getattr(response, "encoding", None),
            headers=headers,
            kind=kind,
            listed_in_series=listed if kind == "post" else [],
            extracted=extracted,
        )

    def remember_series_member(self, post_url: str, member: tuple[str, str]) -> None:
        """Note that the series page ``member`` (name, page URL) lists ``post_url``."""
        self.series_members.remember(post_url, member)

    def series_members_of(self, post_url: str) -> list[tuple[str, str]]:
        """Return the (series name, series page URL) pairs seen listing ``post_url``."""
        return self.series_members.of(post_url)

    # -- errors ----------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[CrawlError]:
        """Turn a failed content or discovery request into a CrawlError; ignore failed probes."""
        request = failure.request  # type: ignore[attr-defined]
        expect = request.meta.get(EXPECT, CONTENT)
        source = request.meta.get(SOURCE, "")
        if failure.check(AddressRefused):
            yield self._error(request, f"refused: {failure.getErrorMessage()}")
            return
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError)
            and ANSWERED not in request.meta
        ):
            # Robots-forbidden, off-host, over a cap or a trap rule: never sent, never archived.
            # An answer refused (too big, too many redirects, a redirect off the site) is
            # marked answered (crawler.traps.TrapGate) and recorded below.
            self.crawler.stats.inc_value("blogarchive/ignored_requests")
            return
        self._robots_done(request.url)
        first = netloc(request.url) not in self.unreachable_hosts
        if self._unreachable(request, failure):
            if first:  # one error per host that cannot be reached, not one per URL
                why = self.unreachable_hosts[netloc(request.url)]
                yield self._error(request, f"host unreachable: {why}")
            return
        if expect == PROBE:
            self.crawler.stats.inc_value("blogarchive/probes_missed")
            return
        if failure.check(HttpError):
            response = failure.value.response  # type: ignore[union-attr]
            message = f"HTTP {response.status}"
            if request.meta.get("retry_times"):
                message += f" after {request.meta['retry_times']} retries"
        else:
            kind = failure.type.__name__ if failure.type else "Error"
            detail = failure.getErrorMessage() or SILENT_FAILURES.get(kind, "no message")
            message = f"{kind}: {detail}"
        self.logger.warning("Failed to fetch %s (%s): %s", request.url, source, message)
        yield self._error(request, message)

    def _error(self, request: scrapy.Request, message: str) -> CrawlError:
        """Count and return the CrawlError of a failed request."""
        expect = request.meta.get(EXPECT, CONTENT)
        self.crawler.stats.inc_value(f"blogarchive/errors/{expect}")
        return CrawlError(
            url=request.url,
            stage="fetch" if expect == CONTENT else "discover",
            message=message,
            source=request.meta.get(SOURCE, ""),
        )

    def _unreachable(self, request: scrapy.Request, failure: Failure) -> bool:
        """Tell whether the request failed because its host never answered; say so once a host.

        Later requests to such a host are dropped (SourceScopeMiddleware), so a dead blog costs
        a few connection attempts and one line, not one retry series per probe and page.
        """
        host = netloc(request.url)
        if host in self.answered_hosts or not failure.check(*UNREACHABLE_ERRORS):
            return False
        if host in self.unreachable_hosts:
            self.logger.info("Failed to fetch %s: %s unreachable", request.url, host)
            return True
        kind = failure.type.__name__ if failure.type else "Error"
        message = f"{kind}: {failure.getErrorMessage()}"
        self.unreachable_hosts[host] = message
        self.logger.warning("Cannot reach %s (%s): %s", host, request.meta.get(SOURCE), message)
        source = self.sources.get(request.meta.get(SOURCE, ""))
        if source is not None and source.hosts <= self.unreachable_hosts.keys():
            self.crawler.stats.set_value(STAT_UNREACHABLE_PREFIX + source.name, message)
        return True
