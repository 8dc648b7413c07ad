"""Weibo comments API (m.weibo.cn/comments/hotflow, and the older /api/comments/show), pure.

A page of comments on one post, with the account's own replies recognised by
the author's uid. Replies come nested (hotflow: ``comments`` under a comment),
flat with ``reply_id`` (the older API), or as a thread with ``rootid``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from core.items import CommentItem
from crawler.parsers.dates import SHANGHAI, parse_weibo_time
from crawler.parsers.html import strip_html
from crawler.parsers.weibo import _check_login, _failure, _is_ok, _load, _message

NO_COMMENTS = ("暂无", "还没有人评论", "没有评论", "快来发表你的评论吧")


@dataclass(slots=True)
class CommentsPage:
    comments: list[CommentItem] = field(default_factory=list)
    max_id: str | None = None  # the next page's cursor; None on the last page
    total: int | None = None


def comments_url(base_url: str, post_id: str, max_id: str | None = None) -> str:
    query = {"id": post_id, "mid": post_id, "max_id_type": 0}
    if max_id:
        query["max_id"] = max_id
    return f"{base_url.rstrip('/')}/comments/hotflow?{urlencode(query)}"


def parse_comments(
    account_id: str,
    post_id: str,
    account_uid: str | None,
    body: bytes | str,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
) -> CommentsPage:
    data = _load(body)
    _check_login(data)
    if not _is_ok(data):
        if (
            any(marker in _message(data) for marker in NO_COMMENTS)
            or data.get("ok") == 0
            and not _message(data)
        ):
            return CommentsPage()
        raise _failure(data, "comments")
    payload = data.get("data")
    if isinstance(payload, dict):
        rows = payload.get("data") or []
        max_id = payload.get("max_id")
        total = payload.get("total_number")
    else:
        rows = payload if isinstance(payload, list) else []
        max_id, total = data.get("max_id"), data.get("total_number")
    comments = list(_walk(account_id, post_id, account_uid, rows, now, tz, parent=None))
    cursor = str(max_id) if max_id not in (None, 0, "0", "") else None
    return CommentsPage(comments=comments, max_id=cursor, total=total if isinstance(total, int) else None)


def _walk(
    account_id: str,
    post_id: str,
    uid: str | None,
    rows: list[Any],
    now: datetime,
    tz: ZoneInfo,
    parent: str | None,
) -> Iterator[CommentItem]:
    for row in rows:
        if not isinstance(row, dict) or row.get("id") in (None, ""):
            continue
        cid = str(row["id"])
        user = row.get("user") if isinstance(row.get("user"), dict) else {}
        author = str(user.get("id")) if user.get("id") is not None else None
        reply_to = parent
        if row.get("reply_id"):
            reply_to = str(row["reply_id"])
        elif row.get("rootid") and str(row["rootid"]) != cid:
            reply_to = str(row["rootid"])
        created = row.get("created_at")
        yield CommentItem(
            account_id=account_id,
            post_id=post_id,
            comment_id=cid,
            published_at=parse_weibo_time(created, now, tz) if isinstance(created, str) else None,
            text=strip_html(row.get("text") or ""),
            author_id=author,
            author_name=user.get("screen_name"),
            by_account=bool(uid) and author == str(uid),
            reply_to=reply_to,
        )
        children = row.get("comments")
        if isinstance(children, list):
            yield from _walk(account_id, post_id, uid, children, now, tz, parent=cid)
