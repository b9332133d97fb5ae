"""Texts of "Local Gov Innovation Review", the demo magazine (a Drupal-style CMS).

One feature republishes the first Creative Councils part from Civic Lab Notes word for word,
under the magazine's own headline and without the series box.
"""

from __future__ import annotations

from demo import civic_lab_notes
from demo.content import Post, Site

_REPUBLISHED = civic_lab_notes.SITE.post("creative-councils-starting-small")

POSTS = (
    Post(
        slug="participatory-budgeting-grows-up",
        title="Participatory budgeting grows up",
        author="Helen Okonjo",
        published="2024-06-11T07:00:00+00:00",
        tags=("Participatory budgeting", "Democracy"),
        standfirst="A decade after the first experiments, councils are handing residents real"
        " money and real decisions. Helen Okonjo asks what has changed.",
        post_id=1184,
        paragraphs=(
            "The first wave of participatory budgeting in English councils was often little more"
            " than a community grants fair with a voting slip. Residents queued in a sports hall,"
            " listened to pitches and chose which local groups would receive a few thousand"
            " pounds.",
            "The second wave looks different. In Northmoor, residents now decide how a tenth of"
            " the highways maintenance budget is spent, using a [public map of proposed schemes]"
            "(https://northmoor.gov.example/pb/highways-map) that officers update every week. The"
            " amounts are larger, the decisions are binding and the process runs all year rather"
            " than on a single evening.",
            "Officers involved say the biggest shift has been in their own habits. Engineers who"
            " once presented finished schemes now bring options and costs to ward meetings, and"
            " they report fewer disputes once work begins because residents have already seen the"
            " trade-offs.",
            "There are risks. Turnout in the most deprived wards remains stubbornly low, and a"
            " [recent evaluation by the Democratic Innovation Centre](https://dic.example/reports/"
            "pb-second-wave) warns that online voting can reinforce existing inequalities unless"
            " it is paired with outreach in person.",
            "Even so, the councils that have persisted describe something more valuable than any"
            " single project. Participatory budgeting, one cabinet member said, has become the"
            " place where the council and its residents practise disagreeing well.",
        ),
    ),
    Post(
        slug="rebuilding-a-council-website-in-the-open",
        title="Inside the council that rebuilt its website in the open",
        author="Sam Whitfield",
        published="2024-07-02T08:00:00+00:00",
        tags=("Digital services",),
        standfirst="Westerby Council replaced its ageing website without a big-bang launch."
        " Sam Whitfield finds out how.",
        post_id=1203,
        paragraphs=(
            "Westerby Council's old website had grown to eleven thousand pages, most of which"
            " nobody had looked at in years. Rather than commission a replacement and switch over"
            " on a single night, the digital team decided to rebuild it one service at a time, in"
            " public.",
            "Every fortnight the team publishes a short note on its [weeknotes blog]"
            "(https://digital.westerby.gov.example/weeknotes) describing what moved to the new"
            " site, what was deleted and what residents said in testing. The notes are read by"
            " councillors, by staff in other councils and, the team says, by a surprising number"
            " of residents.",
            "The results are hard to argue with. The new site has fewer than two thousand pages,"
            " search traffic for council tax questions has halved and the contact centre reports"
            " a steady fall in calls about missed collections.",
            "Working in the open has its awkward moments. The team had to explain in public why a"
            " popular events calendar was being retired, and it took three attempts before the"
            " replacement was good enough. Head of digital Farah Idris says the honesty paid off:"
            " people forgive a service that is still improving far more readily than one that"
            " pretends to be finished.",
        ),
    ),
    Post(
        slug="data-sharing-agreements-boring-paperwork",
        title="Data sharing agreements: the boring paperwork that saves lives",
        author="Aisha Karim",
        published="2024-08-20T07:30:00+00:00",
        updated="2024-09-02T12:00:00+00:00",
        tags=("Data sharing", "Health and care"),
        standfirst="Information governance rarely makes headlines, but it decides whether"
        " frontline staff can act in time.",
        post_id=1247,
        paragraphs=(
            "Ask a safeguarding lead what slows them down and the answer is rarely a lack of"
            " data. The information usually exists somewhere in the system, held by a school, a"
            " GP practice, a housing officer or the police, but nobody is sure whether they are"
            " allowed to pass it on.",
            "Ridgeway County Council has spent two years tackling that uncertainty. Its [shared"
            " information charter](https://ridgeway.gov.example/data/charter) sets out, in"
            " language a frontline worker can follow, which partners may see which records and"
            " for what purpose, and it has been signed by every agency in the local safeguarding"
            " partnership.",
            "The charter took longer to agree than anyone expected. Each organisation had its own"
            " lawyers and its own appetite for risk, and early drafts ran to sixty pages. The"
            " version that was finally signed is nine pages long, with the legal detail moved to"
            " an annex that practitioners never need to open.",
            "Staff say the effect has been immediate. Case conferences start with the information"
            " already on the table, and a review of recent cases found that referrals reached the"
            " right team days faster than before.",
            "This article was updated on 2 September 2024 to clarify the role of the police in"
            " the partnership.",
        ),
    ),
    Post(
        slug="link-workers-on-what-actually-helps",
        title="Social prescribing link workers on what actually helps",
        author="Ben Lorimer",
        published="2024-10-08T07:00:00+00:00",
        tags=("Social prescribing", "Health and care"),
        standfirst="We asked link workers in three areas what makes the difference for the"
        " people they support.",
        post_id=1290,
        paragraphs=(
            "Social prescribing has moved from the margins to the mainstream of community health"
            " in a few short years. Every primary care network now employs link workers, and"
            " councils increasingly fund the community activities those workers refer people to.",
            "The link workers we spoke to were clear that the activity itself is rarely the hard"
            " part. Gardening groups, walking clubs and debt advice services already exist in most"
            " places; what is missing is time to help someone take the first step through the"
            " door. One link worker in Eastmere described [walking with a client to a lunch club]"
            "(https://eastmere.example/stories/lunch-club) three weeks in a row before he felt"
            " able to go alone.",
            "Funding models do not always reward that patience. Contracts that count referrals"
            " encourage quick handovers, and several link workers said they felt pressure to close"
            " cases before people were ready.",
            "Councils can help by paying for the community groups at the end of the referral, not"
            " just the referral itself. Where small grants have followed referrals, as in"
            " Eastmere's [community connector fund](https://eastmere.example/connector-fund),"
            " groups have been able to take on more people without turning anyone away.",
        ),
    ),
    Post(
        slug="start-small-learn-fast",
        title="Start small, learn fast: notes from a council innovation lab",
        author=_REPUBLISHED.author,
        published="2024-02-13T07:00:00+00:00",
        tags=("Innovation",),
        standfirst="Priya Raman on why the smallest useful experiment is the right place to begin.",
        post_id=1121,
        paragraphs=_REPUBLISHED.paragraphs,
        republished_from=("wordpress", _REPUBLISHED.slug),
    ),
    Post(
        slug="can-councils-buy-software-like-buses",
        title="Can councils buy software like they buy buses?",
        author="Claire Dunmore",
        published="2024-11-19T08:00:00+00:00",
        tags=("Procurement", "Digital services"),
        standfirst="Joint procurement frameworks promise savings, but digital leaders say the"
        " real prize is common standards.",
        post_id=1322,
        paragraphs=(
            "When a group of councils buys buses together, nobody is surprised. The vehicles are"
            " standard, the specifications are well understood and the savings from buying in"
            " bulk are obvious.",
            "Software has proved much harder to buy jointly. Each council configures its systems"
            " differently, contracts end at different times and few authorities have the in-house"
            " skills to judge whether a supplier's product will meet their needs.",
            "A group of five councils in the south west is testing another approach. Instead of a"
            " joint contract, they have agreed a set of [common data standards for case"
            " management](https://localstandards.example/case-management) that any supplier must"
            " meet, so that each council can buy on its own timetable without locking itself in.",
            "It is too early to say whether suppliers will follow. But the councils involved argue"
            " that standards, rather than bulk discounts, are what will let the sector move data"
            " between systems and stop paying twice for the same integration work.",
        ),
    ),
)

ABOUT = (
    "Local Gov Innovation Review reports on the people and projects changing how councils work,"
    " from digital services to democratic innovation.",
    "We are an independent publication funded by reader subscriptions and a small number of"
    " sponsors, none of whom see our articles before publication.",
)

SITE = Site(
    key="magazine",
    name="Local Gov Innovation Review",
    tagline="Ideas and evidence for better local public services",
    posts=POSTS,
    about=ABOUT,
    furniture=(
        # OneTrust consent dialog
        "Accept All Cookies",
        "you agree to the storing of cookies on your device",
        "Cookies Settings",
        # out-of-date browser notice
        "outdated browser",
        "upgrade your browser to improve your experience",
        # comments prompt, newsletter box, related teasers, sidebar
        "Have your say",
        "Sign in to comment",
        "Get the weekly briefing in your inbox",
        "newsletter",
        "Related stories",
        "Most read",
        "All rights reserved",
    ),
)
