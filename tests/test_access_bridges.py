"""The feed bridge as a part: checked once per crawl; when it is down, one operator alert and its
accounts `error` naming it, without a request each; when it is back, the alert is resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.bridgedown import BridgeDown
from sandbox.server import Sandbox
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def crawl(config: Path) -> str:
    result = run_govwatch(config, "crawl", timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_bridge_that_is_down_is_one_alert_not_a_failure_per_account(sandbox: Sandbox, tmp_path: Path):
    truth = sandbox.truth()["accounts"]
    bridged = {a.id for a in sandbox.world.accounts.values() if a.is_feed}  # feed_url on /rsshub/
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    crawl(config)
    before = {a["id"]: a for a in export_jsonl(config, "accounts")}

    down = BridgeDown().install(sandbox)
    out = crawl(config)
    assert down.answered == 1, down.answered  # the bridge was asked once, not once per account
    alerts = [line for line in out.splitlines() if "运维告警" in line]
    assert len(alerts) == 1 and "RSSHub" in alerts[0], alerts
    after = {a["id"]: a for a in export_jsonl(config, "accounts")}
    assert len(bridged) >= 10
    for account_id in bridged:
        got = after[account_id]
        assert got["last_crawl_outcome"] == "error", (account_id, got)
        assert got["status"] in (before[account_id]["status"], "unknown")  # never silence
    weibo = [a for a, t in truth.items() if t["platform"] == "weibo"]
    assert all(after[a]["last_crawl_outcome"] in truth[a]["acceptable_outcomes"] for a in weibo)  # as usual

    down.enabled = False
    out = crawl(config)
    assert "运维告警" not in out
    after = {a["id"]: a for a in export_jsonl(config, "accounts")}
    assert all(after[a]["last_crawl_outcome"] in truth[a]["acceptable_outcomes"] for a in bridged)
