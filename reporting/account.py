"""One account at a glance, for `govwatch rescan`: the as-of read model of it now (analysis/asof.py),
and what this rescan opened and rectified."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.asof import account_states
from analysis.scorecard import TREND_WEEKS, weekly_trend
from analysis.veto import quarter_figures
from core.config import Config
from core.vocabulary import AccountStatus, Category, Outcome, Severity
from reporting.trend import trend_svg, trend_text
from storage.models import Finding, utcnow


def account_card(
    session: Session,
    config: Config,
    account_id: str,
    rectified_ids: Sequence[int] = (),
    opened_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> str:
    states = account_states(session, config.thresholds, now or utcnow(), [account_id])
    if not states:
        raise LookupError(account_id)
    [account] = states
    tz = config.tz
    lines = [f"{account.name}（{account.account_id}，{account.unit}）"]
    status = AccountStatus.label_of(account.status, missing=account.status)
    lines.append(
        f"  状态 / status: {status} ({account.status})" + (f" — {account.note}" if account.note else "")
    )
    if account.last_post_at:
        lines.append(
            f"  最后发布 / last post: {account.last_post_at.astimezone(tz):%Y-%m-%d %H:%M}"
            f"（{account.days_since_last_post} 天前）"
        )
        if account.last_post_url:
            lines.append(f"    {account.last_post_url}")
    else:
        lines.append("  最后发布 / last post: 无 / none")
    attempt = account.last_attempt
    outcome = attempt.outcome if attempt else "—"
    detail = f" — {attempt.detail}" if attempt and attempt.detail else ""
    lines.append(f"  本次抓取 / crawl: {Outcome.label_of(outcome)} ({outcome}){detail}")
    lines.append(f"  近7天 {account.posts_7d} 条，近30天 {account.posts_30d} 条")
    weeks, counts = weekly_trend(session, account_id, now or utcnow(), tz)
    lines.append(
        f"  近{TREND_WEEKS}周每周发布 / posts per week: |{trend_text(counts)}|"
        f" {weeks[0]:%m-%d} 起，共 {sum(counts)} 条，最多一周 {max(counts)} 条"
    )
    if account.veto is not None:
        lines.append(f"  两周否决 / veto: {account.veto.text}")
        quarter = quarter_figures(session, states, config.thresholds, tz).get(account_id)
        if quarter is not None:
            gap = f"{quarter.longest_gap_days} 天" if quarter.longest_gap_days is not None else "—"
            lines.append(
                f"  {quarter.quarter}：超期 {quarter.days_overdue} 天，最长未更新间隔 {gap}"
                f" / days overdue {quarter.days_overdue}, longest gap {gap}"
            )
    lines.append(f"  未整改问题 / open findings: {len(account.findings)}")
    for f in account.findings:
        lines.append(
            f"    #{f.id} [{Severity.label_of(f.severity)}] {Category.label_of(f.category)} {f.rule}: {f.evidence}"
        )
    if opened_ids:
        fresh = list(
            session.scalars(
                select(Finding).where(Finding.id.in_(list(opened_ids)), Finding.account_id == account_id)
            )
        )
        if fresh:
            lines.append(f"  本次新发现 / new now: {len(fresh)}")
            for f in fresh:
                lines.append(f"    #{f.id} {Category.label_of(f.category)} {f.rule}: {f.evidence}")
    if rectified_ids:
        fixed = list(session.scalars(select(Finding).where(Finding.id.in_(list(rectified_ids)))))
        lines.append(f"  本次确认已整改 / rectified now: {len(fixed)}")
        for f in fixed:
            lines.append(f"    #{f.id} {Category.label_of(f.category)} {f.rule}: {f.evidence}")
    return "\n".join(lines)


def account_trend_svg(session: Session, config: Config, account_id: str, now: datetime | None = None) -> str:
    """The card's 26-week chart as inline SVG, for a page or a mail (no script, no external reference)."""
    weeks, counts = weekly_trend(session, account_id, now or utcnow(), config.tz)
    return trend_svg(counts, weeks)
