"""Account status and activity from stored posts and crawl outcomes.

Pure rules (``account_status``) over per-account figures that one SQL
aggregation computes for all accounts at once (``analyse_accounts``): no
Python loop over posts, so 10,000 accounts and millions of posts take seconds.

Only an ``ok`` crawl changes what we believe about an account's posting: a
blocked night leaves the status as the stored posts say, with the failure
shown beside it; an account never crawled ok is ``unknown``, never ``empty``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from core.config import Thresholds
from core.items import SKIPPED
from core.platforms import is_monitored
from storage.models import Account, CrawlOutcome, Post, utcnow
from storage.repo import counted_outcomes

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
# A post dated slightly in the future (clock skew, a platform's rounding) still counts.
SKEW = timedelta(hours=1)


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


@dataclass(frozen=True, slots=True)
class AccountFigures:
    account_id: str
    status: str
    note: str | None
    last_post_at: datetime | None
    last_post_url: str | None
    posts_7d: int
    posts_30d: int
    original_ratio_30d: float | None


def _post_stats(session: Session, now: datetime, ids: list[str] | None):  # noqa: ANN202
    d7, d30 = now - timedelta(days=7), now - timedelta(days=30)
    # As of `now`: posts published by then and not deleted by then.
    live = and_((Post.deleted_at.is_(None)) | (Post.deleted_at > now), Post.published_at <= now + SKEW)
    in30 = Post.published_at >= d30
    query = (
        select(
            Post.account_id,
            func.max(Post.published_at).label("last_post_at"),
            func.count().label("post_count"),
            func.sum(case((Post.published_at >= d7, 1), else_=0)).label("posts_7d"),
            func.sum(case((in30, 1), else_=0)).label("posts_30d"),
            func.sum(case((and_(in30, Post.is_original.is_(True)), 1), else_=0)).label("originals_30d"),
        )
        .where(live)
        .group_by(Post.account_id)
    )
    if ids is not None:
        query = query.where(Post.account_id.in_(ids))
    return {row.account_id: row for row in session.execute(query)}


def _last_post_urls(session: Session, now: datetime, ids: list[str] | None) -> dict[str, str | None]:
    """The link of each account's newest post (for the evidence)."""
    live = and_((Post.deleted_at.is_(None)) | (Post.deleted_at > now), Post.published_at <= now + SKEW)
    newest = (
        select(Post.account_id, func.max(Post.published_at).label("at")).where(live).group_by(Post.account_id)
    )
    if ids is not None:
        newest = newest.where(Post.account_id.in_(ids))
    newest = newest.subquery()
    rows = session.execute(
        select(Post.account_id, Post.url).join(
            newest, and_(Post.account_id == newest.c.account_id, Post.published_at == newest.c.at)
        )
    )
    return {account_id: url for account_id, url in rows}


# Outcomes that end an app's run of failed reads: it answered, or a read told us nothing about it
# (a block, a login wall, our own list lacking its link).
ANSWERED = ("ok", "blocked", "login_required", SKIPPED)


def _service_failing_for(session: Session, now: datetime, ids: list[str] | None) -> dict[str, timedelta]:
    """Apps and services whose reads since they last answered (ok, or a block that is no news)
    all failed: how far apart the first and the last of those failed reads are."""
    scope = [CrawlOutcome.finished_at <= now, counted_outcomes()]
    if ids is not None:
        scope.append(CrawlOutcome.account_id.in_(ids))
    answered = (
        select(CrawlOutcome.account_id, func.max(CrawlOutcome.finished_at).label("at"))
        .where(CrawlOutcome.outcome.in_(ANSWERED), *scope)
        .group_by(CrawlOutcome.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            CrawlOutcome.account_id,
            func.min(CrawlOutcome.finished_at),
            func.max(CrawlOutcome.finished_at),
        )
        .join(Account, Account.id == CrawlOutcome.account_id)
        .outerjoin(answered, answered.c.account_id == CrawlOutcome.account_id)
        .where(
            Account.kind == "service",
            CrawlOutcome.outcome.not_in(ANSWERED),
            (answered.c.at.is_(None)) | (CrawlOutcome.finished_at > answered.c.at),
            *scope,
        )
        .group_by(CrawlOutcome.account_id)
    )
    return {account_id: last - first for account_id, first, last in rows}


def _outcomes_as_of(
    session: Session, now: datetime, ids: list[str] | None
) -> tuple[set[str], dict[str, str]]:
    """Accounts crawled ok at least once by `now`, and each account's last outcome by then
    (a run in which our own connection was down counts for none)."""
    scope = [CrawlOutcome.finished_at <= now, counted_outcomes()]
    if ids is not None:
        scope.append(CrawlOutcome.account_id.in_(ids))
    ever_ok = set(
        session.scalars(
            select(CrawlOutcome.account_id).where(CrawlOutcome.outcome == "ok", *scope).distinct()
        )
    )
    newest = (
        select(CrawlOutcome.account_id, func.max(CrawlOutcome.id).label("id"))
        .where(*scope)
        .group_by(CrawlOutcome.account_id)
        .subquery()
    )
    last = dict(
        session.execute(
            select(CrawlOutcome.account_id, CrawlOutcome.outcome).join(newest, CrawlOutcome.id == newest.c.id)
        ).all()
    )
    return ever_ok, last


def compute_figures(
    session: Session, thresholds: Thresholds, now: datetime, account_ids: list[str] | None = None
) -> list[AccountFigures]:
    """Status and activity of the accounts as of `now`, from stored rows alone (no writes).

    With a past `now` this rebuilds what was known then: posts published by then,
    crawl outcomes finished by then.
    """
    ids = list(account_ids) if account_ids is not None else None
    stats = _post_stats(session, now, ids)
    urls = _last_post_urls(session, now, ids)
    ever_ok, last_outcomes = _outcomes_as_of(session, now, ids)
    failing = _service_failing_for(session, now, ids)
    query = select(Account.id, Account.kind, Account.closed, Account.platform)
    if ids is not None:
        query = query.where(Account.id.in_(ids))
    figures = []
    for account_id, kind, closed, platform in session.execute(query):
        last_outcome = last_outcomes.get(account_id)
        row = stats.get(account_id)
        activity = Activity(
            kind=kind,
            closed=closed,
            ever_ok=account_id in ever_ok,
            last_outcome=last_outcome,
            last_post_at=row.last_post_at if row else None,
            post_count=row.post_count if row else 0,
            failing_for=failing.get(account_id),
            monitored=is_monitored(platform),
        )
        status, note = account_status(activity, thresholds, now)
        posts_30d = int(row.posts_30d or 0) if row else 0
        figures.append(
            AccountFigures(
                account_id=account_id,
                status=status,
                note=note,
                last_post_at=activity.last_post_at,
                last_post_url=urls.get(account_id),
                posts_7d=int(row.posts_7d or 0) if row else 0,
                posts_30d=posts_30d,
                original_ratio_30d=(int(row.originals_30d or 0) / posts_30d) if posts_30d else None,
            )
        )
    return figures


def analyse_accounts(
    session: Session,
    thresholds: Thresholds,
    now: datetime | None = None,
    account_ids: list[str] | None = None,
) -> list[AccountFigures]:
    """Recompute status and activity for the accounts (default: all) and store them."""
    now = now or utcnow()
    figures = compute_figures(session, thresholds, now, account_ids)
    if figures:
        session.execute(
            update(Account),
            [
                {
                    "id": f.account_id,
                    "status": f.status,
                    "status_note": f.note,
                    "last_post_at": f.last_post_at,
                    "last_post_url": f.last_post_url,
                    "posts_7d": f.posts_7d,
                    "posts_30d": f.posts_30d,
                    "original_ratio_30d": f.original_ratio_30d,
                    "analysed_at": now,
                }
                for f in figures
            ],
        )
    return figures
