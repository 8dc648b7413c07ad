"""Cookie health: does each configured login cookie still work, right now?

One cheap authenticated request per platform that has a check (Weibo's ``/api/config``,
Bilibili's ``/x/web-interface/nav``), sent with the platform's cookie only, to the platform's
own host. The answer says logged in (``ok``), not logged in (``expired``), or could not tell
(``error``: a block, a network failure, an unknown answer). A platform whose cookie goes to a
feed bridge has no check of its own (``unchecked``); a ``cookie_env`` naming an empty variable
is ``unset``.

``RENEW`` says, per platform, how an operator renews the cookie; the crawl's cookie alert
(crawler/alerts.py) and ``govwatch cookies check`` both print it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from core.config import PLATFORM_NAMES_ZH, PLATFORMS, Config
from core.items import PageProblem
from crawler.parsers import blocks, login
from storage import platforms as platform_store

log = logging.getLogger(__name__)

OK = "ok"
EXPIRED = "expired"
UNSET = "unset"
UNCHECKED = "unchecked"
ERROR = "error"

# platform -> (default base URL, path of the "who am I" request, its parser)
CHECKS: dict[str, tuple[str, str, Callable[[bytes], login.Login]]] = {
    "weibo": ("https://m.weibo.cn", "/api/config", login.weibo_config),
    "bilibili": ("https://api.bilibili.com", "/x/web-interface/nav", login.bilibili_nav),
}

RENEW = {
    "weibo": (
        "用浏览器登录 m.weibo.cn（建议使用单位专用小号），在开发者工具“网络”中任选一个 m.weibo.cn 请求，"
        "复制请求头 Cookie 的整串值（含 SUB、SUBP），写入环境变量 {env}，重启 govwatch（或 serve 服务）；"
        "再运行 govwatch cookies check 确认“有效”。没有 Cookie 时微博按访客方式读取，只有需要登录的内容（如部分评论）读不到。"
    ),
    "bilibili": (
        "用浏览器登录 www.bilibili.com，在开发者工具“应用/存储 → Cookie”中复制 SESSDATA、bili_jct、DedeUserID，"
        "按“SESSDATA=…; bili_jct=…; DedeUserID=…”写入环境变量 {env}（同时更新 RSSHub 的 BILIBILI_COOKIE_*），"
        "重启后运行 govwatch cookies check 确认。"
    ),
}
RENEW_DEFAULT = (
    "在浏览器中重新登录该平台，复制请求头 Cookie 写入环境变量 {env}（经 RSSHub 等桥接读取的平台，"
    "同时更新桥接服务自己的 Cookie 配置），重启后运行 govwatch cookies check 确认。"
)


def renew_howto(platform: str, env: str | None) -> str:
    return RENEW.get(platform, RENEW_DEFAULT).format(env=env or f"platforms.{platform}.cookie_env")


@dataclass(frozen=True)
class CookieCheck:
    platform: str
    env: str
    state: str  # ok | expired | unset | unchecked | error
    detail: str = ""


def check_one(config: Config, platform: str, client: httpx.Client) -> CookieCheck:
    settings = config.platform(platform)
    env = settings.cookie_env or ""
    cookie = settings.cookie()
    if not cookie:
        return CookieCheck(platform, env, UNSET, f"环境变量 {env} 未设置或为空 / not set")
    if platform not in CHECKS:
        return CookieCheck(platform, env, UNCHECKED, "该平台经桥接读取，无单独检测 / no check of its own")
    default_base, path, parse = CHECKS[platform]
    url = (settings.base_url or default_base).rstrip("/") + path
    try:
        response = client.get(
            url,
            headers={"Cookie": cookie, "Accept": "application/json, text/plain, */*"},
            timeout=settings.timeout_s,
        )
    except httpx.HTTPError as exc:
        return CookieCheck(platform, env, ERROR, f"{url}: {type(exc).__name__}: {exc}")
    headers = {k.lower(): v for k, v in response.headers.items()}
    try:
        blocks.check_response(
            response.status_code, str(response.url), response.content, headers, expect="json"
        )
        answer = parse(response.content)
    except PageProblem as problem:
        if problem.outcome == "login_required":
            return CookieCheck(platform, env, EXPIRED, problem.detail)
        return CookieCheck(platform, env, ERROR, f"{url}: {problem.detail}")
    except ValueError as exc:
        return CookieCheck(platform, env, ERROR, f"{url}: {exc}")
    if answer.logged_in:
        return CookieCheck(platform, env, OK, f"已登录 / logged in{f'：{answer.who}' if answer.who else ''}")
    return CookieCheck(platform, env, EXPIRED, f"未登录 / not logged in ({answer.detail})")


def check_cookies(config: Config, platforms: list[str] | None = None) -> list[CookieCheck]:
    """Every platform with a ``cookie_env`` in config.yaml (or those named), checked now."""
    names = [p for p in PLATFORMS if config.platform(p).cookie_env and (not platforms or p in platforms)]
    with httpx.Client(headers={"User-Agent": config.crawl.user_agent}, follow_redirects=False) as client:
        return [check_one(config, name, client) for name in names]


def cookie_alert_message(platform: str, env: str | None, what: str) -> str:
    label = PLATFORM_NAMES_ZH.get(platform, platform)
    return f"{label}：{what}。更新方法：{renew_howto(platform, env)}"


def record_checks(session: Session, checks: list[CookieCheck]) -> dict[str, datetime]:
    """Keep what the checks found: an expired cookie opens (or keeps open) the platform's cookie
    alert, whose first_seen is the first failure; a working one resolves it. Returns, per
    expired platform, since when it has failed."""
    since: dict[str, datetime] = {}
    for check in checks:
        if check.state == EXPIRED:
            message = cookie_alert_message(
                check.platform, check.env, f"环境变量 {check.env} 中的 Cookie 已失效（{check.detail}）"
            )
            alert, _new = platform_store.raise_alert(
                session,
                platform=check.platform,
                kind="cookie",
                message=message,
                affected=0,
                total=0,
                run_id=None,
            )
            since[check.platform] = alert.first_seen
        elif check.state == OK:
            platform_store.resolve_alerts(session, check.platform, ["cookie"])
    return since
