"""Markup that WordPress plugins add around a post: CookieYes, Jetpack, Mailchimp, comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from typing import NamedTuple

from demo.content import Comment
from demo.render import long_date

SHARE_SERVICES = (("twitter", "Twitter"), ("facebook", "Facebook"), ("linkedin", "LinkedIn"))


class RelatedPost(NamedTuple):
    """One teaser in Jetpack's related-posts block."""

    url: str
    title: str
    date: str
    category: str
    post_id: int


COOKIE_BANNER = """<div class="cky-consent-container cky-banner-bottom" tabindex="0">
<div class="cky-consent-bar" data-cky-tag="consent-bar">
<div class="cky-notice"><p class="cky-title" role="heading" aria-level="1">We value your privacy</p>
<div class="cky-notice-group"><div class="cky-notice-des" data-cky-tag="description"><p>We use \
cookies to enhance your browsing experience, serve personalised content, and analyse our traffic. \
By clicking &quot;Accept All&quot;, you consent to our use of cookies.</p></div>
<div class="cky-notice-btn-wrapper"><button class="cky-btn cky-btn-customize" \
aria-label="Customise">Customise</button> <button class="cky-btn cky-btn-reject" \
aria-label="Reject All">Reject All</button> <button class="cky-btn cky-btn-accept" \
aria-label="Accept All">Accept All</button></div></div></div></div></div>"""


NEWSLETTER = """<form id="mc4wp-form-1" class="mc4wp-form mc4wp-form-212" method="post" \
data-id="212" data-name="Newsletter"><div class="mc4wp-form-fields"><p><strong>Sign up to our \
newsletter</strong> for a monthly round-up of what the lab is testing.</p>
<p><label>Email address: <input type="email" name="EMAIL" placeholder="Your email address" \
required></label></p><p><input type="submit" value="Subscribe"></p></div>
<div class="mc4wp-response"></div></form>"""


def share_bar(url: str) -> str:
    """Return Jetpack's "Share this:" buttons for the post at ``url``."""
    shares = "".join(
        f'<li class="share-{key}"><a rel="nofollow noopener noreferrer" class="share-{key} '
        f'sd-button share-icon" href="{url}?share={key}" target="_blank" '
        f'title="Click to share on {name}"><span>{name}</span></a></li>'
        for key, name in SHARE_SERVICES
    )
    return f"""<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block \
sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>
<div class="sd-content"><ul>{shares}<li class="share-end"></li></ul></div></div></div>"""


def related_posts(posts: Sequence[RelatedPost]) -> str:
    """Return Jetpack's "Related posts" block."""
    items = "".join(
        f'<div class="jp-relatedposts-post jp-relatedposts-post{i}" data-post-id="{p.post_id}">'
        f'<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" '
        f'href="{p.url}" title="{escape(p.title)}">{escape(p.title)}</a></h4>'
        f'<p class="jp-relatedposts-post-date">{p.date}</p>'
        f'<p class="jp-relatedposts-post-context">In &quot;{escape(p.category)}&quot;</p></div>'
        for i, p in enumerate(posts)
    )
    return f"""<div id="jp-relatedposts" class="jp-relatedposts"><h3 \
class="jp-relatedposts-headline"><em>Related posts</em></h3><div class="jp-relatedposts-items \
jp-relatedposts-items-visual">{items}</div></div>"""


def comments_area(
    post_id: int,
    title: str,
    published: datetime,
    url: str,
    root: str,
    comments: Sequence[Comment],
) -> str:
    """Return the comments list and the "Leave a Reply" form of a post."""
    items = []
    for n, comment in enumerate(comments, start=1):
        author, text = comment.author, comment.text
        cid = post_id * 10 + n
        when = published + timedelta(days=n, hours=3 * n)
        items.append(
            f"""<li id="comment-{cid}" class="comment even thread-even depth-1">
<article id="div-comment-{cid}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{escape(author)}</b> \
<span class="says">says:</span></div><div class="comment-metadata"><a href="{url}#comment-{cid}">\
<time datetime="{when.isoformat()}">{long_date(when)} at {when:%H:%M}</time></a></div></footer>
<div class="comment-content"><p>{escape(text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" \
href="{url}?replytocom={cid}#respond" data-commentid="{cid}" \
aria-label="Reply to {escape(author)}">Reply</a></div></article></li>"""
        )
    return f"""<div id="comments" class="comments-area">
<h2 class="comments-title">{len(comments)} thoughts on &ldquo;{escape(title)}&rdquo;</h2>
<ol class="comment-list">{"".join(items)}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a \
Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="{url}#respond" \
style="display:none;">Cancel reply</a></small></h3>
<form action="{root}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> \
<span class="required-field-message">Required fields are marked <span class="required">*</span>\
</span></p><p class="comment-form-comment"><label for="comment">Comment</label>\
<textarea id="comment" name="comment" rows="8" required></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" \
value="Post Comment"><input type="hidden" name="comment_post_ID" value="{post_id}"></p>
</form></div></div>"""
