"""One analysis pass over what is stored: statuses, activity, findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from analysis.asof import AccountState, account_states
from analysis.content import check_posts
from analysis.findings import (
    FindingSpec,
    SyncCounts,
    judged_maintenance_prefixes,
    maintenance_findings,
    sync_findings,
)
from analysis.interaction import analyse_platforms
from analysis.links import link_findings
from analysis.registry_checks import outsourcing_findings, registry_findings
from analysis.reposts import evaluate_tasks, task_findings
from core.config import Config, Thresholds
from storage.db import Store
from storage.models import Account, utcnow


@dataclass
class AnalysisSummary:
    figures: list[AccountState]
    findings: SyncCounts
    statuses: Counter[str] = field(default_factory=Counter)
    posts_checked: int = 0


def analyse_accounts(
    session: Session, thresholds: Thresholds, now: datetime, account_ids: list[str] | None = None
) -> list[AccountState]:
    """The accounts (default: all) as of `now`, their status and activity stored on their rows: what
    the registry checks of this pass and the registry listing read between analyses."""
    states = account_states(session, thresholds, now, account_ids)
    if states:
        session.execute(
            update(Account),
            [
                {
                    "id": s.account_id,
                    "status": s.status,
                    "status_note": s.note,
                    "last_post_at": s.last_post_at,
                    "last_post_url": s.last_post_url,
                    "posts_7d": s.posts_7d,
                    "posts_30d": s.posts_30d,
                    "original_ratio_30d": s.original_ratio_30d,
                    "analysed_at": now,
                }
                for s in states
            ],
        )
    return states


def repost_task_findings(
    session: Session, config: Config, now: datetime, account_ids: Sequence[str] | None = None
) -> tuple[list[FindingSpec], dict[str, str]]:
    """The reposting tasks' findings (of ``account_ids`` only, when given) and what they judged."""
    specs, judged = task_findings(evaluate_tasks(session, config.tz, now), now, config.tz)
    if account_ids:
        wanted = set(account_ids)
        specs = [s for s in specs if s.account_id in wanted]
        judged = {p: r for p, r in judged.items() if p.split(":")[2] in wanted}
    return specs, judged


def analyse(
    config: Config, store: Store, account_ids: Sequence[str] | None = None, now: datetime | None = None
) -> AnalysisSummary:
    now = now or utcnow()
    with store.session() as session:
        figures = analyse_accounts(
            session, config.thresholds, now, list(account_ids) if account_ids else None
        )
        content = check_posts(session, config, now, account_ids)
        judged = dict.fromkeys(judged_maintenance_prefixes(figures), "帐号已恢复更新（自动复核）")
        judged.update(content.judged)
        platforms = analyse_platforms(session, config, figures, now)
        judged.update(platforms.judged)
        link_specs, link_judged = link_findings(
            session, config, now, account_ids
        )  # a post gone closes its links'
        judged.update(link_judged)
        counts = sync_findings(
            session,
            maintenance_findings(figures, config.tz, now) + content.specs + platforms.specs + link_specs,
            judged,
            now,
        )
        # Registry checks, then outsourced accounts' open problems (reads what is open now).
        for check in (
            lambda: registry_findings(session, config, now, account_ids),
            lambda: outsourcing_findings(session, now, account_ids),
        ):
            specs, registry_judged = check()  # in turn: outsourcing reads what the first pass opened
            more = sync_findings(session, specs, registry_judged, now)
            counts.opened.extend(more.opened)
            counts.rectified.extend(more.rectified)
            counts.updated += more.updated
        # Reposting tasks: late and missing reposts (信息质量), over the posts just stored.
        specs, task_judged = repost_task_findings(session, config, now, account_ids)
        more = sync_findings(session, specs, task_judged, now)
        counts.opened.extend(more.opened)
        counts.rectified.extend(more.rectified)
        counts.updated += more.updated
    return AnalysisSummary(figures, counts, Counter(f.status for f in figures), content.checked)
