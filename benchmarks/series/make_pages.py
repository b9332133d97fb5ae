"""Write the labelled series set: ``python -m benchmarks.series.make_pages``.

Pages are written for this project in the markup of eight platforms (WordPress with
Organize Series, Ghost, Blogger, Medium, a Drupal magazine, Substack, Squarespace, Jekyll). The
label of each page (series name or none, part number) is written here by hand beside the
page's text; nothing is derived from the detector. Output: ``pages/*.html`` and
``labels.json`` beside this file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
# The body after each page's opening is made of these pieces, chosen by the page's slug: real
# posts do not share whole paragraphs, and pages that did would be near-duplicates of each
# other to issue 5's deduplication (which then links them as copies of one another).
WHO = (
    "Officers and residents", "Two volunteers from the tenants' association", "The parks team",
    "A housing officer and a local pharmacist", "Councillors from both wards",
    "Three apprentices from the college", "The library staff", "A group of bus drivers",
    "Parents from the primary school", "The allotment society", "Shopkeepers on the high street",
    "Care workers from the day centre",
)  # fmt: skip
DID = (
    "met in the community centre to talk through", "sat down over tea to list",
    "walked the streets with clipboards to record", "argued for an hour about",
    "drew on a large paper map", "wrote on sticky notes", "counted, street by street,",
    "photographed and then catalogued", "voted with coloured stickers on",
    "read aloud the complaints letters about", "sketched on the back of leaflets",
    "recorded in a shared spreadsheet",
)  # fmt: skip
WHAT = (
    "what had changed since the spring and what still needed fixing before winter.",
    "the broken lights, blocked drains and missing signs nobody had reported.",
    "which of the old forms could be thrown away without anyone missing them.",
    "the places where people felt unsafe after dark.",
    "how long residents waited on the phone before someone answered.",
    "the cost of every option, in plain words, before anything was decided.",
    "where the money went last year and who decided how it was spent.",
    "the questions residents asked most often at the front desk.",
    "which meetings could become a short note instead.",
    "the rules that made simple requests take weeks.",
    "every bench, bin and bollard between the station and the market.",
    "what they would try again and what they would quietly drop.",
)  # fmt: skip
FILLER_PARAGRAPHS = 4


def filler(slug: str) -> list[str]:
    """Return the body paragraphs of the page ``slug``: the same for a slug on every run."""
    digest = hashlib.sha256(slug.encode()).digest()
    return [
        f"{WHO[digest[3 * i] % len(WHO)]} {DID[digest[3 * i + 1] % len(DID)]}"
        f" {WHAT[digest[3 * i + 2] % len(WHAT)]}"
        for i in range(FILLER_PARAGRAPHS)
    ]


@dataclass
class Page:
    """One labelled page: where it lives, how it looks, and the truth about its series."""

    platform: str
    slug: str
    title: str
    first: str  # the opening paragraph, where a series sentence goes
    series: str | None = None  # label: the series it belongs to
    part: int | None = None  # label: its part number in that series
    published: str = "2024-03-01"
    author: str = "Jo Reed"
    standfirst: str = ""
    tags: tuple[str, ...] = ()
    extra: str = ""  # platform series markup (box, contents, navigation)
    notes: list[str] = field(default_factory=list)


HOSTS = {
    "wordpress": "civiclab.example.org",
    "ghost": "budgetdiaries.example.net",
    "blogger": "wardwalks.blogspot.example",
    "medium": "medium.example.com",
    "drupal": "localgovreview.example.com",
    "substack": "streetlife.substack.example",
    "squarespace": "mappingeastfield.example.org",
    "jekyll": "eastfieldnotes.github.example",
}


def url(page: Page) -> str:
    """Return the page's permalink."""
    return f"https://{HOSTS[page.platform]}/{page.published[:7].replace('-', '/')}/{page.slug}/"


def _wp_box(part: int, total: int, prev: Page | None, nxt: Page | None) -> str:
    nav = "".join(
        f'<span class="series-nav-{side}"><a href="{url(p)}">{escape(p.title)}</a></span>'
        for side, p in (("left", prev), ("right", nxt))
        if p
    )
    return (
        f'<div class="seriesmeta">This entry is part {part} of {total} in the series '
        '<a href="https://civiclab.example.org/series/creative-councils/">Creative Councils</a>'
        f'</div><div class="wp-post-series-nav"><span class="series-nav-label">Series Navigation'
        f"</span>{nav}</div>"
    )


def pages() -> list[Page]:
    """Return every labelled page."""
    cc = [
        ("cc-starting-small", "Creative Councils: Starting small", 1, "2024-01-16"),
        ("cc-permission", "Creative Councils: Permission to experiment", 2, "2024-02-27"),
        ("cc-residents", "Creative Councils: Working with residents", 3, "2024-02-06"),
        ("cc-differently", "Creative Councils: What we would do differently", 4, "2024-03-19"),
    ]
    wp = [
        Page(
            "wordpress",
            slug,
            title,
            "The Civic Lab started with two laptops.",
            "Creative Councils",
            part,
            published,
            tags=("creative councils",),
        )
        for slug, title, part, published in cc
    ]
    for i, page in enumerate(wp):
        page.extra = _wp_box(
            page.part or 0, 5, wp[i - 1] if i else None, wp[i + 1] if i + 1 < len(wp) else None
        )
    wp[1].first = "In the second blog of our Creative Councils series, Tom looks at permission."
    out = [
        *wp,
        Page(
            "wordpress",
            "ward-meetings",
            "What residents told us this autumn",
            "We held a series of meetings with residents about the new bus routes.",
        ),
        Page(
            "wordpress",
            "review-budget",
            "Review: the council budget consultation",
            "The consultation ran for six weeks and drew four hundred replies.",
        ),
        Page(
            "wordpress",
            "review-libraries",
            "Review: library opening hours",
            "Library hours changed in January after a long debate.",
        ),
        # A magazine republishes part 1 and says so: one series across two sites.
        Page(
            "drupal",
            "start-small-learn-fast",
            "Start small, learn fast",
            "This article first appeared as the first blog of the Creative Councils series on"
            " Civic Lab Notes.",
            "Creative Councils",
            1,
            "2024-02-13",
            standfirst="A council innovation lab on why it started small.",
        ),
    ]
    bd = [
        ("bd-kickoff", "Budget Diaries (1/3): Why we are doing this", 1, "2024-05-02"),
        ("bd-voting", "Budget Diaries (2/3): The vote", 2, "2024-05-30"),
        ("bd-after", "Budget Diaries (3/3): What the money bought", 3, "2024-07-04"),
    ]
    out += [
        Page(
            "ghost",
            slug,
            title,
            "Residents decided how to spend the neighbourhood fund.",
            "Budget Diaries",
            part,
            published,
            standfirst="Notes from the borough's budget.",
        )
        for slug, title, part, published in bd
    ]
    out[-3].first = "This post kicks off our series on participatory budgeting in Northmoor."
    out += [
        Page(
            "ghost",
            "tv-series-filming",
            "Filming in the market square",
            "She once appeared in a TV series about hospitals, and now films our market.",
        ),
        Page(
            "ghost",
            "netflix-town",
            "The town on the small screen",
            "A new Netflix series was filmed in the town centre last year.",
        ),
    ]
    ww = [
        ("ww-north", "Walking the north ward", "2024-04-06"),
        ("ww-river", "Along the river ward", "2024-04-13"),
        ("ww-hill", "Up the hill ward", "2024-04-20"),
    ]
    blogger = []
    for index, (slug, title, published) in enumerate(ww):
        page = Page(
            "blogger",
            slug,
            title,
            "Councillors walked the ward with residents.",
            "Ward Walks",
            index + 1,
            published,
        )
        blogger.append(page)
    for page in blogger:
        items = "".join(
            f"<li>{escape(p.title)}</li>"
            if p is page
            else f'<li><a href="{url(p)}">{escape(p.title)}</a></li>'
            for p in blogger
        )
        page.extra = f'<div class="series-toc"><h3>Ward Walks series</h3><ol>{items}</ol></div>'
    out += [
        *blogger,
        Page(
            "blogger",
            "reforms",
            "Council tax changes explained",
            "The government announced a series of reforms to council tax in March.",
        ),
        Page(
            "blogger",
            "workshops",
            "Workshops this spring",
            "Our series of workshops starts in May, in the library on Tuesdays.",
        ),
    ]
    out += [
        Page(
            "medium",
            "digital-democracy-apps",
            "Apps for councillors",
            "The second post in our Digital Democracy series looks at apps.",
            "Digital Democracy",
            2,
            "2024-06-10",
        ),
        Page(
            "medium",
            "digital-democracy-start",
            "Why digital democracy, why now",
            "This is the first post in our Digital Democracy series, written by the team.",
            "Digital Democracy",
            1,
            "2024-06-03",
        ),
        Page(
            "medium",
            "digital-democracy-end",
            "What we learned about online votes",
            "This is the 3rd instalment of the Digital Democracy series.",
            "Digital Democracy",
            3,
            "2024-06-24",
        ),
        Page(
            "medium",
            "series-of-events",
            "A strange week in the town hall",
            "It was a series of events nobody planned: a flood, a fire drill and a royal visit.",
        ),
    ]
    out += [
        Page(
            "drupal",
            "social-care-1",
            "Social care at the crossroads, part one",
            "Care homes are closing faster than new ones open.",
            "Social care at the crossroads",
            1,
            "2024-08-01",
            standfirst="The first of our three-part series on adult social care.",
        ),
        Page(
            "drupal",
            "social-care-2",
            "Social care at the crossroads, part two",
            "Home care workers are paid for visits, not travel.",
            "Social care at the crossroads",
            2,
            "2024-08-08",
        ),
        Page(
            "drupal",
            "social-care-3",
            "Social care at the crossroads, part three",
            "Councils are trying new contracts.",
            "Social care at the crossroads",
            3,
            "2024-08-15",
        ),
        Page(
            "drupal",
            "interview-mayor",
            "Interview: the mayor on housing",
            "The mayor sat down with us for an hour.",
        ),
        Page(
            "drupal",
            "interview-chief",
            "Interview: the chief executive on budgets",
            "The chief executive talked about reserves.",
        ),
    ]
    sl = [
        ("sl-benches", "Street Life: The bench", "2024-09-02"),
        ("sl-bins", "Street Life: The bin", "2024-09-09"),
        ("sl-lamps", "Street Life: The lamp post", "2024-09-16"),
    ]
    substack = [
        Page(
            "substack",
            slug,
            title,
            "Every street has its furniture.",
            "Street Life",
            i + 1,
            published,
            tags=("Street Life", "Streets"),
        )
        for i, (slug, title, published) in enumerate(sl)
    ]
    substack[0].first = "This post kicks off our new series. Every street has its furniture."
    substack[1].extra = (
        f'<p class="series-links">Next in the Street Life series: <a href="{url(substack[2])}">'
        "The lamp post</a></p>"
    )
    out += [
        *substack,
        Page(
            "substack",
            "weeknotes-12",
            "Weeknotes: week 12",
            "A quiet week in the team.",
            tags=("weeknotes",),
        ),
        Page(
            "substack",
            "weeknotes-13",
            "Weeknotes: week 13",
            "A busy week in the team.",
            tags=("weeknotes",),
        ),
    ]
    out += [
        Page(
            "squarespace",
            "mapping-1",
            "Part 1: Drawing the estate",
            "Welcome to part one of the Mapping Eastfield series.",
            "Mapping Eastfield",
            1,
            "2024-10-01",
        ),
        Page(
            "squarespace",
            "mapping-2",
            "Part 2: Naming the paths",
            "This is part 2 of the Mapping Eastfield series, about paths.",
            "Mapping Eastfield",
            2,
            "2024-10-15",
        ),
        Page(
            "squarespace",
            "mapping-4",
            "Part 4: Printing the map",
            "Welcome to part four of the Mapping Eastfield series, the last.",
            "Mapping Eastfield",
            4,
            "2024-11-12",
        ),
        Page(
            "squarespace",
            "tv-and-maps",
            "Maps on television",
            "A BBC series about maps used our estate as an example.",
        ),
    ]
    # Hard case: "(k/3)" after a different subject each time, and nothing else names the series.
    out += [
        Page(
            "jekyll",
            slug,
            title,
            "We walked the estate with a clipboard.",
            "Eastfield estate",
            part,
            published,
        )
        for slug, title, part, published in (
            ("estate-drawing", "Drawing the estate (1/3)", 1, "2024-06-01"),
            ("estate-talking", "Talking to residents (2/3)", 2, "2024-06-08"),
            ("estate-printing", "Printing the map (3/3)", 3, "2024-06-15"),
        )
    ]
    # The same "(k/N)" hard case, with what must keep counted series apart: another author
    # numbering out of the same N in the same weeks, and the same author's "(2/2)" months later.
    out += [
        Page("jekyll", slug, title, first, series, part, published, author=author)
        for slug, title, first, series, part, published, author in (
            ("lifts-broken", "Lifts out of order (1/2)", "Two of the four lifts broke in August.",
             "Eastfield lifts", 1, "2024-09-02", "Jo Reed"),
            ("lifts-repair", "Who fixes the lifts (2/2)", "The repair contract has three owners.",
             "Eastfield lifts", 2, "2024-09-09", "Jo Reed"),
            ("bus-stops", "Bus stops (1/2)", "The number 12 no longer stops by the shops.",
             "Eastfield buses", 1, "2024-09-05", "Sam Okoro"),
            ("bin-stores", "Bin stores (2/2)", "The new bin stores opened in January.",
             "Eastfield bins", 2, "2025-01-15", "Jo Reed"),
        )
    ]  # fmt: skip
    # Only a category archive that calls itself a series says these two belong together.
    out += [
        Page(
            "wordpress",
            "open-councils-spend",
            "Publishing spend data the boring way",
            "Every month the finance team exports the previous month's spending.",
            "Open Councils",
            1,
            "2024-05-14",
        ),
        Page(
            "wordpress",
            "open-councils-meetings",
            "Putting committee meetings online",
            "Since April every committee meeting has been streamed and archived.",
            "Open Councils",
            2,
            "2024-06-04",
        ),
        Page(
            "wordpress",
            "ordinary-post",
            "Potholes, again",
            "The winter was wet and the roads show it.",
        ),
    ]
    return out


def listing(posts: list[Page]) -> str:
    """Return the WordPress category archive that calls itself a series, newest first."""
    entries = "".join(
        f'<article class="post type-post"><h2 class="entry-title"><a href="{url(p)}">'
        f'{escape(p.title)}</a></h2><time class="entry-date" datetime="{p.published}">'
        f"{p.published}</time></article>"
        for p in sorted(posts, key=lambda p: p.published, reverse=True)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Open Councils Archives | Civic Lab Notes</title></head>"
        '<body class="archive category category-open-councils"><main><header>'
        '<h1 class="page-title">Category: Open Councils</h1><div class="archive-description">'
        "<p>Our blog series on opening up how the council works.</p></div></header>"
        f"{entries}</main></body></html>\n"
    )


def render(page: Page) -> str:
    """Return the page's HTML in its platform's markup."""
    body = "".join(f"<p>{escape(p)}</p>" for p in (page.first, *filler(page.slug)))
    head = (
        f"<title>{escape(page.title)} | {page.platform.title()} blog</title>"
        f'<link rel="canonical" href="{url(page)}">'
        f'<meta property="og:title" content="{escape(page.title)}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{page.published}T09:00:00+00:00">'
        f'<meta name="author" content="{escape(page.author)}">'
        + (
            f'<meta name="description" content="{escape(page.standfirst)}">'
            if page.standfirst
            else ""
        )
        + "".join(f'<meta property="article:tag" content="{escape(t)}">' for t in page.tags)
    )
    standfirst = f'<p class="standfirst">{escape(page.standfirst)}</p>' if page.standfirst else ""
    shells = {
        "wordpress": '<body class="single single-post"><article class="post">'
        '<h1 class="entry-title">{title}</h1>{extra}<div class="entry-content">{body}</div>'
        "</article></body>",
        "ghost": '<body class="post-template"><article class="gh-article"><h1 class="gh-title">'
        '{title}</h1>{standfirst}<section class="gh-content">{body}</section></article></body>',
        "blogger": '<body><div class="post-outer"><h3 class="post-title">{title}</h3>'
        '<div class="post-body">{body}{extra}</div></div></body>',
        "medium": "<body><article><section><h1>{title}</h1>{body}</section></article></body>",
        "drupal": '<body class="node--type-article"><article><h1 class="page-title">{title}</h1>'
        '{standfirst}<div class="field--name-body">{body}</div></article></body>',
        "substack": '<body><div class="post"><h1 class="post-title">{title}</h1>'
        '<div class="available-content">{body}{extra}</div></div></body>',
        "jekyll": '<body><main class="page-content"><article class="post h-entry">'
        '<header class="post-header"><h1 class="post-title p-name">{title}</h1></header>'
        '<div class="post-content e-content">{body}</div></article></main></body>',
        "squarespace": '<body><article class="blog-item-wrapper"><h1 class="entry-title">{title}'
        '</h1><div class="sqs-block-content">{body}</div></article></body>',
    }
    shell = shells[page.platform].format(
        title=escape(page.title), extra=page.extra, body=body, standfirst=standfirst
    )
    head = f'<head><meta charset="utf-8">{head}</head>'
    return f'<!DOCTYPE html>\n<html lang="en">{head}{shell}</html>\n'


def main() -> None:
    """Write pages/ and labels.json."""
    folder = HERE / "pages"
    folder.mkdir(exist_ok=True)
    labels = {}
    for page in pages():
        name = f"{page.platform}-{page.slug}.html"
        (folder / name).write_text(render(page), encoding="utf-8")
        labels[name] = {"url": url(page), "series": page.series, "part": page.part}
    name = "wordpress-category-open-councils.html"
    members = [p for p in pages() if p.series == "Open Councils"]
    (folder / name).write_text(listing(members), encoding="utf-8")
    labels[name] = {
        "url": f"https://{HOSTS['wordpress']}/category/open-councils/",
        "listing": True,
    }
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    print(f"{len(labels)} pages written to {folder}")


if __name__ == "__main__":
    main()
