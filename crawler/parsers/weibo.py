"""m.weibo.cn mobile JSON API: URLs and pure parsers.

Profile: /api/container/getIndex?type=uid&value={uid}
Posts:   /api/container/getIndex?containerid=107603{uid}[&since_id=..|&page=..]
Long text: /statuses/extend?id={id} (or /statuses/show?id={bid})

Every parser raises PageProblem for a response that is not the data asked for
(login wall, captcha, {"ok":0} error), so an empty result always means the
platform really showed nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.items import (
    BLOCKED,
    DELETED_ORIGINAL,
    ERROR,
    LOGIN_REQUIRED,
    NOT_FOUND,
    PARSE_ERROR,
    PageProblem,
    PostItem,
    ProfileItem,
)
from core.vocabulary import CommentPermission
from crawler.parsers import jsonload
from crawler.parsers.anchors import weibo_links
from crawler.parsers.blocks import block_reason, check_response, is_login_url
from crawler.parsers.dates import SHANGHAI, parse_weibo_time
from crawler.parsers.html import strip_html

__all__ = [
    "WeiboPage",
    "WeiboProfile",
    "long_text_url",
    "parse_count",
    "parse_long_text",
    "parse_mblog",
    "parse_posts_page",
    "parse_profile",
    "parse_status",
    "post_url",
    "posts_url",
    "profile_url",
    "strip_html",
]

PUBLIC_BASE = "https://m.weibo.cn"
POST_CARD = 9
GROUP_CARD = 11
PIN_MBLOGTYPE = 2
# comment_manage_info.comment_permission_type: -1 is what every post open to everyone carries (the
# 2019 m.weibo.cn capture, clients' models); any other value is a restriction its author chose on
# who may comment (the codes are not published, so govwatch says 受限, never which).
COMMENTS_EVERYONE = -1
# {"ok":0,"msg":...} messages that mean "this account has nothing to show".
_EMPTY_MESSAGES = ("这里还没有内容", "还没有发过微博", "暂无微博", "暂无内容", "没有内容")
_NOT_EXIST_MESSAGES = ("不存在", "not exist", "已注销", "找不到")
_COUNT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(万|亿|w|k)?\+?$", re.I)
_COUNT_UNITS = {None: 1, "万": 10_000, "w": 10_000, "亿": 100_000_000, "k": 1_000}


@dataclass(slots=True)
class WeiboProfile:
    profile: ProfileItem
    containerid: str  # the posts tab's container, usually 107603{uid}


@dataclass(slots=True)
class WeiboPage:
    posts: list[PostItem] = field(default_factory=list)
    since_id: str | None = None  # cursor for the next page (newer API)
    page: int | None = None  # page number (older API)
    total: int | None = None  # the platform's count of posts in the container
    message: str | None = None  # the platform's own words when it showed nothing


# --- URLs -------------------------------------------------------------------


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def profile_url(base_url: str, uid: str) -> str:
    return f"{_base(base_url)}/api/container/getIndex?type=uid&value={uid}"


def posts_url(base_url: str, containerid: str, since_id: str | None = None, page: int | None = None) -> str:
    url = f"{_base(base_url)}/api/container/getIndex?containerid={containerid}"
    if since_id:
        url += f"&since_id={since_id}"
    elif page is not None:
        url += f"&page={page}"
    return url


def long_text_url(base_url: str, post_id: str) -> str:
    return f"{_base(base_url)}/statuses/extend?id={post_id}"


def status_url(base_url: str, post_id: str) -> str:
    return f"{_base(base_url)}/statuses/show?id={post_id}"


def post_url(uid: str | int | None, bid_or_id: str) -> str:
    """The public link of a post (always the real site, whatever base_url crawled it)."""
    return f"{PUBLIC_BASE}/status/{bid_or_id}"


# --- JSON envelope ----------------------------------------------------------


def _load(body: bytes | str) -> dict[str, Any]:
    """The decoded JSON object, or PageProblem for anything else."""
    try:
        data = jsonload.loads(body)
    except (ValueError, TypeError):
        check_response(200, "", body or b"", expect="json")  # raises blocked / login / parse_error
        raise PageProblem(PARSE_ERROR, "response is not JSON") from None
    if not isinstance(data, dict):
        raise PageProblem(PARSE_ERROR, f"expected a JSON object, got {type(data).__name__}")
    return data


def _message(data: dict[str, Any]) -> str:
    msg = data.get("msg") or data.get("message") or data.get("errmsg") or ""
    return str(msg).strip()


def _check_login(data: dict[str, Any]) -> None:
    """{"ok":-100,"url":"https://passport.weibo.cn/signin/..."}: the cookie is gone."""
    url = data.get("url")
    if data.get("ok") == -100 or (isinstance(url, str) and is_login_url(url)):
        raise PageProblem(
            LOGIN_REQUIRED, f"Weibo asks to log in (ok={data.get('ok')}): {url or _message(data)}"
        )


def _failure(data: dict[str, Any], what: str) -> PageProblem:
    msg = _message(data)
    lowered = msg.lower()
    if any(marker in lowered for marker in _NOT_EXIST_MESSAGES):
        return PageProblem(NOT_FOUND, f"Weibo says the {what} does not exist: {msg}")
    reason = block_reason(msg) if msg else None
    if reason:
        return PageProblem(BLOCKED, f"Weibo refused the {what}: {reason}: {msg}")
    return PageProblem(ERROR, f"Weibo error on {what} (ok={data.get('ok')!r}): {msg or '(no message)'}")


def _is_ok(data: dict[str, Any]) -> bool:
    return data.get("ok") in (1, "1", True)


# --- numbers ----------------------------------------------------------------


def parse_count(value: Any) -> int | None:
    """A displayed count as an int: 123, "123", "1,234", "1.2万", "100万+" -> approximate."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value == value and value != float("inf") else None
    if not isinstance(value, str):
        return None
    match = _COUNT.match(value.strip().replace(",", ""))
    if not match:
        return None
    unit = match.group(2).lower() if match.group(2) and match.group(2).isascii() else match.group(2)
    return int(float(match.group(1)) * _COUNT_UNITS[unit])


# --- profile ----------------------------------------------------------------


def parse_profile(account_id: str, uid: str, body: bytes | str) -> WeiboProfile:
    data = _load(body)
    _check_login(data)
    if not _is_ok(data):
        raise _failure(data, "user")
    payload = data.get("data")
    user = payload.get("userInfo") if isinstance(payload, dict) else None
    if not isinstance(user, dict):
        raise PageProblem(PARSE_ERROR, "profile response has no data.userInfo (layout changed?)")
    profile = ProfileItem(
        account_id=account_id,
        name=_str_or_none(user.get("screen_name")),
        description=_str_or_none(user.get("description")),
        followers=parse_count(user.get("followers_count")),
        post_count=parse_count(user.get("statuses_count")),
        verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
        avatar_url=_str_or_none(user.get("avatar_hd") or user.get("profile_image_url")),
    )
    return WeiboProfile(profile=profile, containerid=_weibo_containerid(payload, uid))


def _weibo_containerid(payload: dict[str, Any], uid: str) -> str:
    tabs_info = payload.get("tabsInfo")
    tabs = tabs_info.get("tabs") if isinstance(tabs_info, dict) else None
    if isinstance(tabs, dict):  # some responses key the tabs by position
        tabs = list(tabs.values())
    for tab in tabs if isinstance(tabs, list) else []:
        if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
            return str(tab["containerid"])
    return f"107603{uid}"


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- posts ------------------------------------------------------------------


def parse_posts_page(account_id: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI) -> WeiboPage:
    """The posts of one container page, with the cursor to the next one."""
    data = _load(body)
    _check_login(data)
    if not _is_ok(data):
        msg = _message(data)
        if any(marker in msg for marker in _EMPTY_MESSAGES):
            return WeiboPage(posts=[], message=msg)
        raise _failure(data, "posts page")
    payload = data.get("data")
    if not isinstance(payload, dict) or not isinstance(payload.get("cards"), list):
        raise PageProblem(PARSE_ERROR, "posts response has no data.cards list (layout changed?)")
    info = payload.get("cardlistInfo") if isinstance(payload.get("cardlistInfo"), dict) else {}
    posts = _posts_from_cards(account_id, payload["cards"], now, tz)
    return WeiboPage(
        posts=posts,
        since_id=_id_or_none(info.get("since_id")),
        page=_int_or_none(info.get("page")),
        total=parse_count(info.get("total")),
    )


def _posts_from_cards(account_id: str, cards: list[Any], now: datetime, tz: ZoneInfo) -> list[PostItem]:
    posts: list[PostItem] = []
    seen: set[str] = set()
    post_cards = 0
    for card, mblog in _iter_post_cards(cards):
        post_cards += 1
        post = parse_mblog(account_id, mblog, now, tz, card=card)
        if post is None or post.post_id in seen:
            continue
        seen.add(post.post_id)
        posts.append(post)
    if post_cards and not posts:
        raise PageProblem(PARSE_ERROR, f"{post_cards} post cards but none had an id (layout changed?)")
    return posts


def _iter_post_cards(cards: list[Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(card, mblog) for every post card, descending into card_group wrappers."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        mblog = card.get("mblog")
        if _int_or_none(card.get("card_type")) == POST_CARD and isinstance(mblog, dict):
            yield card, mblog
        group = card.get("card_group")
        if isinstance(group, list):
            yield from _iter_post_cards(group)


def parse_mblog(
    account_id: str,
    mblog: dict[str, Any],
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
    *,
    card: dict[str, Any] | None = None,
) -> PostItem | None:
    """One `mblog` object as a PostItem; None when it has no id."""
    post_id = _id_or_none(mblog.get("id")) or _id_or_none(mblog.get("idstr")) or _id_or_none(mblog.get("mid"))
    if post_id is None:
        return None
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    created = mblog.get("created_at")
    retweeted = mblog.get("retweeted_status")
    html = _text_of(mblog)
    return PostItem(
        account_id=account_id,
        post_id=post_id,
        url=post_url(user.get("id"), _id_or_none(mblog.get("bid")) or post_id),
        published_at=parse_weibo_time(created, now, tz) if isinstance(created, str) else None,
        text=strip_html(html),
        title=None,
        is_original=not isinstance(retweeted, dict),
        is_pinned=_is_pinned(mblog, card),
        media=_media_kind(mblog),
        likes=parse_count(mblog.get("attitudes_count")),
        comments=parse_count(mblog.get("comments_count")),
        shares=parse_count(mblog.get("reposts_count")),
        truncated=_is_truncated(mblog),
        repost_of=_repost_of(retweeted) if isinstance(retweeted, dict) else None,
        repost_text=_repost_text(retweeted) if isinstance(retweeted, dict) else None,
        source=_str_or_none(strip_html(str(mblog.get("source") or ""))),
        comment_permission=comment_permission(mblog),
        links=weibo_links(html),
    )


def comment_permission(status: dict[str, Any]) -> str | None:
    """Whether the public may comment on a post, from its ``comment_manage_info`` (on an
    ``mblog``, or the ``status`` of a comments page); None when the post does not say.

    Limited: a permission other than everyone's, or ``approval_comment_type`` set (comments
    appear only once the author selects them, 精选评论)."""
    info = status.get("comment_manage_info")
    if not isinstance(info, dict):
        return None
    permission = _int_or_none(info.get("comment_permission_type"))
    if permission is None:
        return None
    if permission != COMMENTS_EVERYONE or (_int_or_none(info.get("approval_comment_type")) or 0) > 0:
        return CommentPermission.LIMITED
    return CommentPermission.OPEN


def _text_of(mblog: dict[str, Any]) -> str:
    long_text = mblog.get("longText")
    if isinstance(long_text, dict) and isinstance(long_text.get("longTextContent"), str):
        return long_text["longTextContent"]
    text = mblog.get("text")
    return text if isinstance(text, str) else ""


def _is_truncated(mblog: dict[str, Any]) -> bool:
    if isinstance(mblog.get("longText"), dict):
        return False  # the full text is already here (statuses/show)
    return bool(mblog.get("isLongText"))


def _is_pinned(mblog: dict[str, Any], card: dict[str, Any] | None) -> bool:
    if _int_or_none(mblog.get("mblogtype")) == PIN_MBLOGTYPE:
        return True
    title = mblog.get("title")
    if isinstance(title, dict) and str(title.get("text", "")).strip() == "置顶":
        return True
    for holder in (card or {}, mblog):
        if str(holder.get("profile_type_id") or "").startswith("proweibotop"):
            return True
    return False


def _media_kind(mblog: dict[str, Any]) -> str:
    page_info = mblog.get("page_info")
    page_type = page_info.get("type") if isinstance(page_info, dict) else None
    if page_type == "video":
        return "video"
    if page_type == "article":
        return "article"
    pics = mblog.get("pics")
    if pics and isinstance(pics, list | dict):
        return "image"
    return "text"


def _original_deleted(original: dict[str, Any]) -> bool:
    return str(original.get("deleted") or "") == "1" or not isinstance(original.get("user"), dict)


def _repost_of(original: dict[str, Any]) -> str:
    user = original.get("user")
    if _original_deleted(original) or not isinstance(user, dict):
        return "deleted"
    name = _str_or_none(user.get("screen_name")) or str(user.get("id") or "?")
    original_id = _id_or_none(original.get("id")) or _id_or_none(original.get("mid")) or "?"
    return f"@{name}:{original_id}"


def _repost_text(original: dict[str, Any]) -> str | None:
    """The reposted original's plain text, as the listing shows it (a long original is cut
    there: only its first part is checked); DELETED_ORIGINAL for a deleted one."""
    if _original_deleted(original):
        return DELETED_ORIGINAL
    return strip_html(_text_of(original)) or None


def _id_or_none(value: Any) -> str | None:
    """An id or cursor as text: a non-empty string or a positive int, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    if isinstance(value, str):
        return value.strip() or None
    return None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isascii() and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


# --- single posts and long text ----------------------------------------------


def parse_status(account_id: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI) -> PostItem:
    """One post from /statuses/show?id= ({"ok":1,"data":{mblog}})."""
    data = _load(body)
    _check_login(data)
    if not _is_ok(data):
        raise _failure(data, "post")
    mblog = data.get("data")
    post = parse_mblog(account_id, mblog, now, tz) if isinstance(mblog, dict) else None
    if post is None:
        raise PageProblem(PARSE_ERROR, "status response has no post with an id")
    return post


def parse_long_text(body: bytes | str) -> str | None:
    """The full text of a long post, or None when the response does not carry it (read_long_text)."""
    read = read_long_text(body)
    return read[0] if read else None


def read_long_text(body: bytes | str) -> tuple[str, tuple[str, ...]] | None:
    """The full text of a long post and the links of its anchors, or None when the response
    does not carry it.

    Accepts /statuses/extend ({"data":{"longTextContent":...}}) and
    /statuses/show ({"data":{"longText":{"longTextContent":...}}}).
    A login wall or a captcha still raises PageProblem.
    """
    data = _load(body)
    _check_login(data)
    if not _is_ok(data):
        return None
    payload = data.get("data")
    if not isinstance(payload, dict):
        return None
    content = payload.get("longTextContent")
    if not isinstance(content, str):
        long_text = payload.get("longText")
        content = long_text.get("longTextContent") if isinstance(long_text, dict) else None
    if not isinstance(content, str):
        return None
    text = strip_html(content)
    return (text, weibo_links(content)) if text else None
