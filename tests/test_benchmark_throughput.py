"""The throughput benchmark's generated blog network (benchmarks/throughput/network.py)."""

from __future__ import annotations

import re

from benchmarks.throughput.network import Network

POSTS = 1000


def test_network_serves_its_posts_as_60_kb_pages_in_every_style() -> None:
    network = Network(POSTS)
    for site in network.sites:
        site.base = f"http://127.0.0.1:{9000 + site.number}"
    for site in network.sites:
        posts = [site.render(path) for path in site.paths() if path.count("/") > 2][:3]
        assert {page.status for page in posts} == {200}, site.style
        assert 40_000 < len(posts[0].body) < 90_000, (site.style, len(posts[0].body))
    # every post is in exactly one site's sitemap: the network has the posts it says
    listed = [
        url
        for site in network.sites
        for path in site.paths()
        if path.startswith("/sitemap-")
        for url in re.findall(r"<loc>([^<]+)</loc>", site.render(path).body.decode())
    ]
    assert len(listed) == len(set(listed)) == POSTS
    assert set(listed) == set(network.post_urls())
