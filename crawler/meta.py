"""The ``request.meta`` keys of the project, in one place: who sets each and who reads it.

Scrapy's own keys (:data:`SCRAPY_KEYS`) are Scrapy's and keep their names; the others are
ours, and no module spells one as a literal (tests/test_crawler_meta.py). They travel with a
request and are copied to its redirects and retries, so each is plain data (str, int, bool,
list, dict).
"""

from __future__ import annotations

# The keys of Scrapy's that the project sets or reads.
SCRAPY_KEYS = frozenset(
    {
        "download_slot",
        "dont_obey_robotstxt",
        "download_maxsize",
        "autothrottle_dont_adjust_delay",
        "dont_retry",
        "retry_times",
        "redirect_urls",
    }
)

# Set by the spider on every request it builds (BlogSpider._request).
SOURCE = "source"  # the name of the source the request belongs to
CRAWL_DEPTH = "crawl_depth"  # links followed from a start page (a source's max_depth caps it)
EXPECT = "expect"  # what the request should bring: PROBE, DISCOVERY or CONTENT (below)
SCOPE_EXEMPT = "scope_exempt"  # True: a feed or sitemap named by the source, on any host
LINKS_KEY = "links_key"  # the classifier's key under which a page's links are kept
NAMED_BY_ROBOTS = "named_by_robots"  # the robots.txt URL whose Sitemap: line named the request
LASTMOD = "lastmod"  # a sitemap's <lastmod> or a feed's <updated> for the URL
LISTED_IN_SERIES = "listed_in_series"  # (series name, series page URL) pairs that list it
SETTLE_LATE = "settle_late"  # True: asked again once the site's posts are known (pages.settle)
READ_PAGE = "read_page"  # True: a page parse_page reads (crawler.reading.PageReader reads it)

# Set by the capture middleware (crawler/capture_middleware.py); read by it and by the spider.
PAYLOAD_DIGEST = "payload_digest"  # digest of the payload the spider sees (or the stored one)
STORED_TYPE = "stored_type"  # the Content-Type of the URL's last capture
REVALIDATING = "revalidating"  # id of the capture a conditional request revalidates
NOT_MODIFIED = "not_modified"  # id of the capture the response was answered from
STORED_POSTS = "stored_posts"  # fetched URL -> stored post URL, of the page's posts
PAGE_LINKS = "page_links"  # what the page was and linked to when its payload was parsed
CONDITIONAL = "conditional"  # False: never send validators or answer from a capture

# Set by crawler.reading.PageReader on the answer's request; read by the spider, which drops it
# when it asks again. Not plain data: a (PageReading, Extracted | None) pair, never copied.
PAGE_READING = "page_reading"
# Set by the spider on a page's response once it knows what the page is ("post", "listing",
# "other"); read by crawler.traps.TrapGuard.
PAGE_KIND = "page_kind"
# Set by crawler.traps.TrapGate on a request it sent to the back of the queue, once: its query
# name was undecided on its host and no earlier run captured it (a page that teaches less).
QUERY_DEFERRED = "query_deferred"

# Set and read by the downloader middlewares.
COUNTED = "blog_counted"  # True: counted towards its source's max_pages (middlewares.py)
ANSWERED = "answered"  # the status of an answer refused after it came (traps.TrapGate)

# Set and read by the downloader (crawler/politeness.py) in a fleet: the per-host slot it
# holds in Redis for the request while it downloads, a (slot key, holder) pair.
FLEET_SLOT = "fleet_slot"
# Set by the shared frontier (crawler/shared_frontier.py) on a request it pops: the id of the
# request's lease in Redis. The frontier ends it when the request comes back as another (a
# redirect, a retry); the fleet's crawler (crawler/fleet_member.py) holds the request's items
# under it and ends it once they are parsed and sent.
FLEET_LEASE = "fleet_lease"

# The values of EXPECT. A failed probe (a guessed feed path) says nothing about the blog; a
# discovery request (robots.txt, feeds, sitemaps) fails as "discover", content as "fetch".
PROBE, DISCOVERY, CONTENT = "probe", "discovery", "content"
