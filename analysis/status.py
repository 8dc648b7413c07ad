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
from core.vocabulary import NOT_CRAWLED, AccountKind, AccountStatus, Outcome, VetoState


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
    monitored: bool = True  # False: a platform govwatch does not read (core/platforms.py)


def days_between(earlier: datetime, now: datetime) -> int:
    return max(0, (now - earlier).days)


def account_status(a: Activity, thresholds: Thresholds, now: datetime) -> tuple[str, str | None]:
    """The CONTRACT status of one account, and a note saying why when it is not obvious."""
    if a.closed:
        return AccountStatus.CLOSED, None
    if not a.monitored:
        return AccountStatus.UNMONITORED, "该平台不支持自动监测"
    if a.last_outcome == Outcome.SKIPPED:  # our own list lacks what reading needs: not the unit's fault
        return AccountStatus.UNKNOWN, "台账信息不全（缺少链接或账号ID），无法自动监测"
    if a.kind == AccountKind.SERVICE:
        if a.last_outcome is None:
            return AccountStatus.UNKNOWN, "尚未检测"
        if a.last_outcome == Outcome.OK:
            return AccountStatus.AVAILABLE, None
        if a.last_outcome in (Outcome.BLOCKED, Outcome.LOGIN_REQUIRED):  # we could not see it: not its fault
            return AccountStatus.UNKNOWN, f"最近一次检测：{Outcome.label_of(a.last_outcome)}"
        confirm = timedelta(hours=thresholds.unavailable_confirm_hours)
        if a.failing_for is None or a.failing_for < confirm:  # one failed read is not yet the app's fault
            return AccountStatus.UNKNOWN, (
                f"最近一次检测：{Outcome.label_of(a.last_outcome)}，"
                f"待间隔 {thresholds.unavailable_confirm_hours:g} 小时以上再次检测确认"
            )
        return AccountStatus.UNAVAILABLE, f"最近一次检测：{Outcome.label_of(a.last_outcome)}"
    if a.last_outcome == Outcome.NOT_FOUND:
        return AccountStatus.UNREACHABLE, "帐号页面不存在（可能已注销或被封禁）"
    if not a.ever_ok:
        if a.last_outcome is None:
            return AccountStatus.UNKNOWN, NOT_CRAWLED
        return AccountStatus.UNKNOWN, f"从未成功抓取（最近一次：{Outcome.label_of(a.last_outcome)}）"
    if a.last_post_at is None:
        return AccountStatus.EMPTY, "抓取成功但从未发布内容"
    days = days_between(a.last_post_at, now)
    if days < thresholds.warn_days:
        return AccountStatus.ACTIVE, None
    if days < thresholds.stale_days:
        return AccountStatus.WARNING, f"{days} 天未更新"
    if days < thresholds.zombie_days:
        return AccountStatus.STALE, f"{days} 天未更新，超过 {thresholds.stale_days} 天"
    return AccountStatus.ZOMBIE, f"{days} 天未更新，超过 {thresholds.zombie_days} 天"


@dataclass(frozen=True, slots=True)
class Countdown:
    """A publishing account against the two-week veto: days left (COUNTING), past it (OVERDUE),
    or UNKNOWN with the reason (a blocked or failed last crawl is never a day without posts)."""

    state: str
    days_left: int | None  # COUNTING: days until the veto falls; otherwise None
    note: str | None = None  # UNKNOWN: why

    @property
    def text(self) -> str:
        """As a supervisor reads it: 距否决 3 天, 已超期, 未知：最近一次抓取未成功."""
        if self.state == VetoState.COUNTING:
            return f"{VetoState.COUNTING.label} {self.days_left} 天"
        if self.state == VetoState.UNKNOWN and self.note:
            return f"{VetoState.UNKNOWN.label}：{self.note}"
        return VetoState.label_of(self.state)


def countdown(
    kind: str, status: str, last_attempt: str | None, days_since: int | None, thresholds: Thresholds
) -> Countdown | None:
    """The veto countdown of one account, None for what the veto does not cover (services, closed
    or unmonitored accounts). `last_attempt`: the outcome of the last crawl of any run."""
    if kind != AccountKind.PUBLISH or status in (AccountStatus.CLOSED, AccountStatus.UNMONITORED):
        return None
    if last_attempt is None:
        return Countdown(VetoState.UNKNOWN, None, NOT_CRAWLED)
    if last_attempt != Outcome.OK:
        return Countdown(VetoState.UNKNOWN, None, "最近一次抓取未成功")
    if days_since is None:
        return Countdown(VetoState.UNKNOWN, None, "尚无已发布内容")
    left = thresholds.stale_days - days_since
    return Countdown(VetoState.COUNTING, left) if left > 0 else Countdown(VetoState.OVERDUE, None)
