"""Back-off that finishes the night (crawler/backoff.py): a platform that rate-limits for a while
is slowed down and the accounts it refused are read again later in the same crawl; an account
is `blocked` only when the time budget is spent."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.ratelimit import RateLimit
from sandbox.server import Sandbox
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def crawl(config: Path, *platforms: str) -> str:
    args = [a for p in platforms for a in ("--platform", p)]
    result = run_govwatch(config, "crawl", *args, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def outcomes(config: Path, sandbox: Sandbox, platform: str) -> dict[str, tuple[str, list[str]]]:
    truth = sandbox.truth()["accounts"]
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    return {
        a: (accounts[a]["last_crawl_outcome"], t["acceptable_outcomes"])
        for a, t in truth.items()
        if t["platform"] == platform
    }


def test_a_weibo_rate_limit_that_lifts_is_finished_later_in_the_same_crawl(sandbox: Sandbox, tmp_path: Path):
    limit = RateLimit("weibo", after_requests=15, duration_s=2.0).install(sandbox)
    config = write_sandbox_config(
        tmp_path, sandbox.base_url, crawl={"backoff": {"budget_s": 60, "initial_s": 0.5, "cap_s": 2}}
    )
    out = crawl(config, "weibo")
    assert limit.refused >= 5 and limit.lifted_at is not None  # it did refuse, then lifted
    got = outcomes(config, sandbox, "weibo")
    wrong = {a: o for a, o in got.items() if o[0] not in o[1]}
    assert not wrong, (wrong, out)
    assert sum(1 for o, _ in got.values() if o == "ok") >= 10
    # The summary says the platform was slowed and its refused accounts read again.
    assert "限速放慢" in out and "微博" in out, out
    assert "运维告警" not in out  # nothing left blocked: no block alert


def test_a_rate_limit_that_outlasts_the_budget_ends_blocked_with_one_alert(sandbox: Sandbox, tmp_path: Path):
    limit = RateLimit("weibo", after_requests=0, duration_s=3600).install(sandbox)
    config = write_sandbox_config(
        tmp_path, sandbox.base_url, crawl={"backoff": {"budget_s": 2, "initial_s": 0.25, "cap_s": 0.5}}
    )
    out = crawl(config, "weibo")
    got = outcomes(config, sandbox, "weibo")
    assert all(o == "blocked" for o, _ in got.values()), got
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    assert all(accounts[a]["status"] == "unknown" for a in got)  # never silence
    assert out.count("运维告警") == 1, out  # one alert for the platform, not one per account
    # Each account was asked again within the budget, not hammered: a few attempts each.
    assert len(got) < limit.refused <= 12 * len(got)


def test_bilibili_risk_control_through_the_bridge_is_read_again(sandbox: Sandbox, tmp_path: Path):
    limit = RateLimit("bilibili", after_requests=0, duration_s=1.0).install(sandbox)
    config = write_sandbox_config(
        tmp_path, sandbox.base_url, crawl={"backoff": {"budget_s": 30, "initial_s": 0.5, "cap_s": 1}}
    )
    crawl(config, "bilibili")
    got = outcomes(config, sandbox, "bilibili")
    assert got and limit.refused >= 1
    wrong = {a: o for a, o in got.items() if o[0] not in o[1]}
    assert not wrong, wrong
