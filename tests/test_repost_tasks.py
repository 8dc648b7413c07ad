"""Reposting tasks (转载任务): the matcher on written variants, the judgement, config and command
errors, findings over a real store, and the sandbox's task crawled end to end (sandbox/content.py:
three accounts repost on time, one late, one never, beside an unrelated post on the same topic)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from analysis.findings import sync_findings
from analysis.reposts import (
    MATCH_THRESHOLD,
    KeyPost,
    Match,
    Text,
    bid_to_mid,
    evaluate_tasks,
    exact_time,
    find_repost,
    hours_text,
    judge,
    normalize,
    similarity,
    task_findings,
    weibo_ids,
    weibo_time,
)
from core.config import ConfigError, parse_config
from core.vocabulary import Category, FindingState, RepostState
from reporting.view import build_view
from reporting.weekly import render_text
from reporting.weeks import week_of
from sandbox.content import TASK_KEY
from sandbox.world import build_world, mid_to_bid
from storage.models import Account, Finding, Post, Unit
from storage.tasks import PostRow, merge_config_tasks
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

TZ = ZoneInfo("Asia/Shanghai")
KEY_T = TASK_KEY.title
KEY_B = TASK_KEY.body
KEY = Text.of(None, TASK_KEY.text)  # the Weibo key post: 【title】body

# Reposts as units write them: (title, text). Every one must match.
REPOSTS = [
    (KEY_T, KEY_B),
    ("", TASK_KEY.text),
    (f"【转载】{KEY_T}", KEY_B + "\n来源：青川发布"),
    (f"转发：{KEY_T}", KEY_B),
    (f"[转] {KEY_T}", KEY_B),
    ("", f"【{KEY_T}】{KEY_B}（来源：青川发布）"),
    ("", f"转发微博 //@青川发布:【{KEY_T}】{KEY_B}"),
    ("", f"转发：【{KEY_T}】{KEY_B}"),
    (KEY_T.replace("关于", " 关于 "), KEY_B.replace("，", ",").replace("。", ". ")),
    ("", f"{KEY_T}\n{KEY_B}\n编辑：张三\n审核：李四"),
    (f"重磅！{KEY_T}", KEY_B[:60]),
    (KEY_T, ""),
    (KEY_T, "点击阅读原文查看全文"),
    ("", f"#{KEY_T}# {KEY_B[:80]}…全文"),
    ("旗政府发布冬季森林草原防火命令", KEY_B),
    ("", f"转自青川发布\n{KEY_B}"),
    ("", KEY_B + "转自：青川发布"),
    ("", f"{KEY_B}（稿件来源：青川旗人民政府办公室 责任编辑：王五）"),
    (KEY_T.replace("通告", "通告（全文）"), KEY_B),
    ("关于发布冬季森林草原防火命令的通告", KEY_B + "\n（转自：青川发布）"),
    ("", "　".join(KEY_B)),  # full-width spaces between every character
    ("", KEY_B.replace("2027", "２０２７")),  # full-width digits
    (KEY_T + "｜青川街道", KEY_B),
    ("", "【扩散】" + TASK_KEY.text),
    (f"【{KEY_T}】", ""),
    ("", f"{KEY_B[:50]}……"),
    ("青川发布：" + KEY_T, KEY_B[:120]),
    ("", "分享：" + TASK_KEY.text),
    (KEY_T, f"原标题：{KEY_T}\n{KEY_B}"),
    ("", f"权威发布！{KEY_T}。{KEY_B}"),
]
# Unrelated posts on the same topics and in the same words: none may match.
UNRELATED = [
    ("青川旗开展森林草原防火宣传进社区活动", "为增强群众防火意识，旗应急管理局联合青川街道开展森林草原防火宣传进社区活动，发放宣传资料2000余份。"),
    ("宝力镇召开森林草原防火工作部署会", "11月20日，宝力镇召开今冬明春森林草原防火工作部署会，要求各嘎查村落实防火责任，严禁野外用火。"),
    ("冬季防火安全提示", "冬季天干物燥，请广大群众注意用火用电安全，严禁在林区草原野外用火，发现火情请拨打12119。"),
    ("青川旗人民政府关于做好冬季供暖保障工作的通知", "为做好今冬供暖保障工作，旗人民政府决定自即日起开展供暖设施安全检查。"),
    ("", "【防火期】自即日起进入森林草原防火期，严禁野外用火，违者依法处理。"),
    ("关于发布2025年冬季森林草原防火命令的通告", "去年的通告：自2025年11月1日起至2026年5月31日为防火期。"),
    ("人社局开展冬季办公场所防火安全检查", "为落实冬季森林草原防火要求，旗人力资源和社会保障局组织对办公楼、档案室和服务大厅开展防火安全检查。"),
    ("青川旗人民政府关于发布禁牧休牧命令的通告", "为保护草原生态，旗人民政府决定：自2027年4月1日起至6月30日为全旗禁牧休牧期。"),
    ("", "转发微博"),
    ("", "森林草原防火，人人有责！"),
    ("我旗召开冬季森林草原防火工作电视电话会议", "会议传达了上级关于森林草原防火工作的部署，要求各苏木镇严禁野外用火，确保不发生重特大火灾。"),
    ("青川旗人民政府关于调整森林草原防火期的通告", "经研究，旗人民政府决定将森林草原防火期延长至2027年6月15日，防火期内严禁野外用火。"),
    ("防火期内严禁携带火种进入林区", "护林员提醒：进入林区请勿携带火种，违者将依法处理。"),
    ("", f"明日起全旗开展防火检查，具体安排见{KEY_T[:6]}网站。"),
]  # fmt: skip


def score(title: str, text: str) -> float:
    return similarity(KEY, Text.of(title, text))


# --- the matcher -------------------------------------------------------------------------------


def test_normalize_drops_brackets_sources_prefixes_and_punctuation():
    assert normalize("转发：【通告】防火，期。\n来源：青川发布") == "通告防火期"
    assert normalize("［转］ＡＢＣ　１２３（转自：青川发布）") == "abc123"
    assert normalize("转发微博 //@青川发布:正文") == "正文"
    title = Text.of("", "【冬季森林草原防火命令】正文内容在这里")
    assert title.title == "冬季森林草原防火命令"


def test_every_written_repost_matches_and_no_unrelated_post_does():
    positives = sorted(round(score(*v), 3) for v in REPOSTS)
    negatives = sorted(round(score(*v), 3) for v in UNRELATED)
    misses = [v for v in REPOSTS if score(*v) < MATCH_THRESHOLD]
    false = [v for v in UNRELATED if score(*v) >= MATCH_THRESHOLD]
    assert not misses, misses
    assert not false, false
    # The threshold sits in the measured gap with room on both sides (analysis/reposts.py says it).
    assert negatives[-1] + 0.1 <= MATCH_THRESHOLD <= positives[0] - 0.1, (negatives[-1], positives[0])


def test_a_title_only_task_matches_titles_and_weibo_texts_carrying_the_title():
    key = Text.of(KEY_T, None)
    assert similarity(key, Text.of(f"【转载】{KEY_T}", "")) >= MATCH_THRESHOLD
    assert similarity(key, Text.of("", f"【{KEY_T}】{KEY_B}")) >= MATCH_THRESHOLD
    assert similarity(key, Text.of("", f"#{KEY_T}# {KEY_B[:40]}")) >= MATCH_THRESHOLD
    for title, text in UNRELATED:
        assert similarity(key, Text.of(title, text)) < MATCH_THRESHOLD, title


def test_weibo_addresses_name_the_post_id():
    mid = "5371254798801729"
    bid = mid_to_bid(mid)
    assert bid_to_mid(bid) == mid
    assert weibo_ids(f"https://weibo.com/7712000101/{bid}") == {mid}
    assert weibo_ids(f"https://m.weibo.cn/detail/{mid}") == {mid}
    assert weibo_ids(f"https://m.weibo.cn/status/{bid}") == {mid}
    assert weibo_ids("https://www.qingchuan.example.gov.cn/a.html") == set()


def post(
    pk: int, at: datetime, title: str | None = None, text: str = "", repost_of: str | None = None
) -> PostRow:
    return PostRow(pk, "a", str(pk), f"https://example.gov.cn/{pk}", at, title, text, repost_of, None)


def test_a_weibo_post_dated_by_its_day_gets_its_time_back_from_its_id():
    world = build_world(now=datetime(2026, 12, 7, 7, 0, tzinfo=TZ))
    _, key = world.posts_by_id[world.task_posts["key"]]
    assert weibo_time(key.id) == key.published_at
    midnight = key.published_at.astimezone(TZ).replace(hour=0, minute=0)
    assert exact_time(midnight, "weibo", key.id, TZ) == key.published_at
    assert exact_time(midnight, "wechat", key.id, TZ) == midnight  # only Weibo ids carry the time
    next_day = midnight + timedelta(days=1)
    assert exact_time(next_day, "weibo", key.id, TZ) == next_day  # another day: the listing wins
    assert weibo_time("12345") is None and weibo_time("abc") is None


def test_find_repost_takes_the_first_weibo_repost_or_close_text_and_skips_the_key_itself():
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    key = KeyPost(KEY, t0, frozenset({"99"}), post_id=1)
    posts = [
        post(1, t0, None, TASK_KEY.text),  # the key post itself
        post(2, t0 + timedelta(hours=1), *UNRELATED[0]),
        post(3, t0 + timedelta(hours=2), None, "转发微博", repost_of="@青川发布:99"),
        post(4, t0 + timedelta(hours=3), KEY_T, KEY_B),
    ]
    found = find_repost(key, posts)
    assert found is not None and found.post.id == 3 and found.how == "weibo"
    found = find_repost(key, [posts[0], posts[1], posts[3]])
    assert found is not None and found.post.id == 4 and found.how == "text"
    assert find_repost(key, posts[:2]) is None


def test_judge_on_time_late_missing_unverified_pending():
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Qingchuan
    deadline = t0 + timedelta(hours=24)
    now = t0 + timedelta(days=3)
    read = now - timedelta(hours=2)

    def at(hours: float) -> Match:
        return Match(post(9, t0 + timedelta(hours=hours)), 1.0, "weibo")

    done = judge(at(2.5), t0, deadline, now, read, TZ)
    assert (done.state, done.hours_taken, done.hours_late) == (RepostState.DONE, 2.5, None)
    late = judge(at(40), t0, deadline, now, read, TZ)
    assert (late.state, late.hours_taken, late.hours_late) == (RepostState.LATE, 40.0, 16.0)
    assert judge(None, t0, deadline, now, read, TZ).state == RepostState.MISSING
    # not read since the deadline: no accusation
    assert judge(None, t0, deadline, now, deadline - timedelta(hours=1), TZ).state == RepostState.UNVERIFIED
    assert judge(None, t0, deadline, now, None, TZ).state == RepostState.UNVERIFIED
    assert judge(None, t0, deadline, t0 + timedelta(hours=3), read, TZ).state == RepostState.PENDING
    # a website column gives the date only (local midnight): on the deadline's day is on time
    midnight = datetime(2026, 12, 2, 0, 0, tzinfo=TZ)
    assert judge(Match(post(9, midnight), 0.9, "text"), t0, deadline, now, read, TZ).state == RepostState.DONE
    assert hours_text(2.5) == "2小时30分" and hours_text(40) == "1天16小时" and hours_text(0.25) == "15分钟"


# --- config and command errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "key", "words"),
    [
        ({"id": "t1", "title": "x", "units": ["u"], "deadline": "soon"}, "repost_tasks[0] (t1).deadline", "not a time"),
        ({"id": "t1", "units": ["u"], "deadline": "24h"}, "repost_tasks[0] (t1)", "title or url"),
        ({"id": "t1", "title": "x", "deadline": "24h"}, "repost_tasks[0] (t1)", "units or accounts"),
        ({"id": "t1", "title": "x", "units": ["u"]}, "repost_tasks[0] (t1).deadline", "required"),
        ({"id": "t1", "title": "x", "units": ["u"], "deadline": 24}, "repost_tasks[0] (t1).deadline", "24h"),
        ({"id": "t 1", "title": "x", "units": ["u"], "deadline": "24h"}, "repost_tasks[0] (t 1).id", "letters"),
        ({"id": "t1", "url": "weibo.com/1/2", "units": ["u"], "deadline": "24h"}, "repost_tasks[0] (t1).url", "web address"),
        ({"id": "t1", "title": "x", "accounts": ["Bad_Id"], "deadline": "24h"}, "repost_tasks[0] (t1).accounts", "account id"),
        (
            {"id": "t1", "title": "x", "units": ["u"], "published_at": "2026-11-21 10:00", "deadline": "2026-11-21 09:00"},
            "repost_tasks[0] (t1)",
            "not after",
        ),
    ],
)  # fmt: skip
def test_config_errors_name_the_task_key(task, key, words):
    with pytest.raises(ConfigError) as caught:
        parse_config({"repost_tasks": [task]}, "config.yaml")
    assert caught.value.key == key and words in caught.value.reason, str(caught.value)


def test_config_accepts_times_and_spans_and_refuses_a_repeated_id():
    config = parse_config(
        {
            "repost_tasks": [
                {"id": "a", "title": "x", "units": ["u"], "deadline": "2026-11-21 18:00"},
                {"id": "b", "url": "https://weibo.com/1/Abc", "accounts": ["qc-x"], "deadline": "2d"},
            ]
        }
    )
    assert config.repost_tasks[0].deadline == datetime(2026, 11, 21, 18, 0)
    assert config.repost_tasks[1].deadline == 48.0
    with pytest.raises(ConfigError, match=r"repost_tasks\[1\]\.id: task id 'a' appears more than once"):
        parse_config({"repost_tasks": [{"id": "a", "title": "x", "units": ["u"], "deadline": "1d"}] * 2})


# --- over a real store ---------------------------------------------------------------------------------


T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def seed(session) -> None:  # noqa: ANN001
    gov, edu, town = Unit(name="旗政府办公室"), Unit(name="旗教育局"), Unit(name="宝力镇人民政府")
    session.add_all([gov, edu, town])
    session.flush()
    read = T0 + timedelta(days=2)

    def account(id_: str, unit: Unit, platform: str, **kw) -> Account:  # noqa: ANN003
        return Account(id=id_, unit_id=unit.id, platform=platform, name=id_, last_ok_at=read, **kw)

    session.add_all(
        [
            account("gov-weibo", gov, "weibo"),
            account("edu-weibo", edu, "weibo"),
            account("edu-wechat", edu, "wechat"),
            account("edu-douyin", edu, "douyin"),  # a video account: not expected of the unit
            account("edu-app", edu, "app", kind="service"),  # a service: not expected
            account("edu-old", edu, "wechat", closed=True),  # closed: not expected
            account("town-web", town, "website"),
        ]
    )
    session.flush()
    rows = [
        Post(account_id="gov-weibo", platform_post_id="5371254798801729", url="https://m.weibo.cn/detail/5371254798801729",
             published_at=T0, title=None, text=TASK_KEY.text),
        Post(account_id="edu-weibo", platform_post_id="1", published_at=T0 + timedelta(hours=3), text="转发微博",
             repost_of="@青川发布:5371254798801729", repost_text=TASK_KEY.text, is_original=False),
        Post(account_id="edu-wechat", platform_post_id="2", url="https://mp.weixin.qq.com/s/2",
             published_at=T0 + timedelta(hours=30), title=f"【转载】{KEY_T}", text=KEY_B + "\n来源：青川发布"),
        Post(account_id="town-web", platform_post_id="3", published_at=T0 + timedelta(hours=5), title=UNRELATED[1][0],
             text=UNRELATED[1][1]),
    ]  # fmt: skip
    session.add_all(rows)


def task_config(**more):  # noqa: ANN003, ANN201
    base = {
        "id": "fire",
        "url": "https://m.weibo.cn/detail/5371254798801729",
        "units": ["旗教育局", "宝力镇人民政府", "旗文化和旅游局"],
        "deadline": "24h",
    }
    return parse_config({"repost_tasks": [{**base, **more}]})


@pytest.mark.db
def test_completion_per_unit_and_account_and_findings_lifecycle(store):
    config = task_config()
    now = T0 + timedelta(days=2, hours=1)
    with store.session() as session:
        seed(session)
        merge_config_tasks(session, config.repost_tasks, config.tz)
    with store.session() as session:
        (result,) = evaluate_tasks(session, config.tz, now)
        assert result.key.post_id is not None and result.key.published_at == T0
        assert result.deadline == T0 + timedelta(hours=24)
        states = {a.account.id: a.state for a in result.accounts}
        assert states == {
            "edu-weibo": RepostState.DONE,
            "edu-wechat": RepostState.LATE,
            "town-web": RepostState.MISSING,  # its post on the same topic is not the repost
        }
        by_id = {a.account.id: a.judgement for a in result.accounts}
        assert by_id["edu-weibo"].hours_taken == 3.0 and by_id["edu-weibo"].how == "weibo"
        assert (by_id["edu-wechat"].hours_taken, by_id["edu-wechat"].hours_late) == (30.0, 6.0)
        units = {u.unit: (u.done, len(u.accounts), u.registered, u.state) for u in result.units}
        assert units == {
            "旗教育局": (2, 2, True, RepostState.LATE),
            "宝力镇人民政府": (0, 1, True, RepostState.MISSING),
            "旗文化和旅游局": (0, 0, False, None),
        }
        specs, judged = task_findings([result], now, config.tz)
        sync_findings(session, specs, judged, now)
    with store.session() as session:
        found = {f.account_id: f for f in session.scalars(select(Finding))}
        assert {a: (f.rule, f.category, f.status) for a, f in found.items()} == {
            "edu-wechat": ("repost.late", Category.LOW_QUALITY, FindingState.OPEN),
            "town-web": ("repost.missing", Category.LOW_QUALITY, FindingState.OPEN),
        }
        assert (
            "用时 1天6小时" in found["edu-wechat"].evidence
            and "超过截止时间 6小时" in found["edu-wechat"].evidence
        )
        assert found["edu-wechat"].evidence_url == "https://mp.weixin.qq.com/s/2"
        assert "未见转载" in found["town-web"].evidence
        assert found["town-web"].evidence_url == "https://m.weibo.cn/detail/5371254798801729"  # the task
        # The town reposts two days late: the missing finding closes, a late one opens.
        session.add(
            Post(account_id="town-web", platform_post_id="4", published_at=T0 + timedelta(days=3),
                 title=KEY_T, text=KEY_B)
        )  # fmt: skip
    later = T0 + timedelta(days=3, hours=2)
    with store.session() as session:
        specs, judged = task_findings(evaluate_tasks(session, config.tz, later), later, config.tz)
        sync_findings(session, specs, judged, later)
    with store.session() as session:
        rows = {(f.account_id, f.rule): f for f in session.scalars(select(Finding))}
        missing = rows[("town-web", "repost.missing")]
        assert missing.status == FindingState.RECTIFIED and "逾期 2天" in missing.status_reason
        assert rows[("town-web", "repost.late")].status == FindingState.OPEN
    # The week's report: the section, cut to a supervisor's units.
    with store.session() as session:
        day = later.astimezone(TZ).date()
        overall = build_view(session, config, week_of(day), now=later)
        education = build_view(session, config, week_of(day), units={"旗教育局"}, now=later)
    (task,) = overall.tasks
    assert (task.title, task.expected, task.done, task.late, task.missing) == (KEY_T, 3, 1, 2, 0)
    assert [(u.unit, u.done, u.expected) for u in task.units] == [
        ("旗教育局", 2, 2),
        ("宝力镇人民政府", 1, 1),
        ("旗文化和旅游局", 0, 0),
    ]
    (mine,) = education.tasks
    assert {a.account_id for a in mine.accounts} == {"edu-weibo", "edu-wechat"}
    assert [u.unit for u in mine.units] == ["旗教育局"]
    text = render_text(education)
    assert (
        "五、转载任务完成情况（1）" in text and "用时 1天6小时，超时 6小时" in text and "town-web" not in text
    )
    # A week after the late repost its finding closes as recorded; nothing reopens.
    week_on = T0 + timedelta(days=11)
    with store.session() as session:
        specs, judged = task_findings(evaluate_tasks(session, config.tz, week_on), week_on, config.tz)
        sync_findings(session, specs, judged, week_on)
    with store.session() as session:
        assert {f.status for f in session.scalars(select(Finding))} == {FindingState.RECTIFIED}


@pytest.mark.db
def test_named_accounts_unverified_and_pending(store):
    config = task_config(units=[], accounts=["edu-douyin", "edu-weibo"], deadline="2026-12-03 12:00")
    with store.session() as session:
        seed(session)
        merge_config_tasks(session, config.repost_tasks, config.tz)
    with store.session() as session:
        (before,) = evaluate_tasks(session, config.tz, T0 + timedelta(hours=1))
        # named: a video account is expected when the task names it
        assert {a.account.id: a.state for a in before.accounts} == {
            "edu-douyin": RepostState.PENDING,
            "edu-weibo": RepostState.PENDING,  # its repost (3 h) is after this moment
        }
        (after,) = evaluate_tasks(session, config.tz, T0 + timedelta(days=4))
        # edu-douyin was last read before the deadline: not accused
        assert {a.account.id: a.state for a in after.accounts} == {
            "edu-douyin": RepostState.UNVERIFIED,
            "edu-weibo": RepostState.DONE,
        }
        specs, _ = task_findings([after], T0 + timedelta(days=4), config.tz)
        assert specs == []


@pytest.mark.slow
@pytest.mark.db
def test_tasks_commands_add_list_show_remove_and_refuse_bad_input(tmp_path, database_url):
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database": database_url,
                "accounts": [
                    {"id": "qc-a", "unit": "旗教育局", "platform": "wechat", "name": "青川教育", "feed_url": "http://127.0.0.1:9/a"},
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )  # fmt: skip
    bad = run_govwatch(
        path, "tasks", "add", "--title", KEY_T, "--units", "旗教育局", "--deadline", "tomorrow"
    )
    assert bad.returncode == 2 and bad.stderr.startswith("--deadline: not a time"), bad.stderr
    none = run_govwatch(path, "tasks", "add", "--title", KEY_T, "--deadline", "24h")
    assert none.returncode == 2 and "units or accounts" in none.stderr, none.stderr
    unknown = run_govwatch(path, "tasks", "add", "--title", KEY_T, "--accounts", "qc-b", "--deadline", "24h")
    assert unknown.returncode == 2 and "qc-b" in unknown.stderr and "qc-a" in unknown.stderr, unknown.stderr
    added = run_govwatch(
        path, "tasks", "add", "--id", "fire", "--title", KEY_T, "--units", "旗教育局,旗文化和旅游局",
        "--published", "2026-12-01 10:00", "--deadline", "2026-12-02 10:00",
    )  # fmt: skip
    assert added.returncode == 0 and "fire" in added.stdout, added.stderr
    assert "没有登记的帐号" in added.stderr and "旗文化和旅游局" in added.stderr
    again = run_govwatch(
        path, "tasks", "add", "--id", "fire", "--title", "x", "--units", "u", "--deadline", "1d"
    )
    assert again.returncode == 2 and "已存在" in again.stderr
    listed = run_govwatch(path, "tasks", "list")
    assert listed.returncode == 0 and "fire" in listed.stdout and "截止 2026-12-02 10:00" in listed.stdout
    shown = run_govwatch(path, "tasks", "show", "fire")
    assert shown.returncode == 0, shown.stderr
    # never crawled: the account is not accused of missing the repost
    assert f"[{RepostState.UNVERIFIED.label}] 旗教育局 / 青川教育" in shown.stdout
    assert "旗文化和旅游局：0/0 已转载（单位未登记）" in shown.stdout
    missing = run_govwatch(path, "tasks", "show", "nope")
    assert missing.returncode == 2 and "fire" in missing.stderr
    removed = run_govwatch(path, "tasks", "remove", "fire")
    assert removed.returncode == 0 and run_govwatch(path, "tasks", "list").stdout.startswith("没有转载任务")


# --- end to end: the sandbox's task ------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.db
def test_the_sandbox_task_crawled_judged_reported_exported(tmp_path, sandbox, database_url):
    truth = sandbox.world.task_truth()
    # Declared as an office would, by title and publisher: the time comes from the stored key post
    # (the Weibo listing dates it by its day only; its id gives the minute back).
    config = write_sandbox_config(
        tmp_path, sandbox.base_url, database=database_url, repost_tasks=[truth["config"]]
    )
    crawl = run_govwatch(config, "crawl")
    assert crawl.returncode == 0, crawl.stderr

    rows = export_jsonl(config, "tasks")
    states = {r["account_id"]: r["state"] for r in rows}
    assert states == truth["expected"]
    key_at = datetime.fromisoformat(truth["key_published_at"])
    for row in rows:
        assert row["task_id"] == "fire-order" and row["deadline"] == truth["deadline"]
        assert row["published_at"] == truth["key_published_at"]
        if row["state"] in ("done", "late"):
            # time taken: the repost's time (as the platform shows it) minus the key post's
            assert row["hours_taken"] == truth["hours_after"][row["account_id"]], row
            assert datetime.fromisoformat(row["reposted_at"]) == key_at + timedelta(hours=row["hours_taken"])
            assert row["repost_url"].startswith("http")
    by_account = {r["account_id"]: r for r in rows}
    assert by_account["qc-police-weibo"]["match"] == "weibo"  # the Weibo repost of the key post
    assert by_account["qc-edu-wechat"]["hours_late"] == 16.0
    assert by_account["qc-rsj-wechat"]["reposted_at"] is None  # its same-topic post is not the repost

    findings = [f for f in export_jsonl(config, "findings") if f["rule"].startswith("repost.")]
    assert {(f["account_id"], f["rule"], f["status"]) for f in findings} == {
        ("qc-edu-wechat", "repost.late", "open"),
        ("qc-rsj-wechat", "repost.missing", "open"),
    }
    assert all(f["category"] == Category.LOW_QUALITY for f in findings)

    shown = run_govwatch(config, "tasks", "show", "fire-order")
    assert shown.returncode == 0, shown.stderr
    assert "按时完成率：60%（应转载 5 个帐号）" in shown.stdout, shown.stdout
    assert "（已在存储的内容中找到原文）" in shown.stdout

    report = run_govwatch(config, "report", "--out", str(tmp_path / "out"))
    assert report.returncode == 0, report.stderr
    overall = next(line for line in report.stdout.splitlines() if line.endswith("-overall.html"))
    page = Path(overall).read_text(encoding="utf-8")
    assert "五、转载任务完成情况（1）" in page and TASK_KEY.title in page
    for label in (RepostState.DONE.label, RepostState.LATE.label, RepostState.MISSING.label):
        assert label in page
    assert "1天16小时" in page and "16小时" in page  # the late repost: taken, and past the deadline

    sheet = tmp_path / "tasks.xlsx"
    exported = run_govwatch(config, "export", "tasks", "--format", "xlsx", "--out", str(sheet))
    assert exported.returncode == 0, exported.stderr
    ws = load_workbook(sheet).active
    assert ws.title == "转载任务" and ws["A1"].value.startswith("转载任务完成情况")
    assert [c.value for c in ws[2]][:8] == [
        "序号",
        "转载任务",
        "原文发布时间",
        "截止时间",
        "责任主体",
        "帐号名称",
        "平台",
        "完成情况",
    ]
    assert ws.max_row == 2 + len(truth["expected"])

    # The missing account reposts now: a rescan closes its missing finding and records it late.
    sandbox.add_post("qc-rsj-wechat", "为切实做好今冬明春森林草原防火工作……", title=f"转发：{TASK_KEY.title}")
    rescan = run_govwatch(config, "rescan", "qc-rsj-wechat")
    assert rescan.returncode == 0, rescan.stderr
    after = {
        (f["rule"], f["status"])
        for f in export_jsonl(config, "findings")
        if f["account_id"] == "qc-rsj-wechat"
    }
    assert after >= {("repost.missing", "rectified"), ("repost.late", "open")}, after
    assert {r["account_id"]: r["state"] for r in export_jsonl(config, "tasks")}["qc-rsj-wechat"] == "late"
    assert json.dumps(truth)  # the truth is plain data
