"""Findings over past weeks: repeat offenders (屡查屡犯).

An account is a repeat offender when it had a finding open in at least
``repeat_weeks`` of the last ``repeat_window`` weeks (config ``report.repeat_weeks``
and ``report.repeat_window``; 3 of 4 by default), the report's week included.
"Open in a week" means open at some moment of it: first seen before the week
ended and not closed before it began. Dismissed findings (false positives) do
not count. One query for all accounts, from stored rows alone, so a past
week's report gives the same answer when rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.vocabulary import FindingEventKind, FindingState
from storage.models import Finding, FindingEvent

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class RepeatRecord:
    account_id: str
    weeks_open: int  # weeks of the window with a finding open
    window: int
    categories: tuple[str, ...]  # problem classes seen in the window, sorted


def weeks_with_open_findings(
    session: Session,
    week_end: datetime,
    window: int,
    as_of: datetime | None = None,
    account_ids: Iterable[str] | None = None,
) -> dict[str, tuple[list[bool], set[str]]]:
    """Per account: for each of the `window` weeks ending at `week_end` (oldest first), whether a
    finding was open in it; and the categories of those findings.

    `as_of` (default `week_end`) caps what is known: a finding first seen later is ignored, and a
    finding closed after `as_of` counts as still open then.
    """
    as_of = as_of or week_end
    start = week_end - window * WEEK
    query = select(
        Finding.account_id, Finding.category, Finding.first_seen, Finding.status, Finding.status_changed_at
    ).where(
        Finding.first_seen < min(week_end, as_of),
        Finding.status != FindingState.DISMISSED,
        or_(
            Finding.status == FindingState.OPEN,
            Finding.status_changed_at.is_(None),
            Finding.status_changed_at >= start,
        ),
    )
    if account_ids is not None:
        query = query.where(Finding.account_id.in_(list(account_ids)))
    out: dict[str, tuple[list[bool], set[str]]] = defaultdict(lambda: ([False] * window, set()))
    for account_id, category, first_seen, status, changed in session.execute(query):
        closed = changed if status != FindingState.OPEN and changed is not None and changed <= as_of else None
        flags, categories = out[account_id]
        hit = False
        for i in range(window):
            w_start = start + i * WEEK
            w_end = w_start + WEEK
            if first_seen < w_end and (closed is None or closed >= w_start):
                flags[i] = True
                hit = True
        if hit:
            categories.add(category)
    # Earlier episodes: a finding rectified and opened again keeps only its latest first_seen,
    # but its finding_events (opened/reopened ... rectified) remember every episode.
    events = select(
        FindingEvent.finding_id, Finding.account_id, Finding.category, FindingEvent.event, FindingEvent.at
    ).join(Finding, Finding.id == FindingEvent.finding_id)
    events = events.where(
        Finding.status != FindingState.DISMISSED,
        FindingEvent.at < min(week_end, as_of),
        or_(Finding.status == FindingState.OPEN, Finding.status_changed_at >= start),
    )
    if account_ids is not None:
        events = events.where(Finding.account_id.in_(list(account_ids)))
    episodes: dict[int, list] = defaultdict(list)
    for finding_id, account_id, category, event, at in session.execute(
        events.order_by(FindingEvent.finding_id, FindingEvent.at, FindingEvent.id)
    ):
        episodes[finding_id].append((account_id, category, event, at))
    for rows in episodes.values():
        opened_at = None
        for account_id, category, event, at in rows:
            if event in (FindingEventKind.OPENED, FindingEventKind.REOPENED):
                opened_at = opened_at or at
            elif opened_at is not None:  # rectified or dismissed: an episode ends
                _mark(out, account_id, category, opened_at, at, start, window)
                opened_at = None
    return dict(out)


def _mark(  # noqa: ANN202
    out,
    account_id: str,
    category: str,
    opened: datetime,
    closed: datetime,
    start: datetime,
    window: int,  # noqa: ANN001
):
    flags, categories = out[account_id]
    for i in range(window):
        w_start = start + i * WEEK
        if opened < w_start + WEEK and closed >= w_start:
            flags[i] = True
            categories.add(category)


def repeat_offenders(
    session: Session,
    week_end: datetime,
    repeat_weeks: int,
    window: int,
    as_of: datetime | None = None,
    account_ids: Iterable[str] | None = None,
) -> dict[str, RepeatRecord]:
    """Accounts with a finding open in at least `repeat_weeks` of the last `window` weeks."""
    result = {}
    for account_id, (flags, categories) in weeks_with_open_findings(
        session, week_end, window, as_of, account_ids
    ).items():
        count = sum(flags)
        if count >= repeat_weeks:
            result[account_id] = RepeatRecord(account_id, count, window, tuple(sorted(categories)))
    return result
