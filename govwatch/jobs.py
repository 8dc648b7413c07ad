"""The jobs the entry points run: one function each, so the CLI, the scheduler and
cron take the same path.

A crawl job: open the store, crawl, analyse (the crawl's health first: an
outage counts for nothing; then the accounts), deliver the immediate alerts. A report job: build and write the
week's reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.crawl_health import CrawlHealth, judge_crawl
from analysis.run import AnalysisSummary, analyse
from core.config import Config
from crawler.run import CrawlSummary, run_crawl
from govwatch.app import check_account_ids, check_has_accounts, open_app
from govwatch.lock import crawl_lock
from reporting.alerts import after_crawl
from storage.db import Store


@dataclass
class CrawlJobResult:
    store: Store
    crawl: CrawlSummary
    health: CrawlHealth
    analysis: AnalysisSummary
    messages: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """The crawl itself failed, or our own connection was down (its outcomes count for nothing)."""
        return bool(self.crawl.error or self.health.outage)


def crawl_job(
    config: Config,
    account_ids: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
    trigger: str = "cli",
    progress: Callable[[int], Callable[[Any], None]] | None = None,
) -> CrawlJobResult:
    store = open_app(config)
    check_has_accounts(store, config)
    store.check_writable()  # a read-only database fails here, before a night's crawl is fetched for nothing
    check_account_ids(store, account_ids or [])
    # One crawl at a time (govwatch/lock.py): raises CrawlLocked when another holds it past lock_wait_s.
    with crawl_lock(config):
        crawl = run_crawl(
            config, store, account_ids=account_ids, platforms=platforms, trigger=trigger, progress=progress
        )
        health = judge_crawl(config, store, crawl.run_id, crawl.bridges)
        analysis = analyse(config, store, account_ids=crawl.account_ids if account_ids else None)
        messages = after_crawl(config, store, health)
    return CrawlJobResult(store, crawl, health, analysis, messages)


@dataclass
class LinksJobResult:
    summary: Any  # crawler.links.LinkRunSummary
    outage: bool
    findings: Any  # analysis.findings.SyncCounts (None during our own outage)
    messages: list[str] = field(default_factory=list)


def links_job(config: Config, trigger: str = "cli", now: Any = None) -> LinksJobResult:
    """The weekly link check: fetch the window's links (crawler/links.py), judge the run (our own
    outage counts for nothing) and the links (analysis/links.py), deliver the immediate alerts."""
    from analysis.links import analyse_links, judge_link_run
    from crawler.links import check_links
    from reporting.alerts import run_alerts

    store = open_app(config)
    store.check_writable()
    if not config.links.enabled:
        return LinksJobResult(
            None, False, None, ["链接检测已关闭（links.enabled: false）/ link checks are off"]
        )
    summary = check_links(config, store, now=now, trigger=trigger)
    health = judge_link_run(config, store, summary.run_id)
    if health.outage:
        return LinksJobResult(
            summary,
            True,
            None,
            [f"本机网络异常（{health.reason}）：本次链接检测不计入，告警暂缓 / our own outage"],
        )
    findings = analyse_links(config, store, now=now)
    try:
        messages = run_alerts(config, store, now=now).lines()
    except Exception as exc:  # noqa: BLE001 - a check is not lost because alerting failed
        messages = [f"告警失败 / alerts failed: {type(exc).__name__}: {exc}"]
    return LinksJobResult(summary, False, findings, messages)


def default_report_week(config: Config, prefer_data: bool = True) -> tuple[Any, str | None]:
    """The week `report` writes without --week, and a note when it is not the usual one or empty."""
    from reporting.weekly import default_week

    return default_week(open_app(config), config, prefer_data=prefer_data)


def report_job(config: Config, week: Any, out_dir: Path | None = None) -> list[Path]:
    from reporting.weekly import write_reports

    store = open_app(config)
    target = out_dir or config.resolve(config.report.out_dir)
    return write_reports(store, config, week, target)


def send_job(config: Config, week: Any, resend: bool = False) -> Any:
    """Mail each supervisor the week's report, once per week unless `resend` (reporting/mail.py)."""
    from reporting.mail import send_reports

    return send_reports(config, open_app(config), week, resend=resend)


def alerts_job(config: Config) -> Any:
    """Send alerts held in quiet hours or left by a failed run (reporting/alerts.py)."""
    from reporting.alerts import run_alerts

    return run_alerts(config, open_app(config))
