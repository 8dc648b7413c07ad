"""Account status from what storage knows about an account's posting and crawls.

Pure rules (``account_status``) over per-account figures that the as-of read
model (analysis/asof.py) reads for all accounts at once with grouped queries:
no Python loop over posts, so 10,000 accounts and millions of posts take seconds.

Only an ``ok`` crawl changes what we believe about an account's posting: a
blocked night leaves the status as the stored posts say, with the failure
shown beside it; an account never crawled ok is ``unknown``, never ``empty``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.config import Thresholds
from core.items import SKIPPED

PUBLISH_STATUSES = (
    "active",
    "warning",
    "stale",
    "zombie",
    "empty",
    "unreachable",
    "unknown",
    "unmonitored",
    "closed",
)
SERVICE_STATUSES = ("available", "unavailable", "unknown", "unmonitored", "closed")
NOT_FOUND = "not_found"
# Crawl outcomes in the words a supervisor reads.
OUTCOMES_ZH: dict[str, str] = {
    "ok": "成功",
    "blocked": "被平台拦截",
    "login_required": "需要登录",
    "not_found": "帐号不存在",
    "error": "抓取出错",
    "parse_error": "页面无法解析",
    "skipped": "未抓取（台账信息不全）",
}


@dataclass(frozen=True, slots=True)
class Activity:
    """What storage knows about one account's posting, as of ``now``."""

    kind: str
    closed: bool
    ever_ok: bool  # some crawl of this account succeeded
    last_outcome: str | None
    last_post_at: datetime | None
    post_count: int  # stored, not deleted
    # An app or service: how long its current run of failed reads spans (first to last failed
    # read since it last answered), None when its last read did not fail.
    failing_for: timedelta | None = None
    monitored: bool = True  # False: a platform govwatch does not read (UNMONITORED_PLATFORMS)


def days_between(earlier: datetime, now: datetime) -> int:
    return max(0, (now - earlier).days)


def account_status(a: Activity, thresholds: Thresholds, now: datetime) -> tuple[str, str | None]:
    """The CONTRACT status of one account, and a note saying why when it is not obvious."""
    if a.closed:
        return "closed", None
    if not a.monitored:
        return "unmonitored", "该平台不支持自动监测"
    if a.last_outcome == SKIPPED:  # our own list lacks what reading needs: not the unit's fault
        return "unknown", "台账信息不全（缺少链接或账号ID），无法自动监测"
    if a.kind == "service":
        if a.last_outcome is None:
            return "unknown", "尚未检测"
        if a.last_outcome == "ok":
            return "available", None
        if a.last_outcome in ("blocked", "login_required"):  # we could not see it: not its fault
            return "unknown", f"最近一次检测：{OUTCOMES_ZH.get(a.last_outcome, a.last_outcome)}"
        confirm = timedelta(hours=thresholds.unavailable_confirm_hours)
        if a.failing_for is None or a.failing_for < confirm:  # one failed read is not yet the app's fault
            return "unknown", (
                f"最近一次检测：{OUTCOMES_ZH.get(a.last_outcome, a.last_outcome)}，"
                f"待间隔 {thresholds.unavailable_confirm_hours:g} 小时以上再次检测确认"
            )
        return "unavailable", f"最近一次检测：{OUTCOMES_ZH.get(a.last_outcome, a.last_outcome)}"
    if a.last_outcome == NOT_FOUND:
        return "unreachable", "帐号页面不存在（可能已注销或被封禁）"
    if not a.ever_ok:
        if a.last_outcome is None:
            return "unknown", "尚未抓取"
        return "unknown", f"从未成功抓取（最近一次：{OUTCOMES_ZH.get(a.last_outcome, a.last_outcome)}）"
    if a.last_post_at is None:
        return "empty", "抓取成功但从未发布内容"
    days = days_between(a.last_post_at, now)
    if days < thresholds.warn_days:
        return "active", None
    if days < thresholds.stale_days:
        return "warning", f"{days} 天未更新"
    if days < thresholds.zombie_days:
        return "stale", f"{days} 天未更新，超过 {thresholds.stale_days} 天"
    return "zombie", f"{days} 天未更新，超过 {thresholds.zombie_days} 天"
