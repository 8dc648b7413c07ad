"""The platforms' "who am I" answers, for `govwatch cookies check` against the sandbox.

A cookie counts as a login when its SUB (Weibo) or SESSDATA (Bilibili) starts with ``login``;
one that also contains ``expired`` is a login that has lapsed. Shapes as the platforms answer:
m.weibo.cn ``/api/config`` and api.bilibili.com ``/x/web-interface/nav``.
"""

from __future__ import annotations

import re

from sandbox.http import Request, Response, json_response

_WEIBO = re.compile(r"(?:^|;\s*)SUB=(login[^;]*)")
_BILIBILI = re.compile(r"(?:^|;\s*)SESSDATA=(login[^;]*)")


def _login(request: Request, pattern: re.Pattern[str]) -> str | None:
    match = pattern.search(request.headers.get("cookie", ""))
    if match is None or "expired" in match.group(1):
        return None
    return match.group(1)


def weibo_config(request: Request) -> Response:
    if _login(request, _WEIBO):
        return json_response(
            {"preferQuickapp": 0, "data": {"login": True, "st": "a1b2c3", "uid": "7712009999"}, "ok": 1}
        )
    return json_response({"preferQuickapp": 0, "data": {"login": False}, "ok": 1})


def bilibili_nav(request: Request) -> Response:
    if _login(request, _BILIBILI):
        data = {"isLogin": True, "mid": 3546000001, "uname": "青川旗融媒体中心", "vipStatus": 0}
        return json_response({"code": 0, "message": "0", "ttl": 1, "data": data})
    return json_response({"code": -101, "message": "账号未登录", "ttl": 1, "data": {"isLogin": False}})
