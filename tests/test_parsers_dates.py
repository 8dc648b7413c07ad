from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.parsers.dates import parse_feed_time, parse_weibo_time

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("刚刚", NOW),
        ("30秒前", NOW - timedelta(seconds=30)),
        ("5分钟前", NOW - timedelta(minutes=5)),
        ("3小时前", NOW - timedelta(hours=3)),
        ("2天前", NOW - timedelta(days=2)),
        ("昨天 12:30", at(2026, 11, 19, 12, 30)),
        ("今天 08:00", at(2026, 11, 20, 8, 0)),
        ("前天 23:59", at(2026, 11, 18, 23, 59)),
        ("11-20", at(2026, 11, 20)),
        ("11-21", at(2026, 11, 21)),  # a day ahead at most: still this year
        ("11-22", at(2025, 11, 22)),  # more than a day ahead: last year
        ("01-05", at(2026, 1, 5)),
        ("12-31", at(2025, 12, 31)),
        ("06-14 08:15", at(2026, 6, 14, 8, 15)),
        ("2023-11-20", at(2023, 11, 20)),
        ("2023-11-20 10:00", at(2023, 11, 20, 10, 0)),
        ("2023-11-20 10:00:59", at(2023, 11, 20, 10, 0, 59)),
        ("  2023-11-20   10:00 ", at(2023, 11, 20, 10, 0)),
    ],
)
def test_weibo_forms(value: str, expected: datetime) -> None:
    parsed = parse_weibo_time(value, NOW)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_classic_form_keeps_its_own_offset() -> None:
    parsed = parse_weibo_time("Sun Apr 22 09:08:06 +0800 2018", NOW)
    assert parsed == datetime(2018, 4, 22, 1, 8, 6, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=8)
    other = parse_weibo_time("Fri Jun 14 20:39:20 -0500 2019", NOW)
    assert other is not None and other.utcoffset() == timedelta(hours=-5)


def test_relative_forms_use_the_configured_timezone() -> None:
    # 01:30 UTC on Nov 20 is 09:30 in Shanghai: "昨天" is Nov 19 there.
    now_utc = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert parse_weibo_time("昨天 12:30", now_utc) == at(2026, 11, 19, 12, 30)
    # 23:30 UTC on Dec 31 is already Jan 1 in Shanghai: "12-31" is last year.
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert parse_weibo_time("12-31", new_year) == at(2026, 12, 31)
    assert parse_weibo_time("01-01", new_year) == at(2027, 1, 1)


def test_month_day_feb_29_goes_to_a_leap_year() -> None:
    assert parse_weibo_time("02-29", datetime(2025, 3, 10, tzinfo=SH)) == at(2024, 2, 29)
    assert parse_weibo_time("02-29", datetime(2026, 3, 10, tzinfo=SH)) is None


def test_naive_now_is_taken_in_tz() -> None:
    assert parse_weibo_time("刚刚", datetime(2026, 11, 20, 10, 0)) == NOW


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "02-30",
        "13-01",
        "00-10",
        "2023-02-30",
        "2023-13-01",
        "昨天 25:00",
        "今天 12:61",
        "Sun Foo 22 09:08:06 +0800 2018",
        "Sun Apr 31 09:08:06 +0800 2018",
        "yesterday",
        "某天",
        "5分钟后",
        "-5分钟前",
        "999999999天前",
        None,
        12345,
    ],
)
def test_weibo_garbage_is_none(value: object) -> None:
    assert parse_weibo_time(value, NOW) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri, 20 Nov 2026 02:10:33 GMT", datetime(2026, 11, 20, 2, 10, 33, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:10:33 +0800", at(2026, 11, 20, 10, 10, 33)),
        ("Tue, 17 Nov 2026 09:15:00 CST", at(2026, 11, 17, 9, 15)),
        ("2026-11-20T08:00:00+08:00", at(2026, 11, 20, 8, 0)),
        ("2026-11-10T01:00:00Z", datetime(2026, 11, 10, 1, 0, tzinfo=UTC)),
        ("2026-11-10T01:00:00.123Z", datetime(2026, 11, 10, 1, 0, tzinfo=UTC)),
        ("2026-11-20 10:00:00", at(2026, 11, 20, 10, 0)),
        ("2026-11-20", at(2026, 11, 20)),
        ("2026/11/20 10:00", at(2026, 11, 20, 10, 0)),
        ("2026年11月20日 10:00", at(2026, 11, 20, 10, 0)),
        ("2026年11月20日", at(2026, 11, 20)),
        ("2026年11月20日10时30分", at(2026, 11, 20, 10, 30)),
    ],
)
def test_feed_forms(value: str, expected: datetime) -> None:
    parsed = parse_feed_time(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_feed_naive_is_shanghai() -> None:
    parsed = parse_feed_time("2026-11-20 10:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=8)
    assert parse_feed_time("2026-11-20T10:00:00-05:00") == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["", "not a date", "2026年13月20日", "Fri, 32 Nov 2026 02:10:33 GMT", "2026-02-30", None, 3.5]
)
def test_feed_garbage_is_none(value: object) -> None:
    assert parse_feed_time(value) is None


# --- properties ---------------------------------------------------------------

nows = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(ZoneInfo("UTC"))
)
relative_values = st.one_of(
    st.just("刚刚"),
    st.builds(lambda n, u: f"{n}{u}前", st.integers(0, 10**9), st.sampled_from(["秒", "分钟", "小时", "天"])),
    st.builds(
        lambda w, h, m: f"{w} {h:02d}:{m:02d}",
        st.sampled_from(["今天", "昨天", "前天"]),
        st.integers(0, 30),
        st.integers(0, 70),
    ),
    st.builds(lambda mo, d: f"{mo:02d}-{d:02d}", st.integers(0, 14), st.integers(0, 33)),
    st.builds(
        lambda mo, d, h, m: f"{mo:02d}-{d:02d} {h:02d}:{m:02d}",
        st.integers(1, 12),
        st.integers(1, 31),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
)


@given(value=st.text(max_size=40), now=nows)
def test_weibo_time_never_raises(value: str, now: datetime) -> None:
    result = parse_weibo_time(value, now)
    assert result is None or result.tzinfo is not None


@given(value=relative_values, now=nows)
def test_relative_forms_never_after_now_plus_a_day(value: str, now: datetime) -> None:
    result = parse_weibo_time(value, now)
    assert result is None or result <= now + timedelta(days=1)


@given(value=st.text(max_size=40))
def test_feed_time_never_raises(value: str) -> None:
    result = parse_feed_time(value)
    assert result is None or result.tzinfo is not None


@given(moment=st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1)))
def test_feed_time_round_trips_iso(moment: datetime) -> None:
    aware = moment.replace(microsecond=0, tzinfo=SH)
    assert parse_feed_time(aware.isoformat()) == aware
