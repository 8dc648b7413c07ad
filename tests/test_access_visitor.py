"""Weibo's visitor check passed the way a browser passes it (crawler/weibo_visitor.py) against
the sandbox's visitor check (sandbox/visitor.py): every readable Weibo account read without a
login cookie, a lapse renewed mid-crawl, a refused visitor recorded as blocked, the configured
login cookie sent only where the visitor is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.http import Request
from sandbox.server import Sandbox
from sandbox.visitor import VisitorCheck
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def crawl(config: Path) -> str:
    result = run_govwatch(config, "crawl", "--platform", "weibo", timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def weibo_outcomes(config: Path, sandbox: Sandbox) -> dict[str, tuple[str, list[str]]]:
    """account -> (the outcome of its last crawl, the outcomes the sandbox's truth accepts)."""
    truth = sandbox.truth()["accounts"]
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    return {
        a: (accounts[a]["last_crawl_outcome"], t["acceptable_outcomes"])
        for a, t in truth.items()
        if t["platform"] == "weibo"
    }


def assert_truth(outcomes: dict[str, tuple[str, list[str]]]) -> int:
    wrong = {a: got for a, got in outcomes.items() if got[0] not in got[1]}
    assert not wrong, wrong
    readable = sum(1 for got, _ in outcomes.values() if got == "ok")
    assert readable >= 10, outcomes
    return readable


def test_visitor_check_passed_once_per_crawl_without_a_login(sandbox: Sandbox, tmp_path: Path):
    visitor = VisitorCheck().install(sandbox)
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    crawl(config)
    assert_truth(weibo_outcomes(config, sandbox))  # every readable account `ok`
    # The first Weibo request meets the check alone; the others wait for its passage,
    # passed once for the whole crawl.
    assert visitor.redirects == 1
    assert visitor.passages == 1
    assert sandbox.request_counts()["by_path"].get("/visitor/genvisitor2") == 1


def test_a_visitor_cookie_that_lapses_mid_crawl_is_renewed(sandbox: Sandbox, tmp_path: Path):
    visitor = VisitorCheck(ttl_requests=25).install(sandbox)
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    crawl(config)
    assert_truth(weibo_outcomes(config, sandbox))
    assert visitor.passages >= 3, visitor.passages  # renewed as each cookie lapsed
    # A renewal costs the requests that met the lapsed cookie, not a passage each.
    assert visitor.passages <= visitor.redirects
    served = sandbox.request_counts()["requests"]
    assert visitor.passages <= served / 25 + 2


def with_cookie_env(config: Path, base_url: str) -> Path:
    text = config.read_text(encoding="utf-8")
    line = f"    base_url: {base_url}\n"
    assert line in text
    config.write_text(text.replace(line, line + "    cookie_env: GW_TEST_WEIBO\n", 1), encoding="utf-8")
    return config


def test_a_refused_visitor_is_blocked_and_the_login_cookie_is_the_way_round(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
):
    visitor = VisitorCheck(refuse=True).install(sandbox)
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    crawl(config)
    outcomes = weibo_outcomes(config, sandbox)
    readable = [a for a, (_, accepted) in outcomes.items() if accepted == ["ok"]]
    assert len(readable) >= 10
    assert all(outcomes[a][0] == "blocked" for a in readable), outcomes
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    assert all(accounts[a]["status"] == "unknown" for a in readable)  # never silence
    assert visitor.passages == 0
    genvisitor = sandbox.request_counts()["by_path"].get("/visitor/genvisitor2", 0)
    assert genvisitor <= 3  # given up for the crawl, not asked again per account

    # With a login cookie configured, the refused visitor is gone round with it.
    seen: list[str] = []

    def spy(request: Request) -> None:
        if request.path.startswith("/api/"):
            seen.append(request.headers.get("cookie", ""))

    sandbox.hooks.insert(0, spy)
    (tmp_path / "login").mkdir()
    logged = with_cookie_env(write_sandbox_config(tmp_path / "login", sandbox.base_url), sandbox.base_url)
    monkeypatch.setenv("GW_TEST_WEIBO", "SUB=login-cookie-of-the-office; SUBP=0033x")
    crawl(logged)
    assert_truth(weibo_outcomes(logged, sandbox))
    assert any("login-cookie-of-the-office" in c for c in seen)


def test_a_configured_login_cookie_is_not_sent_while_the_visitor_reads(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
):
    visitor = VisitorCheck().install(sandbox)
    seen: list[str] = []

    def spy(request: Request) -> None:
        if request.path.startswith(("/api/", "/statuses/", "/comments/")):
            seen.append(request.headers.get("cookie", ""))

    sandbox.hooks.insert(0, spy)
    config = with_cookie_env(write_sandbox_config(tmp_path, sandbox.base_url), sandbox.base_url)
    monkeypatch.setenv("GW_TEST_WEIBO", "SUB=login-cookie-of-the-office")
    crawl(config)
    assert_truth(weibo_outcomes(config, sandbox))
    assert visitor.passages == 1
    with_login = [c for c in seen if "login-cookie-of-the-office" in c]
    # Only the accounts that ask for a login (the sandbox's `login` behaviour) get it.
    login_accounts = [
        a for a in sandbox.world.accounts.values() if a.platform == "weibo" and a.behavior == "login"
    ]
    assert len(with_login) <= 2 * len(login_accounts), (len(with_login), len(seen))
    assert len(seen) - len(with_login) > 50
