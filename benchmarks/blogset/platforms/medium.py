"""Medium-style publications: atomic class names, a byline and action bar above the story."""

from __future__ import annotations

import re

from benchmarks.blogset.platforms import Furniture, e, jsonld, reading_time, related, short_date
from benchmarks.blogset.post import Post, inline


def _story(post: Post) -> str:
    """Medium renders each block with generated class names and a data-selectable-paragraph."""
    out = []
    for i, block in enumerate(post.blocks):
        ident = f"{(i * 7919 + post.index * 31) % 65536:04x}"
        if block.startswith("## "):
            out.append(
                f'<h2 id="{ident}" class="pw-post-body-paragraph nr ns gu bf nt nu nv nw nx bk" '
                f'data-selectable-paragraph="">{inline(block[3:])}</h2>'
            )
        else:
            out.append(
                f'<p id="{ident}" class="pw-post-body-paragraph mx my gu mz b na nb nc nd ne nf ng '
                f'nh ni nj nk nl nm nn no np nq fn bk" data-selectable-paragraph="">'
                f"{inline(block)}</p>"
            )
    return "\n".join(out)


def medium(post: Post) -> tuple[str, list[str]]:
    """Render a Medium publication's story page."""
    f = Furniture()
    d = post.published
    handle = re.sub(r"[^a-z]", "", post.authors[0].lower())
    pub = re.sub(r"[^a-z]+", "-", post.site.lower()).strip("-")
    url = f"https://medium.example.com/{pub}/{post.path_slug}-{4100 + post.index * 37:x}c9e2"
    stamp = f"{d.isoformat()}T10:21:33.123Z"
    minutes = reading_time(post)
    ld = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "image": ["https://miro.medium.example.com/v2/resize:fit:1200/1*cover.jpeg"],
        "url": url,
        "dateCreated": stamp,
        "datePublished": stamp,
        "dateModified": stamp,
        "headline": post.title,
        "name": post.title,
        "description": post.description,
        "identifier": f"{4100 + post.index * 37:x}c9e2",
        "author": {"@type": "Person", "name": post.authors[0],
                   "url": f"https://medium.example.com/@{handle}"},
        "creator": [post.authors[0]],
        "publisher": {"@type": "Organization", "name": post.site,
                      "url": f"https://medium.example.com/{pub}"},
        "mainEntityOfPage": url,
        "isAccessibleForFree": True,
    }  # fmt: skip
    bio = f"Writing about design and delivery in public services. Views my own, unless {post.site} says otherwise."
    others = related(post, 2)
    more = "".join(
        f'<div class="ab cm"><a href="/{pub}/{o.path_slug}"><h2 class="bf gx pr pl ps">'
        f'{e(o.title)}</h2></a><div class="bf b bg z dx">{short_date(o.published)}</div></div>'
        for o in others
    )
    page = f"""<!doctype html><html lang="en"><head><title>{e(post.title)} | by {e(post.authors[0])} | {e(post.site)} | Medium</title><meta data-rh="true" charset="utf-8"/><meta data-rh="true" name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1,maximum-scale=1"/><meta data-rh="true" name="theme-color" content="#000000"/><meta data-rh="true" property="og:site_name" content="Medium"/><meta data-rh="true" name="title" content="{e(post.title)} | by {e(post.authors[0])} | {e(post.site)} | Medium"/><meta data-rh="true" property="og:title" content="{e(post.title)}"/><meta data-rh="true" property="al:android:app_name" content="Medium"/><meta data-rh="true" name="description" content="{e(post.description)}"/><meta data-rh="true" property="og:description" content="{e(post.description)}"/><meta data-rh="true" property="og:url" content="{url}"/><meta data-rh="true" property="og:type" content="article"/><meta data-rh="true" property="article:published_time" content="{stamp}"/><meta data-rh="true" name="author" content="{e(post.authors[0])}"/><meta data-rh="true" property="article:author" content="https://medium.example.com/@{handle}"/><meta data-rh="true" name="robots" content="index,noarchive,follow,max-image-preview:large"/><meta data-rh="true" name="referrer" content="unsafe-url"/><meta data-rh="true" name="twitter:site" content="@Medium"/><meta data-rh="true" name="twitter:label1" content="Reading time"/><meta data-rh="true" name="twitter:data1" content="{minutes} min read"/><link data-rh="true" rel="author" href="https://medium.example.com/@{handle}"/><link data-rh="true" rel="canonical" href="{url}"/>{jsonld(ld)}</head><body><div id="root"><div class="a b c"><div class="d e f g h i j k"></div><div class="l c">
<div class="l m n o c"><div class="p q r s t u v w x i d y z"><a class="du ah dv bf al b an ao ap aq ar as at au s av aw ax" href="https://rsci.app.link/?%24canonical_url={url}" rel="noopener follow">{f("Open in app", "Open in app")}</a></div><div class="ab q"><a href="/m/signin?operation=register" class="bf b bg z bk"><span>{f("Sign up", "Sign up")}</span></a><a href="/m/signin?operation=login" class="bf b bg z dx">Sign in</a></div></div>
<div class="ab cb"><div class="ci bh fy fz ga gb"></div></div>
<article class="meteredContent"><div class="l"><div class="l"><section><div><div class="fs ft fu fv fw"></div><div class="gc gd ge gf gg"><div class="ab ca"><div class="ch bg gh gi gj gk">
<div><h1 id="{post.index:04x}a" class="pw-post-title gl gm gn bf go gp gq gr gs gt gu gv gw gx gy gz ha hb hc hd he hf hg hh hi bk" data-testid="storyTitle" data-selectable-paragraph="">{e(post.title)}</h1><div></div>
<div class="speechify-ignore ab cp"><div class="speechify-ignore bh l"><div class="hj hk hl hm hn ab"><div><div class="ab ho"><div><div class="bm" aria-hidden="false"><a href="/@{handle}" rel="noopener follow"><div class="l hp hq by hr hs"><img alt="{e(post.authors[0])}" class="l ep by dd de cx" src="https://miro.medium.example.com/v2/resize:fill:88:88/avatar.jpeg" width="44" height="44" loading="lazy" data-testid="authorPhoto"/></div></a></div></div></div></div>
<div class="bn bh l"><div class="ab"><div style="flex:1"><span class="bf b bg z bk"><div class="ht ab q"><div class="ab q hu"><div class="ab q"><div><div class="bm" aria-hidden="false"><p class="bf b hv hw bk"><a class="af ag ah ai aj ak al am an ao ap aq ar hx" data-testid="authorName" href="/@{handle}" rel="noopener follow">{e(post.authors[0])}</a></p></div></div></div><span class="hy hz" aria-hidden="true"><span class="bf b bg z dx">·</span></span><p class="bf b hv hw dx"><button class="ia ib ah ai aj ak al am an ao ap aq ar ic id ie" disabled="">{f("Follow", "Follow")}</button></p></div></div></span></div></div>
<div class="l if"><span class="bf b bg z dx"><div class="ab cn ig ih ii"><div class="ij ik ab"><div class="bf b bg z dx ab il">{f(f"Published in <a class='af ag ah ai aj ak al am an ao ap aq ar hx ab q' data-testid='publicationName' href='/{pub}'><p class='bf b bg z im in io ip iq ir is it bk'>{e(post.site)}</p></a>", "Published in")}</div></div><span data-testid="storyReadTime">{f(f"{minutes} min read", f"{minutes} min read")}</span><div class="iu iv l" aria-hidden="true"><span class="l" aria-hidden="true"><span class="bf b bg z dx">·</span></span></div><span data-testid="storyPublishDate">{short_date(d)}</span></div></span></div></div></div>
<div class="ab co iw ix iy iz ja jb jc jd je jf jg jh ji jj jk jl"><div class="h k w fg fh q"><div class="kb l"><div class="ab q kc kd"><div class="pw-multi-vote-icon ep ke kf kg kh"><div class=""><div class="ki kj kk kl km kn ko am kp kq kr kh"><button data-testid="headerClapButton" aria-label="clap"></button></div></div></div><div class="pw-multi-vote-count l ks kt ku kv kw kx ky"><p class="bf b dy z dx"><span class="kz">{f(f"{120 + post.index * 37}", f"{120 + post.index * 37}")}</span></p></div></div></div><div><div class="bm" aria-hidden="false"><button class="ao kz lc ld ab q ee le lf" aria-label="responses"></button></div></div></div><div class="ab q jm jn jo jp jq jr js jt ju jv jw jx jy jz ka"><div class="lk k j i d"></div><button aria-label="Listen" data-testid="audioPlayButton" class="ah ss al am an ao ap st ar as at ig su sv sj sw sx sy sz t ta tb tc td te tf tg u th ti tj"><div class="m ez"><p class="bf b bg z dx">{f("Listen", "Listen")}</p></div></button><button aria-label="Share Post" data-testid="headerSocialShareButton" class="ah ss al am an ao ap st ar as at ig su sv sj sw sx sy sz t ta tb tc td te tf tg u th ti tj"><p class="bf b bg z dx">Share</p></button></div></div>
</div></div></div>
{_story(post)}
</div></div></div></div></section></div></div></article>
<div class="ab ca"><div class="ch bg gh gi gj gk"><div class="nv nw ab iq hx"><div class="ox ab"><a class="oy bx ao" href="/tag/local-government?source=post_page-----" rel="noopener follow"><div class="oz ex cx pa ge pb pc bf b bg z bk pd">Local Government</div></a></div></div></div></div>
<div class="l ea"><div class="ab ca"><div class="ch bg gh gi gj gk"><div class="ab q"><div class="pw-multi-vote-count l ks kt ku kv"><p class="bf b dy z dx"><span class="kz">{120 + post.index * 37}</span></p></div><div class="bm" aria-hidden="false"><button aria-label="responses"><span class="l pw-responses-count">{f(f"{3 + post.index} responses", f"{3 + post.index} responses")}</span></button></div></div></div></div></div>
<div class="pe pf pg ph pi l"><div class="ab ca"><div class="ch bg gh gi gj gk"><div class="pj ab kk ji"><div class="pk pl pm pn po pp"><h2 class="bf go pq pr ps pt pu pv pw px py pz qa qb qc qd qe bk"><a href="/@{handle}">{f(f"Written by {e(post.authors[0])}", f"Written by {post.authors[0]}")}</a></h2><div class="qf qg qh"><span class="pw-follower-count bf b bg z bk"><a href="/@{handle}/followers">{f(f"{1 + post.index}.{post.index + 2}K Followers", "Followers")}</a></span></div><p class="bf b bg z dx">{f(f"Writer for {e(post.site)}", f"Writer for {post.site}")}</p><div class="qi l"><p class="bf b bg z bk"><span class="lq">{f(e(bio), bio)}</span></p></div></div></div></div></div></div>
<div class="ab ca"><div class="ch bg gh gi gj gk"><h2 class="bf go pq pr ps">{f(f"More from {e(post.authors[0])} and {e(post.site)}", "More from")}</h2>{f(more, *[o.title for o in others])}</div></div>
<div class="ab ca"><div class="ch bg gh gi gj gk"><div class="qu qv"><h2 class="bf go">{f("Recommended from Medium", "Recommended from Medium")}</h2></div><div class="rc"><h2 class="bf b">{f("Lists", "Lists")}</h2><p>{f("Stories to Help You Grow as a Designer", "Stories to Help You Grow as a Designer")}</p></div></div></div>
<div class="qw ex"><div class="ab ca"><div class="ch bg gh gi gj gk"><div class="ab q"><p class="bf b dy z dx">{f("Help</p><p class='bf b dy z dx'>Status</p><p class='bf b dy z dx'>About</p><p class='bf b dy z dx'>Careers</p><p class='bf b dy z dx'>Press</p><p class='bf b dy z dx'>Blog</p><p class='bf b dy z dx'>Privacy</p><p class='bf b dy z dx'>Text to speech</p><p class='bf b dy z dx'>Teams", "Text to speech")}</p></div></div></div></div>
<div class="uz va"><div class="ab"><div class="vb"><h2 class="bf b">{f("Sign up to discover human stories that deepen your understanding of the world.", "Sign up to discover human stories")}</h2><div class="vc"><h3>Free</h3><p>{f("Distraction-free reading. No ads.", "Distraction-free reading. No ads.")}</p><p>Organize your knowledge with lists and highlights.</p></div></div></div></div>
</div></div></div></body></html>
"""
    return page, f.strings


TEMPLATES = {"medium": medium}
