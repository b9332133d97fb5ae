"""Texts of "Civic Lab Notes", the demo WordPress blog, including the Creative Councils series.

The series parts are deliberately published out of order (part 3 before part 2), so neither
dates nor URLs give the reading order: only the "This entry is part N of 4" box does.
"""

from __future__ import annotations

from demo.content import Comment, Post, Site

SERIES = "Creative Councils"
SERIES_SLUG = "creative-councils"
SERIES_DESCRIPTION = (
    "A four-part account of how Harrowfield's Civic Lab tried to change the way the council"
    " experiments, written by the people who did the work."
)
PRIVATE_PATH = "/private/team-rota/"
PRIVATE_MARKER = "INTERNAL ONLY: Civic Lab rota and sickness cover, not for publication"

POSTS = (
    Post(
        slug="creative-councils-starting-small",
        title="Creative Councils: Starting small",
        author="Priya Raman",
        published="2024-01-16T09:30:00+00:00",
        category="Innovation",
        tags=("creative councils", "experiments"),
        series=SERIES,
        part=1,
        total=4,
        post_id=41,
        paragraphs=(
            "When the Civic Lab opened in a spare meeting room above the Harrowfield library, we"
            " had no budget line, two laptops and a borrowed whiteboard. What we did have was a"
            " question from the leader of the council: could a small team show that a different"
            " way of working was possible before anyone asked for a business case?",
            "We decided to start with the smallest useful thing we could find. Residents were"
            " phoning the contact centre to ask when the garden waste round would resume after"
            " the winter break, so we built a one-page answer and tested it with twelve people in"
            " the library foyer. The page cut those calls by a third in a fortnight, and the"
            " [contact centre figures we published](https://harrowfield.gov.example/contact-centre"
            "-figures) did more to win us friends than any slide deck.",
            "Starting small is not the same as thinking small. Every experiment we ran had to"
            " answer two questions: did it help the person in front of us, and what did it teach"
            " the organisation about how it makes decisions? The second question is the one that"
            " tends to get lost when a pilot is declared a success and quietly left to fend for"
            " itself.",
            "Our rule of thumb became four weeks and four people. If an idea could not be tried"
            " in a month by a team that fitted round a small table, we broke it into pieces until"
            " it could. That discipline, borrowed from the [government design principles]"
            "(https://www.gov.example/design-principles), kept us honest about what we actually"
            " knew.",
            "None of this is new, and we make no claim to have invented it. But in a council that"
            " had been through three restructures in five years, permission to do something"
            " modest and finish it turned out to be surprisingly radical.",
        ),
    ),
    Post(
        slug="creative-councils-permission-to-experiment",
        title="Creative Councils: Permission to experiment",
        author="Tom Ashworth",
        published="2024-02-27T10:00:00+00:00",
        category="Innovation",
        tags=("creative councils", "culture"),
        series=SERIES,
        part=2,
        total=4,
        post_id=58,
        paragraphs=(
            "In the second blog of our Creative Councils series, Tom Ashworth, head of"
            " transformation at Harrowfield, looks at what it takes for officers to feel allowed"
            " to try something new.",
            "Most council officers I know are not short of ideas. What they are short of is the"
            " sense that trying one will not end in a difficult conversation with audit. When we"
            " asked staff in an anonymous survey what stopped them experimenting, the top answer"
            " was not money or time but the fear of being seen to waste either.",
            "So we wrote it down. Our [experiment charter](https://harrowfield.gov.example/"
            "experiment-charter) is a single page, signed by the chief executive, that says a"
            " well-run test which fails is a good use of public money as long as we report what"
            " we learned. It sounds trivial, yet it changed the tone of team meetings within"
            " weeks.",
            "We also changed how decisions are recorded. Instead of a report to committee for"
            " every change, teams keep a short decision log that anyone in the organisation can"
            " read. The log shows what was tried, what the evidence said and who agreed to carry"
            " on, which turns out to satisfy auditors far better than a glossy evaluation written"
            " after the fact.",
            "Permission on its own is not enough, of course. [Gwen Morgan's account of our work"
            " on the Eastfield estate](/2024/02/06/working-with-residents-not-for-them/) shows"
            " what happens when the same approach leaves the town hall.",
        ),
    ),
    Post(
        slug="working-with-residents-not-for-them",
        title="Creative Councils: Working with residents, not for them",
        author="Gwen Morgan",
        published="2024-02-06T11:15:00+00:00",
        category="Innovation",
        tags=("creative councils", "neighbourhoods"),
        series=SERIES,
        part=3,
        total=4,
        post_id=52,
        paragraphs=(
            "The Eastfield estate has been consulted more times than anyone can count. When we"
            " arrived with clipboards in the autumn, one resident told us politely that she had"
            " already answered our questions in 2019, in 2021 and again last spring.",
            "So we put the clipboards away. For six weeks two of us worked from the community"
            " centre on Tuesday and Thursday mornings, helping with whatever came through the"
            " door: a broken boiler, a blue badge renewal, a dispute about parking. The point was"
            " not to fix everything but to see the council the way residents see it, as a maze"
            " of separate front doors.",
            "Residents did not want another survey; they wanted one named person who would follow"
            " a problem through. We tested that idea with a [neighbourhood caseworker pilot]"
            "(https://harrowfield.gov.example/eastfield-caseworker) covering ninety households,"
            " and the number of repeat contacts fell sharply within two months.",
            "Working with residents rather than for them is slower at the start and much faster"
            " afterwards. It also means accepting that the brief you began with may not survive"
            " contact with the people it was written for.",
        ),
    ),
    Post(
        slug="what-we-would-do-differently",
        title="Creative Councils: What we would do differently",
        author="Priya Raman",
        published="2024-03-19T09:00:00+00:00",
        category="Innovation",
        tags=("creative councils", "evaluation"),
        series=SERIES,
        part=4,
        total=4,
        post_id=63,
        paragraphs=(
            "A year on from the first experiments, it is worth being candid about what did not"
            " work. Some of our early tests were too small to tell us anything, and a few were"
            " really communications exercises dressed up as innovation.",
            "The biggest mistake was treating scale as somebody else's problem. We handed"
            " successful pilots back to service teams without the budget or the people to keep"
            " them going, and two of them withered within a year. The [review by the Local"
            " Innovation Network](https://localinnovation.example/reviews/harrowfield) was kind"
            " about our ambition but blunt about this gap.",
            "If we were starting again we would agree, before any experiment began, who would own"
            " it if it worked. We would also spend more time with finance colleagues early on,"
            " because the savings from prevention tend to land in someone else's budget.",
            "And we would write more of it down as we went. These posts were meant as a record"
            " for colleagues in other councils, and the conversations they have started have been"
            " worth far more than the time they took to write.",
        ),
    ),
    Post(
        slug="why-we-stopped-writing-strategies",
        title="Why our digital team stopped writing strategies",
        author="Daniel Okafor",
        published="2023-11-07T08:45:00+00:00",
        category="Digital",
        tags=("digital strategy", "delivery"),
        post_id=23,
        paragraphs=(
            "For most of the last decade the council produced a new digital strategy every two"
            " years. Each one was longer than the last, and each one was out of date before the"
            " design team had finished the cover.",
            "This year we tried something different. Instead of a strategy we publish a [monthly"
            " delivery note](https://harrowfield.gov.example/digital/delivery-notes) that lists"
            " what shipped, what we stopped and what we are unsure about. It takes an afternoon"
            " to write and people actually read it.",
            "The change has been good for the team as well as for our readers. Writing down what"
            " we stopped doing forces us to admit when something is not worth finishing, and"
            " that has freed up time for the work residents notice, like the rebuilt school"
            " admissions form.",
            "We have not abandoned planning altogether. There is still a one-page statement of"
            " the outcomes we are aiming for, agreed with councillors, but it is a compass rather"
            " than a map.",
        ),
    ),
    Post(
        slug="open-sourcing-our-bin-collection-app",
        title="Open-sourcing our bin collection app",
        author="Gwen Morgan",
        published="2023-12-05T14:00:00+00:00",
        category="Digital",
        tags=("open source", "waste services"),
        post_id=31,
        paragraphs=(
            "Our bin collection lookup is the most used service on the council website by a wide"
            " margin. On the Monday after a bank holiday it receives more visits than the rest of"
            " the site put together.",
            "Last month we published the code behind it on our [public code repository]"
            "(https://code.harrowfield.gov.example/bin-days) under an open licence. Three"
            " neighbouring councils had asked for a copy in the past year, and sending zip files"
            " by email was not a sustainable way to collaborate.",
            "Making the code public meant tidying it up first. We removed a hard-coded list of"
            " street names that had not been updated since 2017 and replaced it with a feed from"
            " the address gazetteer, which fixed a long-standing complaint from residents on"
            " new-build estates.",
            "We do not expect a flood of contributions. The real benefit is that other councils"
            " can see exactly how the service works, borrow the parts that suit them and tell us"
            " when we have got something wrong.",
        ),
    ),
    Post(
        slug="social-prescribing-needs-better-data-sharing",
        title="Social prescribing needs better data sharing, not more apps",
        author="Daniel Okafor",
        published="2024-04-23T09:15:00+00:00",
        category="Health and care",
        tags=("social prescribing", "data sharing"),
        post_id=71,
        paragraphs=(
            "Social prescribing link workers spend a surprising part of their week chasing"
            " information. A referral arrives from a GP practice with a name, a date of birth and"
            " a single line of context, and the link worker then rings three services to find"
            " out what support the person already receives.",
            "Several suppliers have offered us an app to solve this. What we actually need is"
            " less glamorous: a [data sharing agreement](https://harrowfield.gov.example/"
            "information-governance/sharing) between the council, the health partnership and the"
            " voluntary sector that lets the right people see the right record at the right time.",
            "Drafting that agreement took four months and a great deal of patience from our"
            " information governance team. The hard part was not the law, which is clearer than"
            " people think, but agreeing in plain English what each partner would do with the"
            " information once they had it.",
            "Since the agreement was signed, link workers report spending about a day less each"
            " week on phone calls. That is a day returned to the conversations that make social"
            " prescribing work in the first place.",
        ),
    ),
    Post(
        slug="a-year-of-user-research-in-housing",
        title="What a year of user research taught our housing team",
        author="Tom Ashworth",
        published="2024-05-28T10:30:00+00:00",
        updated="2024-06-03T16:20:00+00:00",
        category="Housing",
        tags=("user research", "housing"),
        post_id=77,
        paragraphs=(
            "When the housing team asked for help redesigning the repairs service, we expected to"
            " spend most of our time on the online form. We ended up spending most of it in"
            " people's kitchens.",
            "Across the year we held sixty conversations with tenants, most of them in their"
            " homes. The single clearest finding was that people did not mind waiting for a"
            " repair nearly as much as they minded not knowing when it would happen. We wrote up"
            " the detail in a [repairs research summary](https://harrowfield.gov.example/housing/"
            "repairs-research) that the tenants' panel helped us check.",
            "The redesigned service sends a text message when a job is booked, when the operative"
            " is on the way and when the work is signed off. It is not sophisticated technology,"
            " yet complaints about repairs fell by almost half in the first six months.",
            "The lasting change is cultural. Housing officers now ask to join research sessions,"
            " and the team budget for next year includes time for it rather than treating it as"
            " an extra.",
            "If you work in a council housing service and want to compare notes, the [tenants'"
            " panel terms of reference](https://harrowfield.gov.example/housing/tenants-panel)"
            " are a good place to start.",
        ),
    ),
)

COMMENTS = (
    Comment(
        "Sally Whitcombe",
        "We tried something very similar in our district last year and hit the same wall with"
        " audit. Would love to see a template of that decision log if you are willing.",
    ),
    Comment(
        "Ravi Mistry",
        "Really useful write-up, thank you. Forwarding this to our parish clerk, who has been"
        " asking exactly these questions.",
    ),
    Comment(
        "Jo Prentice",
        "The point about money landing in another department is painfully familiar from my"
        " years in adult social care.",
    ),
    Comment(
        "Mark Deane",
        "Refreshing to read a council being this open about its misses. More of this please.",
    ),
)

ABOUT = (
    "Civic Lab Notes is written by the Civic Lab, a small team inside Harrowfield Borough"
    " Council that tests new ways of designing and running public services.",
    "We write about what we try, what works and what does not, so that colleagues in other"
    " councils can borrow the good parts and avoid our mistakes.",
)

SITE = Site(
    key="wordpress",
    name="Civic Lab Notes",
    tagline="Experiments in local public services from Harrowfield",
    posts=POSTS,
    comments=COMMENTS,
    about=ABOUT,
    furniture=(
        # CookieYes consent banner
        "We value your privacy",
        "you consent to our use of cookies",
        "Reject All",
        # Jetpack share bar and related posts
        "Share this:",
        "Related posts",
        # comments and comment form
        "Leave a Reply",
        "Your email address will not be published",
        "Required fields are marked",
        # Mailchimp for WordPress box inside the content area
        "Sign up to our newsletter",
        # Organize Series box and navigation
        "This entry is part",
        "Series Navigation",
        # theme furniture
        "Post navigation",
        "Previous post",
        "Recent Posts",
        "Proudly powered by WordPress",
        "Skip to content",
        "Continue reading",
    ),
)
