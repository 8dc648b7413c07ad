"""WeChat official-account article pages (mp.weixin.qq.com/s/...), pure.

The feed bridge only says an article exists (its pubDate is when the bridge saw
it); the article page says when it was published (``var ct``), by whom, whether
it is original and what kind of content it is. A deleted article is a fact about
the post; a "环境异常" or captcha page is a block, never a deletion.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from parsel import Selector

from core.items import BLOCKED, PARSE_ERROR, PageProblem, PostItem
from core.vocabulary import CommentPermission
from crawler.parsers.anchors import element_links
from crawler.parsers.blocks import check_response
from crawler.parsers.html import decode_page, strip_html

DELETED_MARKERS = (
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "该内容已被删除",
    "此内容被投诉且经审核涉嫌侵权",
)
_BLOCK_MARKERS = ("环境异常", "完成验证后即可继续访问", "wappoc_appmsgcaptcha", "/mp/wappoc_appmsgcaptcha")
_CT = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{9,11})["']?""")
_CT_ALT = re.compile(r"""\b(?:create_time|publish_time)\s*[:=]\s*["']?(\d{9,11})["']?""")
_SHOW_TYPE = re.compile(r"""\bitem_show_type\s*=\s*["']?(\d+)["']?""")
_COPYRIGHT = re.compile(r"""\bcopyright_stat\s*=\s*["']?(\d+)["']?""")
_NICKNAME = re.compile(r"""\bvar\s+nickname\s*=\s*(?:htmlDecode\()?["']([^"']+)["']""")
# The article's 留言 thread: `var comment_id = "2936…" || "0" * 1;` ("0": the page has no 留言).
_COMMENT_ID = re.compile(r"""\bvar\s+comment_id\s*=\s*["'](\d*)["']""")
_MSG_TITLE = re.compile(r"""\bvar\s+msg_title\s*=\s*["']([^"']*)["']""")
# item_show_type: 0 article, 5 video, 7 audio, 8 image, 10 text
SHOW_TYPES = {0: "article", 5: "video", 7: "audio", 8: "image", 10: "text"}


@dataclass(slots=True)
class WechatArticle:
    post: PostItem | None  # None when deleted
    deleted: bool = False
    deleted_reason: str = ""
    account_name: str | None = None
    show_type: int | None = None


def parse_article(
    account_id: str, post_id: str, url: str, body: bytes | str, status: int = 200
) -> WechatArticle:
    """One article page; raises PageProblem for a block, a login wall or an unreadable page."""
    text = decode_page(body)
    for marker in _BLOCK_MARKERS:
        if marker in text or marker in url:
            raise PageProblem(BLOCKED, f"WeChat verification page ({marker})", status)
    check_response(status, url, text, expect="html")
    sel = Selector(text=text)
    for marker in DELETED_MARKERS:
        if marker in text and not sel.css("#js_content"):
            return WechatArticle(post=None, deleted=True, deleted_reason=marker)
    ct = _CT.search(text) or _CT_ALT.search(text)
    title = (
        _first(sel.css("#activity-name::text").getall()) or _meta(sel, "og:title") or _js(_MSG_TITLE, text)
    )
    content = sel.css("#js_content").get()
    if not ct and not content:
        raise PageProblem(PARSE_ERROR, "not a WeChat article page (no var ct, no #js_content)", status)
    published_at = datetime.fromtimestamp(int(ct.group(1)), tz=UTC) if ct else None
    name = (
        _first(sel.css("#js_name::text").getall())
        or _first(sel.css(".wx_follow_nickname::text").getall())
        or _js(_NICKNAME, text)
        or _meta(sel, "author")
    )
    show = _SHOW_TYPE.search(text)
    show_type = int(show.group(1)) if show else 0
    copyright_stat = _COPYRIGHT.search(text)
    original = bool(sel.css("#copyright_logo")) or (
        copyright_stat is not None and copyright_stat.group(1) == "1"
    )
    body_text = strip_html(content) if content else ""
    body = sel.css("#js_content")
    links = element_links(body[0].root, url) if body else ()
    if not body_text:
        body_text = _meta(sel, "og:description") or _meta(sel, "description") or ""
    post = PostItem(
        account_id=account_id,
        post_id=post_id,
        url=url,
        published_at=published_at,
        text=body_text,
        title=title,
        is_original=original,
        media=SHOW_TYPES.get(show_type, "article"),
        source=name,
        comment_permission=_comment_permission(text),
        links=links,
    )
    return WechatArticle(post=post, account_name=name, show_type=show_type)


def _comment_permission(text: str) -> str | None:
    """Open when the page names its 留言 thread; not shown when its comment_id is 0 (the unit
    switched 留言 off, or the account never had it: a person confirms which); None when the
    page does not say."""
    found = _COMMENT_ID.search(text)
    if found is None or not found.group(1):
        return None
    return CommentPermission.NOT_SHOWN if int(found.group(1)) == 0 else CommentPermission.OPEN


def _first(values: list[str]) -> str | None:
    for value in values:
        cleaned = " ".join(value.split())
        if cleaned:
            return cleaned
    return None


def _meta(sel: Selector, name: str) -> str | None:
    value = sel.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content').get()
    return " ".join(value.split()) if value and value.strip() else None


def _js(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if not match:
        return None
    raw = match.group(1)
    try:
        return json.loads(f'"{raw}"') or None
    except ValueError:
        return raw or None
