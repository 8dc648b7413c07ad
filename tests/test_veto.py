"""The two-week veto (两周未更新，单项否决): the countdown, the quarter's figures, the day-10 warning."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from analysis.asof import account_states
from analysis.veto import quarter_figures
from core.config import ConfigError, load_config, parse_config
from core.items import OutcomeItem, PostItem
from reporting.account import account_card
from reporting.alerts import run_alerts
from reporting.export import account_rows
from reporting.view import build_view
from reporting.weeks import week_of
from storage import repo
from storage.db import open_store
from storage.models import SentAlert
from tests.conftest import FirstCrawl, export_jsonl, run_govwatch
from tests.test_delivery_mail import SENDER, smtp_server  # noqa: F401 - fixture

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # noon in Beijing, in 2026Q4 (from 10-01)
ACCOUNT = {"id": "lc", "unit": "旗林草局", "platform": "weibo", "name": "林草发布", "handle": "9"}
# Posts at noon Beijing time on these days; the first is before the quarter began.
POST_DAYS = ["2026-09-20", "2026-10-10", "2026-10-30", "2026-11-16"]


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=TZ).astimezone(UTC)


def config(**extra) -> object:  # noqa: ANN003
    return parse_config({"accounts": [ACCOUNT], **extra})


def store_with_posts(database_url: str, cfg, days: list[str], outcomes: list[tuple[str, datetime]]):  # noqa: ANN001, ANN201
    """The account with posts on `days`, and one crawl run per (outcome, finished at)."""
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(cfg.accounts))
        repo.upsert_posts(
            s, [PostItem("lc", f"p{i}", None, noon(d), text="工作动态") for i, d in enumerate(days)]
        )
        for outcome, at in outcomes:
            run = repo.start_run(s, "test", 1)
            repo.record_outcome(
                s, run, OutcomeItem("lc", outcome, finished_at=at), 0, 1 if outcome == "ok" else 0
            )
            repo.finish_run(s, run)
    return store


def test_countdown_and_quarter_figures_by_hand(database_url):
    """Last post 11-16, now 11-26: 10 days without a post, 4 left. The quarter (10-01 to 11-26):
    gaps 09-20→10-10 (20), 10-10→10-30 (20), 10-30→11-16 (17), 11-16→now (10), so the longest is
    20; overdue (14 or more days since the last post) 10-04..10-09 (6), 10-24..10-29 (6),
    11-13..11-15 (3): 15 days."""
    cfg = config()
    store = store_with_posts(database_url, cfg, POST_DAYS, [("ok", NOW - timedelta(hours=1))])
    with store.session() as s:
        [state] = account_states(s, cfg.thresholds, NOW)
        assert (state.days_since_last_post, state.veto.state, state.veto.days_left) == (10, "counting", 4)
        assert state.veto.text == "距否决 4 天"
        [q] = quarter_figures(s, [state], cfg.thresholds, cfg.tz).values()
        assert (q.quarter, q.days_overdue, q.longest_gap_days) == ("2026Q4", 15, 20)

        [row] = account_rows(s, cfg, NOW)
        assert (row["veto_state"], row["veto_days_left"]) == ("counting", 4)
        assert (row["quarter"], row["quarter_days_overdue"], row["quarter_longest_gap_days"]) == (
            "2026Q4",
            15,
            20,
        )

        card = account_card(s, cfg, "lc", now=NOW)
        assert "两周否决 / veto: 距否决 4 天" in card
        assert "2026Q4：超期 15 天，最长未更新间隔 20 天" in card

        # Four days later (11-30) the veto has fallen: its first overdue day counts; the open gap
        # (14 days) is still shorter than the longest (20).
        later = NOW + timedelta(days=4)
        [row] = account_rows(s, cfg, later)
        assert (row["veto_state"], row["veto_days_left"]) == ("overdue", None)
        assert (row["quarter_days_overdue"], row["quarter_longest_gap_days"]) == (16, 20)

        # The weekly report's account line says the same.
        view = build_view(s, cfg, week_of(NOW.astimezone(TZ).date()), None, NOW)
        [line] = view.accounts
        assert line.veto == "距否决 4 天"
    store.dispose()


def test_a_failed_last_crawl_makes_the_countdown_unknown(database_url):
    """The same posts, but the last crawl was blocked: no day is counted as a day without posts."""
    cfg = config()
    store = store_with_posts(
        database_url, cfg, POST_DAYS, [("ok", NOW - timedelta(days=3)), ("blocked", NOW - timedelta(hours=1))]
    )
    with store.session() as s:
        [state] = account_states(s, cfg.thresholds, NOW)
        assert state.veto.state == "unknown" and state.veto.days_left is None
        assert state.veto.text == "未知：最近一次抓取未成功"
        [row] = account_rows(s, cfg, NOW)
        assert (row["veto_state"], row["veto_days_left"]) == ("unknown", None)
        view = build_view(s, cfg, week_of(NOW.astimezone(TZ).date()), None, NOW)
        assert view.accounts[0].veto == "未知：最近一次抓取未成功"
        assert "未知：最近一次抓取未成功" in account_card(s, cfg, "lc", now=NOW)
    store.dispose()


def alert_config(port: int):  # noqa: ANN201
    return config(
        smtp={"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER, "retry_backoff_s": 0},
        supervisors=[
            {"name": "旗林草局", "email": ["lc@example.gov.cn"], "units": ["旗林草局"]},
            {"name": "旗教育局", "email": ["edu@example.gov.cn"], "units": ["旗教育局"]},
        ],
    )


def test_day_ten_warning_is_mailed_once_per_gap(database_url, smtp_server):  # noqa: F811
    recorder, port = smtp_server
    cfg = alert_config(port)
    store = store_with_posts(database_url, cfg, POST_DAYS, [("ok", NOW - timedelta(days=2, hours=1))])
    # Day 9 (11-25): no warning yet.
    result = run_alerts(cfg, store, now=NOW - timedelta(days=1))
    assert not result.sent and recorder.messages == []
    # Day 10: one mail, to the unit's supervisor only.
    result = run_alerts(cfg, store, now=NOW)
    assert not result.failed, result.failed
    assert [rcpt for rcpt, _, _ in recorder.messages] == [["lc@example.gov.cn"]]
    _, message, _ = recorder.messages[0]
    assert "即将否决" in message["Subject"] and "距否决 4 天" in message["Subject"]
    assert "林草发布" in message.get_content()
    # Days 11 and 12: the same gap, nothing more.
    for days in (1, 2):
        again = run_alerts(cfg, store, now=NOW + timedelta(days=days))
        assert not again.sent
    assert len(recorder.messages) == 1
    with store.session() as s:
        keys = s.scalars(select(SentAlert.key).where(SentAlert.key.like("veto:%"))).all()
    assert keys == ["veto:lc:20261116T120000"]
    # A new post ends the gap; ten days after it, a new gap's warning goes out.
    with store.session() as s:
        repo.upsert_posts(s, [PostItem("lc", "p-new", None, noon("2026-11-28"), text="工作动态")])
        run = repo.start_run(s, "test", 1)
        repo.record_outcome(s, run, OutcomeItem("lc", "ok", finished_at=noon("2026-12-08")), 1, 1)
        repo.finish_run(s, run)
    run_alerts(cfg, store, now=noon("2026-12-08") + timedelta(hours=1))
    assert len(recorder.messages) == 2 and "距否决 4 天" in recorder.messages[1][1]["Subject"]
    store.dispose()


def test_no_warning_while_the_last_crawl_failed(database_url, smtp_server):  # noqa: F811
    recorder, port = smtp_server
    cfg = alert_config(port)
    store = store_with_posts(
        database_url, cfg, POST_DAYS, [("ok", NOW - timedelta(days=3)), ("blocked", NOW - timedelta(hours=1))]
    )
    result = run_alerts(cfg, store, now=NOW)
    assert not result.sent and recorder.messages == []
    store.dispose()


def test_the_warning_must_come_before_the_veto():
    with pytest.raises(ConfigError, match="veto_warning_days"):
        config(alerts={"veto_warning_days": 14})
    assert config(alerts={"veto_warning_days": None}).alerts.veto_warning_days is None
    # The default (10) does not stop a config with a shorter veto from loading.
    assert config(thresholds={"warn_days": 3, "stale_days": 7, "zombie_days": 30}).thresholds.stale_days == 7


@pytest.mark.e2e
def test_sandbox_crawl_shows_the_countdown_and_warns(first_crawl: FirstCrawl):
    """After one crawl of the sandbox: each warning account read ok shows 距否决 (14 − days) in the
    report's account table, the crawl queued its day-10 warning, and a failed read says 未知."""
    accounts = export_jsonl(first_crawl.config, "accounts")
    counting = [a for a in accounts if a["veto_state"] == "counting"]
    assert counting
    for a in counting:
        assert a["veto_days_left"] == 14 - a["days_since_last_post"], a
    due = [a for a in counting if a["days_since_last_post"] >= 10]
    assert due, "the sandbox has accounts 10-13 days without a post"
    for a in accounts:
        if a["kind"] == "publish" and a["last_crawl_outcome"] not in (None, "ok") and a["veto_state"]:
            assert a["veto_state"] == "unknown", a

    report = run_govwatch(first_crawl.config, "report", "--week", str(week_of(datetime.now(TZ).date())))
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[0]).read_text(encoding="utf-8")
    table = html[html.index("四、全部帐号") :]
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)  # names repeat across platforms: any row of it
    for a in due:
        assert any(f">{a['name']}</a>" in r and f"距否决 {a['veto_days_left']} 天" in r for r in rows), a

    cfg = load_config(first_crawl.config)
    store = open_store(cfg.database_url())
    with store.session() as s:
        keys = set(s.scalars(select(SentAlert.key).where(SentAlert.key.like("veto:%"))))
    store.dispose()
    assert {k.split(":")[1] for k in keys} >= {a["id"] for a in due}
