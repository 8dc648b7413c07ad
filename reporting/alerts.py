"""Immediate alerts after each crawl (一旦发现立即督促整改).

What alerts: open findings of the configured severities (critical and major by
default: wording errors in leaders' names and core formulations, commercial
ads, signs of hijacking, an account gone unreachable), except the slow
maintenance rules that the weekly report covers; a publishing account that has
gone ``alerts.veto_warning_days`` without a post, before the two-week veto falls
(a warning, not a finding: the veto itself is the maintenance.stale finding, and
the warning ends with the next post); and a platform that a crawl
found blocked while the crawl before it could still read it (judged in
analysis/crawl_health.py; this module only words and delivers).

Each event gets one row per channel in ``sent_alerts`` (unique by key and
channel), so it is sent once: by mail to the supervisors whose units cover the
account (and ``alerts.email_to``), and to each group robot whose units cover
it. In quiet hours rows wait as ``pending`` and go out with the first run after
them (a crawl, or `govwatch alerts send`). Per channel and run at most
``alerts.max_per_run`` go out one by one; the rest go out as one summary.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.crawl_health import BlockedPlatform, CrawlHealth
from analysis.veto import veto_warnings
from core.config import Config
from core.rules import rule_title
from core.vocabulary import Severity
from reporting import labels as L
from reporting import webhooks
from reporting.mail import PermanentFailure, SmtpSender, build_message
from reporting.view import clip, safe_url
from storage.db import Store
from storage.models import Account, Finding, SentAlert, Unit, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # runs in which a failing alert is tried before it is marked failed
ALL = "*"


@dataclass
class Event:
    key: str
    severity: str
    unit: str  # "*" for events about no one unit (a platform blocked)
    title: str
    body: str
    finding_id: int | None = None


@dataclass
class AlertResult:
    queued: int = 0
    sent: dict[str, int] = field(default_factory=dict)  # channel -> messages
    summarised: int = 0
    held: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # channel -> reason

    def lines(self) -> list[str]:
        out = []
        if self.sent:
            total = sum(self.sent.values())
            out.append(
                f"告警已发送 / alerts sent: {total} 条（{len(self.sent)} 个渠道）"
                + (f"，另 {self.summarised} 条合并为汇总消息" if self.summarised else "")
            )
        if self.held:
            out.append(f"免打扰时段，告警暂缓 {self.held} 条 / alerts held in quiet hours: {self.held}")
        for channel, reason in self.failed.items():
            out.append(f"告警发送失败 / alert FAILED: {channel}: {reason}")
        return out


# --- what to alert -------------------------------------------------------------------


def finding_events(session: Session, config: Config) -> list[Event]:
    settings = config.alerts
    tz = config.tz
    query = (
        select(Finding, Account.name, Account.platform, Unit.name)
        .join(Account, Finding.account_id == Account.id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(Finding.status == "open", Finding.severity.in_(settings.severities))
        .order_by(Finding.id)
    )
    if settings.exclude_rules:
        query = query.where(Finding.rule.not_in(settings.exclude_rules))
    events = []
    for finding, name, platform, unit in session.execute(query):
        key = f"finding:{finding.id}:{finding.first_seen.astimezone(tz):%Y%m%dT%H%M%S}"
        details = finding.details or {}
        lines = [
            f"责任主体：{unit}",
            f"帐号：{name}（{L.platform_label(platform)}）",
            f"问题类型：{L.category_label(finding.category)}（{rule_title(finding.rule)}）",
            f"证据：{clip(finding.evidence, 300)}",
        ]
        if details.get("explanation"):
            lines.append(f"说明：{clip(str(details['explanation']), 200)}")
        if details.get("suggestion"):
            lines.append(f"建议改为：{clip(str(details['suggestion']), 100)}")
        url = safe_url(finding.evidence_url)
        if url:
            lines.append(f"原文：{url}")
        lines.append(f"发现时间：{finding.first_seen.astimezone(tz):%Y-%m-%d %H:%M}")
        lines.append("请立即督促整改。")
        events.append(
            Event(
                key=key,
                severity=finding.severity,
                unit=unit,
                title=(
                    f"【{L.severity_label(finding.severity)}】{unit}·{name}："
                    f"{L.category_label(finding.category)}·{rule_title(finding.rule)}"
                ),
                body="\n".join(lines),
                finding_id=finding.id,
            )
        )
    return events


def veto_warning_events(session: Session, config: Config, now: datetime) -> list[Event]:
    """The supervisors' warning for each publishing account close to the two-week veto (judged in
    analysis/veto.py), once per account and gap: a new post starts a new gap and a new key."""
    tz = config.tz
    events = []
    for s in veto_warnings(session, config, now):
        if s.last_post_at is None or s.veto is None:  # a counting countdown has both
            continue
        last = s.last_post_at.astimezone(tz)
        events.append(
            Event(
                key=f"veto:{s.account_id}:{last:%Y%m%dT%H%M%S}",
                severity=Severity.MAJOR,
                unit=s.unit,
                title=f"【即将否决】{s.unit}·{s.name}：{s.days_since_last_post} 天未更新，{s.veto.text}",
                body="\n".join(
                    [
                        f"责任主体：{s.unit}",
                        f"帐号：{s.name}（{L.platform_label(s.platform)}）",
                        f"最后发布：{last:%Y-%m-%d %H:%M}（{s.days_since_last_post} 天未更新）",
                        f"超过 {config.thresholds.stale_days} 天未更新即为单项否决，{s.veto.text}。",
                        "请督促尽快更新。",
                    ]
                ),
            )
        )
    return events


def blocked_platform_events(blocked: Sequence[BlockedPlatform]) -> list[Event]:
    """The supervisors' alert for each platform newly blocked in a crawl (judged in
    analysis/crawl_health.py)."""
    events = []
    for b in blocked:
        label = L.platform_label(b.platform)
        walled = sum(b.refused.values())
        kinds = "、".join(sorted(L.outcome_label(o) for o in b.refused))
        events.append(
            Event(
                key=f"blocked:{b.platform}:{b.run_id}",
                severity="major",
                unit=ALL,
                title=f"【较重】{label}平台访问受阻：本次抓取 {b.accounts} 个帐号中 {walled} 个失败",
                body="\n".join(
                    [
                        f"平台：{label}",
                        f"本次抓取（#{b.run_id}）中该平台的 {b.accounts} 个帐号中 {walled} 个{kinds}。",
                        "这些帐号的实际更新情况暂无法确认，请勿当作“未更新”。",
                        "请检查抓取配置（Cookie、访问频率）或稍后重试。",
                    ]
                ),
            )
        )
    return events


# --- channels -------------------------------------------------------------------------


def channels_for(config: Config, unit: str) -> list[str]:
    settings = config.alerts
    channels = []
    if settings.email and config.smtp is not None:
        for supervisor in config.supervisors:
            if supervisor.email and ("*" in supervisor.units or unit in supervisor.units):
                channels.append(f"email:{supervisor.name}")
        if settings.email_to:
            channels.append("email:alerts.email_to")
    for hook in settings.webhooks:
        if hook.covers(unit):
            channels.append(f"{hook.kind}:{hook.name}")
    return channels


def enqueue(session: Session, config: Config, events: list[Event]) -> int:
    """Add a pending row per (event, channel) not recorded yet; returns the number added."""
    if not events:
        return 0
    keys = [e.key for e in events]
    known: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 500):
        known.update(
            session.execute(
                select(SentAlert.key, SentAlert.channel).where(SentAlert.key.in_(keys[start : start + 500]))
            ).all()
        )
    added = 0
    for event in events:
        for channel in channels_for(config, event.unit):
            if (event.key, channel) in known:
                continue
            session.add(
                SentAlert(
                    key=event.key,
                    channel=channel,
                    finding_id=event.finding_id,
                    severity=event.severity,
                    title=event.title,
                    body=event.body,
                    status="pending",
                )
            )
            added += 1
    return added


def in_quiet_hours(quiet: str | None, now: datetime, config: Config) -> bool:
    if not quiet:
        return False
    start_s, end_s = quiet.split("-")
    start = dtime.fromisoformat(start_s)
    end = dtime.fromisoformat(end_s)
    local = now.astimezone(config.tz).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


# --- delivery --------------------------------------------------------------------------


class _Transport:
    """Sends one (title, body) on one channel."""

    def __init__(self, config: Config, sleep: Callable[[float], None]) -> None:
        self.config = config
        self.sleep = sleep
        self._smtp: SmtpSender | None = None

    def close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()

    def _addresses(self, name: str) -> list[str]:
        if name == "alerts.email_to":
            return list(self.config.alerts.email_to)
        for supervisor in self.config.supervisors:
            if supervisor.name == name:
                return list(supervisor.email)
        return []

    def send(self, channel: str, title: str, body: str) -> None:
        kind, _, name = channel.partition(":")
        if kind == "email":
            if self.config.smtp is None:
                raise RuntimeError("smtp section missing")
            self._smtp = self._smtp or SmtpSender(self.config.smtp, self.sleep)
            addresses = self._addresses(name)
            if not addresses:
                raise RuntimeError(f"no email address for {name}")
            errors = []
            for address in addresses:
                message = build_message(
                    self.config.smtp, address, title, body + "\n\n—— govwatch 政务新媒体监测", None
                )
                try:
                    self._smtp.send(message)
                except PermanentFailure as exc:
                    errors.append(f"{address}: {exc}")
            if len(errors) == len(addresses):
                raise RuntimeError("; ".join(errors))
            if errors:
                log.error("alert mail partly failed: %s", "; ".join(errors))
            return
        hook = next((h for h in self.config.alerts.webhooks if f"{h.kind}:{h.name}" == channel), None)
        if hook is None:
            raise RuntimeError(f"channel {channel} is no longer configured")
        settings = self.config.alerts
        delay = 1.0
        for attempt in range(settings.retries + 1):
            try:
                webhooks.post(hook, f"{title}\n{body}", settings.timeout_s)
                return
            except webhooks.WebhookError as exc:
                if not exc.temporary or attempt == settings.retries:
                    raise
                self.sleep(delay)
                delay *= 2


def _summary(rows: list[SentAlert]) -> tuple[str, str]:
    lines = [f"- {r.title}" for r in rows[:50]]
    if len(rows) > 50:
        lines.append(f"……另有 {len(rows) - 50} 条")
    lines.append("详情见下一期周报，或请系统管理员导出问题清单（通报）。")
    return f"【汇总】另有 {len(rows)} 条严重或较重问题", "\n".join(lines)


def deliver_pending(
    config: Config, store: Store, now: datetime | None = None, sleep: Callable[[float], None] = time.sleep
) -> AlertResult:
    """Send what is pending, unless in quiet hours."""
    now = now or utcnow()
    result = AlertResult()
    with store.session() as session:
        pending = list(
            session.scalars(
                select(SentAlert)
                .where(SentAlert.status == "pending")
                .order_by(SentAlert.channel, SentAlert.id)
            )
        )
        if not pending:
            return result
        if in_quiet_hours(config.alerts.quiet_hours, now, config):
            result.held = len(pending)
            return result
        by_channel: dict[str, list[SentAlert]] = defaultdict(list)
        for row in pending:
            by_channel[row.channel].append(row)
        transport = _Transport(config, sleep)
        cap = config.alerts.max_per_run
        try:
            for channel, rows in by_channel.items():
                rows.sort(key=lambda r: (L.severity_rank(r.severity), r.id))
                single, rest = rows[:cap], rows[cap:]
                sends: list[tuple[list[SentAlert], str, str, str]] = [
                    ([r], r.title, r.body, "sent") for r in single
                ]
                if rest:
                    title, body = _summary(rest)
                    sends.append((rest, title, body, "summarised"))
                for members, title, body, status in sends:
                    try:
                        transport.send(channel, title, body)
                    except Exception as exc:  # noqa: BLE001 - recorded, reported, retried next run
                        reason = f"{type(exc).__name__}: {exc}"
                        result.failed[channel] = reason
                        for r in members:
                            r.attempts += 1
                            r.error = reason
                            if r.attempts >= MAX_ATTEMPTS:
                                r.status = "failed"
                        log.error("alert on %s failed: %s", channel, reason)
                        break  # this channel is down: the rest wait for the next run
                    for r in members:
                        r.status = status
                        r.sent_at = now
                        r.attempts += 1
                        r.error = None
                    result.sent[channel] = result.sent.get(channel, 0) + 1
                    if status == "summarised":
                        result.summarised += len(members)
        finally:
            transport.close()
    return result


def run_alerts(
    config: Config,
    store: Store,
    blocked: Sequence[BlockedPlatform] = (),
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AlertResult:
    """Queue new alert events (open severe findings, accounts close to the two-week veto,
    platforms newly blocked), then deliver what is pending (outside quiet hours)."""
    if not config.alerts.enabled:
        return AlertResult()
    with store.session() as session:
        events = (
            finding_events(session, config)
            + veto_warning_events(session, config, now or utcnow())
            + blocked_platform_events(blocked)
        )
        queued = enqueue(session, config, events)
    result = deliver_pending(config, store, now, sleep)
    result.queued = queued
    return result


def after_crawl(config: Config, store: Store, health: CrawlHealth) -> list[str]:
    """Deliver after a crawl: what analysis found and the platforms the crawl found blocked.
    Nothing from a crawl during our own outage: it said nothing about anyone."""
    if health.outage:
        return ["告警暂缓 / alerts held: 本机网络连接异常 / our own connection is down"]
    try:
        return run_alerts(config, store, health.blocked).lines()
    except Exception as exc:  # noqa: BLE001 - a crawl is not lost because alerting failed
        log.exception("alerts failed")
        return [f"告警失败 / alerts failed: {type(exc).__name__}: {exc}"]


__all__ = ["AlertResult", "Event", "after_crawl", "deliver_pending", "in_quiet_hours", "run_alerts"]
