"""Operator alerts after a crawl: a platform blocking us in bulk, or a cookie that stopped working.

One alert per (platform, kind), kept in storage (operator_alerts) until a later
crawl of that platform goes well: the person who runs govwatch reads one line
("微博：17 个帐号中 17 个被拦截") instead of hundreds of account failures, and
supervisors are not told that accounts went silent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.items import BLOCKED, LOGIN_REQUIRED, OK
from core.platforms import declared, name_zh
from crawler.cookie_health import cookie_alert_message
from storage import platforms as platform_store
from storage.models import CrawlOutcome
from storage.repo import CrawlJob


@dataclass(frozen=True)
class PlatformAlert:
    platform: str
    kind: str  # blocks | cookie
    message: str
    affected: int
    total: int
    new: bool


def check_platform_blocks(
    session: Session, config: Config, run_id: int, jobs: Sequence[CrawlJob]
) -> list[PlatformAlert]:
    """Raise, refresh or resolve the operator alerts of the platforms crawled in this run."""
    platform_of = {j.account_id: j.platform for j in jobs}
    outcomes = session.execute(
        select(CrawlOutcome.account_id, CrawlOutcome.outcome, CrawlOutcome.detail).where(
            CrawlOutcome.run_id == run_id
        )
    ).all()
    by_platform: dict[str, Counter[str]] = {}
    example: dict[str, str] = {}
    for account_id, outcome, detail in outcomes:
        platform = platform_of.get(account_id)
        if platform is None:
            continue
        by_platform.setdefault(platform, Counter())[outcome] += 1
        if outcome in (BLOCKED, LOGIN_REQUIRED) and platform not in example and detail:
            example[platform] = detail[:160]
    settings = config.crawl.block_alert
    raised: list[PlatformAlert] = []
    for platform, counts in sorted(by_platform.items()):
        total = sum(counts.values())
        walled = counts[BLOCKED] + counts[LOGIN_REQUIRED]
        label = name_zh(platform)
        if settings.platform_blocked(walled, total):
            message = (
                f"{label}：本次抓取 {total} 个帐号中 {walled} 个被平台拦截或要求登录"
                f"（被拦截 {counts[BLOCKED]}，需要登录 {counts[LOGIN_REQUIRED]}）。这些帐号的状态保持不变，"
                f"不代表帐号停更；请检查出口 IP、抓取频率（platforms.{platform}.delay_s）或 Cookie。"
                + (f" 例：{example[platform]}" if platform in example else "")
            )
            alert, new = platform_store.raise_alert(
                session,
                platform=platform,
                kind="blocks",
                message=message,
                affected=walled,
                total=total,
                run_id=run_id,
            )
            raised.append(PlatformAlert(platform, "blocks", message, walled, total, new))
        elif counts[OK]:
            platform_store.resolve_alerts(session, platform, ["blocks"])
        cookie_env = config.platform(platform).cookie_env
        if config.platform(platform).cookie() and counts[LOGIN_REQUIRED]:
            message = cookie_alert_message(
                platform,
                cookie_env,
                f"已配置 Cookie（环境变量 {cookie_env}），但仍有 {counts[LOGIN_REQUIRED]} 个帐号要求登录，"
                f"Cookie 可能已失效，请更新后重新抓取",
            )
            alert, new = platform_store.raise_alert(
                session,
                platform=platform,
                kind="cookie",
                message=message,
                affected=counts[LOGIN_REQUIRED],
                total=total,
                run_id=run_id,
            )
            raised.append(PlatformAlert(platform, "cookie", message, counts[LOGIN_REQUIRED], total, new))
        elif counts[OK] and not counts[LOGIN_REQUIRED] and not _visitor_first(platform):
            # On a visitor-first platform a good crawl never tried the cookie: only `govwatch
            # cookies check` (crawler/cookie_health.py) says it works again.
            platform_store.resolve_alerts(session, platform, ["cookie"])
    return raised


def _visitor_first(platform: str) -> bool:
    """Whether the platform is read as a visitor, its login cookie sent only where the visitor is
    refused (core/platforms.py, crawler/weibo_visitor.py)."""
    declaration = declared(platform)
    return declaration is not None and declaration.visitor_first
