"""ISO weeks in the configured time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class WeekError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def start(self, tz: ZoneInfo) -> datetime:
        """Monday 00:00 in tz, as an aware datetime."""
        return datetime.combine(self.monday, time(0), tz)

    def end(self, tz: ZoneInfo) -> datetime:
        """The next Monday 00:00 in tz (exclusive end)."""
        return self.start(tz) + timedelta(days=7)

    def previous(self) -> IsoWeek:
        return week_of(self.monday - timedelta(days=7))

    def label(self) -> str:
        return f"{self.year}年第{self.week}周（{self.monday:%m月%d日}—{self.sunday:%m月%d日}）"


def week_of(day: date) -> IsoWeek:
    year, week, _ = day.isocalendar()
    return IsoWeek(year, week)


def parse_week(text: str) -> IsoWeek:
    match = WEEK_RE.match(text.strip())
    if not match:
        raise WeekError(f"{text!r} is not an ISO week like 2026-W47 / 周的格式应为 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"{text!r}: {year} has no week {week}") from None
    return IsoWeek(year, week)


def last_complete_week(tz: ZoneInfo, now: datetime | None = None) -> IsoWeek:
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return week_of(today - timedelta(days=7))
