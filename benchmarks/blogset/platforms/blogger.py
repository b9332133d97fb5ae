"""Blogger (classic "Simple" layout and the newer Contempo theme): vcard bylines, date headers."""

from __future__ import annotations

import json

from benchmarks.blogset.platforms import Furniture, comments, e, long_date, related
from benchmarks.blogset.post import Post, inline


def _loose_body(post: Post) -> str:
    """Blogger's compose box: text separated by <br>, no paragraph elements."""
    parts = []
    for block in post.blocks:
        if block.startswith("- "):
            parts.append(
                "<ul>" + "".join(f"<li>{inline(x[2:])}</li>" for x in block.splitlines()) + "</ul>"
            )
        elif block.startswith("## "):
            parts.append(f"<h3>{inline(block[3:])}</h3>")
        else:
            parts.append(inline(block) + "<br /><br />")
    return "\n".join(parts)


def blogger(post: Post) -> tuple[str, list[str]]:
    """Render a Blogger post page: the classic layout, or Contempo for the transport blog."""
    if "Hollowbrook" in post.site:
        return contempo(post)
    f = Furniture()
    d = post.published
    url = post.url("/{y}/{m:02d}/{slug}.html").replace(".example.org", ".blogspot.example")
    body = _loose_body(post) if post.index % 2 == 0 else post.body()
    stamp = f"{d.isoformat()}T19:30:00Z"
    thread = "".join(
        f"<li class='comment' id='c{900 + i}'><div class='avatar-image-container'></div>"
        f"<div class='comment-block'><div class='comment-header'><cite class='user'>{e(name)}</cite>"
        f"<span class='icon user'></span><span class='datetime secondary-text'><a rel='nofollow' "
        f"href='{url}?showComment=17{i}#c{900 + i}'>{long_date(d)} at 21:0{i}</a></span></div>"
        f"<p class='comment-content'>{f(e(said), said)}</p><span class='comment-actions "
        f"secondary-text'><a class='comment-reply' target='_self'>Reply</a><span "
        "class='item-control blog-admin'><a>Delete</a></span></span></div></li>"
        for i, (name, said) in enumerate(comments(post, 2 + post.index % 2))
    )
    labels = (
        ["democracy", "Eastfield"] if "Eastfield" in post.site else ["transport", "Hollowbrook"]
    )
    others = related(post, 2)
    page = f"""<!DOCTYPE html>
<html class='v2' dir='ltr' lang='en-GB' xmlns='http://www.w3.org/1999/xhtml' xmlns:b='http://www.google.com/2005/gml/b' xmlns:data='http://www.google.com/2005/gml/data' xmlns:expr='http://www.google.com/2005/gml/expr'>
<head>
<meta content='width=1100' name='viewport'/>
<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
<meta content='blogger' name='generator'/>
<link href='https://{post.host.replace(".example.org", ".blogspot.example")}/favicon.ico' rel='icon' type='image/x-icon'/>
<link href='{url}' rel='canonical'/>
<link rel="alternate" type="application/atom+xml" title="{e(post.site)} - Atom" href="/feeds/posts/default" />
<meta content='{url}' property='og:url'/>
<meta content='{e(post.title)}' property='og:title'/>
<meta content='{e(post.description)}' property='og:description'/>
<title>{e(post.site)}: {e(post.title)}</title>
<style type="text/css">body {{ font: normal normal 15px Georgia, serif; }}</style>
</head>
<body class='loading variant-simplysimple'>
<div class='navbar no-items section' id='navbar' name='Navbar'></div>
<div class='content'><div class='content-outer'><div class='content-inner'>
<header><div class='header-outer'><div class='Header widget' id='Header1'><div id='header-inner'><div class='titlewrapper'><h1 class='title'><a href='/'>{e(post.site)}</a></h1></div><div class='descriptionwrapper'><p class='description'><span>Local news, views and casework</span></p></div></div></div></div></header>
<div class='main-outer'><div class='main-inner columns fauxcolumns'><div class='column-center-outer'><div class='column-center-inner'>
<div class='main section' id='main' name='Main'><div class='widget Blog' data-version='1' id='Blog1'>
<div class='blog-posts hfeed'>
<div class="date-outer"><h2 class='date-header'><span>{d:%A}, {long_date(d)}</span></h2>
<div class="date-posts"><div class='post-outer'>
<div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' itemtype='http://schema.org/BlogPosting'>
<meta content='{url}' itemprop='url'/>
<a name='77190{post.index}'></a>
<h3 class='post-title entry-title' itemprop='name'>{e(post.title)}</h3>
<div class='post-header'><div class='post-header-line-1'></div></div>
<div class='post-body entry-content' id='post-body-77190{post.index}' itemprop='description articleBody'>
{body}
<div style='clear: both;'></div>
</div>
<div class='post-footer'>
<div class='post-footer-line post-footer-line-1'><span class='post-author vcard'>Posted by <span class='fn' itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'><meta content='https://www.blogger.com/profile/0412{post.index}' itemprop='url'/><a class='g-profile' href='https://www.blogger.com/profile/0412{post.index}' rel='author' title='author profile'><span itemprop='name'>{e(post.author)}</span></a></span></span>
<span class='post-timestamp'> at <meta content='{url}' itemprop='url'/><a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'><abbr class='published' itemprop='datePublished' title='{stamp}'>19:30</abbr></a></span>
<span class='post-comment-link'></span></div>
<div class='post-share-buttons goog-inline-block'>{f("<a class='goog-inline-block share-button sb-email' href='/share-post?t=email' title='Email This'><span class='share-button-link-text'>Email This</span></a><a class='goog-inline-block share-button sb-blog' href='/share-post?t=blog' title='BlogThis!'><span class='share-button-link-text'>BlogThis!</span></a><a class='goog-inline-block share-button sb-twitter' title='Share to X'><span class='share-button-link-text'>Share to X</span></a><a class='goog-inline-block share-button sb-facebook' title='Share to Facebook'><span class='share-button-link-text'>Share to Facebook</span></a>", "Email This", "BlogThis!", "Share to Facebook")}</div>
<div class='post-footer-line post-footer-line-2'><span class='post-labels'>Labels: {", ".join(f"<a href='/search/label/{x}' rel='tag'>{x}</a>" for x in labels)}</span></div>
</div>
</div>
<div class='comments' id='comments'>
<a name='comments'></a>
<h4>{f(f"{2 + post.index % 2} comments:", f"{2 + post.index % 2} comments:")}</h4>
<div class='comments-content'><div id='comment-holder'><div class='comment-thread toplevel-thread'><ol id='top-ra'>{thread}</ol></div></div></div>
<p class='comment-footer'><div class='comment-form'><a name='comment-form'></a><h4 id='comment-post-message'>{f("Post a Comment", "Post a Comment")}</h4><p></p><a href='https://www.blogger.com/comment/frame/77190' id='comment-editor-src'></a><iframe allowtransparency='true' class='blogger-iframe-colorize blogger-comment-from-post' frameborder='0' height='410px' id='comment-editor' name='comment-editor' src='' width='100%'></iframe></div></p>
</div>
</div></div></div>
</div>
<div class='blog-pager' id='blog-pager'>{f(f"<span id='blog-pager-newer-link'><a class='blog-pager-newer-link' href='{others[0].url('/{y}/{m:02d}/{slug}.html')}' id='Blog1_blog-pager-newer-link' title='Newer Post'>Newer Post</a></span><span id='blog-pager-older-link'><a class='blog-pager-older-link' href='/' title='Older Post'>Older Post</a></span><a class='home-link' href='/'>Home</a>", "Newer Post", "Older Post")}</div>
<div class='clear'></div>
<div class='post-feeds'><div class='feed-links'>{f("Subscribe to: <a class='feed-link' href='/feeds/77190/comments/default' target='_blank' type='application/atom+xml'>Post Comments (Atom)</a>", "Post Comments (Atom)")}</div></div>
</div></div></div></div></div>
<div class='column-right-outer'><div class='column-right-inner'><aside><div class='sidebar section' id='sidebar-right-1'>
<div class='widget Profile' data-version='1' id='Profile1'><h2>{f("About Me", "About Me")}</h2><div class='widget-content'><dl class='profile-datablock'><dt class='profile-data'><a class='profile-name-link g-profile' href='https://www.blogger.com/profile/0412' rel='author'>{e(post.author)}</a></dt><dd class='profile-textblock'>{f("Ward councillor and school governor. I write here about casework, council meetings and the things residents tell me. Views my own.", "Ward councillor and school governor")}</dd></dl><a class='profile-link' href='https://www.blogger.com/profile/0412' rel='author'>{f("View my complete profile", "View my complete profile")}</a></div></div>
<div class='widget PopularPosts' data-version='1' id='PopularPosts1'><h2>{f("Popular Posts", "Popular Posts")}</h2><div class='widget-content popular-posts'><ul>{"".join(f"<li><div class='item-title'><a href='{o.url('/{y}/{m:02d}/{slug}.html')}'>{e(o.title)}</a></div></li>" for o in others)}</ul></div></div>
<div class='widget BlogArchive' data-version='1' id='BlogArchive1'><h2>Blog Archive</h2><div class='widget-content'><ul class='hierarchy'><li class='archivedate expanded'><a class='post-count-link' href='/{d.year}/'>{d.year}</a><span class='post-count' dir='ltr'>(14)</span></li></ul></div></div>
</div></aside></div></div>
</div></div>
<footer><div class='footer-outer'><div class='Attribution widget' id='Attribution1'><div class='widget-content' style='text-align: center;'>{f("Powered by <a href='https://www.blogger.com' target='_blank'>Blogger</a>.", "Powered by Blogger")}</div></div></div></footer>
</div></div></div>
{f("<div id='cookieChoiceInfo' class='cookie-choices-info' style='position: fixed; bottom: 0px;'><div class='cookie-choices-inner'><span class='cookie-choices-text'>This site uses cookies from Google to deliver its services and to analyse traffic.</span><span class='cookie-choices-buttons'><a class='cookie-choices-button' href='https://policies.google.com/technologies/cookies' target='_blank'>Learn more</a><a id='cookieChoiceDismiss' class='cookie-choices-button' href='#'>Ok</a></span></div></div>", "This site uses cookies from Google")}
</body>
</html>
"""
    f.strings += [o.title for o in others]
    return page, f.strings


TEMPLATES = {"blogger": blogger}


def _div_body(post: Post) -> str:
    """Blogger's compose box in "div" mode: a div per paragraph, an empty line between them."""
    parts = []
    for block in post.blocks:
        if block.startswith("- "):
            items = "".join(f"<li>{inline(x[2:])}</li>" for x in block.splitlines())
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f'<div style="text-align: left;">{inline(block.lstrip("# "))}</div>')
    return "\n<div><br /></div>\n".join(parts)


def contempo(post: Post) -> tuple[str, list[str]]:
    """Render a post in Blogger's newer Contempo theme (JSON-LD with "Blogger" as publisher)."""
    f = Furniture()
    d = post.published
    host = post.host.replace(".example.org", ".blogspot.example")
    url = post.url("/{y}/{m:02d}/{slug}.html").replace(post.host, host)
    stamp = f"{d.isoformat()}T18:05:00Z"
    ld = {
        "@context": "http://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": post.title,
        "description": post.description,
        "datePublished": stamp,
        "dateModified": stamp,
        "image": {"@type": "ImageObject", "url": "https://resources.blogblog.example/img/share.png",
                  "height": 348, "width": 1200},
        "publisher": {"@type": "Organization", "name": "Blogger",
                      "logo": {"@type": "ImageObject", "url": "https://blogger.example/logo.png",
                               "width": 206, "height": 60}},
        "author": {"@type": "Person", "name": post.authors[0]},
    }  # fmt: skip
    body = _div_body(post) if post.index % 2 == 1 else post.body()
    thread = "".join(
        f"<li class='comment' id='c{700 + i}'><div class='comment-block'><div "
        f"class='comment-header'><cite class='user'><a href='https://www.blogger.com/profile/9{i}' "
        f"rel='nofollow'>{e(name)}</a></cite><span class='icon user'></span><span class='datetime "
        f"secondary-text'><a rel='nofollow' href='{url}?showComment=1{i}#c{700 + i}'>"
        f"{d:%B} {d.day}, {d.year} at {7 + i}:1{i} PM</a></span></div><p class='comment-content'>"
        f"{f(e(said), said)}</p><span class='comment-actions secondary-text'><a "
        "class='comment-reply' target='_self'>Reply</a><span class='item-control blog-admin "
        "blog-admin pid-1'><a target='_self' href='https://www.blogger.com/comment/delete/1'>"
        "Delete</a></span></span></div></li>"
        for i, (name, said) in enumerate(comments(post, 2))
    )
    sharing = (
        "<div class='byline post-share-buttons goog-inline-block'><div aria-owns='sharing-popup-"
        "Blog1-byline' class='sharing' data-title='" + e(post.title) + "'><button "
        "aria-controls='sharing-popup-Blog1-byline' aria-label='Share' class='sharing-button "
        "touch-icon-button' id='sharing-button-Blog1-byline' role='button'>Share</button><div "
        "class='share-buttons-container'><ul aria-hidden='true' aria-label='Share' class='share-"
        "buttons hidden' id='sharing-popup-Blog1-byline' role='menu'><li><span aria-label='Get "
        "link' class='sharing-platform-button sharing-element-link' data-href='" + url + "' "
        "role='menuitem' tabindex='-1' title='Get link'><span class='platform-sharing-text'>Get "
        "link</span></span></li><li><span class='sharing-platform-button sharing-element-facebook'"
        " role='menuitem'><span class='platform-sharing-text'>Facebook</span></span></li><li><span "
        "class='sharing-platform-button sharing-element-pinterest' role='menuitem'><span "
        "class='platform-sharing-text'>Pinterest</span></span></li><li><span class='sharing-"
        "platform-button sharing-element-email' role='menuitem'><span class='platform-sharing-"
        "text'>Email</span></span></li><li><span class='sharing-platform-button sharing-element-"
        "other' role='menuitem'><span class='platform-sharing-text'>Other Apps</span></span></li>"
        "</ul></div></div></div>"
    )
    others = related(post, 2)
    page = f"""<!DOCTYPE html>
<html dir='ltr' lang='en-GB'>
<head>
<meta content='width=device-width, initial-scale=1' name='viewport'/>
<title>{e(post.title)}</title>
<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
<meta content='blogger' name='generator'/>
<link href='{url}' rel='canonical'/>
<meta content='{e(post.description)}' name='description'/>
<meta content='{e(post.title)}' property='og:title'/>
<meta content='{url}' property='og:url'/>
<meta content='{e(post.description)}' property='og:description'/>
<style id='page-skin-1' type='text/css'>body {{ font: 15px Roboto, sans-serif; }}</style>
</head>
<body class='version-1-3-3 variant-indie_light'>
<a class='skip-navigation' href='#main' tabindex='0'>Skip to main content</a>
<div class='page'><div class='bg-photo-overlay'></div>
<div class='centered'>
<header class='centered-top-container' role='banner'><div class='centered-top'><div class='main_header_elements container'><div class='header section' id='header' name='Header'><div class='widget Header' data-version='2' id='Header1'><div class='header-widget'><div><h1><a href='https://{host}/'>{e(post.site)}</a></h1></div><p>Getting around Hollowbrook without a car</p></div></div></div></div></div></header>
<div class='centered-bottom'><main class='centered-bottom' id='main' role='main' tabindex='-1'>
<div class='main section' id='page_body' name='Page body'><div class='widget Blog' data-version='2' id='Blog1'>
<div class='blog-posts hfeed container'>
<article class='post-outer-container'><div class='post-outer'><div class='post'>
<script type='application/ld+json'>{json.dumps(ld)}</script>
<a name='55{post.index}1'></a>
<h3 class='post-title entry-title'>{e(post.title)}</h3>
<div class='post-share-buttons post-share-buttons-top'>{f(sharing, "Get link", "Other Apps")}</div>
<div class='post-header'><div class='post-header-line-1'><span class='byline post-author vcard'><span class='byline-label'>By</span> <span class='fn'><meta content='https://www.blogger.com/profile/31{post.index}' itemprop='url'/><a class='g-profile' href='https://www.blogger.com/profile/31{post.index}' rel='author' title='author profile'><span itemprop='name'>{e(post.authors[0])}</span></a></span></span> <span class='byline post-timestamp'><meta content='{url}' itemprop='url'/><a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'><time class='published' datetime='{stamp}' itemprop='datePublished' title='{stamp}'>{d:%B} {d.day}, {d.year}</time></a></span></div></div>
<div class='post-body-container'><div class='post-body entry-content float-container' id='post-body-55{post.index}1'>
{body}
</div></div>
<div class='post-footer'><div class='post-footer-line post-footer-line-0'><span class='byline post-labels'><span class='byline-label'>{f("Labels:", "Labels:")}</span><a href='/search/label/transport' rel='tag'>transport</a></span></div></div>
</div></div>
<section class='comments embed' data-num-comments='2' id='comments'><a name='comments'></a><h3 class='title'>Comments</h3><div class='comments-content'><div id='comment-holder'><div class='comment-thread toplevel-thread'><ol id='top-ra'>{thread}</ol></div></div></div><div class='comment-footer'><div class='comment-form'><a name='comment-form'></a><h4 id='comment-post-message'>{f("Post a Comment", "Post a Comment")}</h4></div></div></section>
</article>
</div>
<div class='blog-pager container' id='blog-pager'>{f(f"<a class='blog-pager-newer-link flat-button ripple' href='{others[0].url('/{y}/{m:02d}/{slug}.html').replace(post.host, host)}' id='Blog1_blog-pager-newer-link' title='Newer Post'>Newer Post</a><a class='blog-pager-older-link flat-button ripple' href='/' id='Blog1_blog-pager-older-link' title='Older Post'>Older Post</a>", "Newer Post", "Older Post")}</div>
</div></div></main></div>
<footer class='footer section' id='footer' name='Footer'><div class='widget Attribution' data-version='2' id='Attribution1'><div class='widget-content'><div class='blogger'><a href='https://www.blogger.com' rel='nofollow'>{f("Powered by Blogger", "Powered by Blogger")}</a></div><div class='image-attribution'>{f("Theme images by Michael Elkan", "Theme images by Michael Elkan")}</div></div></div></footer>
</div></div>
{f("<div id='cookieChoiceInfo' class='cookie-choices-info'><div class='cookie-choices-inner'><span class='cookie-choices-text'>This site uses cookies from Google to deliver its services and to analyse traffic.</span><span class='cookie-choices-buttons'><a class='cookie-choices-button' href='https://policies.google.com/technologies/cookies'>Learn more</a><a id='cookieChoiceDismiss' class='cookie-choices-button' href='#'>Ok</a></span></div></div>", "This site uses cookies from Google")}
</body>
</html>
"""
    return page, f.strings
