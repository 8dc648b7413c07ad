"""Property-based tests: the parsers and the date handling never crash on what the
platforms might send (only PageProblem, where documented) and never invent a date."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.items import PageProblem
from crawler.parsers import blocks, feed, weibo
from crawler.parsers.dates import parse_feed_time, parse_weibo_time

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=SHANGHAI)

# --- values from the wild ------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
date_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["刚刚", "昨天 12:30", "前天 25:61", "11-20", "02-30", "2026-02-29", "2024-02-29", "13-01"]
    ),
    st.builds(
        lambda n, u: f"{n}{u}前", st.integers(-5, 10**12), st.sampled_from(["秒", "分钟", "小时", "天"])
    ),
    st.builds(
        lambda m, d, y, hh, mm: f"Sun {m} {d} {hh:02d}:{mm:02d}:00 +0800 {y}",
        st.sampled_from(["Jan", "Feb", "Apr", "Foo", "Dec"]),
        st.integers(0, 40),
        st.integers(0, 9999),
        st.integers(0, 30),
        st.integers(0, 70),
    ),
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 14),
        st.integers(0, 33),
    ),
)
mblogs = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.integers(-5, 10**17), st.text(max_size=20), scalars),
        "bid": scalars,
        "created_at": st.one_of(date_texts, scalars),
        "text": st.one_of(st.text(max_size=80), scalars),
        "isLongText": scalars,
        "mblogtype": scalars,
        "title": st.one_of(scalars, st.fixed_dictionaries({"text": st.one_of(st.just("置顶"), scalars)})),
        "profile_type_id": scalars,
        "pics": json_values,
        "page_info": json_values,
        "reposts_count": scalars,
        "comments_count": scalars,
        "attitudes_count": scalars,
        "retweeted_status": json_values,
        "user": json_values,
        "source": scalars,
        "longText": json_values,
    },
)
cards = st.lists(
    st.one_of(
        st.fixed_dictionaries({"card_type": st.sampled_from([9, "9", 11, 1, None]), "mblog": mblogs}),
        st.fixed_dictionaries({"card_type": st.just(11), "card_group": st.lists(json_values, max_size=3)}),
        json_values,
    ),
    max_size=6,
)


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"[0-9]+", text)}


def assert_not_invented(value: str, parsed: datetime | None, now: datetime) -> None:
    """A date read from `value` either comes from its own fields or from `now` minus what it says."""
    if parsed is None:
        return
    assert parsed.tzinfo is not None
    text = " ".join(value.split())
    local_now = now.astimezone(SHANGHAI)
    if text == "刚刚":
        assert parsed == local_now
        return
    ago = re.fullmatch(r"([0-9]+)\s*(秒|分钟|小时|天)前", text)
    if ago:
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}[ago.group(2)]
        assert parsed == local_now - timedelta(**{unit: int(ago.group(1))}), (value, parsed)
        return
    word = re.fullmatch(r"(今天|昨天|前天)\s*([0-9]+):([0-9]+)", text)
    if word:
        back = {"今天": 0, "昨天": 1, "前天": 2}[word.group(1)]
        assert parsed.date() == local_now.date() - timedelta(days=back), (value, parsed)
        assert (parsed.hour, parsed.minute) == (int(word.group(2)), int(word.group(3))), (value, parsed)
        return
    numbers = _numbers(text)
    # Absolute forms: the day of month and the time of day come from the text itself.
    assert parsed.day in numbers, (value, parsed)
    if re.search(r"[0-9]{4}", text):
        assert parsed.year in numbers, (value, parsed)
    else:  # "11-20": this year or last, never more than a day ahead
        assert parsed.year in (local_now.year, local_now.year - 1), (value, parsed)
        assert parsed <= local_now + timedelta(days=1), (value, parsed)
    if parsed.hour or parsed.minute:
        assert parsed.hour in numbers and parsed.minute in numbers, (value, parsed)


@SETTINGS
@given(value=date_texts, offset_days=st.integers(-3000, 3000))
def test_weibo_time_never_crashes_nor_invents(value: str, offset_days: int):
    now = NOW + timedelta(days=offset_days)
    parsed = parse_weibo_time(value, now, SHANGHAI)
    assert_not_invented(value, parsed, now)


@SETTINGS
@given(value=st.one_of(date_texts, scalars))
def test_feed_time_never_crashes_and_reads_only_the_text(value):
    parsed = parse_feed_time(value, SHANGHAI)
    if parsed is not None:
        assert isinstance(value, str)
        assert parsed.tzinfo is not None
        numbers = _numbers(value)
        assert parsed.day in numbers and (parsed.year in numbers or parsed.year % 100 in numbers), (
            value,
            parsed,
        )


@SETTINGS
@given(
    body=st.one_of(
        st.builds(lambda c: json.dumps({"ok": 1, "data": {"cards": c}}), cards),
        st.builds(
            lambda ok, data: json.dumps({"ok": ok, "data": data}, allow_nan=True),
            scalars,
            json_values,
        ),
        st.binary(max_size=200),
        st.text(max_size=200),
    )
)
def test_weibo_posts_page_returns_posts_or_page_problem(body):
    try:
        page = weibo.parse_posts_page("acct", body, NOW, SHANGHAI)
    except PageProblem as problem:
        assert problem.outcome != "ok"
        return
    ids = [p.post_id for p in page.posts]
    assert len(ids) == len(set(ids))
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    for post in page.posts:
        assert post.post_id
        if post.published_at is not None:  # it came from some created_at in the input
            raw = [
                m
                for m in re.findall(r'"created_at": ("(?:[^"\\]|\\.)*")', text)
                if parse_weibo_time(json.loads(m), NOW, SHANGHAI) == post.published_at
            ]
            assert raw, (post.post_id, post.published_at)


@SETTINGS
@given(mblog=mblogs)
def test_parse_mblog_dates_come_from_created_at(mblog):
    post = weibo.parse_mblog("acct", mblog, NOW, SHANGHAI)
    if post is None or post.published_at is None:
        return
    created = mblog.get("created_at")
    assert isinstance(created, str)
    assert post.published_at == parse_weibo_time(created, NOW, SHANGHAI)
    assert_not_invented(created, post.published_at, NOW)


RSS_ITEM = "<item><guid>{guid}</guid><title>{title}</title><pubDate>{date}</pubDate><description>{text}</description></item>"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


feed_docs = st.builds(
    lambda items, cut, garble: _feed(items, cut, garble),
    st.lists(
        st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=20), date_texts, st.text(max_size=40)),
        max_size=4,
    ),
    st.one_of(st.none(), st.integers(0, 2000)),
    st.binary(max_size=30),
)


def _feed(items, cut, garble) -> bytes:
    body = "".join(
        RSS_ITEM.format(guid=_xml_text(g), title=_xml_text(t), date=_xml_text(d), text=_xml_text(x))
        for g, t, d, x in items
    )
    doc = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>青川</title>{body}</channel></rss>'
    raw = doc.encode("utf-8")
    if cut is not None:
        raw = raw[:cut] + garble
    return raw


@SETTINGS
@given(body=st.one_of(feed_docs, st.binary(max_size=300), st.text(max_size=300)))
def test_parse_feed_returns_posts_or_page_problem_and_never_invents_dates(body):
    try:
        result = feed.parse_feed("acct", "http://127.0.0.1/rsshub/x", body, platform="wechat")
    except PageProblem as problem:
        assert problem.outcome != "ok"
        return
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    for post in result.posts:
        if post.published_at is not None:
            numbers = _numbers(text)
            utc = post.published_at.astimezone(UTC)
            local = post.published_at.astimezone(SHANGHAI)
            years = {post.published_at.year, utc.year, local.year}
            assert years & numbers or {y % 100 for y in years} & numbers, (post.published_at, text[:300])


@SETTINGS
@given(
    status=st.integers(100, 999),
    body=st.one_of(st.binary(max_size=300), st.text(max_size=300)),
    location=st.one_of(st.none(), st.text(max_size=60)),
    expect=st.sampled_from(blocks.EXPECT_KINDS),
)
def test_check_response_only_raises_page_problem(status, body, location, expect):
    headers = {"Location": location} if location is not None else {}
    try:
        blocks.check_response(status, "http://127.0.0.1/api", body, headers, expect=expect)
    except PageProblem as problem:
        assert problem.outcome != "ok"
    else:
        assert 200 <= status < 300  # a usable answer is a 2xx one
