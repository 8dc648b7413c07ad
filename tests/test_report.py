"""The weekly report, as a supervisor reads it.

A real SQLite store is filled with a fictional 旗's accounts (the sandbox's
青川旗), two crawl runs and their outcomes, posts and one hostile post;
analysis runs after each crawl as it would at night; then the reports are
written and read back: what needs action, crawl health, scope, escaping, past
weeks, the browser rendering and the number of queries.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import zlib
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert

from analysis.run import analyse
from core.config import Config, parse_config
from reporting import labels
from reporting.view import build_view, load_week, safe_url
from reporting.weekly import render, supervisor_slug, write_reports
from reporting.weeks import IsoWeek, week_of
from storage.db import Store, open_store
from storage.models import CrawlOutcome, CrawlRun, Finding, Post
from storage.repo import config_account_records, sync_accounts
from tests.browser import chromium, screenshot, widths

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
# The report week is the last complete one before NOW; PAST is two weeks earlier.
WEEK = IsoWeek(2026, 46)  # 2026-11-09 .. 2026-11-15
PAST = WEEK.previous().previous()  # 2026-W44: 2026-10-26 .. 2026-11-01
RUN1 = PAST.end(TZ) - timedelta(hours=22)  # Sunday 02:00 of PAST
RUN2 = WEEK.end(TZ) - timedelta(hours=22)  # Sunday 02:00 of WEEK
NOW = WEEK.end(TZ) + timedelta(days=2, hours=10)  # Wednesday after WEEK

GOV, EDU, HEALTH, POLICE = "旗政府办公室", "旗教育局", "旗卫生健康委员会", "旗公安局"
MEDIA, BAOLI, BAYAN, SCJG, WENLV = (
    "旗融媒体中心",
    "宝力镇人民政府",
    "巴彦苏木人民政府",
    "旗市场监督管理局",
    "旗文化和旅游局",
)
XSS_TEXT = '<script>alert(1)</script>加微信领红包 <img src=x onerror=alert(1)> <a href="javascript:alert(2)">点我</a>'


def acct(id_, unit, platform, name, **kw):  # noqa: ANN001, ANN201
    record = {"id": id_, "unit": unit, "platform": platform, "name": name}
    if platform == "weibo":
        record["handle"] = kw.pop("handle", str(7712000000 + zlib.crc32(id_.encode()) % 100000))
        record["url"] = f"https://m.weibo.cn/u/{record['handle']}"
    elif platform in ("wechat", "douyin", "toutiao", "rss"):
        record["feed_url"] = f"https://rsshub.example.gov.cn/{platform}/{id_}"
        record["url"] = f"https://{platform}.example.com/{id_}"
    record.update(kw)
    return record


ACCOUNTS = [
    acct("qc-fabu-weibo", GOV, "weibo", "青川发布"),
    acct("qc-fabu-douyin", GOV, "douyin", "青川发布抖音号"),
    acct("qc-edu-weibo", EDU, "weibo", "青川教育"),
    acct("qc-edu-wechat", EDU, "wechat", "青川教育公众号"),
    acct("qc-health-weibo", HEALTH, "weibo", "健康青川"),
    acct("qc-cdc-weibo", HEALTH, "weibo", "青川疾控"),
    acct("qc-police-weibo", POLICE, "weibo", "青川公安"),
    acct("qc-traffic-weibo", POLICE, "weibo", "青川交警"),
    acct("qc-rmt-weibo", MEDIA, "weibo", "青川融媒", operator="outsourced"),
    acct("qc-baoli-weibo", BAOLI, "weibo", "宝力镇发布"),
    acct("qc-bayan-weibo", BAYAN, "weibo", "巴彦苏木"),
    acct("qc-bayan-toutiao", BAYAN, "toutiao", "巴彦苏木头条号"),
    acct("qc-scjg-app", SCJG, "app", "青川市场监管", kind="service", url="https://app.example.gov.cn/scjg"),
    acct("qc-wenlv-weibo", WENLV, "weibo", "青川文旅", closed=True),
]

CONFIG = {
    "timezone": "Asia/Shanghai",
    "report": {"title": "青川旗政务新媒体监测周报"},
    "supervisors": [
        {"name": "旗政府办公室", "email": ["office@example.gov.cn"], "units": ["*"]},
        {"name": "旗教育局", "email": ["edu@example.gov.cn"], "units": [EDU]},
        {"name": "宝力镇", "email": ["baoli@example.gov.cn"], "units": [BAOLI]},
    ],
    "accounts": ACCOUNTS,
}

# (account, outcome at RUN1, outcome at RUN2, detail, http status at RUN2)
OUTCOMES = {
    "qc-fabu-weibo": ("ok", "ok", None, None),
    "qc-fabu-douyin": ("blocked", "blocked", "验证码页面（captcha），未能读取内容", 403),
    "qc-edu-weibo": ("ok", "ok", None, None),
    "qc-edu-wechat": ("ok", "ok", None, None),
    "qc-health-weibo": ("ok", "ok", None, None),
    "qc-cdc-weibo": ("ok", "login_required", "跳转到登录页 https://passport.weibo.cn/signin/login", 302),
    "qc-police-weibo": ("ok", "ok", None, None),
    "qc-traffic-weibo": ("ok", "blocked", "HTTP 418 <img src=x onerror=alert(3)>", 418),
    "qc-rmt-weibo": ("ok", "ok", None, None),
    "qc-baoli-weibo": ("ok", "ok", None, None),
    "qc-bayan-weibo": ("ok", "ok", None, None),
    "qc-bayan-toutiao": ("ok", "not_found", "HTTP 404：帐号不存在", 404),
    "qc-scjg-app": ("ok", "ok", None, None),
}


def daily(account: str, first: datetime, last: datetime, every: timedelta = timedelta(days=1), **kw):  # noqa: ANN201
    posts, at, n = [], first, 0
    while at <= last:
        n += 1
        posts.append(
            dict(
                account_id=account,
                platform_post_id=f"{account}-{n}",
                url=f"https://m.weibo.cn/status/{account}-{n}",
                published_at=at,
                text=kw.get("text", "青川旗召开专题会议，部署近期重点工作。"),
                is_original=kw.get("is_original", True),
                first_seen_at=at,
                last_seen_at=at,
            )
        )
        at += every
    return posts


def week_posts(account: str, week: IsoWeek, count: int, prefix: str) -> list[dict]:
    start = week.start(TZ) + timedelta(hours=9)
    return [
        dict(
            account_id=account,
            platform_post_id=f"{prefix}-{i}",
            url=f"https://m.weibo.cn/status/{prefix}-{i}",
            published_at=start + timedelta(days=i),
            text="教育局通知：关于做好秋季学期学生安全工作的通知",
            first_seen_at=start + timedelta(days=i),
            last_seen_at=start + timedelta(days=i),
        )
        for i in range(count)
    ]


def all_posts() -> list[dict]:
    d = timedelta(days=1)
    posts = []
    posts += daily("qc-fabu-weibo", RUN2 - 100 * d, RUN2 - timedelta(hours=3))
    posts += week_posts("qc-edu-weibo", WEEK, 3, "edu-now")
    posts += week_posts("qc-edu-weibo", PAST, 5, "edu-past")
    posts += daily("qc-edu-wechat", RUN2 - 302 * d, RUN2 - 120 * d, every=7 * d)  # zombie
    posts += daily("qc-health-weibo", RUN2 - 80 * d, RUN2 - 20 * d, every=2 * d)  # stale now, active in PAST
    posts += daily("qc-cdc-weibo", RUN2 - 60 * d, RUN2 - 3 * d, every=3 * d)
    posts += daily("qc-police-weibo", RUN2 - 40 * d, RUN2 - timedelta(hours=5))
    posts += daily("qc-traffic-weibo", RUN1 - 50 * d, RUN1 - timedelta(hours=1), every=2 * d)
    posts += daily("qc-rmt-weibo", RUN2 - 30 * d, RUN2 - timedelta(hours=2), is_original=False)
    posts += daily("qc-baoli-weibo", RUN2 - 50 * d, RUN2 - 6 * d, every=4 * d)
    posts += daily("qc-bayan-toutiao", RUN1 - 40 * d, RUN1 - 10 * d, every=5 * d)  # then: not found
    posts += daily("qc-wenlv-weibo", RUN2 - 400 * d, RUN2 - 200 * d, every=10 * d)
    hostile = dict(
        account_id="qc-baoli-weibo",
        platform_post_id="baoli-xss",
        url="javascript:alert(1)",
        published_at=RUN2 - 5 * d,
        text=XSS_TEXT,
        first_seen_at=RUN2 - 5 * d,
        last_seen_at=RUN2 - 5 * d,
    )
    return posts + [hostile]


def crawl(store: Store, at: datetime, which: int) -> None:
    with store.session() as session:
        run = CrawlRun(
            trigger="cron", started_at=at, finished_at=at + timedelta(minutes=20), state="finished"
        )
        session.add(run)
        session.flush()
        for account_id, (first, second, detail, http) in OUTCOMES.items():
            outcome = first if which == 1 else second
            failed = outcome != "ok"
            session.add(
                CrawlOutcome(
                    run_id=run.id,
                    account_id=account_id,
                    outcome=outcome,
                    detail=detail if failed else None,
                    http_status=http if failed else 200,
                    started_at=at,
                    finished_at=at + timedelta(minutes=10),
                )
            )
        run.accounts_total = len(OUTCOMES)
        run.accounts_ok = sum(1 for o in OUTCOMES.values() if o[which - 1] == "ok")
        run.accounts_failed = run.accounts_total - run.accounts_ok


def populate(store: Store, config: Config) -> None:
    with store.session() as session:
        sync_accounts(session, config_account_records(config.accounts))
    with store.session() as session:
        session.execute(insert(Post), all_posts())
    crawl(store, RUN1, 1)
    analyse(config, store, now=RUN1 + timedelta(minutes=30))
    crawl(store, RUN2, 2)
    analyse(config, store, now=RUN2 + timedelta(minutes=30))
    with store.session() as session:  # a content finding on the hostile post, as the text checks make
        post = session.query(Post).filter_by(platform_post_id="baoli-xss").one()
        session.add(
            Finding(
                fingerprint=f"post:{post.id}:ad.contact",
                account_id="qc-baoli-weibo",
                post_id=post.id,
                category="off_mission",
                rule="ad.contact",
                severity="major",
                evidence=XSS_TEXT,
                evidence_url="javascript:alert(1)",
                first_seen=RUN2 - timedelta(days=4),
                last_seen=RUN2,
                status="open",
                status_changed_at=RUN2 - timedelta(days=4),
            )
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory, databases):  # noqa: ANN201
    directory = tmp_path_factory.mktemp("report")
    config = parse_config(CONFIG)
    store = open_store(databases.new(directory))
    populate(store, config)
    yield config, store, directory
    store.dispose()


@pytest.fixture(scope="module")
def reports(world):  # noqa: ANN201
    config, store, directory = world
    paths = write_reports(store, config, WEEK, directory / "reports", now=NOW)
    return {p.name: p.read_text(encoding="utf-8") for p in paths}, paths


def section(page: str, start: str, end: str | None) -> str:
    begin = page.index(start)
    return page[begin : page.index(end, begin) if end else len(page)]


def action(page: str) -> str:
    return section(page, "二、需要处理的帐号", "三、抓取情况")


def crawl_health(page: str) -> str:
    return section(page, "三、抓取情况", "四、全部帐号")


def table(page: str) -> str:
    return section(page, "四、全部帐号", None)


def row_of(page: str, name: str) -> str:
    """The <tr> of the all-accounts table that names the account."""
    part = table(page)
    at = part.index(f">{name}<")
    return part[part.rindex("\n<tr", 0, at) : part.index("\n</tr>", at)]  # rows hold nested strip tables


# --- files ----------------------------------------------------------------------


def test_one_overall_report_and_one_per_supervisor(world, reports):
    config, _, directory = world
    _, paths = reports
    assert paths[0] == directory / "reports" / "2026-W46" / "govwatch-2026-W46-overall.html"
    expected = [f"govwatch-2026-W46-{supervisor_slug(i, s)}.html" for i, s in enumerate(config.supervisors)]
    assert [p.name for p in paths[1:]] == expected
    for path in paths:
        assert path.name.isascii() and path.exists()
    assert len(set(paths)) == len(paths)


# --- what needs action -----------------------------------------------------------------


def test_zombie_empty_stale_unreachable_named_in_action_section(reports):
    pages, _ = reports
    page = action(pages["govwatch-2026-W46-overall.html"])
    for name, label in [
        ("青川教育公众号", "僵尸帐号"),
        ("巴彦苏木", "空壳帐号"),
        ("健康青川", "超期未更新"),
        ("巴彦苏木头条号", "无法访问"),
    ]:
        card = page[page.index(f">{name}<") :]
        card = card[: card.index("</table>")]
        assert label in card, (name, card)
    # the zombie's evidence: days since its last post and a link to that post
    zombie = page[page.index(">青川教育公众号<") :]
    zombie = zombie[: zombie.index("</table>")]
    assert "120 天未更新" in zombie or "121 天未更新" in zombie
    assert 'href="https://m.weibo.cn/status/qc-edu-wechat-' in zombie
    # active, well-kept accounts are not in the action section
    for name in ("青川发布", "青川融媒"):  # (青川公安 has a registry finding: two weibo accounts in one unit)
        assert f">{name}<" not in page


def test_action_section_grouped_by_unit_worst_first(reports):
    pages, _ = reports
    page = action(pages["govwatch-2026-W46-overall.html"])
    units = [html.unescape(u) for u in _h3s(page)]
    names = [u.split("（")[0] for u in units]
    # critical problems (zombie, empty) come before major ones (stale, unreachable, an ad)
    assert names.index(EDU) < names.index(HEALTH)
    assert names.index(BAYAN) < names.index(HEALTH)
    assert names.index(BAYAN) < names.index(BAOLI)
    # inside 巴彦苏木: the empty account (critical) before the unreachable one (major)
    bayan = page[page.index(BAYAN) :]
    assert bayan.index(">巴彦苏木<") < bayan.index(">巴彦苏木头条号<")


def _h3s(page: str) -> list[str]:
    out, at = [], 0
    while (at := page.find("<h3", at)) != -1:
        start = page.index(">", at) + 1
        out.append(page[start : page.index("</h3>", start)])
        at = start
    return out


def test_never_crawled_ok_is_unknown_never_empty(reports):
    pages, _ = reports
    page = pages["govwatch-2026-W46-overall.html"]
    assert "青川发布抖音号" not in action(page)
    row = row_of(page, "青川发布抖音号")
    assert "状态未知" in row and "空壳" not in row
    health = crawl_health(page)
    line = health[health.index(">青川发布抖音号<") :]
    line = line[: line.index("</tr>")]
    assert "状态未知" in line and "从未成功抓取" in line and "被平台拦截" in line and "空壳" not in line


def test_crawl_failures_shown_in_crawl_health(reports):
    pages, _ = reports
    health = crawl_health(pages["govwatch-2026-W46-overall.html"])
    for name, outcome in [
        ("青川交警", "被平台拦截"),
        ("青川疾控", "需要登录"),
        ("巴彦苏木头条号", "帐号不存在"),
    ]:
        line = health[health.index(f">{name}<") :]
        line = line[: line.index("</tr>")]
        assert outcome in line, (name, line)
    traffic = health[health.index(">青川交警<") :]
    assert "HTTP 418" in traffic[: traffic.index("</tr>")]
    # a blocked account is judged from the posts stored before the block, with the block beside it
    card = action(pages["govwatch-2026-W46-overall.html"])
    card = card[card.index(">青川交警<") :]
    card = card[: card.index("</table>")]
    assert "超期未更新" in card and "最近一次抓取被平台拦截" in card
    # per-platform summary names the blocking
    assert "微博" in health and "被平台拦截 1" in health
    for name in ("青川发布<", "青川公安<"):
        assert f">{name}" not in health


def test_headline_counts(world):
    config, store, _ = world
    with store.session() as session:
        view = build_view(session, config, WEEK, None, NOW)
    counts = {c.code: c.count for c in view.status_counts}
    assert counts["zombie"] == 1 and counts["empty"] == 1 and counts["stale"] == 2  # 健康青川, 青川交警
    assert counts["unreachable"] == 1 and counts["unknown"] == 1 and counts["closed"] == 1
    assert counts["available"] == 1
    assert sum(counts.values()) == view.total_accounts == len(ACCOUNTS)
    severities = {c.code: c.count for c in view.severity_counts}
    # minor ones come from the registry checks (outsourced operator, ...), not counted here
    assert severities["critical"] == 2 and severities["major"] == 4
    assert view.open_findings == 6 + severities["minor"]


def test_every_account_in_the_table_with_its_figures(reports):
    pages, _ = reports
    page = pages["govwatch-2026-W46-overall.html"]
    for record in ACCOUNTS:
        assert f">{html.escape(record['name'])}<" in table(page)
    rmt = row_of(page, "青川融媒")
    assert "0%" in rmt and "正常更新" in rmt and ">6<" in rmt  # reposts only: original share 0
    assert "—" in row_of(page, "巴彦苏木")  # no posts: no original share, no last post
    assert "已关停" in row_of(page, "青川文旅")
    assert "可用" in row_of(page, "青川市场监管")
    assert ">3<" in row_of(page, "青川教育")


# --- scope ------------------------------------------------------------------------------


def test_supervisor_scope(world, reports):
    config, _, _ = world
    pages, _ = reports
    edu = pages[f"govwatch-2026-W46-{supervisor_slug(1, config.supervisors[1])}.html"]
    overall = pages["govwatch-2026-W46-overall.html"]
    assert "青川教育公众号" in action(edu) and "僵尸帐号" in action(edu)
    for record in ACCOUNTS:
        name = f">{html.escape(record['name'])}<"
        assert name in overall
        assert (name in edu) == (record["unit"] == EDU), record["name"]
    assert "报送范围：旗教育局" in edu
    office = pages[f"govwatch-2026-W46-{supervisor_slug(0, config.supervisors[0])}.html"]
    assert all(f">{html.escape(r['name'])}<" in office for r in ACCOUNTS)


# --- escaping -------------------------------------------------------------------------------


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def test_crawled_markup_is_escaped_and_links_are_http_only(reports):
    pages, _ = reports
    for name, page in pages.items():
        parsed = Markup()
        parsed.feed(page)
        assert "script" not in parsed.tags, name
        assert "img" not in parsed.tags and "iframe" not in parsed.tags, name
        assert not [k for k, _ in parsed.attrs if k.startswith("on")], name
        hrefs = [v for k, v in parsed.attrs if k in ("href", "src", "action", "formaction")]
        assert hrefs and all(v.startswith(("http://", "https://")) for v in hrefs), name
        assert "javascript:" not in " ".join(v or "" for _, v in parsed.attrs)
    baoli = pages["govwatch-2026-W46-overall.html"]
    # the hostile text is shown as text, in the finding's evidence
    assert "&lt;script&gt;alert(1)&lt;/script&gt;加微信领红包" in baoli
    assert "&lt;img src=x onerror=alert(1)&gt;" in baoli
    assert "alert(3)" not in baoli  # a crawl's raw detail is for operators, never in the report
    parsed = Markup()
    parsed.feed(baoli)
    assert "<script>alert(1)</script>加微信领红包" in "".join(parsed.text)
    # the hostile post is the last post, but its javascript: link is not offered
    assert "宝力镇发布" in action(baoli)


def test_safe_url():
    assert safe_url("https://m.weibo.cn/status/1") == "https://m.weibo.cn/status/1"
    assert safe_url("HTTP://example.com/a") == "HTTP://example.com/a"
    for bad in (
        "javascript:alert(1)",
        " javascript:x",
        "JaVaScRiPt:x",
        "data:text/html,x",
        "/relative",
        "java\nscript:x",
        "https://",
        "vbscript:x",
        None,
        "",
    ):
        assert safe_url(bad) is None, bad


# --- past weeks -------------------------------------------------------------------------------


def test_past_week_rebuilt_from_storage(world, tmp_path):
    config, store, _ = world
    paths = write_reports(store, config, PAST, tmp_path, now=NOW)
    assert paths[0].name == "govwatch-2026-W44-overall.html"
    page = paths[0].read_text(encoding="utf-8")
    assert "2026年第44周" in page and "2026-10-26 至 2026-11-01" in page
    assert ">5<" in row_of(page, "青川教育")  # that week's posts, not this week's 3
    # 健康青川 was still posting then: not stale as of that week's end
    assert "正常更新" in row_of(page, "健康青川")
    past_action = action(page)
    if ">健康青川<" in past_action:  # listed then for its registry finding only, not as stale
        card = past_action[past_action.index(">健康青川<") :]
        assert "超期未更新" not in card[: card.index("</table>")]
    # 青川交警 was crawled fine then; the later block is not in that week's report
    assert "青川交警" not in crawl_health(page)
    with store.session() as session:
        past = build_view(session, config, PAST, {EDU}, NOW)
        now = build_view(session, config, WEEK, {EDU}, NOW)
    by_name = {a.name: a for a in past.accounts}
    assert by_name["青川教育"].posts_week == 5
    assert {a.name: a.posts_week for a in now.accounts}["青川教育"] == 3
    assert past.week_complete and past.as_of == "2026-11-02 00:00"


def test_current_week_says_it_is_not_over(world):
    config, store, _ = world
    with store.session() as session:
        view = build_view(session, config, week_of(NOW.date()), None, NOW)
    assert not view.week_complete
    assert "本周尚未结束" in render(view)


# --- labels ---------------------------------------------------------------------------------


def test_labels_cover_every_code():
    from core.items import OUTCOMES as ITEM_OUTCOMES
    from core.platforms import account_codes
    from core.vocabulary import PUBLISH_STATUSES, SERVICE_STATUSES, Category, Severity

    for code in PUBLISH_STATUSES + SERVICE_STATUSES:
        assert labels.status_label(code) != code
        assert code in labels.STATUS_ORDER and code in labels.STATUS_COLOURS
    for code in ITEM_OUTCOMES:
        assert labels.outcome_label(code) != code
    for code in account_codes():
        assert labels.platform_label(code) != code
    for code in Category:
        assert labels.category_label(code) != code
    for code in Severity:
        assert labels.severity_label(code) != code
    assert labels.status_label("empty") == "空壳帐号" and labels.status_label("unknown") == "状态未知"
    assert labels.category_label("poor_maintenance") == "运维保障差"
    assert labels.outcome_label(None) == "尚未抓取" and labels.platform_label("nope") == "nope"


# --- scale -------------------------------------------------------------------------------------


def count_queries(store: Store):  # noqa: ANN201
    statements: list[str] = []

    def before(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(store.engine, "before_cursor_execute", before)


def big_store(url: str, accounts: int, posts_each: int) -> tuple[Config, Store]:
    units = [f"第{i}乡镇人民政府" for i in range(50)]
    records = [
        {
            "id": f"a{i:05d}",
            "unit": units[i % len(units)],
            "platform": "weibo",
            "name": f"帐号{i}",
            "handle": str(i),
        }
        for i in range(accounts)
    ]
    config = parse_config(
        {"supervisors": [{"name": "乡镇", "units": units[:5]}, {"name": "全部", "units": ["*"]}]}
    )
    store = open_store(url)
    with store.session() as session:
        sync_accounts(session, records)
    base = RUN2 - timedelta(days=60)
    with store.session() as session:
        rows = [
            dict(
                account_id=r["id"],
                platform_post_id=f"{r['id']}-{j}",
                url=f"https://m.weibo.cn/status/{r['id']}-{j}",
                published_at=base + timedelta(days=(i * 7 + j * 11) % 60, hours=j),
                text="通知",
                first_seen_at=base,
                last_seen_at=base,
            )
            for i, r in enumerate(records[: accounts * 9 // 10])
            for j in range(posts_each)
        ]
        for start in range(0, len(rows), 20_000):
            session.execute(insert(Post), rows[start : start + 20_000])
        run = CrawlRun(trigger="cron", started_at=RUN2, finished_at=RUN2, state="finished")
        session.add(run)
        session.flush()
        session.execute(
            insert(CrawlOutcome),
            [
                dict(
                    run_id=run.id,
                    account_id=r["id"],
                    outcome="blocked" if i % 97 == 0 else "ok",
                    started_at=RUN2,
                    finished_at=RUN2,
                )
                for i, r in enumerate(records)
            ],
        )
    analyse(config, store, now=RUN2 + timedelta(minutes=30))
    return config, store


def test_query_count_does_not_grow_with_accounts(tmp_path, databases):
    counts = []
    for n in (20, 200):
        folder = tmp_path / str(n)
        folder.mkdir()
        config, store = big_store(databases.new(folder, "big.db"), n, 3)
        statements, stop = count_queries(store)
        try:
            with store.session() as session:
                load_week(session, config, WEEK, NOW)
        finally:
            stop()
        counts.append(len(statements))
        store.dispose()
    assert counts[0] == counts[1], counts
    # A fixed number per table and per figure, whatever the accounts (27: the figures read when an
    # app's run of failed reads began, once per week compared).
    assert counts[0] <= 27, counts


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.slow  # the browser
def test_no_horizontal_overflow_at_390_and_1280(reports, tmp_path):
    _, paths = reports
    measured = widths(tmp_path, paths[0])
    assert {"f390", "f1280"} <= set(measured) and len(measured) >= 5, measured  # both frames, three tables
    for frame, (scroll, client) in measured.items():
        assert scroll <= client, f"{frame}: {scroll}px of content in a {client}px box at 1280 px"


ACCOUNT_COLUMNS = (
    "责任主体",
    "帐号",
    "平台",
    "状态",
    "最后发布",
    "未更新天数",
    "本周发布",
    "近12周",
    "近30天",
)
ACCOUNT_COLUMNS += ("原创占比", "内容构成", "回复率", "抓取")
CRAWL_COLUMNS = ("抓取结果", "说明", "最近尝试", "最近成功", "当前判断")


@pytest.mark.slow  # the browser
def test_printed_on_a4_with_every_column(reports, tmp_path):
    """Printed or saved as PDF from a browser, the report is A4 and no table loses a column:
    what does not fit the page is not printed at all, so each column's header must be there."""
    _, paths = reports
    pdf = tmp_path / "report.pdf"
    result = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", paths[0].as_uri())
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    for tool in ("pdfinfo", "pdftotext"):
        assert shutil.which(tool), (
            f"{tool} (poppler-utils) is needed to read the printed report: make sysdeps"
        )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, size  # A4 portrait
    # In reading order, without line breaks: a header may wrap inside its narrow column.
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True)
    printed = re.sub(r"\s+", "", text.stdout)
    start = printed.index("四、全部帐号")
    accounts, crawl = printed[start:], printed[printed.index("抓取异常的帐号") : start]
    for column in ACCOUNT_COLUMNS:
        assert column in accounts, f"全部帐号 printed without its {column} column"
    for column in CRAWL_COLUMNS:
        assert column in crawl, f"抓取异常 printed without its {column} column"
    # the right-hand column's values too: 青川交警's blocked crawl shows only there in this table
    assert "被平台拦截" in accounts


@pytest.mark.slow  # the browser
def test_renders_to_png_in_headless_chromium(reports, tmp_path):
    _, paths = reports
    png = screenshot(tmp_path, paths[0], 1280, 2000, "report.png")
    assert png.exists() and png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("GOVWATCH_UPDATE_SCREENSHOT") == "1":  # refresh docs/report-example.png
        example = screenshot(tmp_path, paths[0], 1280, 3100, "example.png")
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(example, ROOT / "docs" / "report-example.png")


def test_self_contained(reports):
    pages, _ = reports
    for page in pages.values():
        assert "<style>" in page and "<script" not in page.lower()
        assert "<link" not in page and "@import" not in page and "url(" not in page
        assert "overflow-x: auto" in page and 'name="viewport"' in page


# --- change from last week, activity strips, repeat offenders --------------------------------------


def test_headline_changes_from_last_week(world, reports):
    config, store, _ = world
    with store.session() as session:
        view = build_view(session, config, WEEK, None, NOW)
    counts = {c.code: c for c in view.status_counts}
    assert all(c.prev is not None for c in counts.values())
    # 健康青川 became stale during the week; 巴彦苏木头条号 became unreachable
    assert counts["unreachable"].prev == 0 and counts["unreachable"].delta == "↑1"
    assert view.problem_posts_total.count == 1  # the ad in 宝力镇发布's post
    assert [(c.label, c.count) for c in view.problem_posts] == [("功能定位不清", 1)]
    page = reports[0]["govwatch-2026-W46-overall.html"]
    assert "较上周 ↑1" in page and "本周整改帐号" in page and "帐号状态构成" in page


def test_activity_strip_and_repeat_offenders(reports):
    pages, _ = reports
    page = pages["govwatch-2026-W46-overall.html"]
    edu = row_of(page, "青川教育")
    assert edu.count("<td bgcolor=") == 12  # twelve weeks, one cell each
    assert 'title="11-09：3 条"' in edu and 'title="10-26：5 条"' in edu
    # the zombie has had its finding open in 3 of the last 4 weeks
    card = action(page)
    card = card[card.index(">青川教育公众号<") :]
    assert "屡查屡犯" in card[: card.index("</table>")]
    assert "屡犯" in row_of(page, "青川教育公众号") and "屡犯" not in row_of(page, "青川教育")
    assert "内容构成" in page and "工作动态 100%" in row_of(page, "青川发布")  # content types from analysis


def test_reply_rate_shows_in_the_account_table(tmp_path, databases):
    """Replies to the public's comments (crawled comments, analysis/interaction.py) reach the table."""
    from sqlalchemy import update

    from storage.models import Account

    config = parse_config(CONFIG)
    store = open_store(databases.new(tmp_path))
    populate(store, config)
    with store.session() as s:
        s.execute(
            update(Account)
            .where(Account.name == "青川融媒")
            .values(reply_rate_30d=0.5, reply_median_hours_30d=5)
        )
    page = write_reports(store, config, WEEK, tmp_path / "reports", now=NOW)[0].read_text(encoding="utf-8")
    store.dispose()
    assert "50%（中位 5 小时）" in row_of(page, "青川融媒")
    assert "—" in row_of(page, "青川教育")  # no comments read: unknown, not 0%
