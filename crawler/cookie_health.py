"""Cookie health: does each configured login cookie still work, right now?

One cheap authenticated request per platform that has a check (Weibo's ``/api/config``,
Bilibili's ``/x/web-interface/nav``), sent with the platform's cookie only, to the platform's
own host. The answer says logged in (``ok``), not logged in (``expired``), or could not tell
(``error``: a block, a network failure, an unknown answer). A platform whose cookie goes to a
feed bridge has no check of its own (``unchecked``); a ``cookie_env`` naming an empty variable
is ``unset``.

Each platform's declaration (core/platforms.py) names its check and says how an operator
renews the cookie; the crawl's cookie alert (crawler/alerts.py) and ``govwatch cookies
check`` both print it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
from scrapy.utils.misc import load_object
from sqlalchemy.orm import Session

from core.config import Config
from core.items import PageProblem
from core.platforms import Platform, declared, monitored_codes, name_zh
from crawler.parsers import blocks
from crawler.parsers.login import Login
from storage import platforms as platform_store

log = logging.getLogger(__name__)

OK = "ok"
EXPIRED = "expired"
UNSET = "unset"
UNCHECKED = "unchecked"
ERROR = "error"


def renew_howto(platform: str, env: str | None) -> str:
    """How an operator renews the platform's cookie, in Chinese."""
    declaration = declared(platform)
    howto = declaration.renew_zh if declaration else Platform.renew_zh
    return howto.format(env=env or f"platforms.{platform}.cookie_env")


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
    declaration = declared(platform)
    if declaration is None or declaration.login_check is None or not settings.base_url:
        return CookieCheck(platform, env, UNCHECKED, "该平台经桥接读取，无单独检测 / no check of its own")
    path, parser = declaration.login_check
    parse: Callable[[bytes], Login] = load_object(parser)
    url = settings.base_url.rstrip("/") + path
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
    names = [
        p for p in monitored_codes() if config.platform(p).cookie_env and (not platforms or p in platforms)
    ]
    with httpx.Client(headers={"User-Agent": config.crawl.user_agent}, follow_redirects=False) as client:
        return [check_one(config, name, client) for name in names]


def cookie_alert_message(platform: str, env: str | None, what: str) -> str:
    label = name_zh(platform)
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
