"""The scorecard: each account's four dimensions (职能契合, 制作水准, 传播效果, 互动回应) for a
month or a quarter, each 0-100 with the figures behind it, a weighted total, its ranks within its
业务领域 (the unit's line of work, core/fields.py) and its platform, and the change against the period before.

Every figure comes from storage/scorecard.py's grouped queries (the accounts from
storage/asof.py's); the formulas are here and in the README ("Scorecard"), so a score can be
recomputed by hand from the exported figures.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analysis.interaction import is_question
from core.config import Config, ScorecardSettings
from core.vocabulary import UnitField
from storage import asof
from storage import scorecard as rows

TREND_WEEKS = 26
# How long after a period's end a reply to one of its questions still counts.
REPLY_GRACE = timedelta(days=30)
_PERIOD = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")
_QUARTERS = "一二三四"


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """A calendar month (2026-11) or quarter (2026-Q4) in the configured time zone."""

    code: str
    first: date  # its first day
    after: date  # the first day after it

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if not match:
            raise PeriodError(
                f"期间格式不正确 / bad period {text!r}: 季度写作 2026-Q4，月份写作 2026-11 "
                "(a quarter like 2026-Q4 or a month like 2026-11)"
            )
        year = int(match.group(1))
        if match.group(2):
            quarter = int(match.group(2))
            first = date(year, 3 * quarter - 2, 1)
            after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        else:
            month = int(match.group(3))
            first = date(year, month, 1)
            after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(text.strip(), first, after)

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.code

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"{self.first.year}年第{_QUARTERS[(self.first.month - 1) // 3]}季度"
        return f"{self.first.year}年{self.first.month}月"

    def previous(self) -> Period:
        if self.is_quarter:
            quarter = (self.first.month - 1) // 3 + 1
            year, quarter = (self.first.year - 1, 4) if quarter == 1 else (self.first.year, quarter - 1)
            return Period.parse(f"{year}-Q{quarter}")
        year, month = (
            (self.first.year - 1, 12) if self.first.month == 1 else (self.first.year, self.first.month - 1)
        )
        return Period.parse(f"{year}-{month:02d}")

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC instants: local midnights."""
        return _midnight(self.first, tz), _midnight(self.after, tz)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.after - self.first).days


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def trend_bounds(end: datetime, tz: ZoneInfo, weeks: int = TREND_WEEKS) -> list[datetime]:
    """weeks + 1 local Monday midnights: the last week is the one holding the instant before `end`."""
    last_day = (end - timedelta(microseconds=1)).astimezone(tz).date()
    monday = last_day - timedelta(days=last_day.weekday())
    return [_midnight(monday - timedelta(weeks=weeks - 1 - i), tz) for i in range(weeks + 1)]


# --- figures and scores --------------------------------------------------------------------


@dataclass
class Figures:
    """What an account did in the period: the raw counts every score is computed from."""

    posts: int = 0
    original: int = 0
    checked: int = 0
    off_work: int = 0
    wording: int = 0
    rich: int = 0
    broken: int = 0
    authoritative: int = 0
    counted: int = 0
    shares: int = 0
    comments: int = 0
    likes: int = 0
    questions: int = 0
    answered: int = 0
    median_reply_hours: float | None = None

    @property
    def on_work_share(self) -> float | None:
        return (self.checked - self.off_work) / self.checked if self.checked else None

    @property
    def original_share(self) -> float | None:
        return self.original / self.posts if self.posts else None

    @property
    def errors_per_100(self) -> float | None:
        return 100 * self.wording / self.posts if self.posts else None

    @property
    def rich_share(self) -> float | None:
        return self.rich / self.posts if self.posts else None

    @property
    def broken_share(self) -> float | None:
        return self.broken / self.posts if self.posts else None

    @property
    def reply_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def influence(self) -> float:
        """The BCI-style influence index (README, "Scorecard"):
        (0.2 × ln(posts+1) + 0.8 × (0.4 × ln(reposts+1) + 0.4 × ln(comments+1) + 0.2 × ln(likes+1))) × 160."""
        activity = math.log(self.posts + 1)
        spread = (
            0.4 * math.log(self.shares + 1)
            + 0.4 * math.log(self.comments + 1)
            + 0.2 * math.log(self.likes + 1)
        )
        return (0.2 * activity + 0.8 * spread) * 160


def fit_score(f: Figures) -> float | None:
    """职能契合: 100 × (0.7 × on-work share + 0.3 × share original or authoritative reposts);
    the on-work part left out (the other counting fully) while no post was checked."""
    if not f.posts:
        return None
    own = min(1.0, (f.original + f.authoritative) / f.posts)
    if f.on_work_share is None:
        return 100 * own
    return 100 * (0.7 * f.on_work_share + 0.3 * own)


def quality_score(f: Figures, settings: ScorecardSettings) -> float | None:
    """制作水准: 100 × (0.5 × (1 − errors per 100 posts / errors_per_100_zero, floored at 0)
    + 0.3 × (图解/视频/解读 share / rich_share_full, capped at 1) + 0.2 × (1 − truncated-or-empty share))."""
    if not f.posts:
        return None
    errors = max(0.0, 1 - (f.errors_per_100 or 0) / settings.errors_per_100_zero)
    rich = min(1.0, (f.rich_share or 0) / settings.rich_share_full)
    whole = 1 - (f.broken_share or 0)
    return 100 * (0.5 * errors + 0.3 * rich + 0.2 * whole)


def response_score(f: Figures, settings: ScorecardSettings) -> float | None:
    """互动回应: 100 × (0.7 × reply rate + 0.3 × (1 − median reply hours / reply_hours_zero, floored
    at 0)); no public question in the period: no score."""
    if not f.questions:
        return None
    speed = 0.0
    if f.median_reply_hours is not None:
        speed = max(0.0, 1 - f.median_reply_hours / settings.reply_hours_zero)
    return 100 * (0.7 * (f.reply_rate or 0) + 0.3 * speed)


DIMENSIONS = ("fit", "quality", "reach", "response")
DIMENSION_LABELS = {"fit": "职能契合", "quality": "制作水准", "reach": "传播效果", "response": "互动回应"}


@dataclass
class AccountScore:
    account_id: str
    unit: str
    name: str
    platform: str
    kind: str
    url: str | None
    figures: Figures
    unit_field: str = UnitField.OTHER  # the unit's 业务领域: registry > config `units` > name
    fit: float | None = None
    quality: float | None = None
    reach: float | None = None
    response: float | None = None
    total: float | None = None
    rank_field: int | None = None  # within its 业务领域
    rank_platform: int | None = None
    previous_total: float | None = None
    previous_rank_field: int | None = None
    previous_rank_platform: int | None = None
    weekly: list[int] = field(default_factory=list)  # posts per week, oldest first

    def score(self, dimension: str) -> float | None:
        return getattr(self, dimension)

    @property
    def change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 1)

    @property
    def rank_change(self) -> int | None:
        """Places gained within its 业务领域 (positive: moved up)."""
        if self.rank_field is None or self.previous_rank_field is None:
            return None
        return self.previous_rank_field - self.rank_field


@dataclass
class Scorecard:
    period: Period
    previous: Period
    start: datetime
    end: datetime
    settings: ScorecardSettings
    accounts: list[AccountScore]
    trend_weeks: list[date]  # the Monday of each trend week, oldest first

    def by_id(self) -> dict[str, AccountScore]:
        return {a.account_id: a for a in self.accounts}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _interaction(
    session: Session, start: datetime, end: datetime
) -> dict[str, tuple[int, int, float | None]]:
    """Per account: questions from the public in [start, end), how many were answered (a reply up
    to REPLY_GRACE after the end still counts), the median reply delay in hours."""
    questions: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    replies: dict[tuple[str, str], datetime] = {}
    for account_id, comment_id, published, text, by_account, reply_to in rows.comments_between(
        session, start, end + REPLY_GRACE
    ):
        if by_account and reply_to:
            key = (account_id, reply_to)
            replies[key] = published if key not in replies else min(replies[key], published)
        elif not by_account and not reply_to and published < end and is_question(text):
            questions[account_id].append((comment_id, published))
    out = {}
    for account_id, asked in questions.items():
        delays = [
            max(0.0, (replies[(account_id, cid)] - at).total_seconds() / 3600)
            for cid, at in asked
            if (account_id, cid) in replies
        ]
        median = round(statistics.median(delays), 2) if delays else None
        out[account_id] = (len(asked), len(delays), median)
    return out


def _figures(session: Session, start: datetime, end: datetime) -> dict[str, Figures]:
    out: dict[str, Figures] = defaultdict(Figures)
    for account_id, row in rows.post_aggregates(session, start, end).items():
        out[account_id] = Figures(
            **{k: int(getattr(row, k) or 0) for k in Figures.__dataclass_fields__ if hasattr(row, k)}
        )
    for account_id, (asked, answered, median) in _interaction(session, start, end).items():
        f = out[account_id]
        f.questions, f.answered, f.median_reply_hours = asked, answered, median
    return out


def _rank(scores: Iterable[AccountScore], key: str, attr: str, total: str = "total") -> None:
    """Competition ranking (1, 2, 2, 4) of `total` within each group of `key`; no total, no rank."""
    groups: dict[str, list[AccountScore]] = defaultdict(list)
    for s in scores:
        if getattr(s, total) is not None:
            groups[getattr(s, key)].append(s)
    for members in groups.values():
        members.sort(key=lambda s: -getattr(s, total))
        for i, s in enumerate(members):
            if i and getattr(s, total) == getattr(members[i - 1], total):
                setattr(s, attr, getattr(members[i - 1], attr))
            else:
                setattr(s, attr, i + 1)


def _score_period(
    session: Session, config: Config, period: Period
) -> tuple[list[AccountScore], datetime, datetime]:
    settings = config.scorecard
    start, end = period.bounds(config.tz)
    figures = _figures(session, start, end)
    scores = []
    fields: dict[tuple[str, str | None], UnitField] = {}
    for a in asof.accounts(session, by_id=True):
        if a.closed:
            continue
        f = figures.get(a.id, Figures())
        unit = a.unit or ""
        key = (unit, a.unit_field)  # the registry's 业务领域 over config `units` and the name
        if key not in fields:
            fields[key] = config.unit_field(unit, a.unit_field)
        s = AccountScore(a.id, unit, a.name, a.platform, a.kind, a.url, f, fields[key])
        s.fit, s.quality, s.response = fit_score(f), quality_score(f, settings), response_score(f, settings)
        scores.append(s)
    # 传播效果: the influence index against the best of the same platform in the period.
    best: dict[str, float] = defaultdict(float)
    for s in scores:
        if s.figures.posts:
            best[s.platform] = max(best[s.platform], s.figures.influence)
    weights = settings.weights
    for s in scores:
        if s.figures.posts and best[s.platform] > 0:
            s.reach = 100 * s.figures.influence / best[s.platform]
        parts = [(getattr(weights, d), s.score(d)) for d in DIMENSIONS]
        weighed = [(w, v) for w, v in parts if v is not None and w > 0]
        if weighed:
            s.total = sum(w * v for w, v in weighed) / sum(w for w, _ in weighed)
        for d in (*DIMENSIONS, "total"):
            setattr(s, d, _round(getattr(s, d)))
    _rank(scores, "unit_field", "rank_field")
    _rank(scores, "platform", "rank_platform")
    return scores, start, end


def build_scorecard(
    session: Session, config: Config, period: Period, now: datetime | None = None
) -> Scorecard:
    """The period's scorecard, with the period before for the change, and each account's trend."""
    scores, start, end = _score_period(session, config, period)
    previous = period.previous()
    before = {s.account_id: s for s in _score_period(session, config, previous)[0]}
    for s in scores:
        p = before.get(s.account_id)
        if p is not None:
            s.previous_total, s.previous_rank_field, s.previous_rank_platform = (
                p.total,
                p.rank_field,
                p.rank_platform,
            )
    now = now or datetime.now(UTC)
    until = min(end, max(now, start + timedelta(microseconds=1)))
    bounds = trend_bounds(until, config.tz)
    bounds[-1] = min(bounds[-1], until)  # the last week stops where the period (or today) does
    weekly = rows.weekly_counts(session, bounds)
    for s in scores:
        s.weekly = weekly.get(s.account_id, [0] * TREND_WEEKS)
    scores.sort(
        key=lambda s: (
            UnitField.rank(s.unit_field),
            s.rank_field is None,
            s.rank_field or 0,
            s.platform,
            s.account_id,
        )
    )
    weeks = [b.astimezone(config.tz).date() for b in bounds[:-1]]
    return Scorecard(period, previous, start, end, config.scorecard, scores, weeks)


def weekly_trend(
    session: Session, account_id: str, now: datetime, tz: ZoneInfo, weeks: int = TREND_WEEKS
) -> tuple[list[date], list[int]]:
    """One account's posts per week over the last `weeks` weeks up to `now`: (Mondays, counts)."""
    bounds = trend_bounds(now, tz, weeks)
    bounds[-1] = min(bounds[-1], now)
    counts = rows.weekly_counts(session, bounds, [account_id]).get(account_id, [0] * weeks)
    return [b.astimezone(tz).date() for b in bounds[:-1]], counts
