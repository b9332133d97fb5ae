"""A generated network of blogs in several platform styles, rendered page by page on request.

Every page is a pure function of (posts in the network, site, path): nothing is stored, so a
100,000-post network costs no memory, and a second run sees byte-identical pages. Post pages
use the blog set's platform templates (benchmarks/blogset/platforms) and are padded to a real
theme's weight with an inline stylesheet, inline scripts and a large navigation menu (about
64 KB in all). Each site has a home page and paginated listings, category listings, an RSS
feed, robots.txt naming a sitemap index, sitemaps of 1,000 URLs, and a few series whose
parts say "Part k of N" and link each other.

A light network (``Network(posts, light=True)``) has the same sites, URLs, listings, feeds,
sitemaps and series, but pages without the theme's weight (no inline stylesheet or scripts,
a menu of the category links alone) and posts of three paragraphs (about 270 words): about
a tenth of the bytes and of the extraction work a post, for runs that measure the crawl's
machinery (CI's smoke run) or its state per URL, not its cost per page.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from functools import cached_property
from urllib.parse import urlsplit

import lxml.html

from benchmarks.blogset.generate import TEMPLATES as BLOGSET_TEMPLATES
from benchmarks.blogset.platforms.blogger import contempo
from benchmarks.blogset.post import Post

# The blog set's templates, and Blogger's Contempo theme by name (the blog set picks it by
# site name): a network of 13 sites or more (32,500 posts) has a Contempo site.
TEMPLATES = {**BLOGSET_TEMPLATES, "contempo": contempo}

PER_PAGE = 10  # posts per listing page
PER_SITEMAP = 1000  # URLs per sitemap file
CATEGORIES = 16  # per site, each with a listing page linked from the menu
SERIES_EVERY = 97  # a series starts at every 97th post of a site
SERIES_PARTS = 4
EPOCH = date(2019, 1, 7)
# Platform styles, cycled over the sites: WordPress (several themes) among the first.
STYLES = [
    "wordpress-cookieyes",
    "blogger",
    "ghost",
    "wordpress-complianz",
    "drupal",
    "squarespace",
    "wordpress-elementor",
    "magazine",
    "wordpress-cookiebot",
    "wix",
    "hentry",
    "wordpress-onetrust",
    "contempo",
]  # fmt: skip (medium is left out: its post URLs carry a hash of the post's number)
# Syllables for pseudo-words: every post's text is its own (no two posts are near-duplicates).
_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl pr sh st th tr".split()  # noqa: SIM905
_NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "oa", "oo", "ou"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng"]


def _vocabulary(size: int = 6000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.choice((1, 2, 2, 3))
        words.add(
            "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(syllables))
            + rng.choice(_CODAS)
        )
    return sorted(words)


VOCABULARY = _vocabulary()


# A post's slug ends with its number: /2019/01/some-words-42/, /blog/some-words-42.html.
_SLUG_NUMBER = re.compile(r"-(\d+)(?:\.html?)?/?$")


def sites_for(posts: int) -> int:
    """Return how many sites a network of ``posts`` posts has (8 to 20)."""
    return max(8, min(20, posts // 2500))


@dataclass(frozen=True)
class Page:
    """One answer: status, content type, body and the time its content last changed."""

    status: int
    content_type: str
    body: bytes
    modified: datetime | None = None


class BlogSite:
    """One blog of the network; ``base`` is filled in once the server knows its port."""

    def __init__(self, network: Network, number: int, posts: int, first: int) -> None:
        self.network = network
        self.light = network.light
        self.number = number
        self.posts = posts  # how many posts this site has
        self.first = first  # network-wide number of its first post
        self.style = STYLES[number % len(STYLES)]
        self.name = f"Field Notes {number:02d}"
        self.host = f"fieldnotes{number:02d}.example.org"  # the templates' invented host
        self.base = ""

    # -- what the site contains ------------------------------------------------------------

    def published(self, n: int) -> date:
        """Return the publication date of post ``n`` (0 is the oldest)."""
        return EPOCH + timedelta(days=(n * 3) // 2)

    def slug(self, n: int) -> str:
        """Return post ``n``'s slug (unique in the site)."""
        return f"{self._words(n, 4, salt='slug').replace(' ', '-')}-{n}"

    def post_path(self, n: int) -> str:
        """Return post ``n``'s path, in its platform's URL pattern (/YYYY/MM/slug/, /blog/slug)."""
        d = self.published(n)
        return self.url_style[1].format(y=d.year, m=d.month, d=d.day, slug=self.slug(n))

    @cached_property
    def url_style(self) -> tuple[str, str]:
        """Return the template's host prefix and path pattern, read off a rendered probe post."""
        probe = Post(slug="x-zqprobe", platform=self.style, site=self.name, title="Probe",
                     authors=["Ann Probe"], published=date(2031, 11, 23),
                     blocks=["Probe."])  # fmt: skip
        probe.siblings = [probe] * 3
        page, _ = TEMPLATES[self.style](probe)
        canonical = lxml.html.document_fromstring(page).xpath("//link[@rel='canonical']/@href")[0]
        parts = urlsplit(canonical)
        pattern = parts.path.replace("zqprobe", "{slug}").replace("2031", "{y}")
        pattern = pattern.replace("/11", "/{m:02d}").replace("/23", "/{d:02d}")
        return f"{parts.scheme}://{parts.netloc}", pattern

    def series_of(self, n: int) -> tuple[int, int] | None:
        """Return (first post, part number from 1) if post ``n`` is part of a series."""
        start = n - n % SERIES_EVERY
        part = n - start + 1
        if start + SERIES_PARTS <= self.posts and part <= SERIES_PARTS:
            return start, part
        return None

    def title(self, n: int) -> str:
        """Return post ``n``'s title; series parts say which part they are."""
        series = self.series_of(n)
        if series is not None:
            start, part = series
            return f"{self._words(start, 5, salt='title').title()}: Part {part} of {SERIES_PARTS}"
        return self._words(n, 6, salt="title").capitalize()

    def category(self, n: int) -> int:
        """Return post ``n``'s category number."""
        return (n * 7) % CATEGORIES

    def _rng(self, n: int, salt: str) -> random.Random:
        return random.Random(f"{self.number}/{n}/{salt}")

    def _words(self, n: int, count: int, salt: str) -> str:
        return " ".join(_choices(self._rng(n, salt), count))

    def blocks(self, n: int) -> list[str]:
        """Return post ``n``'s body blocks: paragraphs, a heading, a list (about 1,100 words).

        In a light network: three paragraphs (about 270 words).
        """
        rng = self._rng(n, "body")
        blocks: list[str] = []
        series = self.series_of(n)
        if series is not None and series[1] > 1:
            start, part = series
            prev = self.post_path(start + part - 2)
            blocks.append(f"This continues [part {part - 1}]({self.base}{prev}) of the series.")
        for i in range(3 if self.light else rng.randint(9, 13)):
            if i == 4:
                blocks.append("## " + " ".join(_choices(rng, 4)).capitalize())
            if i == 7:
                blocks.append("\n".join("- " + " ".join(_choices(rng, 6)) for _ in range(4)))
            words = _choices(rng, rng.randint(70, 110))
            sentences = [" ".join(words[j : j + 12]).capitalize() for j in range(0, len(words), 12)]
            blocks.append(". ".join(sentences) + ".")
        return blocks

    def post(self, n: int) -> Post:
        """Return post ``n`` as a blog set Post (what the platform templates render)."""
        d = self.published(n)
        neighbours = [m for m in (n - 1, n + 1, n - 2, n + 2, n - 3) if 0 <= m < self.posts][:3]
        post = Post(
            slug=f"{self.style.split('-')[0]}-{self.slug(n)}",
            platform=self.style,
            site=self.name,
            title=self.title(n),
            authors=[f"Author {(n % 5) + 1} Surname{self.number}"],
            published=d,
            blocks=self.blocks(n),
            index=n,
        )
        post.siblings = [self._stub(m) for m in neighbours]
        return post

    def _stub(self, n: int) -> Post:
        return Post(slug=f"x-{self.slug(n)}", platform=self.style, site=self.name,
                    title=self.title(n), authors=["x"], published=self.published(n),
                    blocks=["x"], index=n)  # fmt: skip

    # -- pages -------------------------------------------------------------------------------

    def render(self, path: str) -> Page:
        """Return the answer for ``path`` (query strings ignored)."""
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            body = (
                f"User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {self.base}/sitemap_index.xml\n"
            )
            return Page(200, "text/plain; charset=utf-8", body.encode(), self.last_modified)
        if path == "/sitemap_index.xml":
            return Page(200, "application/xml", self._sitemap_index(), self.last_modified)
        if path.startswith("/sitemap-") and path.endswith(".xml"):
            number = path[len("/sitemap-") : -len(".xml")]
            if number.isdigit() and int(number) * PER_SITEMAP < self.posts:
                return Page(200, "application/xml", self._sitemap(int(number)), self.last_modified)
        if path == "/feed/":
            return Page(200, "application/rss+xml; charset=utf-8", self._feed(), self.last_modified)
        if path == "/":
            return self._listing(1)
        if path.startswith("/page/") and path.count("/") == 3:
            number = path.split("/")[2]
            if number.isdigit() and 1 < int(number) <= self.listing_pages:
                return self._listing(int(number))
        if path.startswith("/category/topic-") and path.count("/") == 3:
            number = path.split("/")[2].removeprefix("topic-")
            if number.isdigit() and int(number) < CATEGORIES:
                return self._category(int(number))
        n = self.post_number(path)
        if n is not None:
            return self._post_page(n)
        return Page(
            404, "text/html; charset=utf-8", self._chrome("Not found", "<h1>Not found</h1>")
        )

    def paths(self) -> list[str]:
        """Return the path of every page the site has."""
        listings = ["/"] + [f"/page/{k}/" for k in range(2, self.listing_pages + 1)]
        maps = [f"/sitemap-{k}.xml" for k in range(-(-self.posts // PER_SITEMAP))]
        return [
            "/robots.txt", "/sitemap_index.xml", *maps, "/feed/", *listings,
            *(f"/category/topic-{c}/" for c in range(CATEGORIES)),
            *(self.post_path(n) for n in range(self.posts)),
        ]  # fmt: skip

    def serves(self, path: str) -> bool:
        """Tell whether ``path`` is one of the site's own pages (``render`` answers it with a 200).

        The platform templates also link furniture the network does not serve (/about/,
        /privacy, a first /page/1/, an author page, Blogger's year archives): a crawl gets a
        404 for each, expected, and a 404 for a path this says is served is a failure.
        """
        path = path.split("?", 1)[0]
        number = path.removeprefix("/sitemap-").removesuffix(".xml")
        if path.startswith("/sitemap-") and path.endswith(".xml") and number.isdigit():
            return int(number) * PER_SITEMAP < self.posts
        if path.startswith("/page/") and path.count("/") == 3:
            number = path.split("/")[2]
            return number.isdigit() and 1 < int(number) <= self.listing_pages
        if path.startswith("/category/topic-") and path.count("/") == 3:
            number = path.split("/")[2].removeprefix("topic-")
            return number.isdigit() and int(number) < CATEGORIES
        fixed = {"/robots.txt", "/sitemap_index.xml", "/feed/", "/"}
        return path in fixed or self.post_number(path) is not None

    def post_number(self, path: str) -> int | None:
        """Return the number of the post at ``path``, or None (its slug ends with the number)."""
        found = _SLUG_NUMBER.search(path)
        if found is None:
            return None
        n = int(found.group(1))
        return n if n < self.posts and self.post_path(n) == path else None

    @property
    def listing_pages(self) -> int:
        """Return how many listing pages the site has."""
        return max(1, -(-self.posts // PER_PAGE))

    @property
    def last_modified(self) -> datetime:
        """Return when the newest post was published (the site's last change)."""
        return _noon(self.published(self.posts - 1))

    def _post_page(self, n: int) -> Page:
        page, _ = TEMPLATES[self.style](self.post(n))
        page = page.replace(self.url_style[0], self.base)
        page = page.replace("<head>", "<head>" + self.network.head_weight, 1)
        body_at = page.find("<body")
        body_at = page.find(">", body_at) + 1
        page = page[:body_at] + self._menu + page[body_at:]
        page = page.replace("</body>", self.network.foot_weight + "</body>", 1)
        return Page(200, "text/html; charset=utf-8", page.encode(), _noon(self.published(n)))

    def _listing(self, number: int) -> Page:
        newest = self.posts - 1 - (number - 1) * PER_PAGE
        entries = range(newest, max(-1, newest - PER_PAGE), -1)
        nav = []
        if number > 1:
            nav.append(f'<a class="prev" href="{self.base}/page/{number - 1}/">Newer posts</a>')
        if number < self.listing_pages:
            nav.append(f'<a class="next" href="{self.base}/page/{number + 1}/">Older posts</a>')
        main = self._entries(entries) + f'<nav class="pagination">{" ".join(nav)}</nav>'
        title = self.name if number == 1 else f"{self.name} - Page {number}"
        return Page(200, "text/html; charset=utf-8", self._chrome(title, main),
                    _noon(self.published(max(0, newest))))  # fmt: skip

    def _category(self, number: int) -> Page:
        # category(n) = 7n mod CATEGORIES: the posts of ``number`` are one residue class.
        residue = (number * pow(7, -1, CATEGORIES)) % CATEGORIES
        newest = self.posts - 1 - (self.posts - 1 - residue) % CATEGORIES
        entries = list(range(newest, -1, -CATEGORIES))[:10] if newest >= 0 else []
        main = self._entries(entries)
        return Page(200, "text/html; charset=utf-8", self._chrome(f"Topic {number}", main),
                    self.last_modified)  # fmt: skip

    def _entries(self, numbers: range | list[int]) -> str:
        out = []
        for n in numbers:
            first = self._words(n, 40, salt="excerpt").capitalize()
            out.append(
                f'<article class="post type-post"><h2 class="entry-title"><a href="'
                f'{self.base}{self.post_path(n)}" rel="bookmark">{html.escape(self.title(n))}</a>'
                f'</h2><time datetime="{self.published(n).isoformat()}">{self.published(n)}'
                f'</time><div class="entry-summary"><p>{html.escape(first)} [&hellip;]</p></div>'
                "</article>"
            )
        return "\n".join(out)

    def _chrome(self, title: str, main: str) -> bytes:
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>'
            f"{html.escape(title)}</title>{self.network.head_weight}"
            f'<link rel="alternate" type="application/rss+xml" href="{self.base}/feed/">'
            f'</head><body class="blog">{self._menu}<main id="main">{main}</main>'
            f"{self.network.foot_weight}</body></html>"
        ).encode()

    @cached_property
    def _menu(self) -> str:
        if self.light:
            links = "".join(
                f'<li><a href="{self.base}/category/topic-{c}/">Topic {c}</a></li>'
                for c in range(CATEGORIES)
            )
            return f'<nav id="site-navigation" aria-label="Menu"><ul>{links}</ul></nav>'
        items = []
        for c in range(CATEGORIES):
            sub = "".join(
                f'<li class="menu-item menu-item-type-custom"><a href="{self.base}/category/'
                f'topic-{c}/#section-{k}"><svg class="icon" width="16" height="16" '
                f'viewBox="0 0 24 24"><path d="M{k} 4l8 8-8 8-{k} 0z"/></svg>'
                f"Section {k} of topic {c}</a></li>"
                for k in range(4)
            )
            items.append(
                f'<li id="menu-item-{c}" class="menu-item menu-item-has-children"><a href="'
                f'{self.base}/category/topic-{c}/">Topic {c}</a>'
                f'<ul class="sub-menu">{sub}</ul></li>'
            )
        return (
            f'<nav id="site-navigation" class="main-navigation mega-menu" aria-label="Menu">'
            f'<ul id="primary-menu" class="menu nav-menu">{"".join(items)}</ul></nav>'
        )

    def _sitemap_index(self) -> bytes:
        maps = "".join(
            f"<sitemap><loc>{self.base}/sitemap-{k}.xml</loc></sitemap>"
            for k in range(-(-self.posts // PER_SITEMAP))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
        ).encode()

    def _sitemap(self, k: int) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{self.post_path(n)}</loc>"
            f"<lastmod>{self.published(n).isoformat()}</lastmod></url>"
            for n in range(k * PER_SITEMAP, min(self.posts, (k + 1) * PER_SITEMAP))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        ).encode()

    def _feed(self) -> bytes:
        items = "".join(
            f"<item><title>{html.escape(self.title(n))}</title><link>{self.base}"
            f"{self.post_path(n)}</link><pubDate>{format_datetime(_noon(self.published(n)))}"
            "</pubDate></item>"
            for n in range(self.posts - 1, max(-1, self.posts - 21), -1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>'
            f"{html.escape(self.name)}</title><link>{self.base}/</link>{items}</channel></rss>"
        ).encode()


class Network:
    """The blogs of a network of ``posts`` posts, spread evenly over ``sites_for(posts)`` sites."""

    def __init__(self, posts: int, *, light: bool = False) -> None:
        self.posts = posts
        self.light = light  # pages without the theme's weight, posts of three paragraphs
        count = sites_for(posts)
        self.sites: list[BlogSite] = []
        first = 0
        for number in range(count):
            share = posts // count + (1 if number < posts % count else 0)
            self.sites.append(BlogSite(self, number, share, first))
            first += share

    def post_urls(self) -> list[str]:
        """Return every post's URL (the sites' bases must be set)."""
        return [s.base + s.post_path(n) for s in self.sites for n in range(s.posts)]

    def sample(self, count: int) -> list[tuple[BlogSite, int]]:
        """Return ``count`` posts spread evenly over the network (every style included)."""
        every = [(s, n) for s in self.sites for n in range(s.posts)]
        step = max(1, len(every) // count)
        return every[::step][:count]

    @cached_property
    def head_weight(self) -> str:
        """Return the inline stylesheet and scripts a theme puts in every page's head."""
        if self.light:
            return ""
        rng = random.Random(11)
        rules = []
        for i in range(140):
            selector = f".wp-block-{rng.choice(VOCABULARY)}-{i} > .inner-{i % 17}"
            rules.append(
                f"{selector}{{margin:{i % 9}px {i % 5}px;padding:{i % 7}px;color:#"
                f"{rng.randrange(0x1000000):06x};font-size:{12 + i % 9}px;line-height:1.{i % 9}}}"
            )
        script = "".join(
            f"window.__theme.cfg{i}={{id:{i},key:'{hashlib.md5(str(i).encode()).hexdigest()}',"
            f"on:function(e){{return e&&e.target&&e.target.dataset['k{i}']}}}};"
            for i in range(40)
        )
        return (
            f'<style id="theme-inline-css">{"".join(rules)}</style>'
            f'<script id="theme-config">window.__theme={{}};{script}</script>'
        )

    @cached_property
    def foot_weight(self) -> str:
        """Return the scripts a theme and its plugins put before ``</body>``."""
        if self.light:
            return ""
        return "".join(
            f'<script id="plugin-{i}">(function(){{var d=document,s=d.createElement("script");'
            f's.async=true;s.dataset.plugin="{i}";s.src="/wp-content/plugins/p{i}/app.min.js";'
            f"d.body.appendChild(s);}})();</script>"
            for i in range(30)
        )


def _choices(rng: random.Random, count: int) -> list[str]:
    """Return ``count`` words drawn by ``rng`` (random.choices is ten times slower)."""
    size = len(VOCABULARY)
    return [VOCABULARY[i % size] for i in memoryview(rng.randbytes(2 * count)).cast("H")]


def _noon(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
