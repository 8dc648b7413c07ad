"""Interaction findings and figures: services that don't work,
questions from the public left unanswered, reply rate and delay.

Working days are Monday to Friday, minus the holidays listed in config
(interaction.holidays); local rules give 5 working days for a reply.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.asof import AccountState
from analysis.findings import FindingSpec
from core import rules
from core.config import Config
from core.vocabulary import AccountStatus, CommentPermission, Severity
from storage import repo
from storage.models import Account, Comment

_QUESTION = re.compile(
    r"[?？]|请问|怎么|如何|什么时候|何时|哪里|能否|能不能|可不可以|可以吗|咨询|多久|为什么|吗[。！!～~ ]*$"
)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


def working_days_between(start: datetime, end: datetime, tz: ZoneInfo, holidays: Iterable[date] = ()) -> int:
    """Working days (Mon-Fri, not a holiday) after the day of `start`, up to and including the day of `end`."""
    off = set(holidays)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    days = 0
    day = first + timedelta(days=1)
    while day <= last:
        if day.weekday() < 5 and day not in off:
            days += 1
        day += timedelta(days=1)
    return days


@dataclass
class InteractionFigures:
    account_id: str
    questions: int = 0
    answered: int = 0
    delays_hours: list[float] = field(default_factory=list)
    overdue: list[Comment] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.delays_hours), 2) if self.delays_hours else None


def interaction_figures(
    session: Session, config: Config, now: datetime, account_ids: Sequence[str] | None = None
) -> dict[str, InteractionFigures]:
    settings = config.interaction
    since = now - timedelta(days=settings.window_days)
    query = select(Comment).where(Comment.published_at >= since - timedelta(days=30))
    if account_ids is not None:
        query = query.where(Comment.account_id.in_(list(account_ids)))
    by_account: dict[str, list[Comment]] = {}
    for comment in session.scalars(query):
        by_account.setdefault(comment.account_id, []).append(comment)
    result: dict[str, InteractionFigures] = {}
    for account_id, comments in by_account.items():
        replies: dict[str, datetime] = {}
        for c in comments:
            if c.by_account and c.reply_to and c.published_at is not None:
                first = replies.get(c.reply_to)
                replies[c.reply_to] = c.published_at if first is None else min(first, c.published_at)
        figures = InteractionFigures(account_id)
        for c in comments:
            if c.by_account or c.reply_to or c.published_at is None or c.published_at < since:
                continue
            if not is_question(c.text):
                continue
            figures.questions += 1
            answered_at = replies.get(c.platform_comment_id)
            if answered_at is not None:
                figures.answered += 1
                figures.delays_hours.append(max(0.0, (answered_at - c.published_at).total_seconds() / 3600))
            elif (
                working_days_between(c.published_at, now, config.tz, settings.holidays)
                > settings.reply_working_days
            ):
                figures.overdue.append(c)
        result[account_id] = figures
    return result


def store_interaction(
    session: Session, figures: dict[str, InteractionFigures], account_ids: Sequence[str]
) -> None:
    rows = []
    for account_id in account_ids:
        f = figures.get(account_id)
        rows.append(
            {
                "id": account_id,
                "reply_rate_30d": f.reply_rate if f else None,
                "reply_median_hours_30d": f.median_hours if f else None,
            }
        )
    if rows:
        session.execute(update(Account), rows)


def interaction_prefix(account_id: str) -> str:
    return f"interact:{account_id}:"


def interaction_findings(figures: dict[str, InteractionFigures], config: Config) -> list[FindingSpec]:
    specs = []
    days = config.interaction.reply_working_days
    for account_id, f in sorted(figures.items()):
        if not f.overdue:
            continue
        oldest = min(f.overdue, key=lambda c: c.published_at)
        when = oldest.published_at.astimezone(config.tz)
        text = oldest.text if len(oldest.text) <= 40 else oldest.text[:40] + "…"
        specs.append(
            FindingSpec.of(
                rules.INTERACTION_UNANSWERED,
                fingerprint=interaction_prefix(account_id) + "unanswered",
                account_id=account_id,
                evidence=(
                    f"{len(f.overdue)} 条公众提问超过 {days} 个工作日未回复；最早一条 {when:%Y-%m-%d %H:%M}：「{text}」"
                ),
                details={
                    "overdue": len(f.overdue),
                    "questions_30d": f.questions,
                    "answered_30d": f.answered,
                    "reply_rate_30d": f.reply_rate,
                    "comment_ids": [c.platform_comment_id for c in f.overdue][:20],
                },
            )
        )
    return specs


# --- interaction switched off (评论关闭或受限) ---------------------------------------------


def comments_off_prefix(account_id: str) -> str:
    return f"comoff:{account_id}:"


@dataclass
class CommentsOff:
    """An account's newest posts and how many of them the public cannot freely comment on."""

    account_id: str
    posts: int  # newest live posts looked at
    known: int  # of them, those whose page says whether the public may comment
    limited: list[str | None]  # urls of posts with comments closed or limited
    not_shown: list[str | None]  # urls of posts whose page shows no 留言 function

    @property
    def off(self) -> int:
        return len(self.limited) + len(self.not_shown)


def comments_off(session: Session, config: Config, account_ids: Sequence[str]) -> dict[str, CommentsOff]:
    settings = config.interaction
    result = {}
    rows = repo.newest_comment_permissions(session, list(account_ids), settings.comments_off_posts)
    for account_id, posts in rows.items():
        known = [(p, url) for p, url in posts if p is not None]
        result[account_id] = CommentsOff(
            account_id,
            posts=len(posts),
            known=len(known),
            limited=[url for p, url in known if p == CommentPermission.LIMITED],
            not_shown=[url for p, url in known if p == CommentPermission.NOT_SHOWN],
        )
    return result


def comments_off_findings(
    figures: dict[str, CommentsOff], config: Config
) -> tuple[list[FindingSpec], list[str]]:
    """A finding when interaction is switched off on most of an account's newest posts whose comment
    permission is known (an unknown permission never counts); the accounts judged: those with enough
    known posts to say either way (fewer known posts leave an open finding as it is)."""
    settings = config.interaction
    specs, judged = [], []
    for account_id, f in sorted(figures.items()):
        if f.known < settings.comments_off_min_known:
            continue
        judged.append(comments_off_prefix(account_id))
        if f.off == 0 or f.off < settings.comments_off_share * f.known:
            continue
        urls = [u for u in f.limited + f.not_shown if u]
        unconfirmed = not f.limited  # only pages without a 留言 function say so
        what = (
            "页面未显示留言功能（可能为单位关闭，也可能是平台未开通留言），需人工确认"
            if unconfirmed
            else "评论已关闭或受限"
        )
        evidence = (
            f"最近 {f.posts} 条帖子中，{f.known} 条可判断评论权限，其中 {f.off} 条{what}"
            + (
                f"（{len(f.limited)} 条评论关闭或受限，{len(f.not_shown)} 条未见留言功能）"
                if f.limited and f.not_shown
                else ""
            )
            + ("；例：" + "，".join(urls[:3]) if urls else "")
        )
        specs.append(
            FindingSpec.of(
                rules.INTERACTION_COMMENTS_OFF,
                fingerprint=comments_off_prefix(account_id) + "comments",
                account_id=account_id,
                evidence=evidence,
                evidence_url=urls[0] if urls else None,
                severity=Severity.MINOR if unconfirmed else rules.INTERACTION_COMMENTS_OFF.severity,
                details={
                    "posts": f.posts,
                    "known": f.known,
                    "comments_limited": len(f.limited),
                    "comments_not_shown": len(f.not_shown),
                    "needs_confirmation": unconfirmed,
                    "urls": urls[:20],
                },
            )
        )
    return specs, judged


# --- services ------------------------------------------------------------------------


def service_prefix(account_id: str) -> str:
    return f"svc:{account_id}:"


def service_findings(
    session: Session, figures: Sequence[AccountState]
) -> tuple[list[FindingSpec], list[str]]:
    """poor_maintenance for an app or service that cannot be installed or used."""
    service = [f for f in figures if f.status in (AccountStatus.AVAILABLE, AccountStatus.UNAVAILABLE)]
    if not service:
        return [], []
    rows = dict(
        session.execute(
            select(Account.id, Account.last_crawl_detail).where(
                Account.id.in_([f.account_id for f in service])
            )
        ).all()
    )
    platforms = dict(
        session.execute(
            select(Account.id, Account.platform).where(Account.id.in_([f.account_id for f in service]))
        ).all()
    )
    specs = []
    for f in service:
        if f.status != AccountStatus.UNAVAILABLE:
            continue
        what = "移动客户端无法安装或无法使用" if platforms.get(f.account_id) == "app" else "服务无法使用"
        specs.append(
            FindingSpec.of(
                rules.SERVICE_UNAVAILABLE,
                fingerprint=service_prefix(f.account_id) + "unavailable",
                account_id=f.account_id,
                evidence=f"{what}：{rows.get(f.account_id) or f.note or '检测失败'}",
                details={"status": f.status},
            )
        )
    return specs, [service_prefix(f.account_id) for f in service]


@dataclass
class PlatformAnalysis:
    specs: list[FindingSpec]
    judged: dict[str, str]


def analyse_platforms(
    session: Session,
    config: Config,
    figures: Sequence[AccountState],
    now: datetime,
    account_ids: Sequence[str] | None = None,
) -> PlatformAnalysis:
    ids = [f.account_id for f in figures]
    interaction = interaction_figures(session, config, now, ids)
    store_interaction(session, interaction, ids)
    specs = interaction_findings(interaction, config)
    judged = dict.fromkeys((interaction_prefix(i) for i in ids), "公众提问已回复（自动复核）")
    off_specs, off_judged = comments_off_findings(comments_off(session, config, ids), config)
    specs += off_specs
    judged.update(dict.fromkeys(off_judged, "评论（留言）功能已恢复（自动复核）"))
    svc_specs, svc_judged = service_findings(session, figures)
    specs += svc_specs
    judged.update(dict.fromkeys(svc_judged, "服务已恢复可用（自动复核）"))
    return PlatformAnalysis(specs, judged)
