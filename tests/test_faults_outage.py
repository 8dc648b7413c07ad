"""Our own outage is not the units' fault. With no network (here: every platform pointed at
closed loopback ports), every account fails; govwatch says its own connection is broken (one
operator alert 运维告警, exit status 1) and nothing against a unit comes of it: no status
changes, no finding, no alert mail. One site or one feed bridge down is not an outage."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
import yaml

from analysis.crawl_health import find_outage
from core.config import OutageSettings
from sandbox.server import Sandbox
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config
from tests.test_delivery_mail import smtp_server  # noqa: F401 - fixture


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def point_at(config: Path, old_base: str, feeds: str, weibo: str) -> None:
    text = config.read_text(encoding="utf-8").replace(old_base, feeds)
    data = yaml.safe_load(text)
    data["platforms"]["weibo"]["base_url"] = weibo
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def open_findings(config: Path) -> set[int]:
    return {f["id"] for f in export_jsonl(config, "findings") if f["status"] == "open"}


def statuses(config: Path) -> dict[str, str]:
    return {a["id"]: a["status"] for a in export_jsonl(config, "accounts")}


@pytest.mark.e2e
def test_no_network_is_our_outage_not_the_units_apps(sandbox: Sandbox, tmp_path: Path, smtp_server):  # noqa: F811
    recorder, port = smtp_server
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "监测 <m@example.gov.cn>"}
    config = write_sandbox_config(tmp_path, sandbox.base_url, smtp=smtp)
    original = config.read_text(encoding="utf-8")
    assert run_govwatch(config, "crawl", timeout=600).returncode == 0
    before_status, before_findings = statuses(config), open_findings(config)
    assert "available" in before_status.values()  # an app that works
    mails = len(recorder.messages)

    down = f"http://127.0.0.1:{closed_port()}", f"http://127.0.0.1:{closed_port()}"
    point_at(config, sandbox.base_url.rstrip("/"), *down)
    db = tmp_path / "govwatch.db"
    for night in range(2):
        result = run_govwatch(config, "crawl", timeout=600)
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert result.stdout.count("运维告警") == 1 and "本机网络连接异常" in result.stdout, result.stdout
        assert statuses(config) == before_status
        assert open_findings(config) == before_findings
        assert len(recorder.messages) == mails, [m["Subject"] for _, m, _ in recorder.messages[mails:]]
        if night == 0:  # the second night comes hours later: the apps' two failed reads are apart
            with sqlite3.connect(db) as conn:
                conn.execute("UPDATE crawl_outcomes SET finished_at = datetime(finished_at, '-3 hours')")
    with sqlite3.connect(db) as conn:
        alerts = conn.execute(
            "SELECT kind, status FROM operator_alerts WHERE platform = 'network'"
        ).fetchall()
        outages = conn.execute("SELECT count(*) FROM crawl_runs WHERE outage AND state = 'failed'").fetchone()
    assert alerts == [("outage", "open")] and outages == (2,)

    config.write_text(original, encoding="utf-8")  # the network is back
    result = run_govwatch(config, "crawl", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "运维告警" not in result.stdout
    # The failing apps' first failed read (hours ago, before the outage) and this one confirm them.
    truth = sandbox.truth()["accounts"]
    assert statuses(config) == {
        a: truth[a]["confirmed_status"] if truth[a]["kind"] == "service" else s
        for a, s in before_status.items()
    }
    with sqlite3.connect(db) as conn:
        status = conn.execute("SELECT status FROM operator_alerts WHERE platform = 'network'").fetchone()
    assert status == ("resolved",)


SETTINGS = OutageSettings()


def rows(**hosts: tuple[int, int]) -> list[tuple[str, bool]]:
    """(accounts, of which got no answer) per host."""
    out = []
    for name, (n, failed) in hosts.items():
        out += [(f"http://{name}/a{i}", i < failed) for i in range(n)]
    return out


def test_what_counts_as_our_outage():
    assert find_outage(rows(weibo=(9, 9), bridge=(20, 20), site=(5, 5)), SETTINGS).failed == 34
    assert find_outage(rows(weibo=(9, 9), bridge=(20, 19)), SETTINGS) is not None
    assert find_outage(rows(bridge=(30, 30)), SETTINGS) is None  # one host: that host's problem
    assert find_outage(rows(bridge=(30, 30), weibo=(9, 0)), SETTINGS) is None  # Weibo answered
    assert find_outage(rows(a=(10, 8), b=(10, 8)), SETTINGS) is None  # 80%: not nearly everything
    assert find_outage(rows(a=(50, 50), b=(50, 50), c=(2, 0)), SETTINGS) is not None
    assert find_outage([(None, False)] * 5 + rows(a=(3, 3), b=(3, 3)), SETTINGS) is not None  # unread
    assert find_outage([], SETTINGS) is None
    # A feed bridge on this machine answers (with errors) while the outside world is out of reach.
    local = [(f"http://127.0.0.1:1200/wechat/{i}", False) for i in range(40)]
    assert find_outage(local + rows(**{"m.weibo.cn": (9, 9), "www.gov.example": (5, 5)}), SETTINGS)
    # ...but an outside host that answered says our connection works.
    assert (
        find_outage(
            local + rows(**{"m.weibo.cn": (9, 0), "a.example": (5, 5), "b.example": (5, 5)}), SETTINGS
        )
        is None
    )
    # Two intranet sites down while the others (also on our side) answer: theirs, not ours.
    intranet = rows(**{"10.1.1.1": (5, 5), "10.1.1.2": (5, 5), "10.1.1.3": (30, 0)})
    assert find_outage(intranet, SETTINGS) is None
    bridge = [(f"http://rsshub.example/wechat/{i}", False) for i in range(40)]
    assert find_outage(bridge + rows(**{"m.weibo.cn": (9, 9), "www.gov.example": (5, 5)}), SETTINGS) is None
    assert find_outage(rows(a=(3, 3), b=(3, 3)), OutageSettings(min_hosts=3)) is None
