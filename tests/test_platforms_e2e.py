"""End to end over loopback: the platforms beyond Weibo's API (WeChat articles, website columns,
apps, comments), deletions, and a crawl in which one platform blocks everything."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import load_config
from sandbox.server import Sandbox
from storage.db import open_store
from storage.models import Account, Comment, CrawlOutcome, OperatorAlert
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def crawl(config: Path) -> str:
    result = run_govwatch(config, "crawl")
    assert result.returncode == 0, result.stderr
    return result.stdout


def accounts(config: Path) -> dict[str, dict]:
    return {a["id"]: a for a in export_jsonl(config, "accounts")}


def test_new_platforms_match_truth_and_findings(sandbox, sandbox_config):
    crawl(sandbox_config)
    truth = sandbox.truth()["accounts"]
    got = accounts(sandbox_config)
    for account_id, t in truth.items():
        if t["platform"] not in ("website", "app") and account_id not in (
            "qc-wenlv-wechat",
            "qc-traffic-wechat",
        ):
            continue
        a = got[account_id]
        assert a["status"] == t["expected_status"], (account_id, a)
        assert a["last_crawl_outcome"] in t["acceptable_outcomes"], (account_id, a)
        if t["expected_outcome"] == "ok" and t["last_post_at"]:
            ours, real = datetime.fromisoformat(a["last_post_at"]), datetime.fromisoformat(t["last_post_at"])
            assert abs(ours - real) <= timedelta(days=1), account_id
    # WeChat: the publish time is the article page's `var ct`, to the second.
    assert got["qc-wenlv-wechat"]["last_post_at"] == truth["qc-wenlv-wechat"]["last_post_at"]
    # The deleted article is stored as deleted; the captcha account is blocked, not empty.
    posts = [p for p in export_jsonl(sandbox_config, "posts") if p["account_id"] == "qc-wenlv-wechat"]
    assert sum(p["deleted"] for p in posts) == len(truth["qc-wenlv-wechat"]["deleted_post_ids"]) == 1
    assert got["qc-traffic-wechat"]["status"] == "unknown"

    # One failed read of an app is not yet the unit's fault: no finding until a second read at
    # least an hour later fails too (the first read moved back two hours stands for the wait).
    findings = export_jsonl(sandbox_config, "findings")
    assert not [f for f in findings if f["rule"] == "service.unavailable"]
    apps = [a for a, t in truth.items() if t["platform"] == "app"]
    store = open_store(load_config(sandbox_config).database_url())
    with store.session() as session:
        for outcome in session.scalars(select(CrawlOutcome).where(CrawlOutcome.account_id.in_(apps))):
            outcome.finished_at -= timedelta(hours=2)
    store.dispose()
    assert run_govwatch(sandbox_config, "crawl", "--platform", "app").returncode == 0
    got = accounts(sandbox_config)
    assert {a: got[a]["status"] for a in apps} == {a: truth[a]["confirmed_status"] for a in apps}
    findings = export_jsonl(sandbox_config, "findings")
    service = {f["account_id"]: f for f in findings if f["rule"] == "service.unavailable"}
    assert set(service) == {"qc-health-app", "qc-edu-app"}
    assert "移动客户端无法安装或无法使用" in service["qc-edu-app"]["evidence"]
    assert service["qc-edu-app"]["category"] == "poor_maintenance"
    unanswered = {f["account_id"] for f in findings if f["rule"] == "interaction.unanswered"}
    assert unanswered == {"qc-zhengwu-weibo"}  # the one account that never answers

    store = open_store(load_config(sandbox_config).database_url())  # SQLite or PostgreSQL, as the run says
    with store.session() as session:
        replies = session.query(Comment).filter(Comment.by_account.is_(True)).count()
        assert replies > 0 and session.query(Comment).count() > replies
        rate = dict(
            session.execute(
                select(Account.id, Account.reply_rate_30d).where(Account.platform == "weibo")
            ).all()
        )
    store.dispose()
    assert rate["qc-zhengwu-weibo"] == 0.0 and rate["qc-yingji-weibo"] > 0.5


def test_deleted_weibo_post_marked_once_a_complete_listing_misses_it(sandbox, sandbox_config):
    crawl(sandbox_config)
    victim = sandbox.truth()["accounts"]["qc-fabu-weibo"]
    posts = [p for p in export_jsonl(sandbox_config, "posts") if p["account_id"] == "qc-fabu-weibo"]
    middle = sorted((p for p in posts if not p["is_pinned"]), key=lambda p: p["published_at"], reverse=True)[
        4
    ]
    assert victim["last_post_id"] != middle["post_id"]
    sandbox.add_post("qc-fabu-weibo", "【提示】旗政务服务中心周六照常办公。")
    sandbox.delete_post("qc-fabu-weibo", middle["post_id"])
    crawl(sandbox_config)
    after = {
        p["post_id"]: p for p in export_jsonl(sandbox_config, "posts") if p["account_id"] == "qc-fabu-weibo"
    }
    assert after[middle["post_id"]]["deleted"] is True
    assert sum(p["deleted"] for p in after.values()) == 1  # nothing else
    assert accounts(sandbox_config)["qc-fabu-weibo"]["status"] == "active"

    # A blocked night says nothing about deletions.
    sandbox.set_behavior("qc-fabu-weibo", "blocked")
    crawl(sandbox_config)
    again = [p for p in export_jsonl(sandbox_config, "posts") if p["account_id"] == "qc-fabu-weibo"]
    assert sum(p["deleted"] for p in again) == 1


def test_platform_wide_block_one_alert_no_false_silence(sandbox: Sandbox, tmp_path):
    config = write_sandbox_config(tmp_path, sandbox.base_url, smtp=None)
    crawl(config)
    before = accounts(config)
    sandbox.block_platform("weibo")
    out = crawl(config)
    after = accounts(config)
    truth = sandbox.truth()["accounts"]
    weibo = [k for k, t in truth.items() if t["platform"] == "weibo"]
    # Exactly one operator alert, in the crawl output, naming the platform.
    assert out.count("运维告警") == 1 and "微博" in out
    for account_id in weibo:
        assert after[account_id]["last_crawl_outcome"] == "blocked", account_id
        # status kept from what was seen before (or unknown), never a new zombie or empty
        assert after[account_id]["status"] in (before[account_id]["status"], "unknown"), account_id
        assert (
            after[account_id]["status"] not in ("zombie", "empty")
            or before[account_id]["status"] == after[account_id]["status"]
        )
    others = [k for k in truth if k not in weibo]
    assert all(after[k]["status"] == before[k]["status"] for k in others)

    report = run_govwatch(config, "report", "--week", _this_week())
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[-1]).read_text(encoding="utf-8")
    assert (
        "运维告警" in html and html.index("运维告警") < html.index("需要处理") if "需要处理" in html else True
    )

    store = open_store(f"sqlite:///{tmp_path / 'govwatch.db'}")
    with store.session() as session:
        alerts = session.query(OperatorAlert).all()
        assert [(a.platform, a.kind, a.status) for a in alerts] == [("weibo", "blocks", "open")]
    store.dispose()

    # The block lifts: the alert is resolved.
    sandbox.block_platform("weibo", blocked=False)
    out = crawl(config)
    assert "运维告警" not in out
    store = open_store(f"sqlite:///{tmp_path / 'govwatch.db'}")
    with store.session() as session:
        assert [a.status for a in session.query(OperatorAlert)] == ["resolved"]
    store.dispose()


def test_blocked_from_the_first_crawl_is_unknown(sandbox: Sandbox, tmp_path):
    sandbox.block_platform("wechat")
    config = write_sandbox_config(tmp_path, sandbox.base_url, smtp=None)
    out = crawl(config)
    assert out.count("运维告警") == 1 and "微信公众号" in out
    got = accounts(config)
    for account_id, t in sandbox.truth()["accounts"].items():
        assert got[account_id]["status"] == t["expected_status"], (account_id, got[account_id])
        if t["platform"] == "wechat":
            assert got[account_id]["status"] == "unknown"


def _this_week() -> str:
    """This week where govwatch's clock runs (Asia/Shanghai), not the machine's: on a Sunday
    evening UTC, Shanghai is already in the next week."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    year, week, _ = datetime.now(ZoneInfo("Asia/Shanghai")).isocalendar()
    return f"{year}-W{week:02d}"


def test_migration_tables_on_both_databases(store):
    with store.session() as session:
        assert session.query(Comment).count() == 0 and session.query(OperatorAlert).count() == 0
