"""Date strings as platforms print them, turned into aware datetimes.

Pure and forgiving: every function returns None for what it cannot read, and
never raises and never invents a date (no "now" for garbage, no Feb 30).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}

# "Sun Apr 22 09:08:06 +0800 2018" (the Weibo API's classic created_at)
_WEIBO_CLASSIC = re.compile(
    r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+([0-9]{1,2})\s+([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
    r"\s+([+-])([0-9]{2}):?([0-9]{2})\s+([0-9]{4})$"
)
_AGO = re.compile(r"^([0-9]{1,9})\s*(秒|分钟|小时|天)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*([0-9]{1,2}):([0-9]{2})$")
_MONTH_DAY = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})(?:\s+([0-9]{1,2}):([0-9]{2}))?$")
# 2023-11-20, 2023/11/20, 2023.11.20, 2023年11月20日, optionally followed by a time
_FULL_DATE = re.compile(
    r"^([0-9]{4})\s*(?:[-/.]|年)\s*([0-9]{1,2})\s*(?:[-/.]|月)\s*([0-9]{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*([0-9]{1,2})[:时]([0-9]{1,2})(?::([0-9]{1,2}))?(?:\.[0-9]+)?分?)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_DAY_WORD_OFFSET = {"今天": 0, "昨天": 1, "前天": 2}
_AGO_UNIT = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}


def _local_now(now: datetime, tz: ZoneInfo) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=tz)
    return now.astimezone(tz)


def _make(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tzinfo=None
) -> datetime | None:
    """A datetime, or None when the parts do not form a real moment."""
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except (ValueError, OverflowError, TypeError):
        return None


def _offset(sign: str, hours: str, minutes: str) -> timezone | None:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        return None
    delta = timedelta(hours=h, minutes=m)
    return timezone(-delta if sign == "-" else delta)


def _parse_offset(text: str | None, default: ZoneInfo) -> timezone | ZoneInfo | None:
    if not text:
        return default
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    return _offset(text[0], digits[:2], digits[2:])


def _classic(value: str) -> datetime | None:
    match = _WEIBO_CLASSIC.match(value)
    if not match:
        return None
    mon, day, hh, mm, ss, sign, oh, om, year = match.groups()
    month = _MONTHS.get(mon.lower())
    tzinfo = _offset(sign, oh, om)
    if month is None or tzinfo is None:
        return None
    return _make(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo)


def _ago(value: str, local_now: datetime) -> datetime | None:
    match = _AGO.match(value)
    if not match:
        return None
    amount, unit = int(match.group(1)), _AGO_UNIT[match.group(2)]
    try:
        return local_now - timedelta(**{unit: amount})
    except (OverflowError, ValueError):
        return None


def _day_word(value: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    match = _DAY_WORD.match(value)
    if not match:
        return None
    word, hh, mm = match.groups()
    try:
        day = local_now.date() - timedelta(days=_DAY_WORD_OFFSET[word])
    except OverflowError:
        return None
    return _make(day.year, day.month, day.day, int(hh), int(mm), tzinfo=tz)


def _month_day(value: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """'11-20': this year, or last year when this year's date is over a day ahead."""
    match = _MONTH_DAY.match(value)
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    hour = int(match.group(3)) if match.group(3) else 0
    minute = int(match.group(4)) if match.group(4) else 0
    if not _is_real_month_day(month, day):
        return None
    limit = local_now + timedelta(days=1)
    for year in (local_now.year, local_now.year - 1):
        candidate = _make(year, month, day, hour, minute, tzinfo=tz)
        if candidate is not None and candidate <= limit:
            return candidate
    return None


def _is_real_month_day(month: int, day: int) -> bool:
    """True when month-day exists in some year (Feb 29 counts, Feb 30 does not)."""
    try:
        date(2000, month, day)  # a leap year
    except ValueError:
        return False
    return True


def _full_date(value: str, tz: ZoneInfo) -> datetime | None:
    match = _FULL_DATE.match(value)
    if not match:
        return None
    year, month, day, hh, mm, ss, offset = match.groups()
    tzinfo = _parse_offset(offset, tz)
    if tzinfo is None:
        return None
    return _make(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo)


def parse_weibo_time(value: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """Read a Weibo `created_at` in any of its forms; None when it is not a date.

    `now` is the moment of the crawl (aware; a naive one is taken in `tz`).
    Relative forms ("5分钟前", "昨天 12:30", "11-20") are resolved against it
    in `tz`; the result carries `tz` unless the string has its own offset.
    """
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    try:
        local_now = _local_now(now, tz)
        if text == "刚刚":
            return local_now
        return (
            _classic(text)
            or _ago(text, local_now)
            or _day_word(text, local_now, tz)
            or _month_day(text, local_now, tz)
            or _full_date(text, tz)
        )
    except (ValueError, OverflowError, TypeError):  # pragma: no cover - defensive
        return None


_CST = re.compile(r"\s(CST|BJT)$")


def _rfc822(value: str, tz: ZoneInfo) -> datetime | None:
    # In Chinese feeds "CST" is China Standard Time, not US Central.
    text = _CST.sub(" +0800", value)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:  # pragma: no cover - older Pythons
        return None
    # email.utils turns any year token into one (0 -> 2000, 999 -> 2899): keep only a
    # four-digit year or a two-digit one as written, never a year the text lacks.
    years = re.findall(r"(?<![0-9:])[0-9]+(?![0-9:])", text)  # numbers that are not part of a time
    if str(parsed.year) not in years and f"{parsed.year % 100:02d}" not in years:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _iso(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def parse_feed_time(value: object, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """Read an RSS/Atom date (RFC 822, ISO 8601, or "2026年11月20日 10:00").

    Naive times are taken in `tz` (Asia/Shanghai). Returns None, never raises,
    for anything else.
    """
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    try:
        return _full_date(text, tz) or _iso(text, tz) or _rfc822(text, tz)
    except (ValueError, OverflowError, TypeError):  # pragma: no cover - defensive
        return None
