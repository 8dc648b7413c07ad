"""Findings: what should be open now, reconciled with what is stored.

A finding is identified by its fingerprint (the same problem seen again keeps
its first_seen, so a report can say how long it has lasted). Open findings
that are no longer true become ``rectified``; a dismissed finding stays
dismissed while its cause persists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from analysis.asof import AccountState
from analysis.status import days_between
from core import rules
from core.rules import Rule
from core.vocabulary import AccountStatus, FindingEventKind, FindingState
from storage.models import Finding, FindingEvent


@dataclass(frozen=True)
class FindingSpec:
    fingerprint: str
    account_id: str
    category: str
    rule: str
    severity: str
    evidence: str
    evidence_url: str | None = None
    post_id: int | None = None
    details: dict | None = field(default=None, hash=False)

    @classmethod
    def of(cls, rule: Rule, fingerprint: str, account_id: str, evidence: str, **more: Any) -> FindingSpec:
        """A finding of a catalogued rule: its id, its problem class and (unless ``more`` gives
        one) its severity come from the rule catalogue."""
        more.setdefault("severity", rule.severity)
        return cls(
            fingerprint=fingerprint,
            account_id=account_id,
            category=rule.category,
            rule=rule.id,
            evidence=evidence,
            **more,
        )


@dataclass
class SyncCounts:
    opened: list[int] = field(default_factory=list)
    updated: int = 0
    rectified: list[int] = field(default_factory=list)


RECTIFIED = "问题已消除（自动复核）"
SYSTEM_ACTOR = "govwatch"  # the actor of automatic lifecycle events (finding_events)


def _colon_prefixes(fingerprint: str) -> Iterator[str]:
    """'text:a:12:ad.contact' -> 'text:', 'text:a:', 'text:a:12:'."""
    end = fingerprint.find(":")
    while end != -1:
        yield fingerprint[: end + 1]
        end = fingerprint.find(":", end + 1)


def sync_findings(
    session: Session,
    desired: Sequence[FindingSpec],
    judged_prefixes: Iterable[str] | Mapping[str, str],
    now: datetime,
) -> SyncCounts:
    """Make stored findings match ``desired``.

    ``judged_prefixes``: fingerprint prefixes (ending in ':') whose open findings this
    pass was in a position to judge; an open one of those not in ``desired`` is
    rectified. A mapping gives the reason recorded for each prefix.
    """
    counts = SyncCounts()
    reasons = (
        dict(judged_prefixes)
        if isinstance(judged_prefixes, Mapping)
        else dict.fromkeys(judged_prefixes, RECTIFIED)
    )
    wanted = {spec.fingerprint: spec for spec in desired}
    # Plain rows, bulk statements: ten thousand accounts' findings without an ORM object each.
    existing: dict[str, tuple[int, str]] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(Finding.fingerprint, Finding.id, Finding.status).where(
                Finding.fingerprint.in_(keys[start : start + 500])
            )
        )
        for fingerprint, pk, status in rows:
            existing[fingerprint] = (pk, status)

    new_rows, updates, events = [], [], []
    for fingerprint, spec in wanted.items():
        values = dict(
            account_id=spec.account_id,
            post_id=spec.post_id,
            category=spec.category,
            rule=spec.rule,
            severity=spec.severity,
            evidence=spec.evidence,
            evidence_url=spec.evidence_url,
            details=spec.details,
            last_seen=now,
        )
        found = existing.get(fingerprint)
        if found is None:
            new_rows.append(
                dict(
                    values,
                    fingerprint=fingerprint,
                    first_seen=now,
                    status=FindingState.OPEN,
                    status_changed_at=now,
                )
            )
            continue
        pk, status = found
        if status == FindingState.RECTIFIED:  # the problem came back: a new episode
            values.update(status=FindingState.OPEN, first_seen=now, status_changed_at=now, status_reason=None)
            events.append(dict(finding_id=pk, at=now, event=FindingEventKind.REOPENED, actor=SYSTEM_ACTOR))
            counts.opened.append(pk)
        else:
            counts.updated += 1
        updates.append(dict(values, id=pk))
    if updates:
        session.execute(update(Finding), updates)
    for start in range(0, len(new_rows), 500):
        ids = session.scalars(
            insert(Finding).returning(Finding.id, sort_by_parameter_order=True), new_rows[start : start + 500]
        ).all()
        counts.opened.extend(ids)
        events.extend(
            dict(finding_id=pk, at=now, event=FindingEventKind.OPENED, actor=SYSTEM_ACTOR) for pk in ids
        )

    if reasons:
        rectified = []
        for pk, fingerprint in session.execute(
            select(Finding.id, Finding.fingerprint).where(Finding.status == FindingState.OPEN)
        ):
            if fingerprint in wanted:
                continue
            prefix = next((p for p in _colon_prefixes(fingerprint) if p in reasons), None)
            if prefix is None:
                continue
            reason = reasons[prefix]
            rectified.append(
                dict(id=pk, status=FindingState.RECTIFIED, status_changed_at=now, status_reason=reason)
            )
            events.append(
                dict(
                    finding_id=pk, at=now, event=FindingEventKind.RECTIFIED, reason=reason, actor=SYSTEM_ACTOR
                )
            )
            counts.rectified.append(pk)
        if rectified:
            session.execute(update(Finding), rectified)
    if events:
        session.execute(insert(FindingEvent), events)
    return counts


# The maintenance rule of each status that is a maintenance problem.
MAINTENANCE: dict[str, Rule] = {
    AccountStatus.STALE: rules.MAINTENANCE_STALE,
    AccountStatus.ZOMBIE: rules.MAINTENANCE_ZOMBIE,
    AccountStatus.EMPTY: rules.MAINTENANCE_EMPTY,
    AccountStatus.UNREACHABLE: rules.MAINTENANCE_UNREACHABLE,
}
# Statuses from which we can say the maintenance problem is gone.
MAINTENANCE_JUDGED = (
    AccountStatus.ACTIVE,
    AccountStatus.WARNING,
    AccountStatus.STALE,
    AccountStatus.ZOMBIE,
    AccountStatus.EMPTY,
    AccountStatus.UNREACHABLE,
    AccountStatus.CLOSED,
)


def maintenance_prefix(account_id: str) -> str:
    """Fingerprint prefixes end with a colon, so one account's never covers another's."""
    return f"maint:{account_id}:"


def maintenance_findings(figures: Sequence[AccountState], tz: ZoneInfo, now: datetime) -> list[FindingSpec]:
    specs = []
    for f in figures:
        rule = MAINTENANCE.get(f.status)
        if rule is None:
            continue
        if f.status == AccountStatus.EMPTY:
            evidence = "抓取成功，但帐号内没有任何已发布内容（空壳）"
        elif f.status == AccountStatus.UNREACHABLE:
            evidence = f.note or "帐号无法访问"
        else:
            last = f.last_post_at.astimezone(tz) if f.last_post_at else None
            label = AccountStatus.label_of(f.status)
            evidence = (
                f"最后发布于 {last:%Y-%m-%d %H:%M}（{days_between(f.last_post_at, now)} 天前），{label}"
                if last
                else label
            )
        specs.append(
            FindingSpec.of(
                rule,
                fingerprint=maintenance_prefix(f.account_id) + "status",
                account_id=f.account_id,
                evidence=evidence,
                evidence_url=f.last_post_url
                if f.status in (AccountStatus.STALE, AccountStatus.ZOMBIE)
                else None,
                details={
                    "status": f.status,
                    "last_post_at": f.last_post_at.isoformat() if f.last_post_at else None,
                },
            )
        )
    return specs


def judged_maintenance_prefixes(figures: Sequence[AccountState]) -> list[str]:
    return [maintenance_prefix(f.account_id) for f in figures if f.status in MAINTENANCE_JUDGED]
