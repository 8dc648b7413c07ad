"""The two-week veto (两周未更新，单项否决) as inspectors compute it.

The countdown itself is part of every account's state (analysis/status.py's ``countdown``, kept
on ``AccountState.veto``). Here: per calendar quarter (in the configured zone), the days an
account was out of compliance (``thresholds.stale_days`` or more days since its last post) and
the longest gap between its posts; and the accounts due a warning to their supervisor
(``alerts.veto_warning_days`` without a post, the veto not yet fallen).

Days are calendar days in the configured zone. A day counts only from stored posts: an account
never read successfully has no figures (None), never a quarter of days without posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analysis.asof import AccountState, account_states
from core.config import Config, Thresholds
from core.vocabulary import VetoState
from storage import asof as rows


@dataclass(frozen=True, slots=True)
class QuarterFigures:
    """One account's quarter so far: what an inspector's check of it would find."""

    quarter: str  # "2026Q4"
    days_overdue: int  # days of the quarter on which the last post was stale_days or more days old
    longest_gap_days: int | None  # longest run between posts (or from the last post to now); None: no posts


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _figures(days: list[date], first: date, last: date, stale_days: int) -> tuple[int, int | None]:
    """(days overdue in [first, last], longest gap) from the sorted post days, the newest one before
    `first` included when there is one."""
    if not days:
        return 0, None
    overdue = 0
    longest = 0
    ends = [*days[1:], last + timedelta(days=1)]
    for posted, next_post in zip(days, ends, strict=True):
        gap_end = min(next_post, last + timedelta(days=1))  # exclusive
        if next_post <= last:
            longest = max(longest, (next_post - posted).days)
        else:
            longest = max(longest, (last - posted).days)
        from_day = max(posted + timedelta(days=stale_days), first)
        overdue += max(0, (gap_end - from_day).days)
    return overdue, longest


def quarter_figures(
    session: Session, states: Sequence[AccountState], thresholds: Thresholds, tz: ZoneInfo
) -> dict[str, QuarterFigures]:
    """The quarter figures of the publishing accounts among `states` (all read as of one moment),
    for the quarter that moment falls in. Accounts never read successfully are left out."""
    counted = [s for s in states if s.veto is not None and s.last_ok_at is not None]
    if not counted:
        return {}
    t = counted[0].as_of
    last = t.astimezone(tz).date()
    first = quarter_start(last)
    since = datetime(first.year, first.month, first.day, tzinfo=tz)
    days: dict[str, set[date]] = defaultdict(set)
    for account_id, published_at in rows.post_times(session, since, t, [s.account_id for s in counted]):
        if published_at.tzinfo is None:  # SQLite returns naive UTC
            published_at = published_at.replace(tzinfo=ZoneInfo("UTC"))
        days[account_id].add(min(published_at.astimezone(tz).date(), last))
    label = f"{first.year}Q{(first.month - 1) // 3 + 1}"
    out = {}
    for s in counted:
        overdue, longest = _figures(sorted(days.get(s.account_id, ())), first, last, thresholds.stale_days)
        out[s.account_id] = QuarterFigures(label, overdue, longest)
    return out


def veto_warnings(session: Session, config: Config, t: datetime) -> list[AccountState]:
    """The publishing accounts to warn about at `t`: read successfully last time, and
    ``alerts.veto_warning_days`` or more days without a post while the veto has not fallen yet."""
    warn = config.alerts.veto_warning_days
    if warn is None or warn >= config.thresholds.stale_days:  # a warning after the veto is none
        return []
    return [
        s
        for s in account_states(session, config.thresholds, t)
        if s.veto is not None
        and s.veto.state == VetoState.COUNTING
        and s.days_since_last_post is not None
        and s.days_since_last_post >= warn
    ]
