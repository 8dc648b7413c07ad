"""`govwatch cookies check`: each configured cookie tested now against the sandbox's "who am I"
answers (sandbox/login.py): which work, which expired and since when (kept across runs), how to
renew; the exit status says whether all work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from sandbox.server import Sandbox
from storage.db import open_store
from storage.models import OperatorAlert
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.slow  # crawls the sandbox through the govwatch command


def config_with_cookies(directory: Path, base_url: str) -> Path:
    path = write_sandbox_config(directory, base_url)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["platforms"]["weibo"]["cookie_env"] = "GW_TEST_WEIBO_COOKIE"
    data["platforms"]["bilibili"].update(cookie_env="GW_TEST_BILI_COOKIE", base_url=base_url)
    data["platforms"]["douyin"]["cookie_env"] = "GW_TEST_DOUYIN_COOKIE"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_cookies_check_says_which_work_which_expired_and_since_when(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
):
    config = config_with_cookies(tmp_path, sandbox.base_url)
    monkeypatch.setenv("GW_TEST_WEIBO_COOKIE", "SUB=login-of-the-office; SUBP=0033abc")
    monkeypatch.setenv("GW_TEST_BILI_COOKIE", "SESSDATA=login-expired-last-week; bili_jct=x")
    monkeypatch.delenv("GW_TEST_DOUYIN_COOKIE", raising=False)
    first = run_govwatch(config, "cookies", "check")
    assert first.returncode == 1, first.stdout + first.stderr  # not all work
    lines = {line.split()[0]: line for line in first.stdout.splitlines() if not line.startswith(" ")}
    assert "有效" in lines["微博"] and "7712009999" in lines["微博"]
    assert "已失效" in lines["哔哩哔哩"]
    since = re.search(r"自 (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 起失效", lines["哔哩哔哩"])
    assert since, lines["哔哩哔哩"]
    assert "未设置" in lines["抖音"] and "GW_TEST_DOUYIN_COOKIE" in lines["抖音"]
    assert "GW_TEST_BILI_COOKIE" in first.stdout and "SESSDATA" in first.stdout  # how to renew
    assert "login-of-the-office" not in first.stdout + first.stderr  # never the secret itself
    requests = sandbox.request_counts()["by_path"]
    assert requests.get("/api/config") == 1 and requests.get("/x/web-interface/nav") == 1

    # Later: the first failure's time is kept; the report shows one operator alert for it.
    again = run_govwatch(config, "cookies", "check", "--platform", "bilibili")
    assert again.returncode == 1
    assert f"自 {since.group(1)} 起失效" in again.stdout

    # Renewed: it works, the alert is resolved, the exit status is 0.
    monkeypatch.setenv("GW_TEST_BILI_COOKIE", "SESSDATA=login-renewed; bili_jct=y")
    monkeypatch.setenv("GW_TEST_DOUYIN_COOKIE", "sessionid=abc")
    renewed = run_govwatch(config, "cookies", "check")
    assert renewed.returncode == 0, renewed.stdout
    assert "无法检测" in renewed.stdout  # douyin: read through the bridge, no check of its own
    assert "已失效" not in renewed.stdout


def test_an_expired_cookie_met_by_a_crawl_is_one_alert_with_how_to_renew(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
):
    config = config_with_cookies(tmp_path, sandbox.base_url)
    monkeypatch.setenv("GW_TEST_WEIBO_COOKIE", "SUB=login-expired; SUBP=0033abc")
    for account in sandbox.world.accounts.values():
        if account.platform == "weibo" and account.behavior == "ok":
            sandbox.set_behavior(account.id, "login")  # every account asks for a login
    result = run_govwatch(config, "crawl", "--platform", "weibo")
    assert result.returncode == 0, result.stderr
    alerts = [line for line in result.stdout.splitlines() if "运维告警" in line]
    cookie_alerts = [line for line in alerts if "Cookie" in line and "GW_TEST_WEIBO_COOKIE" in line]
    assert len(cookie_alerts) == 1, alerts  # one alert for the cause, never one per account
    assert "更新方法" in cookie_alerts[0] and "govwatch cookies check" in cookie_alerts[0]
    outcomes = {a["id"]: a["last_crawl_outcome"] for a in export_jsonl(config, "accounts")}
    assert sum(1 for o in outcomes.values() if o == "login_required") >= 10


def test_a_good_visitor_crawl_does_not_clear_an_expired_weibo_cookie(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
):
    """Weibo is read as a visitor: a crawl where every account is `ok` never tried the login
    cookie, so it says nothing about it; only a cookies check that works resolves the alert."""
    config = config_with_cookies(tmp_path, sandbox.base_url)
    monkeypatch.setenv("GW_TEST_WEIBO_COOKIE", "SUB=login-expired; SUBP=0033abc")
    assert run_govwatch(config, "cookies", "check", "--platform", "weibo").returncode == 1
    assert run_govwatch(config, "crawl", "--platform", "weibo").returncode == 0
    store = open_store(f"sqlite:///{tmp_path / 'govwatch.db'}")
    try:
        with store.session() as session:
            alerts = [(a.platform, a.kind, a.status) for a in session.scalars(select(OperatorAlert))]
    finally:
        store.dispose()
    assert ("weibo", "cookie", "open") in alerts
    monkeypatch.setenv("GW_TEST_WEIBO_COOKIE", "SUB=login-renewed; SUBP=0033abc")
    assert run_govwatch(config, "cookies", "check", "--platform", "weibo").returncode == 0
    store = open_store(f"sqlite:///{tmp_path / 'govwatch.db'}")
    try:
        with store.session() as session:
            assert [a.status for a in session.scalars(select(OperatorAlert))] == ["resolved"]
    finally:
        store.dispose()
