"""Whether a platform's "who am I" answer says the cookie sent is logged in. Pure.

Weibo: ``m.weibo.cn/api/config`` answers ``{"data": {"login": true, "uid": "…", "st": "…"},
"ok": 1}`` to a logged-in cookie and ``{"data": {"login": false}, "ok": 1}`` otherwise.
Bilibili: ``api.bilibili.com/x/web-interface/nav`` answers ``{"code": 0, "data": {"isLogin":
true, "mid": …, "uname": "…"}}``, or ``{"code": -101, "message": "账号未登录", …}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.parsers import jsonload


@dataclass(frozen=True)
class Login:
    logged_in: bool
    who: str | None = None  # the platform's user id or name, when logged in
    detail: str = ""


def weibo_config(body: bytes | str) -> Login:
    data = jsonload.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise ValueError("not a Weibo /api/config answer")
    info = data["data"]
    if info.get("login") is True:
        return Login(True, str(info.get("uid") or "") or None)
    return Login(False, detail="login: false")


def bilibili_nav(body: bytes | str) -> Login:
    data = jsonload.loads(body)
    if not isinstance(data, dict) or "code" not in data:
        raise ValueError("not a Bilibili /x/web-interface/nav answer")
    info = data.get("data") if isinstance(data.get("data"), dict) else {}
    if data.get("code") == 0 and info.get("isLogin"):
        return Login(True, str(info.get("uname") or info.get("mid") or "") or None)
    return Login(False, detail=f"code {data.get('code')}: {data.get('message', '')}")
