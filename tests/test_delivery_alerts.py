"""Immediate alerts: a local HTTP receiver for each robot kind (DingTalk signed, WeCom, Feishu) and aiosmtpd."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analysis.crawl_health import blocked_platforms
from core.config import parse_config
from reporting.alerts import in_quiet_hours, run_alerts
from reporting.webhooks import dingtalk_sign
from storage.db import open_store
from storage.models import CrawlRun, SentAlert
from tests.test_delivery_mail import SENDER, smtp_server  # noqa: F401 - fixture
from tests.test_report import CONFIG, NOW, XSS_TEXT, populate

SECRET = "SEC0123456789abcdef"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, dict]] = []  # (path, query, body)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802, ANN202
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                receiver.requests.append((parts.path, query, body))
                answer = {"code": 0, "msg": "success"} if parts.path.startswith("/feishu") else {"errcode": 0}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # noqa: ANN002, ANN202
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self, prefix: str) -> list[tuple[str, dict, dict]]:
        return [r for r in self.requests if r[0].startswith(prefix)]


@pytest.fixture
def receiver(monkeypatch):
    r = Receiver()
    r.thread.start()
    monkeypatch.setenv("GW_DING_URL", f"{r.base}/dingtalk/robot/send?access_token=tok")
    monkeypatch.setenv("GW_DING_SECRET", SECRET)
    monkeypatch.setenv("GW_WECOM_URL", f"{r.base}/wecom/cgi-bin/webhook/send?key=k1")
    monkeypatch.setenv("GW_FEISHU_URL", f"{r.base}/feishu/open-apis/bot/v2/hook/h1")
    monkeypatch.setenv("GW_FEISHU_SECRET", SECRET)
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


def make_world(tmp_path, port: int | None = None, crawl: dict | None = None, **alerts):  # noqa: ANN201
    data = dict(CONFIG)
    if crawl:
        data["crawl"] = crawl
    data["database"] = f"sqlite:///{tmp_path / 'govwatch.db'}"
    data["alerts"] = {
        "webhooks": [
            {"kind": "dingtalk", "name": "值班群", "url_env": "GW_DING_URL", "secret_env": "GW_DING_SECRET"},
            {"kind": "wecom", "name": "教育群", "url_env": "GW_WECOM_URL", "units": ["宝力镇人民政府"]},
            {
                "kind": "feishu",
                "name": "飞书群",
                "url_env": "GW_FEISHU_URL",
                "secret_env": "GW_FEISHU_SECRET",
            },
        ],
        **alerts,
    }
    if port:
        data["smtp"] = {
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "sender": SENDER,
            "retry_backoff_s": 0,
        }
    config = parse_config(data)
    store = open_store(data["database"])
    populate(store, config)
    return config, store


def test_each_robot_gets_each_severe_finding_once(tmp_path, receiver):
    config, store = make_world(tmp_path)
    result = run_alerts(config, store, now=NOW)
    assert not result.failed, result.failed
    ding = receiver.paths("/dingtalk")
    # the unreachable account (major) and the ad in a post (major); stale/zombie/empty wait for the report
    assert len(ding) == 2
    texts = [body["text"]["content"] for _, _, body in ding]
    assert any("巴彦苏木头条号" in t and "运维保障差" in t for t in texts)
    ad = next(t for t in texts if "宝力镇发布" in t)
    assert "功能定位不清" in ad and XSS_TEXT[:40] in ad  # as plain text (msgtype text), never markup
    assert all(body["msgtype"] == "text" for _, _, body in ding)
    assert not any("青川教育公众号" in t for t in texts)  # a zombie is not an immediate alert
    # DingTalk signature: timestamp (ms) and HMAC-SHA256 of "timestamp\nsecret", base64
    for _, query, _ in ding:
        assert query["access_token"] == "tok"
        ts = int(query["timestamp"])
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        assert query["sign"] == expected
        assert urllib.parse.unquote_plus(dingtalk_sign(SECRET, ts)) == expected
    # WeCom robot scoped to 宝力镇: only the ad
    wecom = receiver.paths("/wecom")
    assert len(wecom) == 1 and wecom[0][1]["key"] == "k1" and "宝力镇发布" in wecom[0][2]["text"]["content"]
    # Feishu: signed in the body
    feishu = receiver.paths("/feishu")
    assert len(feishu) == 2
    for _, _, body in feishu:
        ts = body["timestamp"]
        key = f"{ts}\n{SECRET}".encode()
        assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        assert body["msg_type"] == "text"
    # once per finding: the next crawl sends nothing new
    before = len(receiver.requests)
    again = run_alerts(config, store, now=NOW + timedelta(hours=1))
    assert len(receiver.requests) == before and not again.sent
    store.dispose()


def test_quiet_hours_hold_then_send(tmp_path, receiver):
    config, store = make_world(tmp_path, quiet_hours="22:00-07:00")
    night = NOW.replace(hour=1)  # NOW is in Asia/Shanghai
    assert in_quiet_hours("22:00-07:00", night, config)
    held = run_alerts(config, store, now=night)
    assert held.held == 5 and receiver.requests == []
    with store.session() as session:
        assert {a.status for a in session.query(SentAlert)} == {"pending"}
    morning = NOW.replace(hour=9)
    sent = run_alerts(config, store, now=morning)
    assert sum(sent.sent.values()) == 5 and len(receiver.requests) == 5
    store.dispose()


def test_cap_per_run_summarises_the_rest(tmp_path, receiver):
    config, store = make_world(tmp_path, max_per_run=1)
    result = run_alerts(config, store, now=NOW)
    ding = receiver.paths("/dingtalk")
    assert len(ding) == 2  # one alert, one summary of the rest
    assert "【汇总】另有 1 条" in ding[1][2]["text"]["content"]
    assert result.summarised == 2  # the summarised one on DingTalk and on Feishu
    store.dispose()


def blocked(config, store, run_id: int) -> list:  # noqa: ANN001
    """The platforms the crawl health judgement finds newly blocked in a run, as a crawl hands them on."""
    with store.session() as session:
        return blocked_platforms(session, config.crawl.block_alert, run_id)


def test_platform_blocked_alert_and_email(tmp_path, receiver, smtp_server):  # noqa: F811
    recorder, port = smtp_server
    # The world has one Douyin account: a deployment that counts one account as its platform says so.
    config, store = make_world(tmp_path, port=port, crawl={"block_alert": {"min_accounts": 1}})
    with store.session() as session:
        first_run = session.query(CrawlRun).order_by(CrawlRun.id).first().id
    result = run_alerts(config, store, blocked(config, store, first_run), now=NOW)
    assert not result.failed, result.failed
    texts = [b["text"]["content"] for _, _, b in receiver.paths("/dingtalk")]
    assert any("抖音平台访问受阻" in t for t in texts)
    # mail: the office (all units) gets all three; the education bureau none (no severe finding of its own)
    by_rcpt: dict[str, list[str]] = {}
    for rcpt, message, _ in recorder.messages:
        by_rcpt.setdefault(rcpt[0], []).append(message["Subject"])
        assert message.get_content_type() == "text/plain"
    assert len(by_rcpt["office@example.gov.cn"]) == 3
    assert any("抖音平台访问受阻" in s for s in by_rcpt["office@example.gov.cn"])
    assert len(by_rcpt["baoli@example.gov.cn"]) == 1 and "edu@example.gov.cn" not in by_rcpt
    # the block was already there in the run before: no second platform alert for the later run
    store.dispose()
    default, store = make_world(tmp_path / "default", port=port)
    recorder.messages.clear()
    run_alerts(default, store, blocked(default, store, first_run), now=NOW)
    assert not any("平台访问受阻" in m["Subject"] for _, m, _ in recorder.messages)  # one account
    with store.session() as session:
        last_run = session.query(CrawlRun).order_by(CrawlRun.id.desc()).first().id
    count = len(receiver.requests)
    run_alerts(config, store, blocked(config, store, last_run), now=NOW)
    assert len(receiver.requests) == count
    store.dispose()


def test_failing_robot_is_reported_and_retried(tmp_path, receiver, monkeypatch, closed_port):
    monkeypatch.setenv("GW_WECOM_URL", f"http://127.0.0.1:{closed_port}/nothing-listens")
    config, store = make_world(tmp_path, retries=0)
    result = run_alerts(config, store, now=NOW)
    assert "wecom:教育群" in result.failed and any("FAILED" in line for line in result.lines())
    with store.session() as session:
        pending = session.query(SentAlert).filter_by(channel="wecom:教育群").one()
        assert pending.status == "pending" and pending.attempts == 1 and pending.error
    assert len(receiver.paths("/dingtalk")) == 2  # other channels went out
    store.dispose()


@pytest.mark.slow  # runs the govwatch command
def test_held_alerts_have_a_command_and_a_scheduled_job(tmp_path):
    """`govwatch alerts send` delivers what quiet hours held; `serve` runs it on schedule.alerts."""
    import yaml

    from core.config import parse_config
    from govwatch.daemon import job_specs
    from tests.conftest import run_govwatch

    config = parse_config({"schedule": {"alerts": "5 7 * * *"}})
    assert ("alerts", "5 7 * * *", ("alerts", "send")) in [
        (j.name, j.cron, j.args) for j in job_specs(config, True)
    ]
    quiet = parse_config({"alerts": {"enabled": False}})
    assert "alerts" not in [j.name for j in job_specs(quiet, True)]

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": f"sqlite:///{tmp_path / 'gw.db'}"}), encoding="utf-8")
    result = run_govwatch(path, "alerts", "send")
    assert result.returncode == 0 and "nothing to send" in result.stdout
