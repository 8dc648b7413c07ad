"""Cookie health: does each configured login cookie still work, right now?

One cheap authenticated request per platform that has a check (its declaration's
``login_check`` in core/platforms.py: Weibo's ``/api/config``, Bilibili's ``/x/web-interface/nav``), sent with the platform's cookie only, to the platform's
own host. The answer says logged in (``ok``), not logged in (``expired``), or could not tell
(``error``: a block, a network failure, an unknown answer). A platform whose cookie goes to a
feed bridge has no check of its own (``unchecked``); a ``cookie_env`` naming an empty variable
is ``unset``.

What the checks found is kept as the platform's cookie alert (analysis/crawl_health.py), which
also says how an operator renews each platform's cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from scrapy.utils.misc import load_object

from core.config import Config
from core.items import LOGIN_REQUIRED, CookieCheck, CookieState, PageProblem
from core.platforms import declared, monitored_codes
from crawler.parsers import blocks
from crawler.parsers.login import Login

log = logging.getLogger(__name__)


def check_one(config: Config, platform: str, client: httpx.Client) -> CookieCheck:
    settings = config.platform(platform)
    env = settings.cookie_env or ""
    cookie = settings.cookie()
    if not cookie:
        return CookieCheck(platform, env, CookieState.UNSET, f"环境变量 {env} 未设置或为空 / not set")
    declaration = declared(platform)
    if declaration is None or declaration.login_check is None or not settings.base_url:
        return CookieCheck(
            platform, env, CookieState.UNCHECKED, "该平台经桥接读取，无单独检测 / no check of its own"
        )
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
        return CookieCheck(platform, env, CookieState.ERROR, f"{url}: {type(exc).__name__}: {exc}")
    headers = {k.lower(): v for k, v in response.headers.items()}
    try:
        blocks.check_response(
            response.status_code, str(response.url), response.content, headers, expect="json"
        )
        answer = parse(response.content)
    except PageProblem as problem:
        if problem.outcome == LOGIN_REQUIRED:
            return CookieCheck(platform, env, CookieState.EXPIRED, problem.detail)
        return CookieCheck(platform, env, CookieState.ERROR, f"{url}: {problem.detail}")
    except ValueError as exc:
        return CookieCheck(platform, env, CookieState.ERROR, f"{url}: {exc}")
    if answer.logged_in:
        return CookieCheck(
            platform, env, CookieState.OK, f"已登录 / logged in{f'：{answer.who}' if answer.who else ''}"
        )
    return CookieCheck(platform, env, CookieState.EXPIRED, f"未登录 / not logged in ({answer.detail})")


def check_cookies(config: Config, platforms: list[str] | None = None) -> list[CookieCheck]:
    """Every platform with a ``cookie_env`` in config.yaml (or those named), checked now."""
    names = [
        p for p in monitored_codes() if config.platform(p).cookie_env and (not platforms or p in platforms)
    ]
    with httpx.Client(headers={"User-Agent": config.crawl.user_agent}, follow_redirects=False) as client:
        return [check_one(config, name, client) for name in names]
