"""weibo.com's PC web API (the second road when m.weibo.cn refuses an account): URLs and pure
parsers into the same items as the mobile API.

Profile:   /ajax/profile/info?uid={uid}
           {"ok": 1, "data": {"user": {"id", "idstr", "screen_name", "description",
            "followers_count", "statuses_count", "verified", "avatar_hd", ...}}}
Posts:     /ajax/statuses/mymblog?uid={uid}&page={n}&feature=0
           {"ok": 1, "data": {"list": [status, ...], "since_id": "...", "total": N, ...}};
           a page with an empty list is the end of the account's posts.
Long text: /ajax/statuses/longtext?id={mblogid}   {"ok": 1, "data": {"longTextContent": "..."}}

A status has the mobile mblog's fields (``id``, ``created_at`` in the full form, ``text`` as
HTML, ``isLongText``, the counts, ``retweeted_status``, ``page_info``, ``pic_ids``) plus
``mblogid`` (the mobile ``bid``), ``text_raw`` (the plain text) and ``isTop: 1`` for a pinned
post; it is read by the mobile parser (parsers/weibo.parse_mblog) once those are mapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from core.items import PARSE_ERROR, PageProblem, PostItem, ProfileItem
from crawler.parsers import weibo
from crawler.parsers.dates import SHANGHAI

DEFAULT_BASE = "https://weibo.com"


def profile_url(base_url: str, uid: str) -> str:
    return f"{base_url.rstrip('/')}/ajax/profile/info?{urlencode({'uid': uid})}"


def posts_url(base_url: str, uid: str, page: int) -> str:
    return (
        f"{base_url.rstrip('/')}/ajax/statuses/mymblog?{urlencode({'uid': uid, 'page': page, 'feature': 0})}"
    )


def long_text_url(base_url: str, mblogid: str) -> str:
    return f"{base_url.rstrip('/')}/ajax/statuses/longtext?{urlencode({'id': mblogid})}"


@dataclass
class PcPage:
    posts: list[PostItem] = field(default_factory=list)
    mblogids: dict[str, str] = field(default_factory=dict)  # post id -> mblogid (long text)
    total: int | None = None


def _payload(body: bytes | str, what: str) -> dict[str, Any]:
    data = weibo._load(body)
    weibo._check_login(data)
    if not weibo._is_ok(data):
        raise weibo._failure(data, what)
    payload = data.get("data")
    if not isinstance(payload, dict):
        raise PageProblem(PARSE_ERROR, f"weibo.com {what} answer has no data object (layout changed?)")
    return payload


def parse_profile_info(account_id: str, body: bytes | str) -> ProfileItem:
    user = _payload(body, "user").get("user")
    if not isinstance(user, dict):
        raise PageProblem(PARSE_ERROR, "weibo.com profile answer has no data.user (layout changed?)")
    return ProfileItem(
        account_id=account_id,
        name=weibo._str_or_none(user.get("screen_name")),
        description=weibo._str_or_none(user.get("description")),
        followers=weibo.parse_count(user.get("followers_count")),
        post_count=weibo.parse_count(user.get("statuses_count")),
        verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
        avatar_url=weibo._str_or_none(user.get("avatar_hd") or user.get("profile_image_url")),
    )


def as_mblog(status: dict[str, Any]) -> dict[str, Any]:
    """A PC status with the mobile mblog's names for what the PC API names otherwise."""
    mblog = dict(status)
    if mblog.get("mblogid") and not mblog.get("bid"):
        mblog["bid"] = mblog["mblogid"]
    if weibo._int_or_none(mblog.get("isTop")) == 1:
        mblog["mblogtype"] = weibo.PIN_MBLOGTYPE
    if isinstance(mblog.get("text_raw"), str) and not mblog.get("longText"):
        mblog["text"] = mblog["text_raw"]
    retweeted = mblog.get("retweeted_status")
    if isinstance(retweeted, dict):
        mblog["retweeted_status"] = as_mblog(retweeted)
    return mblog


def parse_mymblog(account_id: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI) -> PcPage:
    payload = _payload(body, "posts")
    statuses = payload.get("list")
    if not isinstance(statuses, list):
        raise PageProblem(PARSE_ERROR, "weibo.com posts answer has no data.list (layout changed?)")
    page = PcPage(total=weibo.parse_count(payload.get("total")))
    for status in statuses:
        if not isinstance(status, dict):
            continue
        post = weibo.parse_mblog(account_id, as_mblog(status), now, tz)
        if post is None:
            continue
        page.posts.append(post)
        if status.get("mblogid"):
            page.mblogids[post.post_id] = str(status["mblogid"])
    return page
