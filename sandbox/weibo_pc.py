"""weibo.com's PC web API as the sandbox renders it, and an m.weibo.cn that refuses.

    # every Sandbox serves /ajax/profile/info, /ajax/statuses/mymblog, /ajax/statuses/longtext
    refusal = MobileRefusal(status=432).install(sandbox)   # m.weibo.cn's API answers 432 to everyone

The PC answers carry the same world's accounts and posts: a status is the mobile mblog in the
full date form, with ``mblogid`` for ``bid``, ``text_raw`` beside the HTML ``text`` and
``isTop: 1`` on a pinned post; ``mymblog`` pages hold PC_PAGE_SIZE posts (pinned ones on page 1)
and a page past the end has an empty ``list``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox import weibo
from sandbox.http import HTML, Request, Response, json_response
from sandbox.world import Account, Post, World

if TYPE_CHECKING:
    from sandbox.server import Sandbox

PC_PAGE_SIZE = 20
_TAGS = re.compile(r"<[^>]+>")


def status(account: Account, post: Post, world: World) -> dict[str, Any]:
    m = weibo.mblog(account, post, world.now, style="full")
    m["mblogid"] = m.pop("bid")
    m["text_raw"] = _TAGS.sub("", m["text"])
    m["isTop"] = 1 if post.pinned else 0
    m.pop("title", None)
    m.pop("profile_type_id", None)
    if m.get("mblogtype") == 2:
        m["mblogtype"] = 0
    retweeted = m.get("retweeted_status")
    if isinstance(retweeted, dict) and "bid" in retweeted:
        retweeted["mblogid"] = retweeted.pop("bid")
        retweeted["text_raw"] = _TAGS.sub("", retweeted["text"])
    return m


def mymblog(account: Account, world: World, page: int) -> dict[str, Any]:
    regular = [] if account.behavior == "hidden_posts" else account.regular_posts()
    start = (max(page, 1) - 1) * PC_PAGE_SIZE
    chunk = regular[start : start + PC_PAGE_SIZE]
    pinned = account.pinned_posts() if page <= 1 and account.behavior != "hidden_posts" else []
    more = start + PC_PAGE_SIZE < len(regular)
    return {
        "ok": 1,
        "data": {
            "since_id": f"{regular[start + PC_PAGE_SIZE].id}kp{page + 1}" if more else "",
            "list": [status(account, p, world) for p in pinned + chunk],
            "status_visible": 0,
            "bottom_tips_visible": False,
            "bottom_tips_text": "",
            "topicList": [],
            "total": account.statuses_count(),
        },
    }


def profile_info(account: Account) -> dict[str, Any]:
    user = weibo.user(account)
    user["idstr"] = str(user["id"])
    user["profile_url"] = f"/u/{account.uid}"
    return {"ok": 1, "data": {"user": user}}


@dataclass
class WeiboPC:
    """The /ajax/ routes on the sandbox (the same host stands for weibo.com)."""

    def install(self, sandbox: Sandbox) -> WeiboPC:
        self.sandbox = sandbox
        r = sandbox.router
        r.add("GET", "/ajax/profile/info", self.profile)
        r.add("GET", "/ajax/statuses/mymblog", self.posts)
        r.add("GET", "/ajax/statuses/longtext", self.long_text)
        return self

    def _account(self, request: Request) -> Account | None:
        return self.sandbox.world.by_uid.get(request.query.get("uid", ""))

    def profile(self, request: Request) -> Response:
        account = self._account(request)
        if account is None:
            return json_response({"ok": 0, "msg": "用户不存在"})
        return self.sandbox._gate(account, request) or json_response(
            profile_info(account), account_id=account.id
        )

    def posts(self, request: Request) -> Response:
        account = self._account(request)
        if account is None:
            return json_response({"ok": 0, "msg": "用户不存在"})
        try:
            page = int(request.query.get("page") or 1)
        except ValueError:
            page = 1
        gate = self.sandbox._gate(account, request)
        return gate or json_response(mymblog(account, self.sandbox.world, page), account_id=account.id)

    def long_text(self, request: Request) -> Response:
        bid = request.query.get("id", "")
        for account, post in self.sandbox.world.posts_by_id.values():
            if post.bid == bid:
                gate = self.sandbox._gate(account, request)
                data = {"ok": 1, "data": {"longTextContent": post.long_text or post.text}}
                return gate or json_response(data, account_id=account.id)
        return json_response({"ok": 0, "msg": "微博不存在或暂无查看权限!"})


@dataclass
class MobileRefusal:
    """m.weibo.cn's API refuses (HTTP 432, empty body) every request, or those of ``uids``."""

    status: int = 432
    uids: frozenset[str] | None = None
    enabled: bool = True
    refused: int = 0

    def install(self, sandbox: Sandbox) -> MobileRefusal:
        sandbox.hooks.append(self.hook)
        return self

    def hook(self, request: Request) -> Response | None:
        if not self.enabled or not request.path.startswith(("/api/container/", "/statuses/", "/comments/")):
            return None
        if self.uids is not None:
            q = request.query
            uid = q.get("value") or q.get("containerid", "")[6:]
            if uid not in self.uids:
                return None
        self.refused += 1
        return Response(self.status, b"", HTML)
