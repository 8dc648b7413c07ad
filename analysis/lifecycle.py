"""A finding's lifecycle by hand: dismiss or reopen with a reason, list, show the history.

open -> rectified happens automatically (analysis/findings.py sync_findings, which also
records opened/reopened/rectified in finding_events). A person dismisses a finding
(a false alarm, an approved exception) with a reason; it stays dismissed while its
cause persists, and the dismissal is kept in the history with who and when. A dismissal made
in error is undone by reopening the finding (with a reason): it is open again, and the next
analysis keeps it open or rectifies it as it would any open finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.findings import SYSTEM_ACTOR
from analysis.history import repeat_offenders
from core.config import Config
from core.vocabulary import Category, FindingEventKind, FindingState, Severity
from storage.models import Finding, FindingEvent, utcnow


class LifecycleError(LookupError):
    """No such finding, or a change that does not apply to it."""


def _finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LifecycleError(f"没有编号为 {finding_id} 的问题 / no finding #{finding_id}")
    return finding


def _change(
    session: Session, finding: Finding, status: str, event: str, reason: str, actor: str, now: datetime
) -> None:
    """Move the finding to `status` from `now`, with the reason, and record the event with who."""
    finding.status = status
    finding.status_changed_at = now
    finding.status_reason = reason
    session.add(FindingEvent(finding_id=finding.id, at=now, event=event, reason=reason, actor=actor))


def dismiss_finding(
    session: Session, finding_id: int, reason: str, actor: str, now: datetime | None = None
) -> str:
    now = now or utcnow()
    finding = _finding(session, finding_id)
    if finding.status == FindingState.DISMISSED:
        return f"#{finding_id} 已是排除状态（{finding.status_reason}）/ already dismissed"
    _change(session, finding, FindingState.DISMISSED, FindingEventKind.DISMISSED, reason, actor, now)
    return f"#{finding_id} 已排除 / dismissed: {finding.account_id} {finding.rule}（理由：{reason}；{actor}）"


def reopen_finding(
    session: Session, finding_id: int, reason: str, actor: str, now: datetime | None = None
) -> str:
    """Undo a dismissal: the finding is open again from now, recorded with who and why."""
    now = now or utcnow()
    finding = _finding(session, finding_id)
    if finding.status != FindingState.DISMISSED:
        label = FindingState.label_of(finding.status)
        raise LifecycleError(
            f"#{finding_id} 是“{label}”状态，只有已排除的问题可以恢复 / "
            f"finding #{finding_id} is {finding.status}: only a dismissed finding can be reopened"
        )
    # "reopened" starts a new episode for the repeat-offender count, as when a problem comes back.
    _change(session, finding, FindingState.OPEN, FindingEventKind.REOPENED, reason, actor, now)
    return f"#{finding_id} 已恢复为未整改 / reopened: {finding.account_id} {finding.rule}（理由：{reason}；{actor}）"


def rectify_finding(
    session: Session, finding_id: int, reason: str, actor: str, now: datetime | None = None
) -> str:
    """A unit says it fixed an open finding (the web console's 标记已整改): rectified from now, with
    who and why. The next analysis checks the claim: a cause still present opens it again
    (analysis/findings.py, a new episode), as any rectified problem that comes back."""
    now = now or utcnow()
    finding = _finding(session, finding_id)
    if finding.status != FindingState.OPEN:
        label = FindingState.label_of(finding.status)
        raise LifecycleError(
            f"#{finding_id} 是“{label}”状态，只有未整改的问题可以标记整改 / "
            f"finding #{finding_id} is {finding.status}: only an open finding can be marked rectified"
        )
    _change(session, finding, FindingState.RECTIFIED, FindingEventKind.RECTIFIED, reason, actor, now)
    return f"#{finding_id} 已标记整改 / marked rectified: {finding.account_id} {finding.rule}（理由：{reason}；{actor}）"


@dataclass
class FindingRow:
    id: int
    account_id: str
    category: str
    category_label: str
    rule: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    first_seen: str
    evidence: str
    repeat: bool


def list_findings(
    session: Session,
    config: Config,
    status: str = FindingState.OPEN,
    account_ids: Sequence[str] = (),
    now: datetime | None = None,
) -> list[FindingRow]:
    """Findings, repeat offenders' first, then by severity and age."""
    now = now or utcnow()
    query = select(Finding)
    if status != "all":
        query = query.where(Finding.status == status)
    if account_ids:
        query = query.where(Finding.account_id.in_(list(account_ids)))
    findings = list(session.scalars(query))
    settings = config.report
    repeats = repeat_offenders(
        session, now, settings.repeat_weeks, settings.repeat_window, account_ids=list(account_ids) or None
    )
    tz = config.tz
    rows = [
        FindingRow(
            id=f.id,
            account_id=f.account_id,
            category=f.category,
            category_label=Category.label_of(f.category),
            rule=f.rule,
            severity=f.severity,
            severity_label=Severity.label_of(f.severity),
            status=f.status,
            status_label=FindingState.label_of(f.status),
            first_seen=f"{f.first_seen.astimezone(tz):%Y-%m-%d}",
            evidence=f.evidence,
            repeat=f.account_id in repeats,
        )
        for f in findings
    ]
    rows.sort(key=lambda r: (not r.repeat, Severity.rank(r.severity), r.first_seen, r.id))
    return rows


def finding_history(session: Session, config: Config, finding_id: int) -> list[str]:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LifecycleError(f"没有编号为 {finding_id} 的问题 / no finding #{finding_id}")
    tz = config.tz
    lines = [
        f"#{finding.id} {finding.account_id} {Category.label_of(finding.category)} "
        f"{finding.rule}：{finding.evidence}",
        f"  当前状态 / status: {FindingState.label_of(finding.status)} ({finding.status})",
    ]
    events = session.scalars(
        select(FindingEvent)
        .where(FindingEvent.finding_id == finding_id)
        .order_by(FindingEvent.at, FindingEvent.id)
    )
    for event in events:
        reason = f"：{event.reason}" if event.reason else ""
        label = FindingEventKind.label_of(event.event)
        if event.event == FindingEventKind.REOPENED and event.actor not in (None, SYSTEM_ACTOR):
            label = "人工恢复"
        lines.append(
            f"  {event.at.astimezone(tz):%Y-%m-%d %H:%M} {label} "
            f"({event.event}) — {event.actor or '?'}{reason}"
        )
    return lines
