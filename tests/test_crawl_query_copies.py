"""A query name whose pages canonicalise away is learned per host and no longer fetched.

Blogger links each comment as ``POST?showComment=N#cN``, a copy of the post whose
``rel=canonical`` is the bare post URL (crawler/traps.py, :class:`QueryCopies`). The crawl
test serves a blog whose every post links three such comment permalinks, and one post only
through one: with the rule the comment pages stop after the limit (plus what was already on
its way to the downloader) and the archive holds the same posts, and a re-crawl asks for no
comment page the first run left out; with the rule off (``BLOGARCHIVE_QUERY_COPY_LIMIT=0``)
every comment page is fetched.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.traps import MAX_QUERY_NAMES, QueryCopies
from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve
from tests.evolving_blog import Blog, BlogPost, make_posts
from tests.test_archive_revisions import query

POSTS = 30
COMMENTS = 3  # comment permalinks on each post page
LIMIT = 3
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
HIDDEN = "/2099/01/reached-by-a-comment-link/"  # no listing, feed or sitemap names it


def copies(limit: int = 2) -> QueryCopies:
    return QueryCopies(limit)


def test_a_name_closes_after_the_limit_of_pages_canonical_without_it() -> None:
    rules = copies()
    assert rules.to_learn("http://b.org/p.html?showComment=1")
    assert rules.observe("http://b.org/p.html?showComment=1", "http://b.org/p.html", False) == []
    assert rules.bare("http://b.org/q.html?showComment=5#c5") is None
    closed = rules.observe("http://b.org/q.html?showComment=2", "https://www.b.org/q.html", False)
    assert closed == ["showComment"]
    assert not rules.to_learn("http://b.org/r.html?showComment=3")
    assert rules.bare("http://b.org/r.html?showComment=5#c5") == "http://b.org/r.html"
    assert rules.bare("http://b.org/r.html?x=1&showComment=5") == "http://b.org/r.html?x=1"
    # Per host: another host has learned nothing.
    assert rules.bare("http://c.org/r.html?showComment=5") is None
    assert rules.to_learn("http://c.org/r.html?showComment=5")


@pytest.mark.parametrize(
    ("url", "canonical", "listing"),
    [
        ("http://b.org/p?sort=new", "http://b.org/p?sort=new", False),  # keeps the name
        ("http://b.org/p?sort=new", None, False),  # declares no canonical
        ("http://b.org/p?sort=new", "http://b.org/other", False),  # another page
        ("http://b.org/p?sort=new", "http://b.org/", False),  # the home page
        ("http://b.org/p?sort=new", "http://b.org/p?lang=en", False),  # adds a pair
        ("http://b.org/p?sort=new", "http://elsewhere.org/p", False),  # another host
        # A listing naming its first page canonical still shows other posts.
        ("http://b.org/?offset=10", "http://b.org/", True),
    ],
)
def test_a_counter_example_opens_the_name_for_good(url, canonical, listing) -> None:
    rules = copies()
    name = url.split("?")[1].split("=")[0]
    rules.observe(f"http://b.org/a?{name}=1", "http://b.org/a", False)
    assert rules.observe(url, canonical, listing) == []
    for n in range(5):
        rules.observe(f"http://b.org/c{n}?{name}=1", f"http://b.org/c{n}", False)
    assert rules.bare(f"http://b.org/d?{name}=1") is None
    assert not rules.to_learn(f"http://b.org/e?{name}=1")


def test_each_name_of_a_page_counts_on_its_own() -> None:
    rules = copies()
    # The canonical keeps page (content) and drops showComment: showComment's example only.
    for n in range(2):
        rules.observe(f"http://b.org/x?a={n}&showComment={n}", f"http://b.org/x?a={n}", False)
    assert rules.hosts["b.org"] == {"a": -1, "showComment": 2}


def test_names_that_select_content_and_the_rule_off_learn_nothing() -> None:
    rules = copies()
    for n in range(4):
        rules.observe(f"http://b.org/?p={n}", "http://b.org/", False)
    assert rules.bare("http://b.org/?p=9") is None
    off = QueryCopies(0)
    assert not off.to_learn("http://b.org/p?showComment=1")
    off.observe("http://b.org/p?showComment=1", "http://b.org/p", False)
    assert off.bare("http://b.org/p?showComment=1") is None


def test_a_host_keeps_counters_for_a_bounded_number_of_names() -> None:
    rules = copies()
    for n in range(MAX_QUERY_NAMES + 10):
        rules.observe(f"http://b.org/p?n{n}=1", "http://b.org/p", False)
    assert len(rules.hosts["b.org"]) == MAX_QUERY_NAMES
    assert not rules.to_learn(f"http://b.org/p?n{MAX_QUERY_NAMES + 20}=1")


class CommentedBlog(Blog):
    """The evolving blog with Blogger's comment permalinks, pager and rel=canonical on posts."""

    def _post_page(self, post: BlogPost) -> str:
        page = super()._post_page(post)
        canonical = f'<link rel="canonical" href="{{{{BASE}}}}{post.path}">\n</head>'
        links = [f"{post.path}?showComment=17{i}#c90{i}" for i in range(COMMENTS)]
        if post is self.posts[-1]:
            links.append(f"{HIDDEN}?showComment=1#c1")
        comments = "".join(
            f'<li class="comment"><a rel="nofollow" href="{href}">21:0{i}</a> A comment.</li>'
            for i, href in enumerate(links)
        )
        # Blogger's pager on a post page: the older post reads as a next page.
        older = next((p.path for p in self.posts if p.links and p.links[-1][0] == post.path), "/")
        pager = (
            f"<div class='blog-pager'><a class='blog-pager-older-link' href='{older}'>Older"
            " Post</a><a class='home-link' href='/'>Home</a></div>"
        )
        page = page.replace("</head>", canonical, 1)
        return page.replace("</main>", f'<ol class="comments">{comments}</ol>{pager}</main>', 1)

    def write(self) -> None:
        super().write()
        hidden = replace(
            make_posts(POSTS + 1)[-1],
            slug=HIDDEN.split("/")[3],
            title="Reached by a comment link",
            published="2099-01-05",
        )
        assert hidden.path == HIDDEN
        self._file(HIDDEN + "index.html", self._post_page(hidden))


def crawl(site: FixtureSite, db: Path, limit: int) -> tuple[str, list[str]]:
    """Crawl the site into ``db``; return the log and the comment permalinks requested."""
    since = len(site.hits)
    setting = f"BLOGARCHIVE_QUERY_COPY_LIMIT={limit}"
    result = run_cli("crawl", site.base + "/", "--db", str(db), "-v", *FAST, "-s", setting)
    assert result.returncode == 0, result.stderr[-3000:]
    hits = site.hits[since:]
    # What the summary counts as pages fetched were sent: the copies dropped are not among them.
    fetched = re.search(r"(\d+) pages fetched", result.stderr)
    assert fetched is not None
    assert int(fetched[1]) <= len(hits), (fetched[0], len(hits))
    return result.stderr, [h.path for h in hits if "showComment" in h.path]


@pytest.mark.e2e
def test_comment_permalinks_stop_after_the_limit_and_no_post_is_lost(tmp_path: Path) -> None:
    blog = CommentedBlog(tmp_path / "site", posts=make_posts(POSTS, series=0))
    blog.write()
    with serve(FixtureSite(blog.root)) as site:
        log, learned = crawl(site, tmp_path / "on.db", LIMIT)
        again_log, again = crawl(site, tmp_path / "on.db", LIMIT)
        _, off = crawl(site, tmp_path / "off.db", 0)
    posts = query(tmp_path / "on.db", "SELECT url FROM posts ORDER BY url")
    assert posts == query(tmp_path / "off.db", "SELECT url FROM posts ORDER BY url")
    assert len(posts) == POSTS + 1
    assert any(url.endswith(HIDDEN) for (url,) in posts)
    # Off: every comment permalink of every post. On: the limit, and what went to the
    # downloader while the examples were read (up to CONCURRENT_REQUESTS at once, and one
    # more for each download that ended meanwhile): 18 of 94 in a run at load 19.
    assert len(off) == (POSTS + 1) * COMMENTS + 1  # the hidden post has comments too
    assert LIMIT <= len(learned) <= len(off) // 2, learned
    assert re.search(r"query name 'showComment' canonicalises away", log)
    assert re.search(r"query names that canonicalise away: 1 learned on their hosts", log)
    # A re-crawl learns again from the comment pages the first run kept, answered from
    # their links records; the others wait at the back of the queue once, and are mostly
    # dropped when they come back (0 and 3 of the first run's 18 asked for in two runs).
    assert f"posts 0 new / 0 updated / {POSTS + 1} unchanged" in again_log
    assert re.search(r"query name 'showComment' canonicalises away", again_log)
    assert len(set(again) - set(learned)) <= len(learned) // 2, sorted(set(again) - set(learned))
