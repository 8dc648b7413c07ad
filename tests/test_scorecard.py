"""The scorecard: each dimension computed from stored posts and comments, checked against values
worked out by hand below; ranks, the change against the period before, the 26-week trend; the
.xlsx (merged title, headers, widths) and the HTML page, in Chromium too; the command."""

from __future__ import annotations

import csv
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from analysis.scorecard import Period, PeriodError, build_scorecard, trend_bounds
from analysis.spotcheck import draw
from core.config import ConfigError, parse_config
from govwatch.app import open_app
from reporting.scorecard import SCORE_HEADERS, scorecard_files
from reporting.trend import trend_svg, trend_text
from storage import repo
from storage.models import Account, Comment, Finding, Post
from storage.registry import export_registry, import_registry
from tests.browser import chromium, screenshot
from tests.conftest import run_govwatch

SH = 8  # Asia/Shanghai is UTC+8
NOW = datetime(2027, 1, 5, 4, tzinfo=UTC)

ACCOUNTS = [
    # 业务领域 by the unit's name (core/fields.py): a1 and a3 公安, a2 教育, a4 卫生健康
    {"id": "a1", "unit": "旗公安局", "platform": "weibo", "name": "甲发布", "handle": "1001"},
    {"id": "a2", "unit": "旗教育局", "platform": "weibo", "name": "乙发布", "handle": "1002"},
    {
        "id": "a3",
        "unit": "旗公安局",
        "platform": "website",
        "name": "甲网站",
        "url": "https://a.example.gov.cn/",
    },
    {
        "id": "a4",
        "unit": "旗卫生健康委员会",
        "platform": "app",
        "name": "丙APP",
        "kind": "service",
        "url": "https://c.example/app",
    },
]


def local(*args: int) -> datetime:
    """A local (UTC+8) wall-clock time as an aware UTC instant."""
    return datetime(*args, tzinfo=UTC) - timedelta(hours=SH)


def post(account: str, pid: str, when: datetime, **kw) -> Post:
    text = kw.pop("text", f"正文{pid}")
    return Post(
        account_id=account,
        platform_post_id=pid,
        published_at=when,
        text=text,
        url=f"https://example.test/{account}/{pid}",
        content_hash=repo.content_hash(None, text),
        **kw,
    )


def comment(account: str, cid: str, when: datetime, text: str, reply_to: str | None = None) -> Comment:
    return Comment(
        account_id=account,
        platform_post_id="p1",
        platform_comment_id=cid,
        published_at=when,
        text=text,
        by_account=reply_to is not None,
        reply_to=reply_to,
    )


def make_config(tmp_path: Path, database_url: str, **extra):
    data = {"database": database_url, "accounts": ACCOUNTS, "report": {"out_dir": str(tmp_path / "reports")}}
    data.update(extra)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = parse_config(data, path)
    return path, config


def seed_store(config):
    store = open_app(config)
    q4 = local(2026, 11, 10, 9)
    with store.session() as s:
        s.add_all(
            [
                # a1 in 2026-Q4: four posts (the first at the quarter's very first local minute)
                post(
                    "a1",
                    "p1",
                    local(2026, 10, 1, 0),
                    checked_hash="h",
                    media="image",
                    likes=10,
                    comments=2,
                    shares=3,
                ),
                post("a1", "p2", q4, checked_hash="h", labels="off_topic", likes=0, comments=0, shares=0),
                post(
                    "a1",
                    "p3",
                    q4 + timedelta(days=1),
                    is_original=False,
                    authoritative=True,
                    checked_hash="h",
                    labels="wording_error",
                    content_type="政策解读",
                    likes=5,
                    comments=1,
                    shares=1,
                ),
                post("a1", "p4", q4 + timedelta(days=2), truncated=True),
                # outside 2026-Q4: the local new year, and one post in Q3 (the period before)
                post("a1", "p5", local(2027, 1, 1, 0), likes=999, shares=999, comments=999),
                post("a1", "p0", local(2026, 8, 20, 10), checked_hash="h", likes=None),
                # a2: one original video, no reactions
                post("a2", "p1", q4, checked_hash="h", media="video", likes=0, comments=0, shares=0),
                # a3: a website, no public counts
                post("a3", "p1", q4, media="article"),
                post("a3", "p2", q4 + timedelta(days=3), media="article"),
            ]
        )
        asked = local(2026, 11, 12, 10)
        s.add_all(
            [
                comment("a1", "c1", asked, "请问几点开门？"),
                comment("a1", "r1", asked + timedelta(hours=2), "九点", reply_to="c1"),
                comment("a1", "c2", asked, "怎么办理居住证"),
                comment("a1", "r2", asked + timedelta(hours=6), "带身份证到窗口", reply_to="c2"),
                comment("a1", "c3", asked, "如何报名"),
                comment("a1", "c4", asked, "点赞"),  # not a question
            ]
        )
        s.add(
            Finding(
                fingerprint="t:a2",
                account_id="a2",
                category="wording_error",
                rule="wording.typo",
                severity="major",
                evidence="错别字：「宣传」误作「宣穿」",
                evidence_url="https://example.test/a2/p1",
                first_seen=q4,
            )
        )
    return store


@pytest.fixture
def seeded(tmp_path, database_url):
    path, config = make_config(tmp_path, database_url)
    store = seed_store(config)
    yield path, config, store
    store.dispose()


# What the figures must be, worked out by hand from the posts above.
A1_INFLUENCE = (
    0.2 * math.log(5) + 0.8 * (0.4 * math.log(4 + 1) + 0.4 * math.log(3 + 1) + 0.2 * math.log(15 + 1))
) * 160
A2_INFLUENCE = 0.2 * math.log(2) * 160
A1_FIT = 100 * (0.7 * 2 / 3 + 0.3 * 1)  # 2 of 3 checked on the unit's work; 3 original + 1 authoritative of 4
A1_QUALITY = 100 * (0.5 * 0 + 0.3 * 1 + 0.2 * 0.75)  # 25 errors per 100 posts; half rich; 1 of 4 truncated
A1_RESPONSE = 100 * (0.7 * 2 / 3 + 0.3 * (1 - 4 / 120))  # 2 of 3 questions answered, median 4 h
A1_TOTAL = (A1_FIT + A1_QUALITY + 100 + A1_RESPONSE) / 4
A2_REACH = 100 * A2_INFLUENCE / A1_INFLUENCE
A3_QUALITY = 100 * (0.5 + 0 + 0.2)


@pytest.mark.db
def test_figures_and_scores_by_hand(seeded):
    _, config, store = seeded
    with store.session() as s:
        card = build_scorecard(s, config, Period.parse("2026-Q4"), now=NOW)
    by = card.by_id()
    f = by["a1"].figures
    assert (f.posts, f.original, f.checked, f.off_work, f.wording, f.rich, f.broken, f.authoritative) == (
        4,
        3,
        3,
        1,
        1,
        2,
        1,
        1,
    )
    assert (f.counted, f.shares, f.comments, f.likes) == (3, 4, 3, 15)
    assert (f.questions, f.answered, f.median_reply_hours) == (3, 2, 4.0)
    assert f.influence == pytest.approx(A1_INFLUENCE)
    a1 = by["a1"]
    assert a1.fit == round(A1_FIT, 1) == 76.7
    assert a1.quality == round(A1_QUALITY, 1) == 45.0
    assert a1.reach == 100.0  # the best of its platform
    assert a1.response == round(A1_RESPONSE, 1) == 75.7
    assert a1.total == round(A1_TOTAL, 1)
    a2 = by["a2"]
    assert (a2.fit, a2.quality, a2.response) == (100.0, 100.0, None)  # no question asked: no score
    assert a2.reach == round(A2_REACH, 1)
    assert a2.total == round((100 + 100 + A2_REACH) / 3, 1)
    a3 = by["a3"]
    assert (a3.fit, a3.quality, a3.reach, a3.total) == (100.0, round(A3_QUALITY, 1), 100.0, 90.0)
    a4 = by["a4"]
    assert (a4.figures.posts, a4.total, a4.rank_field) == (0, None, None)
    # ranks per 业务领域 (公安: a3 90.0 before a1 74.4; 教育: a2 alone) and per platform
    assert [by[i].unit_field for i in ("a1", "a2", "a3", "a4")] == ["police", "education", "police", "health"]
    assert a3.total > a1.total
    assert (a3.rank_field, a1.rank_field, a2.rank_field) == (1, 2, 1)
    assert (a1.rank_platform, a2.rank_platform, a3.rank_platform) == (1, 2, 1)
    # listed in the catalogue's order of 业务领域 (公安, 教育, 卫生健康), by rank within each
    assert [s.account_id for s in card.accounts] == ["a3", "a1", "a2", "a4"]
    # against 2026-Q3: a1 had one original post there (fit 100, quality 70, reach 100: total 90), ranked 1st
    assert a1.previous_total == 90.0 and a1.change == round(a1.total - 90.0, 1)
    assert a1.previous_rank_field == 1 and a1.rank_change == -1
    assert a2.previous_total is None and a2.change is None


@pytest.mark.db
def test_weights_from_config_and_month_period(tmp_path, database_url):
    _, config = make_config(
        tmp_path, database_url, scorecard={"weights": {"fit": 1, "quality": 0, "reach": 0, "response": 0}}
    )
    store = seed_store(config)
    with store.session() as s:
        card = build_scorecard(s, config, Period.parse("2026-11"), now=NOW)
    by = card.by_id()
    # in November alone a1 has p2, p3, p4 (p1 was on 1 October): 1 of 2 checked on work; 2 own of 3
    assert by["a1"].figures.posts == 3
    assert by["a1"].total == by["a1"].fit == round(100 * (0.7 * 1 / 2 + 0.3 * 1), 1)
    store.dispose()


@pytest.mark.db
def test_a_units_field_from_config_changes_its_rank(tmp_path, database_url):
    """config units: 旗教育局 counted as 公安 ranks among a1 and a3 (90.0 > 74.4 > 69.3)."""
    _, config = make_config(tmp_path, database_url, units={"旗教育局": {"field": "公安"}})
    store = seed_store(config)
    with store.session() as s:
        card = build_scorecard(s, config, Period.parse("2026-Q4"), now=NOW)
    by = card.by_id()
    assert by["a2"].unit_field == "police"
    assert [by[i].rank_field for i in ("a3", "a1", "a2")] == [1, 2, 3]
    store.dispose()


@pytest.mark.db
def test_the_registrys_field_wins_over_config_and_the_name(tmp_path, database_url):
    """旗教育局's name says 教育 and config says 卫生健康; the registry's 业务领域 column says 公安:
    a2 ranks among a1 and a3 (90.0 > 74.4 > 69.3), a spot check draws it in the 公安 stratum."""
    _, config = make_config(tmp_path, database_url, units={"旗教育局": {"field": "health"}})
    store = seed_store(config)
    registry = tmp_path / "台账.csv"
    registry.write_text(
        "标识,责任主体,平台,账号名称,账号ID,业务领域\n"
        "a2,旗教育局,新浪微博,乙发布,1002, 公安 \n"
        "a1,旗公安局,新浪微博,甲发布,1001,\n",
        encoding="utf-8",
    )
    with store.session() as s:
        result = import_registry(s, registry)
    assert result.rejected == [] and result.updated == ["a2"]
    with store.session() as s:
        assert s.get(Account, "a2").unit_field == "police"
        assert s.get(Account, "a1").unit_field is None  # blank: config and the name decide
        card = build_scorecard(s, config, Period.parse("2026-Q4"), now=NOW)
    by = card.by_id()
    assert (by["a1"].unit_field, by["a2"].unit_field) == ("police", "police")
    assert [by[i].rank_field for i in ("a3", "a1", "a2")] == [1, 2, 3]
    _, strata = draw(card.accounts, set(), 1.0, 7, "2026-Q4")
    assert strata[("weibo", "police")] == (2, 2) and ("weibo", "education") not in strata
    # a file without the column keeps the field; the registry export writes it back
    registry.write_text(
        "标识,责任主体,平台,账号名称,账号ID\na2,旗教育局,新浪微博,乙发布,1002\n", encoding="utf-8"
    )
    out = tmp_path / "export.csv"
    with store.session() as s:
        assert import_registry(s, registry).unchanged == 1
        export_registry(s, out, None)  # type: ignore[arg-type]
    rows = {r["标识"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert (rows["a2"]["业务领域"], rows["a1"]["业务领域"]) == ("公安", "")
    store.dispose()


def test_scorecard_config_is_validated(tmp_path):
    with pytest.raises(ConfigError, match=r"scorecard\.weights"):
        parse_config(
            {"scorecard": {"weights": {"fit": 0, "quality": 0, "reach": 0, "response": 0}}}, "c.yaml"
        )
    with pytest.raises(ConfigError, match=r"scorecard\.weights\.fit"):
        parse_config({"scorecard": {"weights": {"fit": -1}}}, "c.yaml")
    with pytest.raises(ConfigError, match=r"scorecard\.colour"):
        parse_config({"scorecard": {"colour": "red"}}, "c.yaml")


def test_periods():
    q4 = Period.parse("2026-Q4")
    assert (str(q4.first), str(q4.last), q4.label, q4.previous().code) == (
        "2026-10-01",
        "2026-12-31",
        "2026年第四季度",
        "2026-Q3",
    )
    assert Period.parse("2026-01").previous().code == "2025-12"
    assert Period.parse("2026-Q1").previous().code == "2025-Q4"
    for bad in ("2026-Q5", "2026-13", "Q4", "2026/11"):
        with pytest.raises(PeriodError, match="2026-Q4"):
            Period.parse(bad)


def test_trend_chart_is_self_contained():
    counts = [0] * 24 + [3, 6]
    svg = trend_svg(counts)
    assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg and "url(" not in svg
    assert "共 9 条" in svg and svg.count("<path") == 2
    assert trend_text([0, 1, 8]) == " ▁█"
    bounds = trend_bounds(local(2027, 1, 1, 0), __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert len(bounds) == 27 and bounds[-1] == local(2027, 1, 4, 0)  # the Monday after the week of 31 Dec


@pytest.mark.db
def test_trend_counts_each_week(seeded):
    _, config, store = seeded
    with store.session() as s:
        card = build_scorecard(s, config, Period.parse("2026-Q4"), now=NOW)
    weekly = card.by_id()["a1"].weekly
    assert len(weekly) == 26 and sum(weekly) == 5  # the Q3 post (20 Aug) is within 26 weeks; p5 is after
    monday = card.trend_weeks.index(datetime(2026, 11, 9).date())
    assert weekly[monday] == 3  # p2, p3, p4: 10, 11 and 12 November


@pytest.mark.db
def test_xlsx_and_html(seeded, tmp_path):
    _, config, store = seeded
    paths = scorecard_files(store, config, Period.parse("2026-Q4"), str(tmp_path / "out"), now=NOW)
    xlsx, html = paths
    assert xlsx.suffix == ".xlsx" and html.suffix == ".html"
    assert oct(xlsx.stat().st_mode & 0o777) == "0o600"
    book = load_workbook(xlsx)
    sheet = book["积分卡"]
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{get_column_letter(len(SCORE_HEADERS))}1"]
    assert "2026年第四季度" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == [h for h, _ in SCORE_HEADERS]
    assert sheet.column_dimensions["B"].width == 18 and sheet["B2"].font.bold
    rows = {r[-1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    a1 = rows["a1"]
    header = [h for h, _ in SCORE_HEADERS]
    # recomputable from the export: the influence index from the row's own counts
    posts, shares, comments, likes = (a1[header.index(h)] for h in ("发布数", "转发", "评论", "点赞"))
    recomputed = (
        0.2 * math.log(posts + 1)
        + 0.8 * (0.4 * math.log(shares + 1) + 0.4 * math.log(comments + 1) + 0.2 * math.log(likes + 1))
    ) * 160
    assert a1[header.index("影响力指数")] == round(recomputed, 2)
    assert a1[header.index("总分")] == round(A1_TOTAL, 1)
    assert "计分方法" in book.sheetnames
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and "甲发布" in page and "<svg" in page
    assert (a1[header.index("业务领域")], a1[header.index("帐号类别")], a1[header.index("领域内排名")]) == (
        "公安",
        "发布类",
        2,
    )
    assert rows["a2"][header.index("业务领域")] == "教育"
    for word in (
        "按业务领域排名",
        "公安（2 个帐号）",
        "教育（1 个帐号）",
        "按平台排名",
        "职能契合",
        "制作水准",
        "传播效果",
        "互动回应",
        "较上期",
    ):
        assert word in page
    assert re.search(r"ln\(转发\+1\)", page)


@pytest.mark.slow  # the browser
@pytest.mark.db
def test_scorecard_opens_in_chromium(seeded, tmp_path):
    _, config, store = seeded
    _, html = scorecard_files(store, config, Period.parse("2026-Q4"), str(tmp_path / "out"), now=NOW)
    shot = screenshot(tmp_path, html, 1280, 1600, "scorecard.png")
    assert shot.exists() and shot.stat().st_size > 10_000
    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert "甲发布" in dom.stdout and "<svg" in dom.stdout


@pytest.mark.slow  # a subprocess
@pytest.mark.db
def test_command_prints_the_paths(seeded):
    path, _, _ = seeded
    result = run_govwatch(path, "scorecard", "--period", "2026-Q4")
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert [p.suffix for p in printed] == [".xlsx", ".html"] and all(p.exists() for p in printed)
    bad = run_govwatch(path, "scorecard", "--period", "2026-Q9")
    assert bad.returncode == 2 and "--period" in bad.stderr and "2026-Q4" in bad.stderr


@pytest.mark.db
def test_account_card_shows_the_26_weeks(seeded):
    from reporting.account import account_card, account_trend_svg

    _, config, store = seeded
    with store.session() as s:
        card = account_card(s, config, "a1", now=NOW)
        svg = account_trend_svg(s, config, "a1", now=NOW)
    line = next(x for x in card.splitlines() if "近26周每周发布" in x)
    # to 5 Jan 2027: p0 (Aug), p1 (1 Oct), p2-p4 (10-12 Nov) and p5 (1 Jan) — 3 in the busiest week
    assert "共 6 条" in line and "最多一周 3 条" in line and "█" in line
    assert svg.startswith("<svg") and "共 6 条" in svg and "<script" not in svg


@pytest.mark.db
def test_a_post_at_monday_midnight_counts_in_that_week(tmp_path, database_url):
    from zoneinfo import ZoneInfo

    from storage.scorecard import weekly_counts

    _, config = make_config(tmp_path, database_url)
    store = open_app(config)
    bounds = trend_bounds(local(2027, 1, 1, 0), ZoneInfo("Asia/Shanghai"))
    with store.session() as s:
        for k in range(26):  # k posts at the very first instant of week k, one a microsecond before it
            s.add_all(post("a1", f"m{k}-{i}", bounds[k]) for i in range(k))
            s.add(post("a2", f"e{k}", bounds[k + 1] - timedelta(microseconds=1)))
    with store.session() as s:
        counts = weekly_counts(s, bounds)
    assert counts["a1"] == list(range(26)) and counts["a2"] == [1] * 26
    store.dispose()


@pytest.mark.e2e
def test_scorecard_of_the_crawled_sandbox_matches_its_world(first_crawl):
    """After one crawl of the sandbox: each Weibo account read ok has, for the current quarter (the
    one before in a quarter's first three weeks, when little is published yet), the number of
    posts and the sums of reposts, comments and likes its world published there — from the
    oldest post the crawl reached on (a first crawl reads so far back, not a whole quarter)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import func

    from core.config import load_config
    from storage.db import open_store

    def quarter(day):
        return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")

    world = first_crawl.sandbox.world
    config = load_config(first_crawl.config)
    tz = ZoneInfo(config.timezone)
    period = quarter(world.now.astimezone(tz).date())
    start, end = period.bounds(tz)
    if world.now - start < timedelta(days=21):
        period = quarter(period.first - timedelta(days=1))
        start, end = period.bounds(tz)
    store = open_store(config.database_url())
    with store.session() as s:
        card = build_scorecard(s, config, period, now=world.now)
        outcomes = dict(s.execute(select(Account.id, Account.last_crawl_outcome)).all())
        oldest = dict(
            s.execute(
                select(Post.account_id, func.min(Post.published_at))
                .where(Post.is_pinned.is_(False))
                .group_by(Post.account_id)
            ).all()
        )
    store.dispose()
    by = card.by_id()
    checked = 0
    for account in world.accounts.values():
        if account.platform != "weibo" or outcomes.get(account.id) != "ok" or account.id not in by:
            continue
        since = max(start, oldest.get(account.id) or start)
        posts = [p for p in account.posts if not p.deleted and since <= world.shown_at(account, p) < end]
        f = by[account.id].figures
        expected = (
            len(posts),
            sum(p.reposts_count for p in posts),
            sum(p.comments_count for p in posts),
            sum(p.attitudes_count for p in posts),
        )
        assert (f.posts, f.shares, f.comments, f.likes) == expected, account.id
        if posts:
            assert by[account.id].reach is not None and 0 <= by[account.id].reach <= 100
            checked += 1
    assert checked >= 3, "the sandbox has Weibo accounts posting this quarter"
    # 传播效果 is against the platform's best: one Weibo account scores 100
    assert max(a.reach or 0 for a in card.accounts if a.platform == "weibo") == 100.0
