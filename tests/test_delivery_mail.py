"""Mailing the weekly report: a real SMTP server (aiosmtpd) on loopback, the real `govwatch` command."""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller

from core.config import parse_config
from reporting.mail import SmtpSender, build_message
from storage.db import open_store
from tests.conftest import free_port, run_govwatch
from tests.test_report import CONFIG, EDU, Markup, populate

pytestmark = pytest.mark.slow  # runs the govwatch command and an SMTP server

SENDER = "政务新媒体监测 <monitor@qingchuan.example.gov.cn>"


class Recorder:
    """Accepts mail; refuses refuse-* addresses for good and flaky-* once with a 451."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage, bytes]] = []
        self.flaky_seen: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address.startswith("refuse"):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address.startswith("flaky") and address not in self.flaky_seen:
            self.flaky_seen.add(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed, raw))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_config(tmp_path: Path, smtp_server) -> Path:
    _, port = smtp_server
    data = dict(CONFIG)
    data["database"] = f"sqlite:///{tmp_path / 'govwatch.db'}"
    data["report"] = {**CONFIG["report"], "out_dir": str(tmp_path / "reports")}
    data["smtp"] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": SENDER,
        "retries": 2,
        "retry_backoff_s": 0,
    }
    data["supervisors"] = [
        {"name": "旗政府办公室", "email": ["office@example.gov.cn"], "units": ["*"]},
        {"name": "旗教育局", "email": ["edu@example.gov.cn", "refuse-edu@example.gov.cn"], "units": [EDU]},
        {"name": "宝力镇", "email": ["baoli@example.gov.cn"], "units": ["宝力镇人民政府"]},
    ]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    store = open_store(data["database"])
    populate(store, parse_config(data))
    store.dispose()
    return path


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    return plain.get_content(), html.get_content()


def test_send_per_supervisor_scope_text_alternative_and_idempotent(mail_config, smtp_server):
    recorder, _ = smtp_server
    first = run_govwatch(mail_config, "report", "--week", "2026-W46", "--send")
    # one refusing address: reported by name, exit 1, and the others still got theirs
    assert first.returncode == 1, first.stderr
    assert (
        "旗教育局" in first.stderr and "refuse-edu@example.gov.cn" in first.stderr and "550" in first.stderr
    )
    assert len(first.stdout.split()) == 4  # the archived reports' paths
    received = {rcpt[0]: (message, raw) for rcpt, message, raw in recorder.messages}
    assert sorted(received) == ["baoli@example.gov.cn", "edu@example.gov.cn", "office@example.gov.cn"]

    office, raw = received["office@example.gov.cn"]
    wire = email.message_from_bytes(raw)  # compat32: headers as they travelled
    assert raw.isascii() or b"Content-Transfer-Encoding: 8bit" in raw
    subject = str(make_header(decode_header(wire["Subject"])))
    assert wire["Subject"].isascii() and "=?utf-8?" in wire["Subject"].lower()
    assert subject.startswith("【青川旗政务新媒体监测周报】2026年第46周") and "旗政府办公室" in subject
    assert office["Subject"] == subject
    # the Chinese sender name is RFC 2047-encoded on the wire, and decodes back
    assert wire["From"].isascii() and "=?utf-8?" in wire["From"].lower()
    assert office["From"].addresses[0].display_name == "政务新媒体监测"
    text, html = parts(office)
    assert "一、总体情况" in text and "青川教育公众号" in text and "僵尸帐号" in text
    assert "<table" in html and 'style="' in html  # CSS inlined for mail clients

    # scope: the education bureau's mail has its accounts only
    edu_text, edu_html = parts(received["edu@example.gov.cn"][0])
    assert "青川教育公众号" in edu_html and "青川教育公众号" in edu_text
    assert "青川发布" not in edu_html and "宝力镇发布" not in edu_text

    # a second send of the same week sends nothing to those already served
    second = run_govwatch(mail_config, "report", "--week", "2026-W46", "--send")
    assert len(recorder.messages) == 3
    assert "already sent" in second.stderr and second.returncode == 1  # the refusing address is tried again
    # --resend sends again
    third = run_govwatch(mail_config, "report", "--week", "2026-W46", "--send", "--resend")
    assert third.returncode == 1
    assert len(recorder.messages) == 6


def test_crawled_markup_is_text_in_the_mail(mail_config, smtp_server):
    recorder, _ = smtp_server
    run_govwatch(mail_config, "report", "--week", "2026-W46", "--send")
    baoli = next(m for rcpt, m, _ in recorder.messages if rcpt == ["baoli@example.gov.cn"])
    text, html = parts(baoli)
    parsed = Markup()
    parsed.feed(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [k for k, _ in parsed.attrs if k.startswith("on")]
    assert all(not (v or "").lower().startswith("javascript:") for k, v in parsed.attrs if k == "href")
    assert "<script>alert(1)</script>加微信领红包" in "".join(parsed.text)
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>加微信领红包" in text  # plain text shows it as text


def test_temporary_failure_is_retried(smtp_server):
    recorder, port = smtp_server
    config = parse_config(
        {
            "smtp": {
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "sender": SENDER,
                "retry_backoff_s": 0,
            }
        }
    )
    slept: list[float] = []
    with SmtpSender(config.smtp, sleep=slept.append) as sender:
        attempts = sender.send(
            build_message(config.smtp, "flaky@example.gov.cn", "测试", "正文", "<p>正文</p>")
        )
    assert attempts == 2 and len(slept) == 1
    assert [r for r, _, _ in recorder.messages] == [["flaky@example.gov.cn"]]


def test_send_without_smtp_is_a_config_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": f"sqlite:///{tmp_path / 'g.db'}"}), encoding="utf-8")
    result = run_govwatch(path, "report", "--week", "2026-W46", "--send")
    assert result.returncode == 2 and "smtp" in result.stderr


def test_past_week_archived_under_its_week(mail_config):
    result = run_govwatch(mail_config, "report", "--week", "2026-W44")
    assert result.returncode == 0, result.stderr
    overall = Path(result.stdout.split()[0])
    assert overall.parent.name == "2026-W44" and overall.name == "govwatch-2026-W44-overall.html"
    page = overall.read_text(encoding="utf-8")
    assert "2026年第44周" in page and "2026-10-26 至 2026-11-01" in page


class LoginRecorder(Recorder):
    """Also offers AUTH over plain TCP (as a careless relay would) and records every login."""

    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[str, bytes, bytes]] = []

    def authenticator(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN201
        from aiosmtpd.smtp import AuthResult

        self.logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def plain_auth_server():
    recorder = LoginRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=recorder.authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def test_a_password_is_never_sent_in_cleartext_unless_allowed(
    tmp_path: Path, plain_auth_server, monkeypatch: pytest.MonkeyPatch
):
    recorder, port = plain_auth_server
    monkeypatch.setenv("GW_TEST_SMTP_PASSWORD", "mail-pass-secret")
    data = dict(CONFIG)
    data["database"] = f"sqlite:///{tmp_path / 'govwatch.db'}"
    data["report"] = {**CONFIG["report"], "out_dir": str(tmp_path / "reports")}
    data["supervisors"] = [{"name": "旗政府办公室", "email": ["office@example.gov.cn"], "units": ["*"]}]
    smtp = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "monitor",
        "password_env": "GW_TEST_SMTP_PASSWORD",
        "sender": SENDER,
        "retries": 0,
    }
    path = tmp_path / "config.yaml"

    def write(**extra) -> None:  # noqa: ANN003
        path.write_text(
            yaml.safe_dump({**data, "smtp": {**smtp, **extra}}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )

    write()
    store = open_store(data["database"])
    populate(store, parse_config(data))
    store.dispose()
    refused = run_govwatch(path, "report", "--week", "2026-W46", "--send")
    assert refused.returncode == 2, refused.stderr
    assert "smtp.allow_plaintext_auth" in refused.stderr and str(path) in refused.stderr
    assert recorder.logins == [] and recorder.messages == []

    write(allow_plaintext_auth=True)  # a relay on this machine: said so in the config
    allowed = run_govwatch(path, "report", "--week", "2026-W46", "--send")
    assert allowed.returncode == 0, allowed.stderr
    assert [(login, password) for _, login, password in recorder.logins] == [
        (b"monitor", b"mail-pass-secret")
    ]
    assert [rcpt for rcpt, _, _ in recorder.messages] == [["office@example.gov.cn"]]


def test_the_sender_itself_refuses_a_cleartext_login(plain_auth_server, monkeypatch: pytest.MonkeyPatch):
    """Even a settings object that skipped validation never sends the password unencrypted."""
    from core.config import Smtp
    from reporting.mail import MailConfigError

    recorder, port = plain_auth_server
    monkeypatch.setenv("GW_TEST_SMTP_PASSWORD", "mail-pass-secret")
    settings = Smtp.model_construct(
        **{
            **Smtp(host="127.0.0.1", port=port, security="none", sender=SENDER).model_dump(),
            "username": "monitor",
            "password_env": "GW_TEST_SMTP_PASSWORD",
        }
    )
    with SmtpSender(settings) as sender, pytest.raises(MailConfigError, match="allow_plaintext_auth"):
        sender.send(build_message(settings, "office@example.gov.cn", "测试", "正文", None))
    assert recorder.logins == [] and recorder.messages == []
