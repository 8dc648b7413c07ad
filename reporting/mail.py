"""Mailing the weekly reports (`govwatch report --send`) and alert mails over SMTP.

One message per supervisor address: multipart/alternative with a plain-text
part and the HTML report with its CSS inlined (css-inline), UTF-8 throughout,
the Chinese sender name and subject encoded per RFC 2047. Temporary failures
(4xx replies, dropped or refused connections) are retried with a doubling
backoff; a permanent refusal of one address is recorded and the others go on.
Each (week, supervisor) has a row in ``sent_reports``: sending the same week
again sends nothing unless ``resend``; addresses that failed are tried again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import css_inline
from sqlalchemy import select

from core.config import PLAINTEXT_AUTH_REFUSED, Config, Smtp, Supervisor
from reporting.view import ReportView, load_week
from reporting.weekly import render, render_text, views_for_week
from reporting.weeks import IsoWeek
from storage.db import Store
from storage.models import SentReport, utcnow

log = logging.getLogger(__name__)


class MailConfigError(ValueError):
    """Sending was asked for but the config cannot send (no smtp section, no recipients)."""


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """Class rules become style attributes (Outlook, QQ Mail); @media rules stay in a <style>."""
    return _INLINER.inline(html)


def report_subject(view: ReportView) -> str:
    return f"【{view.title}】{view.week_label} · {view.scope_name}"


def build_message(
    smtp: Smtp, to: str, subject: str, text: str, html: str | None, headers: dict[str, str] | None = None
) -> EmailMessage:
    """A UTF-8 message; with html, multipart/alternative (text first, HTML preferred)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.sender  # the policy encodes a Chinese display name (RFC 2047)
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


class SmtpSender:
    """One SMTP connection reused across messages, reopened after a failure."""

    def __init__(self, smtp: Smtp, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = smtp
        self.sleep = sleep
        self._conn: smtplib.SMTP | None = None
        self.down: str | None = None  # the server could not be reached after all retries: fail fast

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.plaintext_auth_refused():  # config validation says so too; never send it anyway
            raise MailConfigError(f"smtp: {PLAINTEXT_AUTH_REFUSED}")
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_s, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            if s.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        password = s.password()
        if s.username and password:
            conn.login(s.username, password)
        elif s.username and s.password_env:
            log.warning("smtp.username is set but $%s is empty: sending without login", s.password_env)
        return conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def _send_once(self, message: EmailMessage) -> None:
        try:
            if self._conn is None:
                self._conn = self._connect()
            refused = self._conn.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = "; ".join(
                f"{a}: {c} {m.decode('utf-8', 'replace')}" for a, (c, m) in exc.recipients.items()
            )
            if all(400 <= c < 500 for c in codes):
                raise TemporaryFailure(reason) from exc
            raise PermanentFailure(reason) from exc
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise PermanentFailure(f"login refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            text = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(f"{exc.smtp_code} {text}") from exc
            raise PermanentFailure(f"{exc.smtp_code} {text}") from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        except smtplib.SMTPException as exc:
            self.close()
            raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            reason = "; ".join(f"{a}: {c} {m.decode('utf-8', 'replace')}" for a, (c, m) in refused.items())
            raise PermanentFailure(reason)

    def send(self, message: EmailMessage) -> int:
        """Send with retries on temporary failure; returns the attempts used. Raises PermanentFailure."""
        s = self.settings
        if self.down:
            raise PermanentFailure(f"SMTP server unreachable earlier in this run: {self.down}")
        delay = s.retry_backoff_s
        for attempt in range(1, s.retries + 2):
            try:
                self._send_once(message)
                return attempt
            except TemporaryFailure as exc:
                if attempt > s.retries:
                    if self._conn is None:  # not a refusal of one address: the server itself
                        self.down = str(exc)
                    raise PermanentFailure(f"{exc}（重试 {s.retries} 次后仍失败）") from exc
                log.warning("temporary SMTP failure to %s (%s); retrying in %.1fs", message["To"], exc, delay)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class SendResult:
    week: str
    sent: dict[str, list[str]] = field(default_factory=dict)  # supervisor -> addresses mailed now
    skipped: list[str] = field(default_factory=list)  # already sent this week
    failed: dict[str, dict[str, str]] = field(default_factory=dict)  # supervisor -> address -> reason
    no_address: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for name, addresses in self.sent.items():
            out.append(f"已发送 / sent: {name} → {', '.join(addresses)}")
        for name in self.skipped:
            out.append(f"本周已发送过，跳过（--resend 可重发）/ already sent for {self.week}: {name}")
        for name in self.no_address:
            out.append(f"未配置邮箱，未发送 / no email address: {name}")
        for name, reasons in self.failed.items():
            for address, reason in reasons.items():
                out.append(f"发送失败 / FAILED: {name} → {address}: {reason}")
        return out


def _record(session, week: str, supervisor: str) -> SentReport:  # noqa: ANN001
    row = session.scalar(
        select(SentReport).where(SentReport.week == week, SentReport.supervisor == supervisor)
    )
    if row is None:
        row = SentReport(
            week=week, supervisor=supervisor, status="failed", recipients=[], failed={}, attempts=0
        )
        session.add(row)
    return row


def send_reports(
    config: Config,
    store: Store,
    week: IsoWeek,
    *,
    resend: bool = False,
    now: datetime | None = None,
    sender: SmtpSender | None = None,
) -> SendResult:
    """Mail each supervisor their report of `week`, once (unless `resend`)."""
    if config.smtp is None:
        raise MailConfigError("smtp: section missing; --send needs smtp.host and smtp.sender")
    result = SendResult(str(week))
    with store.session() as session:
        data = load_week(session, config, week, now)
    views = [(s, v) for _slug, s, v in views_for_week(data, config) if s is not None]
    own_sender = sender is None
    sender = sender or SmtpSender(config.smtp)
    try:
        for supervisor, view in views:
            _send_one(config, store, sender, supervisor, view, str(week), resend, result)
    finally:
        if own_sender:
            sender.close()
    return result


def _send_one(
    config: Config,
    store: Store,
    sender: SmtpSender,
    supervisor: Supervisor,
    view: ReportView,
    week: str,
    resend: bool,
    result: SendResult,
) -> None:
    if not supervisor.email:
        result.no_address.append(supervisor.name)
        return
    with store.session() as session:
        row = _record(session, week, supervisor.name)
        done = set(row.recipients or []) if not resend else set()
        if row.status == "sent" and not resend:
            result.skipped.append(supervisor.name)
            return
    pending = [a for a in supervisor.email if a not in done]
    subject = report_subject(view)
    html = inline_css(render(view))
    text = render_text(view)
    delivered: list[str] = []
    failed: dict[str, str] = {}
    attempts = 0
    for address in pending:
        message = build_message(config.smtp, address, subject, text, html, {"X-Govwatch-Week": week})
        try:
            attempts += sender.send(message)
            delivered.append(address)
        except PermanentFailure as exc:
            attempts += 1
            failed[address] = str(exc)
            log.error("report for %s to %s failed: %s", supervisor.name, address, exc)
    with store.session() as session:
        row = _record(session, week, supervisor.name)
        reached = sorted(set(row.recipients or []) | set(delivered)) if not resend else sorted(delivered)
        row.recipients = reached
        row.failed = failed
        row.subject = subject
        row.attempts = (row.attempts or 0) + attempts
        row.status = "failed" if failed else "sent"
        if delivered:
            row.sent_at = utcnow()
    if delivered:
        result.sent[supervisor.name] = delivered
    if failed:
        result.failed[supervisor.name] = failed
