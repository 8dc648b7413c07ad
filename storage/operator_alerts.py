"""The operator alerts (运维告警): one row per (platform, kind), open until resolved.

What opens or resolves one is decided by analysis/crawl_health.py; these are the writes it
asks for. The weekly report shows the alerts open during its week.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import OperatorAlert, utcnow


def raise_alert(
    session: Session,
    *,
    platform: str,
    kind: str,
    message: str,
    affected: int,
    total: int,
    run_id: int | None,
    now: datetime | None = None,
) -> tuple[OperatorAlert, bool]:
    """Open (or refresh) the alert of (platform, kind); returns it and whether it is new."""
    now = now or utcnow()
    fingerprint = f"{kind}:{platform}"
    alert = session.scalar(select(OperatorAlert).where(OperatorAlert.fingerprint == fingerprint))
    new = alert is None or alert.status != "open"
    if alert is None:
        alert = OperatorAlert(fingerprint=fingerprint, platform=platform, kind=kind, first_seen=now)
        session.add(alert)
    elif new:
        alert.first_seen = now
    alert.status = "open"
    alert.resolved_at = None
    alert.message = message
    alert.accounts_affected = affected
    alert.accounts_total = total
    alert.run_id = run_id
    alert.last_seen = now
    session.flush()
    return alert, new


def resolve_alerts(session: Session, platform: str, kinds: Iterable[str], now: datetime | None = None) -> int:
    now = now or utcnow()
    result = session.execute(
        update(OperatorAlert)
        .where(
            OperatorAlert.platform == platform,
            OperatorAlert.kind.in_(list(kinds)),
            OperatorAlert.status == "open",
        )
        .values(status="resolved", resolved_at=now)
    )
    return result.rowcount or 0
