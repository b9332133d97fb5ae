"""Texts of "Town Hall Tinkerer", the demo Blogger blog.

Only the three newest posts are on the home page; the older ones are behind
``/search?updated-max=...`` (disallowed by robots.txt, as on real Blogger) and in the Atom feed.
"""

from __future__ import annotations

from demo.content import Post, Site

POSTS = (
    Post(
        slug="why-i-still-keep-paper-map-of-every",
        title="Why I still keep a paper map of every ward",
        author="Marion Pike",
        published="2023-09-14T19:20:00+00:00",
        tags=("maps", "wards"),
        paragraphs=(
            "There is a drawer in my desk at the town hall that holds a paper map of every ward"
            " in the borough. Colleagues tease me about it, usually while asking to borrow one.",
            "Digital maps are wonderful for finding a single address, but they are poor at"
            " showing the shape of a place. When you spread a paper ward map on a table, people"
            " start pointing at things: the footpath that floods, the bus stop that moved, the"
            " corner shop that closed. Half of what I know about our neighbourhoods came from"
            " those conversations.",
            "I am not against the digital version. Our [online ward profiles]"
            "(https://kingsbridge.gov.example/ward-profiles) are far more up to date than my"
            " drawer, and I use them every week. But a map on a table invites people in, and a"
            " map on a screen tends to belong to whoever is holding the mouse.",
            "So the drawer stays. If you ever visit, bring a pen.",
        ),
    ),
    Post(
        slug="building-ward-profile-dashboard-with",
        title="Building a ward profile dashboard with spreadsheets and stubbornness",
        author="Marion Pike",
        published="2023-10-26T20:05:00+00:00",
        tags=("data", "dashboards"),
        paragraphs=(
            "Our ward profiles started life as a spreadsheet with forty tabs, one per ward, each"
            " maintained by a different person in a slightly different way. Merging them into a"
            " single dashboard took me most of a summer.",
            "The trick, if there is one, was to agree the boring things first. Before drawing a"
            " single chart we wrote a [data dictionary for ward statistics]"
            "(https://kingsbridge.gov.example/open-data/ward-dictionary) that defined every"
            " column, its source and how often it changes. Most of the arguments I expected about"
            " design turned out to be arguments about definitions.",
            "The finished dashboard is deliberately plain. It uses the council's standard"
            " colours, loads quickly on an old phone and lets anyone download the numbers behind"
            " each chart.",
            "Would I use a proper business intelligence tool next time? Probably. But I learned"
            " more about our data by wrestling with it in a spreadsheet than any tool would have"
            " taught me.",
        ),
    ),
    Post(
        slug="notes-from-participatory-budgeting",
        title="Notes from a participatory budgeting count night",
        author="Ade Balogun",
        published="2024-01-09T21:40:00+00:00",
        tags=("participatory budgeting", "democracy"),
        paragraphs=(
            "On Saturday night I helped count the votes for the Riverside ward community fund."
            " Three hundred and twelve residents voted on nineteen projects, and by half past"
            " nine we had a result.",
            "The winning bid was a modest one: new benches and a bit of shade for the path along"
            " the canal, proposed by a group of older residents who walk there every morning."
            " They beat a skate park by eleven votes, and the skaters took it with good grace,"
            " promising to come back next year with a better pitch.",
            "What struck me most was the mix of people in the room. Many had never been to a"
            " council meeting, and several told us it was the first time they had felt their"
            " opinion was counted rather than collected. The full results are on the [Riverside"
            " community fund page](https://kingsbridge.gov.example/riverside-fund) if you want"
            " to see how close it was.",
            "Counting by hand is slow, and next year we will probably move to an online ballot"
            " alongside the paper one. I will miss the tea urn, though.",
        ),
    ),
    Post(
        slug="case-for-boring-apis-in-local",
        title="The case for boring APIs in local government",
        author="Marion Pike",
        published="2024-03-05T18:30:00+00:00",
        tags=("APIs", "data"),
        paragraphs=(
            "Every few months someone proposes a new platform that will join up all of the"
            " council's systems. I have come to prefer a humbler ambition: a small number of"
            " boring, well-documented interfaces that do one thing each and never surprise"
            " anyone.",
            "Our address lookup is a good example. It has one job, which is to turn a postcode"
            " into a list of properties with their unique reference numbers, and it has done that"
            " job quietly for six years. The [address API documentation]"
            "(https://developer.kingsbridge.gov.example/address) fits on a single page, and that"
            " is precisely why other teams trust it.",
            "Boring interfaces are easy to test, easy to replace and easy to explain to a new"
            " starter. They also make procurement simpler, because a supplier can be told exactly"
            " what their product must connect to.",
            "None of this makes for an exciting conference talk. But the councils I admire most"
            " have a handful of dull, dependable building blocks and the discipline to keep them"
            " that way.",
        ),
    ),
    Post(
        slug="what-library-loan-data-told-us-about",
        title="What the library loan data told us about isolation",
        author="Ade Balogun",
        published="2024-05-21T19:10:00+00:00",
        tags=("libraries", "social prescribing", "data"),
        paragraphs=(
            "Libraries hold one of the richest pictures of everyday life in the borough, and we"
            " rarely look at it. This spring, with help from the library service, I spent a few"
            " weeks with five years of anonymised loan records.",
            "One pattern stood out. In several neighbourhoods, regular borrowers over seventy"
            " stopped visiting almost entirely after their local branch cut its Saturday opening"
            " hours. For some of them the library had been the only fixed appointment in their"
            " week.",
            "We passed the analysis to the social prescribing team, who now use [a map of reduced"
            " library visits](https://kingsbridge.gov.example/insight/library-visits) to decide"
            " where to run drop-in sessions. The first two sessions, held in the branches that"
            " lost their Saturdays, were full.",
            "I should stress that nothing here identifies any individual. The data was aggregated"
            " by the library service before it reached me, and the method has been reviewed by"
            " our information governance officer.",
        ),
    ),
    Post(
        slug="five-things-i-learned-running-civic",
        title="Five things I learned running a civic hack day",
        author="Marion Pike",
        published="2024-09-10T20:00:00+00:00",
        updated="2024-09-12T08:15:00+00:00",
        tags=("events", "open data"),
        paragraphs=(
            "Last month the council hosted its first civic hack day in the old magistrates'"
            " court. Forty people turned up on a wet Saturday, which I am choosing to count as a"
            " success.",
            "First, publish the data before the day, not on the morning. We put everything on the"
            " [open data portal](https://data.kingsbridge.gov.example/) a fortnight early, and"
            " the best projects came from people who had already explored it at home. Second,"
            " invite service managers, not just developers, because the sharpest questions came"
            " from a highways inspector who knew exactly which data was wrong.",
            "Third, have a plan for what happens afterwards. Two of the prototypes are now being"
            " developed with the team that owns the service, and that only happened because we"
            " had agreed in advance who would pick them up.",
            "Fourth, feed people properly. Fifth, and most important, say thank you in public,"
            " by name, to everyone who gave up their weekend.",
        ),
    ),
    Post(
        slug="retiring-old-planning-portal-gently",
        title="Retiring the old planning portal, gently",
        author="Ade Balogun",
        published="2025-01-14T18:45:00+00:00",
        tags=("planning", "digital services"),
        paragraphs=(
            "The planning portal we switched off last week was older than some of the people who"
            " helped replace it. It ran on a server in the basement, it only worked properly in"
            " one web browser, and it was loved by precisely nobody except the agents who had"
            " learned its quirks.",
            "We did not switch it off in one go. For three months both systems ran side by side,"
            " and every search on the old portal showed a notice pointing to the same application"
            " on the [new planning search service](https://planning.kingsbridge.gov.example/"
            "search). Usage of the old system fell steadily until only a handful of regular"
            " agents were left.",
            "Those agents were the people we most needed to hear from. We invited them to two"
            " workshops, fixed the three things they said would stop them switching, and asked"
            " them to tell their colleagues.",
            "On the final day, the old portal served eleven searches. We archived its records,"
            " thanked the server, and turned it off.",
        ),
    ),
)

ABOUT = (
    "Town Hall Tinkerer is a personal blog by two officers at Kingsbridge Borough Council who"
    " like fixing small things. Views are our own, not the council's.",
)

SITE = Site(
    key="blogger",
    name="Town Hall Tinkerer",
    tagline="Small fixes, spreadsheets and civic curiosity from a borough council",
    posts=POSTS,
    about=ABOUT,
    furniture=(
        # Blogger's cookie notice
        "This site uses cookies from Google",
        "to deliver its services and to analyse traffic",
        # post footer and share buttons
        "Posted by",
        "Labels:",
        "No comments:",
        "Email This",
        "BlogThis!",
        "Share to Pinterest",
        # comments and feed links
        "Post a Comment",
        "Subscribe to:",
        "Post Comments (Atom)",
        # sidebar and attribution
        "About Me",
        "View my complete profile",
        "Powered by Blogger",
        "Older Posts",
    ),
)
