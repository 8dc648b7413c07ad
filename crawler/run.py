"""One crawl, start to finish, in this process.

Creates the crawl run, hands each account to the spider of its platform, runs
them in one Scrapy process (Twisted's reactor cannot restart: one crawl per
process), then makes sure every account has an outcome and closes the run.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from sqlalchemy import select

from core.config import Config
from core.items import ERROR, SKIPPED, BridgeCheck, OutcomeItem
from core.platforms import declared, monitored_codes, name_zh
from crawler import planning
from crawler import settings as default_settings
from crawler.backoff import RETRIED_PREFIX, SLOWED_PREFIX
from crawler.bridges import check_bridges
from crawler.planning import CrawlJob
from crawler.probe import probe_accounts, wants_probe
from crawler.spiders.base import SPIDER_ERROR, AccountSpider
from storage import repo
from storage.db import Store
from storage.models import CrawlOutcome, utcnow

log = logging.getLogger(__name__)


@dataclass
class CrawlSummary:
    run_id: int
    accounts: int
    ok: int
    failed: int
    new_posts: int
    requests: int
    seconds: float
    outcomes: Counter[str] = field(default_factory=Counter)
    account_ids: list[str] = field(default_factory=list)
    bridges: list[BridgeCheck] = field(default_factory=list)  # the feed bridges checked before reading
    error: str | None = None  # the crawl itself failed (a spider could not start, the process died)
    slowed: dict[str, float] = field(default_factory=dict)  # platform -> seconds slowed by rate limits
    retried: dict[str, int] = field(default_factory=dict)  # platform -> refused accounts read again

    def line(self) -> str:
        failures = ", ".join(f"{k} {n}" for k, n in sorted(self.outcomes.items()) if k != "ok")
        failed = f"失败 {self.failed}" + (f"（{failures}）" if failures else "")
        line = (
            f"抓取完成 #{self.run_id}：{self.accounts} 个帐号，成功 {self.ok}，{failed}，"
            f"新增 {self.new_posts} 条，请求 {self.requests} 次，用时 {self.seconds:.1f} 秒"
        )
        failed_run = [f"抓取出错 crawl failed: {self.error}"] if self.error else []
        return "\n".join([line, *failed_run, *self.slowed_lines()])

    def slowed_lines(self) -> list[str]:
        """How long each platform was slowed by its rate limits, and how many accounts it refused
        were read again later in the crawl."""
        lines = []
        for platform in sorted(set(self.slowed) | set(self.retried)):
            label = name_zh(platform)
            lines.append(
                f"限速放慢 slowed down: {label} {self.slowed.get(platform, 0.0):.0f} 秒，"
                f"被拒后稍后重读 {self.retried.get(platform, 0)} 次"
            )
        return lines


def spider_for(job: CrawlJob) -> type[AccountSpider] | None:
    """The first of the spiders the account's platform declares (core/platforms.py) that wants it."""
    platform = declared(job.platform)
    for path in platform.spiders if platform else ():
        spider = load_object(path)
        if spider.wants(job):
            return spider
    return None


def no_spider_detail(job: CrawlJob) -> str:
    """Why an account cannot be read: what our own list lacks (in Chinese, for the report)."""
    platform = declared(job.platform)
    return platform.lacks_zh if platform else f"平台“{job.platform}”不在govwatch所知平台之列，无法抓取"


def crawl_options(config: Config) -> dict:
    """What the spiders need from config.yaml, JSON-able (Scrapyd jobs carry it as a setting)."""
    return {
        "timezone": config.timezone,
        "backfill_days": config.crawl.backfill_days,
        "max_pages": config.crawl.max_pages,
        "fetch_long_text": config.crawl.fetch_long_text,
        "comments": config.crawl.comments.model_dump(),
        "backoff": config.crawl.backoff.model_dump(),
        "platforms": {name: config.platform(name).model_dump() for name in monitored_codes()},
    }


def scrapy_settings(
    config: Config, run_id: int, progress: Callable[[OutcomeItem], None] | None = None
) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("USER_AGENT", config.crawl.user_agent, priority="project")
    settings.set(
        "DOWNLOAD_SLOTS",
        {
            name: {"concurrency": config.platform(name).concurrency, "delay": config.platform(name).delay_s}
            for name in monitored_codes()
        },
        priority="project",
    )
    # Without the password: a job reads it from the environment variable named here (a
    # Scrapyd job's settings travel over HTTP and are listed by the node).
    settings.set("GOVWATCH_DATABASE_URL", config.database_url(password=False), priority="project")
    settings.set("GOVWATCH_DATABASE_PASSWORD_ENV", config.database_password_env, priority="project")
    settings.set("GOVWATCH_RUN_ID", run_id, priority="project")
    settings.set("GOVWATCH_OPTIONS", json.dumps(crawl_options(config)), priority="project")
    settings.set("GOVWATCH_PROGRESS", progress, priority="project")
    return settings


def run_on_scrapyd(
    config: Config, run_id: int, by_spider: dict[type[AccountSpider], list[str]]
) -> tuple[str | None, dict[str, str]]:
    """The spiders as jobs on the Scrapyd nodes (crawl.executor: scrapyd); they write to the shared
    database. Returns the run's error (or None) and, per account that never ran, why."""
    from crawler.scrapyd import run_jobs

    settings = scrapy_settings(config, run_id)
    job_settings = {
        "USER_AGENT": settings.get("USER_AGENT"),
        "DOWNLOAD_SLOTS": json.dumps(settings.getdict("DOWNLOAD_SLOTS")),
        "GOVWATCH_DATABASE_URL": settings.get("GOVWATCH_DATABASE_URL"),
        "GOVWATCH_DATABASE_PASSWORD_ENV": settings.get("GOVWATCH_DATABASE_PASSWORD_ENV") or "",
        "GOVWATCH_RUN_ID": str(run_id),
        "GOVWATCH_OPTIONS": settings.get("GOVWATCH_OPTIONS"),
    }
    result = run_jobs(
        config.crawl.scrapyd_nodes,
        config.crawl.scrapyd_project,
        {spider.name: ids for spider, ids in by_spider.items()},
        job_settings,
        run_id=run_id,
        timeout_s=config.crawl.scrapyd_timeout_s,
        poll_s=config.crawl.scrapyd_poll_s,
    )
    return result.error, result.failed


def quiet_scrapy_logs() -> None:
    """Scrapy's logging config makes its loggers chatty; keep them at our root level
    (WARNING, or INFO/DEBUG with -v/-vv), through our own handler."""
    level = logging.getLogger().getEffectiveLevel()
    for name in ("scrapy", "twisted", "py.warnings", "filelock"):
        logging.getLogger(name).setLevel(level)
    # Every failed account becomes an outcome in the summary and the report; the
    # retry middleware's per-request lines only matter when debugging (-vv).
    retry_level = level if level <= logging.DEBUG else logging.CRITICAL
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(retry_level)


def skip_down_bridges(
    config: Config,
    store: Store,
    run_id: int,
    jobs: Sequence[CrawlJob],
    by_spider: dict[type[AccountSpider], list[str]],
    advance: Callable[[OutcomeItem], None] | None,
) -> list[BridgeCheck]:
    """Check each feed bridge once; the accounts of one that is down get an `error` outcome naming
    it and are not read (crawler/bridges.py)."""
    wanted = {a for ids in by_spider.values() for a in ids}
    checks = check_bridges(config, [j for j in jobs if j.account_id in wanted])
    skipped: set[str] = set()
    with store.session() as session:
        for check in checks:
            if check.up:
                continue
            detail = f"订阅桥接服务 {check.name} 无法访问 / feed bridge down ({check.url}): {check.detail}"
            for account_id in check.account_ids:
                now = utcnow()
                item = OutcomeItem(
                    account_id,
                    ERROR,
                    detail,
                    url=check.url,
                    started_at=now,
                    finished_at=now,
                    connection_failed=check.no_answer,
                )
                repo.record_outcome(session, run_id, item, new_posts=0, requests=0)
                if advance:
                    advance(item)
            skipped.update(check.account_ids)
    for spider in list(by_spider):
        by_spider[spider] = [a for a in by_spider[spider] if a not in skipped]
        if not by_spider[spider]:
            del by_spider[spider]
    return checks


def run_crawl(
    config: Config,
    store: Store,
    *,
    account_ids: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
    trigger: str = "cli",
    progress: Callable[[int], Callable[[OutcomeItem], None]] | None = None,
) -> CrawlSummary:
    """Crawl the named accounts (default: all open accounts) and record every outcome.

    ``progress``, if given, is called with the number of accounts and returns the
    callable to advance per account.
    """
    started = time.monotonic()
    with store.session() as session:
        jobs = planning.crawl_jobs(session, account_ids=account_ids, platforms=platforms, history=False)
        run_id = repo.start_run(session, trigger=trigger, accounts_total=len(jobs))
        by_spider: dict[type[AccountSpider], list[str]] = {}
        probes: list[CrawlJob] = []
        for job in jobs:
            spider = spider_for(job)
            if spider is None and wants_probe(job):
                probes.append(job)
            elif spider is None:
                now = utcnow()
                item = OutcomeItem(
                    job.account_id, SKIPPED, no_spider_detail(job), started_at=now, finished_at=now
                )
                repo.record_outcome(session, run_id, item, new_posts=0, requests=0)
            else:
                by_spider.setdefault(spider, []).append(job.account_id)

    advance = progress(len(jobs)) if progress else None
    bridges = skip_down_bridges(config, store, run_id, jobs, by_spider, advance)
    error = None
    if probes:  # apps and services: httpx, before the Scrapy process (see crawler/probe.py)
        results = probe_accounts(config, probes)
        with store.session() as session:
            for item, requests in results:
                repo.record_outcome(session, run_id, item, new_posts=0, requests=requests)
                if advance:
                    advance(item)
    cluster_failed: dict[str, str] = {}
    slowed: dict[str, float] = {}
    retried: dict[str, int] = {}
    if by_spider and config.crawl.executor == "scrapyd":
        error, cluster_failed = run_on_scrapyd(config, run_id, by_spider)
    elif by_spider:
        process = CrawlerProcess(scrapy_settings(config, run_id, advance))
        quiet_scrapy_logs()
        crawlers = []
        for spider, ids in by_spider.items():
            crawlers.append(process.create_crawler(spider))
            process.crawl(crawlers[-1], accounts=",".join(ids))
        try:
            process.start()
        except Exception as exc:  # the run is recorded as failed, not lost
            log.exception("crawl process failed")
            error = f"{type(exc).__name__}: {exc}"
        for c in crawlers:
            stats = c.stats.get_stats() if c.stats else {}
            for key, value in stats.items():
                if key.startswith(SLOWED_PREFIX):
                    slowed[key.removeprefix(SLOWED_PREFIX)] = float(value)
                elif key.startswith(RETRIED_PREFIX):
                    retried[key.removeprefix(RETRIED_PREFIX)] = int(value)
        failed_spiders = [
            f"{c.spidercls.name}: {why}"
            for c in crawlers
            if c.stats and (why := c.stats.get_value(SPIDER_ERROR))
        ]
        error = "; ".join(filter(None, [error, *failed_spiders])) or None

    with store.session() as session:
        for detail in sorted(set(cluster_failed.values())):
            ids = [a for a, why in cluster_failed.items() if why == detail]
            repo.mark_missing_outcomes(session, run_id, ids, detail)
        missing = repo.mark_missing_outcomes(
            session,
            run_id,
            [j.account_id for j in jobs],
            f"crawl failed before this account was read ({error})"
            if error
            else "crawl ended before this account was finished",
        )
        if missing:
            log.warning("%d account(s) had no outcome; recorded as error", len(missing))
        run = repo.finish_run(session, run_id, error=error)
        outcome_counts: Counter[str] = Counter(
            session.scalars(select(CrawlOutcome.outcome).where(CrawlOutcome.run_id == run_id))
        )
        return CrawlSummary(
            run_id=run_id,
            accounts=len(jobs),
            ok=run.accounts_ok,
            failed=run.accounts_failed,
            new_posts=run.new_posts,
            requests=run.requests,
            seconds=time.monotonic() - started,
            outcomes=outcome_counts,
            account_ids=[j.account_id for j in jobs],
            bridges=bridges,
            error=run.error,
            slowed=slowed,
            retried=retried,
        )
