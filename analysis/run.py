"""One analysis pass over what is stored: statuses, activity, findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from analysis.findings import (
    SyncCounts,
    judged_maintenance_prefixes,
    maintenance_findings,
    sync_findings,
)
from analysis.status import AccountFigures, analyse_accounts
from govwatch.config import Config
from storage.db import Store
from storage.models import utcnow


@dataclass
class AnalysisSummary:
    figures: list[AccountFigures]
    findings: SyncCounts
    statuses: Counter[str] = field(default_factory=Counter)


def analyse(
    config: Config, store: Store, account_ids: Sequence[str] | None = None, now: datetime | None = None
) -> AnalysisSummary:
    now = now or utcnow()
    with store.session() as session:
        figures = analyse_accounts(
            session, config.thresholds, now, list(account_ids) if account_ids else None
        )
        counts = sync_findings(
            session,
            maintenance_findings(figures, config.tz, now),
            judged_maintenance_prefixes(figures),
            now,
        )
    return AnalysisSummary(figures, counts, Counter(f.status for f in figures))
