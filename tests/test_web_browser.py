"""The web console in a real browser: the system's Chromium, headless, driven by Playwright
through what an office user does: sign in, check a draft, dismiss a finding and reopen it,
upload a registry with a bad row, rescan an account (a real crawl of the sandbox). Screenshots
of each step are saved under the test's tmp path (printed at the end)."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import timedelta

import pytest
import uvicorn
import yaml

from core.config import parse_config
from govwatch.app import open_app
from govwatch.web.app import create_app
from storage import web as db
from storage.models import Finding, utcnow
from tests.conftest import free_port, write_sandbox_config
from tests.web_world import PASSWORD, hashed

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AD = "限时优惠！加微信 qc888 购买特价商品，扫码领取优惠券，全场五折"


@pytest.fixture
def console(tmp_path, sandbox, database_url):
    path = write_sandbox_config(
        tmp_path,
        sandbox.base_url,
        database=database_url,
        alerts={"enabled": False},
        web={"secret_key_file": str(tmp_path / "web.key")},
    )
    config = parse_config(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    store = open_app(config)
    with store.session() as session:
        db.add_user(session, "office", "office", None, hashed(PASSWORD))
        finding = Finding(
            fingerprint="post:qc-edu-weibo:browser",
            account_id="qc-edu-weibo",
            category="off_mission",
            rule="content.commercial",
            severity="major",
            evidence="【加微信】领红包",
            first_seen=utcnow() - timedelta(days=2),
            last_seen=utcnow(),
        )
        session.add(finding)
        session.flush()
        finding_id = finding.id
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console did not start"
    yield f"http://127.0.0.1:{port}", finding_id, tmp_path
    server.should_exit = True
    thread.join(10)


def test_office_user_in_a_real_browser(console):
    assert CHROMIUM, "the browser tests need the system's Chromium (make sysdeps)"
    from playwright.sync_api import sync_playwright

    base, finding_id, tmp_path = console
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(20_000)

        def shot(name: str) -> None:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        # Sign in (a wrong password first).
        page.goto(f"{base}/findings")
        assert "/login" in page.url
        page.fill("#username", "office")
        page.fill("#password", "wrong password!")
        page.click("#login")
        assert "用户名或密码错误" in page.inner_text("#login-error")
        page.fill("#username", "office")
        page.fill("#password", PASSWORD)
        page.click("#login")
        page.wait_for_url(f"{base}/findings")
        shot("01-findings")

        # A draft checked: the ad is marked, a correction is offered.
        page.goto(f"{base}/drafts")
        page.fill("#draft-input", f"关于开展冬季防火检查的通知\n{AD}")
        started = time.monotonic()
        page.click("#check")
        page.wait_for_selector("#draft-findings")
        took = time.monotonic() - started
        assert page.locator("#draft-text mark").count() >= 1
        assert "发现" in page.inner_text("#verdict")
        assert "商业广告" in page.inner_text("#draft-findings")
        shot("02-draft")
        assert took < 5, f"the draft check took {took:.1f} s"

        # A finding dismissed with a reason, then reopened.
        page.goto(f"{base}/findings")
        row = page.locator(f"#finding-{finding_id}")
        row.locator("form[action$='/dismiss'] input[name=reason]").fill("经核实为正常转发")
        row.locator("form[action$='/dismiss'] button").click()
        assert "已排除" in page.inner_text("#result")
        page.goto(f"{base}/findings?status=dismissed")
        row = page.locator(f"#finding-{finding_id}")
        assert "经核实为正常转发" in row.inner_text()
        shot("03-dismissed")
        row.locator("form[action$='/reopen'] input[name=reason]").fill("核实有误")
        row.locator("form[action$='/reopen'] button").click()
        assert "已恢复" in page.inner_text("#result")
        page.goto(f"{base}/findings")
        assert page.locator(f"#finding-{finding_id}").count() == 1

        # A registry with a bad row: previewed, the bad row named, then applied.
        registry = tmp_path / "台账.csv"
        registry.write_text(
            "责任主体,平台,账号名称,账号ID\n旗教育局,新浪微博,青川教育新号,5550001\n旗教育局,飞鸽传书,信鸽号,x\n",
            encoding="utf-8-sig",
        )
        page.goto(f"{base}/registry")
        page.set_input_files("input[name=file]", str(registry))
        page.click("#preview")
        preview = page.inner_text("#registry-preview")
        assert "新增" in preview and "拒绝" in preview and "无法识别的平台" in preview
        shot("04-registry-preview")
        page.click("#apply")
        assert "新增 1" in page.inner_text("#registry-applied")

        # A rescan: a real crawl of the sandbox in a child process, the page refreshing until done.
        page.goto(f"{base}/accounts/qc-edu-weibo")
        page.click("#rescan")
        page.wait_for_selector("#rescan-result")
        deadline = time.monotonic() + 240
        while "进行中" in page.inner_text("#rescan-result") and time.monotonic() < deadline:
            time.sleep(1)
            page.reload()
        result = page.inner_text("#rescan-result")
        shot("05-rescan")
        assert "重新检测完成" in result, result
        assert "状态 / status" in result

        page.goto(f"{base}/")
        deadline = time.monotonic() + 60
        while page.locator("#preparing").count() and time.monotonic() < deadline:
            time.sleep(0.5)
            page.reload()
        assert page.locator("#status-trend > tbody > tr").count() == 26
        shot("06-dashboard")

        page.goto(f"{base}/audit")
        audit = page.inner_text("#audit")
        for action in ("登录", "稿件预审", "排除问题", "恢复问题", "台账导入", "重新检测"):
            assert action in audit, action
        browser.close()
    print(f"screenshots: {shots}")
    assert len(list(shots.glob("*.png"))) == 6
