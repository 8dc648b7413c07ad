"""The platform-blocked mail (…平台访问受阻) speaks for a platform, never for one account: a
`govwatch rescan` of one blocked account sends none, however often it is repeated; a crawl in
which crawl.block_alert.min_accounts of a platform's accounts (and min_share of them) are
blocked sends one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.server import Sandbox
from tests.conftest import run_govwatch, write_sandbox_config
from tests.test_delivery_mail import smtp_server  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e


def blocked_mails(recorder) -> list[str]:  # noqa: ANN001
    return [m["Subject"] for _, m, _ in recorder.messages if "平台访问受阻" in m["Subject"]]


def test_rescan_of_one_blocked_account_is_not_a_blocked_platform(
    sandbox: Sandbox,
    tmp_path: Path,
    smtp_server,  # noqa: F811 - the fixture imported above
):
    recorder, port = smtp_server
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "监测 <m@example.gov.cn>"}
    config = write_sandbox_config(tmp_path, sandbox.base_url, smtp=smtp)
    weibo = sorted(a.id for a in sandbox.world.accounts.values() if a.platform == "weibo")
    assert len(weibo) >= 3
    assert run_govwatch(config, "crawl", timeout=600).returncode == 0
    recorder.messages.clear()

    sandbox.block_platform("weibo")
    for _ in range(2):  # and again after a later rescan
        result = run_govwatch(config, "rescan", weibo[0])
        assert result.returncode == 0, result.stderr
        assert blocked_mails(recorder) == [], result.stdout

    # The whole platform blocked in a crawl: one mail, and none again from rescans after it.
    assert run_govwatch(config, "crawl", "--platform", "weibo", timeout=600).returncode == 0
    assert len(blocked_mails(recorder)) == 1, blocked_mails(recorder)
    assert "微博" in blocked_mails(recorder)[0]
    assert run_govwatch(config, "rescan", weibo[1]).returncode == 0
    assert len(blocked_mails(recorder)) == 1
