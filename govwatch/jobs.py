"""The jobs the entry points run: one function each, so the CLI, the scheduler and
cron take the same path.

A crawl job: open the store, crawl, analyse what was crawled, then hand the
results to whatever follows a crawl (alerts). A report job: build and write the
week's reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.run import AnalysisSummary, analyse
from core.config import Config
from crawler.run import CrawlSummary, run_crawl
from govwatch.app import check_account_ids, check_has_accounts, open_app
from govwatch.lock import crawl_lock
from storage.db import Store

# Called after every crawl and analysis, in order: (config, store, crawl, analysis) -> lines to print.
AfterCrawl = Callable[[Config, Store, CrawlSummary, AnalysisSummary], list[str]]
AFTER_CRAWL: list[AfterCrawl] = []


def _alerts_step(config: Config, store: Store, crawl: CrawlSummary, analysis: AnalysisSummary) -> list[str]:
    """Immediate alerts for new severe findings and blocked platforms (reporting/alerts.py, issue 5)."""
    from reporting.alerts import after_crawl

    return after_crawl(config, store, crawl, analysis)


AFTER_CRAWL.append(_alerts_step)


@dataclass
class CrawlJobResult:
    store: Store
    crawl: CrawlSummary
    analysis: AnalysisSummary
    messages: list[str] = field(default_factory=list)


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
        analysis = analyse(config, store, account_ids=crawl.account_ids if account_ids else None)
        result = CrawlJobResult(store, crawl, analysis)
        if crawl.outage:  # our connection is down: no alert to anyone from this run (crawler/outage.py)
            result.messages.append("告警暂缓 / alerts held: 本机网络连接异常 / our own connection is down")
        else:
            for step in AFTER_CRAWL:
                result.messages.extend(step(config, store, crawl, analysis))
    return result


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
