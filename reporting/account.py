"""One account at a glance, for `govwatch rescan`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.vocabulary import AccountStatus, Category, FindingState, Outcome, Severity
from storage.models import Account, Finding, utcnow


def account_card(
    session: Session,
    config: Config,
    account_id: str,
    rectified_ids: Sequence[int] = (),
    opened_ids: Sequence[int] = (),
) -> str:
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(account_id)
    tz = config.tz
    now = utcnow()
    lines = [f"{account.name}（{account.id}，{account.unit.name}）"]
    status = AccountStatus.label_of(account.status, missing=account.status)
    lines.append(
        f"  状态 / status: {status} ({account.status})"
        + (f" — {account.status_note}" if account.status_note else "")
    )
    if account.last_post_at:
        days = (now - account.last_post_at).days
        lines.append(
            f"  最后发布 / last post: {account.last_post_at.astimezone(tz):%Y-%m-%d %H:%M}（{days} 天前）"
        )
        if account.last_post_url:
            lines.append(f"    {account.last_post_url}")
    else:
        lines.append("  最后发布 / last post: 无 / none")
    outcome = account.last_crawl_outcome or "—"
    detail = f" — {account.last_crawl_detail}" if account.last_crawl_detail else ""
    lines.append(f"  本次抓取 / crawl: {Outcome.label_of(outcome)} ({outcome}){detail}")
    lines.append(f"  近7天 {account.posts_7d} 条，近30天 {account.posts_30d} 条")
    open_findings = list(
        session.scalars(
            select(Finding)
            .where(Finding.account_id == account_id, Finding.status == FindingState.OPEN)
            .order_by(Finding.id)
        )
    )
    lines.append(f"  未整改问题 / open findings: {len(open_findings)}")
    for f in open_findings:
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
