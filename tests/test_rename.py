"""Renamed accounts (名称变更未报备): a profile name that differs from the registry's is a finding
with the date the name was first seen; it ends when the registry is updated or the old name
returns; the name change is not reported a second time as a profile change. End to end: the
sandbox's 青川应急, whose profile now says 青川应急发布, crawled into the report."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from analysis.run import analyse
from core.config import parse_config
from reporting.weeks import week_of
from storage import repo
from storage.models import AccountSnapshot, Finding, utcnow
from tests.conftest import export_jsonl, run_govwatch

TZ = ZoneInfo("Asia/Shanghai")


def registry(name: str) -> list[dict]:
    return [{"id": "yj", "unit": "旗应急管理局", "platform": "weibo", "name": name, "handle": "1"}]


def renamed(store) -> list[Finding]:
    with store.session() as session:
        found = list(session.scalars(select(Finding).where(Finding.rule == "registry.renamed")))
        session.expunge_all()
        return found


def open_rules(store) -> set[str]:
    with store.session() as session:
        return set(
            session.scalars(select(Finding.rule).where(Finding.status == "open", Finding.account_id == "yj"))
        )


def test_rename_opens_with_first_seen_date_and_closes_when_the_registry_follows(store_url, store, tmp_path):
    config = parse_config({"database": store_url, "timezone": "Asia/Shanghai"}, tmp_path / "config.yaml")
    now = utcnow()
    first_seen = now - timedelta(days=20)
    with store.session() as session:
        repo.sync_accounts(session, registry("青川应急"))
        for days, name in (
            (40, "青川应急"),
            (30, "青川 应急"),
            (20, "青川应急发布"),
            (10, "青川应急发布"),
            (1, "青川应急发布"),
        ):
            session.add(AccountSnapshot(account_id="yj", taken_at=now - timedelta(days=days), name=name))
    analyse(config, store, now=now)
    [finding] = renamed(store)
    assert finding.status == "open" and finding.category == "unmanaged" and finding.severity == "major"
    assert "青川应急发布" in finding.evidence and "青川应急" in finding.evidence
    assert f"{first_seen.astimezone(TZ):%Y-%m-%d} 起" in finding.evidence  # the first day of the new name
    assert finding.details["registry_name"] == "青川应急"
    # a full-width or spaced spelling of the registry's name was no rename; the change is told once
    assert "registry.profile_changed" not in open_rules(store)

    # the registry is updated to the new name: rectified
    with store.session() as session:
        repo.sync_accounts(session, registry("青川应急发布"))
    analyse(config, store, now=now)
    assert [f.status for f in renamed(store)] == ["rectified"]


def test_rename_closes_when_the_old_name_returns(store_url, store, tmp_path):
    config = parse_config({"database": store_url}, tmp_path / "config.yaml")
    now = utcnow()
    with store.session() as session:
        repo.sync_accounts(session, registry("青川应急"))
        session.add(AccountSnapshot(account_id="yj", taken_at=now - timedelta(days=40), name="青川应急"))
        session.add(AccountSnapshot(account_id="yj", taken_at=now - timedelta(days=30), name="应急小助手"))
    analyse(config, store, now=now)
    assert [f.status for f in renamed(store)] == ["open"]
    with store.session() as session:
        session.add(AccountSnapshot(account_id="yj", taken_at=now - timedelta(hours=1), name="青川应急"))
    analyse(config, store, now=now)
    assert [f.status for f in renamed(store)] == ["rectified"]
    # a description change is still a profile change (a hijack sign), the name alone is not
    with store.session() as session:
        session.add(
            AccountSnapshot(
                account_id="yj", taken_at=now - timedelta(minutes=30), name="青川应急", description="新简介"
            )
        )
        session.add(
            AccountSnapshot(
                account_id="yj", taken_at=now - timedelta(minutes=20), name="青川应急", description="好物推荐"
            )
        )
    analyse(config, store, now=now)
    assert "registry.profile_changed" in open_rules(store) and "registry.renamed" not in open_rules(store)


def test_sandbox_renamed_account_in_report_and_rectified_when_registry_updated(sandbox, sandbox_config):
    crawl = run_govwatch(sandbox_config, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    truth = sandbox.truth()["accounts"]
    expected = {aid: a["profile_name"] for aid, a in truth.items() if a["profile_name"]}
    assert expected == {"qc-yingji-weibo": "青川应急发布"}
    findings = [f for f in export_jsonl(sandbox_config, "findings") if f["rule"] == "registry.renamed"]
    assert {f["account_id"] for f in findings} == set(expected)  # no other account is taken for renamed
    [finding] = findings
    today = datetime.now(TZ).date()
    assert finding["status"] == "open" and f"{today:%Y-%m-%d} 起" in finding["evidence"]

    report = run_govwatch(sandbox_config, "report", "--week", str(week_of(today)))
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[0]).read_text(encoding="utf-8")
    assert "平台显示名称“青川应急发布”与台账登记名称“青川应急”不一致" in html

    # the unit files the new name: the registry follows and the finding is rectified
    config = yaml.safe_load(sandbox_config.read_text(encoding="utf-8"))
    for account in config["accounts"]:
        if account["id"] == "qc-yingji-weibo":
            account["name"] = "青川应急发布"
    sandbox_config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert run_govwatch(sandbox_config, "crawl").returncode == 0
    after = [f for f in export_jsonl(sandbox_config, "findings") if f["rule"] == "registry.renamed"]
    assert [f["status"] for f in after] == ["rectified"]
