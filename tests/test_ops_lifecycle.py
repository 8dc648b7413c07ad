"""The finding lifecycle as a supervisor sees it: rectified when the cause is gone, dismissed by a
person (and kept so), repeat offenders first."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select, update

from core.config import parse_config
from sandbox.configgen import config_dict
from storage.db import open_store
from storage.models import Finding, FindingEvent, Post, utcnow
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e
IDS = ("qc-fabu-weibo", "baoli-weibo", "qingchuan-jd-weibo")
AD = "限时优惠！加微信 qc888 购买特价商品，扫码领取优惠券，全场五折"


@pytest.fixture
def config(tmp_path, sandbox):
    accounts = [a for a in config_dict(sandbox.base_url)["accounts"] if a["id"] in IDS]
    return write_sandbox_config(tmp_path, sandbox.base_url, accounts=accounts, alerts={"enabled": False})


def store_of(config):
    cfg = parse_config(yaml.safe_load(config.read_text(encoding="utf-8")), config)
    return open_store(cfg.database_url())


def findings(config, account_id, rule=None):
    rows = [f for f in export_jsonl(config, "findings") if f["account_id"] == account_id]
    return [f for f in rows if rule is None or f["rule"] == rule]


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_zombie_posts_again_and_is_rectified(config, sandbox):
    ok(run_govwatch(config, "crawl"))
    [zombie] = findings(config, "baoli-weibo", "maintenance.zombie")
    assert zombie["status"] == "open"
    sandbox.add_post("baoli-weibo", "【通知】宝力镇关于开展冬季防火安全检查的通知")
    out = ok(run_govwatch(config, "rescan", "baoli-weibo"))
    assert "本次确认已整改 / rectified now" in out and "maintenance.zombie" in out
    [zombie] = findings(config, "baoli-weibo", "maintenance.zombie")
    assert zombie["status"] == "rectified"
    history = ok(run_govwatch(config, "findings", "history", str(zombie["id"])))
    assert "(opened)" in history and "(rectified)" in history
    # posting again does not undo the idle-account history: the account is active now
    assert findings(config, "baoli-weibo", "registry.idle") == []


def test_flagged_post_that_disappears_is_rectified(config, sandbox):
    ok(run_govwatch(config, "crawl"))
    post = sandbox.add_post("qc-fabu-weibo", AD)
    out = ok(run_govwatch(config, "rescan", "qc-fabu-weibo"))
    assert "本次新发现 / new now" in out
    flagged = [f for f in findings(config, "qc-fabu-weibo") if f["category"] == "off_mission"]
    assert flagged and all(f["status"] == "open" for f in flagged)

    # The operator deletes the post: gone from the platform...
    account = sandbox.world.accounts["qc-fabu-weibo"]
    with sandbox.world.lock:
        account.posts.remove(post)
        account.cache.clear()
    # ...and recorded as deleted (the crawler does not detect deletions yet: we record it as it would).
    store = store_of(config)
    with store.session() as session:
        session.execute(update(Post).where(Post.platform_post_id == post.id).values(deleted_at=utcnow()))
    store.dispose()
    out = ok(run_govwatch(config, "rescan", "qc-fabu-weibo"))
    assert "rectified now" in out
    assert all(
        f["status"] == "rectified"
        for f in findings(config, "qc-fabu-weibo")
        if f["id"] in {g["id"] for g in flagged}
    )


def test_dismissed_finding_stays_dismissed_with_reason_and_actor(config, monkeypatch):
    ok(run_govwatch(config, "crawl"))
    [idle] = findings(config, "qingchuan-jd-weibo", "registry.idle")
    monkeypatch.setenv("USER", "zhang.san")  # the actor recorded with the dismissal
    out = ok(
        run_govwatch(config, "findings", "dismiss", str(idle["id"]), "--reason", "已报批合并，保留至年底")
    )
    assert "已排除" in out and "zhang.san" in out
    ok(run_govwatch(config, "crawl"))
    ok(run_govwatch(config, "rescan", "qingchuan-jd-weibo"))
    [idle] = findings(config, "qingchuan-jd-weibo", "registry.idle")
    assert idle["status"] == "dismissed"
    assert str(idle["id"]) not in ok(run_govwatch(config, "findings", "list")).split()
    listed = ok(run_govwatch(config, "findings", "list", "--status", "dismissed"))
    assert "registry.idle" in listed
    history = ok(run_govwatch(config, "findings", "history", str(idle["id"])))
    assert "(dismissed) — zhang.san：已报批合并，保留至年底" in history
    missing = run_govwatch(config, "findings", "dismiss", "999999", "--reason", "x")
    assert missing.returncode == 2 and "999999" in missing.stderr
    unknown = run_govwatch(config, "rescan", "qc-fabu-weibp")
    assert unknown.returncode == 2 and "qc-fabu-weibo" in unknown.stderr  # the closest match named


def test_repeat_offender_is_listed_first(config):
    ok(run_govwatch(config, "crawl"))
    store = store_of(config)
    now = utcnow()
    with store.session() as session:
        # qc-fabu-weibo: an advertisement found and fixed, again and again, in 3 of the last 4 weeks.
        finding = Finding(
            fingerprint="text:qc-fabu-weibo:test:ad.contact",
            account_id="qc-fabu-weibo",
            category="off_mission",
            rule="ad.contact",
            severity="minor",
            evidence="加微信",
            first_seen=now - timedelta(days=1),
            last_seen=now - timedelta(hours=1),
            status="rectified",
            status_changed_at=now - timedelta(hours=1),
        )
        session.add(finding)
        session.flush()
        for days_ago, event in (
            (22, "opened"),
            (21, "rectified"),
            (15, "reopened"),
            (14, "rectified"),
            (1, "reopened"),
            (0.05, "rectified"),
        ):
            session.add(FindingEvent(finding_id=finding.id, at=now - timedelta(days=days_ago), event=event))
    store.dispose()
    out = ok(run_govwatch(config, "findings", "list", "--status", "all"))
    rows = [line.split("\t") for line in out.splitlines()[1:] if "\t" in line]
    assert rows[0][1] == "qc-fabu-weibo ⚑屡犯", rows[:3]
    assert not any("⚑" in r[1] for r in rows if not r[1].startswith("qc-fabu-weibo"))
    with store_of(config).session() as session:
        assert session.scalar(select(Finding.status).where(Finding.id == finding.id)) == "rectified"


def test_a_dismissal_made_in_error_is_reopened(config, monkeypatch):
    ok(run_govwatch(config, "crawl"))
    [idle] = findings(config, "qingchuan-jd-weibo", "registry.idle")
    monkeypatch.setenv("USER", "zhang.san")
    ok(run_govwatch(config, "findings", "dismiss", str(idle["id"]), "--reason", "误以为已报批"))
    monkeypatch.setenv("USER", "li.si")
    out = ok(
        run_govwatch(config, "findings", "reopen", str(idle["id"]), "--reason", "未见报批文件，恢复督办")
    )
    assert "已恢复为未整改" in out and "li.si" in out
    [idle] = findings(config, "qingchuan-jd-weibo", "registry.idle")
    assert idle["status"] == "open"
    # the next analysis keeps it open while the cause persists, and the report lists it again
    ok(run_govwatch(config, "rescan", "qingchuan-jd-weibo"))
    [idle] = findings(config, "qingchuan-jd-weibo", "registry.idle")
    assert idle["status"] == "open"
    assert str(idle["id"]) in ok(run_govwatch(config, "findings", "list")).split()
    history = ok(run_govwatch(config, "findings", "history", str(idle["id"])))
    assert "(dismissed) — zhang.san：误以为已报批" in history
    assert "人工恢复 (reopened) — li.si：未见报批文件，恢复督办" in history
    # only a dismissed finding can be reopened; a reason is required
    again = run_govwatch(config, "findings", "reopen", str(idle["id"]), "--reason", "x")
    assert again.returncode == 2 and "只有已排除的问题可以恢复" in again.stderr
    blank = run_govwatch(config, "findings", "reopen", str(idle["id"]), "--reason", " ")
    assert blank.returncode == 2 and "reason" in blank.stderr
    missing = run_govwatch(config, "findings", "reopen", "999999", "--reason", "x")
    assert missing.returncode == 2 and "999999" in missing.stderr
