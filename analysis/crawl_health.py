"""Crawl health: what a crawl's stored outcomes say about our access, judged once, after the crawl.

Four judgements, each kept as an operator alert (运维告警, storage/operator_alerts.py): one
alert per (platform, kind), open until a later crawl shows it is over, so the person who runs
govwatch reads one line ("微博：17 个帐号中 17 个被拦截") instead of hundreds of account failures,
and supervisors are not told that accounts went silent.

- Our own outage (kind ``outage`` of ``network``): nearly every account read got no answer at
  all (connection refused, no route, DNS failure, timeout), spread over several hosts
  (crawl.outage). The run is marked ``outage`` and failed, and its outcomes count for no
  account's status, finding or alert (storage.repo.counted_outcomes). Nothing below is judged
  from such a run: no answer from anyone is no news about the platforms or the bridges.
- A platform blocked (``blocks``): crawl.block_alert's rule (BlockAlertSettings.platform_blocked)
  over the platform's accounts blocked or asked to log in. A platform blocked in this run and
  not in the last run that could say is also returned for the supervisors' immediate alert
  (reporting/alerts.py sends it).
- A cookie failing (``cookie``): the platform has a cookie and accounts still ask to log in, or
  ``govwatch cookies check`` found it expired (record_cookie_checks).
- A feed bridge down (``bridge``): its check before the crawl got no good answer
  (crawler/bridges.py).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import BlockAlertSettings, Config, OutageSettings
from core.items import BLOCKED, LOGIN_REQUIRED, OK, BridgeCheck, CookieCheck, CookieState
from core.platforms import Platform, declared, name_zh
from storage import operator_alerts, repo
from storage.db import Store
from storage.models import Account, CrawlOutcome, CrawlRun

# The outcomes of a platform refusing us: blocked, or a login wall.
REFUSED = (BLOCKED, LOGIN_REQUIRED)
# The operator alerts' kinds, and the "platform" of our own connection.
BLOCKS = "blocks"
COOKIE = "cookie"
BRIDGE = "bridge"
OUTAGE = "outage"
NETWORK = "network"


@dataclass(frozen=True)
class RaisedAlert:
    """An operator alert this judgement opened or refreshed."""

    platform: str
    kind: str
    message: str
    affected: int
    total: int
    new: bool


@dataclass(frozen=True)
class BlockedPlatform:
    """A platform blocked in a run and not in the last run before it that could say: what the
    supervisors' immediate alert (…平台访问受阻) tells."""

    platform: str
    run_id: int
    accounts: int  # the platform's accounts in the run
    refused: Counter[str]  # of them: per refusing outcome (blocked, login_required)


@dataclass
class CrawlHealth:
    run_id: int
    outage: Outage | None = None
    alerts: list[RaisedAlert] = field(default_factory=list)
    blocked: list[BlockedPlatform] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the crawl command prints after its summary."""
        failed = [f"抓取出错 crawl failed: {self.outage.error()}"] if self.outage else []
        return failed + [f"【运维告警 operator alert】{a.message}" for a in self.alerts]


def judge_crawl(
    config: Config, store: Store, run_id: int, bridges: Sequence[BridgeCheck] = ()
) -> CrawlHealth:
    """Judge a closed run from its stored outcomes (and its bridge checks): mark it as our own
    outage or raise, refresh and resolve the operator alerts of what it read."""
    health = CrawlHealth(run_id)
    with store.session() as session:
        health.outage = find_outage(
            session.execute(
                select(CrawlOutcome.url, CrawlOutcome.connection_failed).where(CrawlOutcome.run_id == run_id)
            ).tuples(),
            config.crawl.outage,
        )
        health.alerts = record_outage(session, run_id, health.outage)
        if health.outage is None:
            health.alerts += platform_alerts(session, config, run_id) + bridge_alerts(
                session, run_id, bridges
            )
            health.blocked = blocked_platforms(session, config.crawl.block_alert, run_id)
    return health


# --- our own outage -------------------------------------------------------------------


@dataclass(frozen=True)
class Outage:
    failed: int  # accounts that got no answer
    read: int  # accounts the crawl tried to read
    hosts: list[str]  # hosts that failed on min_share of their accounts

    def message(self) -> str:
        shown = "、".join(self.hosts[:5]) + (" 等" if len(self.hosts) > 5 else "")
        return (
            f"本机网络连接异常：本次抓取 {self.read} 个帐号中 {self.failed} 个无法连接"
            f"（{len(self.hosts)} 个站点均无响应：{shown}）。这是监测系统自身的网络问题，"
            "不是各单位帐号的问题：本次结果不计入帐号状态，不产生问题记录，也不发送告警。"
            "请检查本机网络、代理或 DNS 后重新抓取。"
        )

    def error(self) -> str:
        return (
            f"本机网络连接异常 / our own network connection is down: {self.failed} of {self.read} "
            f"accounts got no answer from {len(self.hosts)} hosts"
        )


def host(url: str | None) -> str | None:
    return urlsplit(url).netloc.lower() or None if url else None


def on_our_side(netloc: str) -> bool:
    """A host on this machine or our own network (a local feed bridge): it answers whether or not
    we can reach the outside world."""
    name = urlsplit(f"//{netloc}").hostname or ""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def find_outage(rows: Iterable[tuple[str | None, bool]], settings: OutageSettings) -> Outage | None:
    """``rows``: (the URL an account was read at, whether nothing answered) for each account the
    crawl tried to read. An outage when at least min_hosts hosts each failed on min_share of their
    accounts (one site or one feed bridge down is that host's problem, not ours), and either
    min_share of all the accounts read got no answer, or every host that did answer is on our side
    and at least min_hosts outside hosts did not (a local feed bridge answers with errors while
    the outside world is out of reach; intranet sites down while others answer are not ours)."""
    accounts: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for url, connection_failed in rows:
        where = host(url)
        if where is None:
            continue  # never read (no URL): says nothing about the connection
        accounts[where] += 1
        failed[where] += bool(connection_failed)
    read, no_answer = sum(accounts.values()), sum(failed.values())
    if not read:
        return None
    down = sorted(h for h, n in accounts.items() if failed[h] / n >= settings.min_share)
    if len(down) < settings.min_hosts:
        return None
    if no_answer / read < settings.min_share:
        # Not nearly every account: still our outage when no outside host answered and at least
        # min_hosts outside hosts did not (hosts on our side answering prove nothing outside).
        outside_down = [h for h in down if not on_our_side(h)]
        answering = [h for h in accounts if h not in down]
        if len(outside_down) < settings.min_hosts or not all(on_our_side(h) for h in answering):
            return None
    return Outage(failed=no_answer, read=read, hosts=down)


def record_outage(session: Session, run_id: int, outage: Outage | None) -> list[RaisedAlert]:
    """Mark the run and raise the operator alert for an outage; a run that read something
    without one resolves it."""
    if outage is None:
        run = session.get(CrawlRun, run_id)
        if run is not None and run.accounts_ok:
            operator_alerts.resolve_alerts(session, NETWORK, [OUTAGE])
        return []
    repo.mark_outage(session, run_id, outage.error())
    message = outage.message()
    _, new = operator_alerts.raise_alert(
        session,
        platform=NETWORK,
        kind=OUTAGE,
        message=message,
        affected=outage.failed,
        total=outage.read,
        run_id=run_id,
    )
    return [RaisedAlert(NETWORK, OUTAGE, message, outage.failed, outage.read, new)]


# --- platforms blocking us, cookies failing ------------------------------------------------


def outcomes_by_platform(session: Session, run_id: int) -> dict[str, Counter[str]]:
    """Per platform, how many of its accounts ended in each outcome in the run."""
    counts: dict[str, Counter[str]] = {}
    rows = session.execute(
        select(Account.platform, CrawlOutcome.outcome)
        .join(Account, CrawlOutcome.account_id == Account.id)
        .where(CrawlOutcome.run_id == run_id)
    )
    for platform, outcome in rows:
        counts.setdefault(platform, Counter())[outcome] += 1
    return counts


def refused(counts: Counter[str]) -> int:
    return sum(counts[o] for o in REFUSED)


def is_blocked(settings: BlockAlertSettings, counts: Counter[str]) -> bool:
    return settings.platform_blocked(refused(counts), sum(counts.values()))


def platform_alerts(session: Session, config: Config, run_id: int) -> list[RaisedAlert]:
    """Raise, refresh or resolve the blocks and cookie alerts of the platforms crawled in the run."""
    example: dict[str, str] = {}
    for platform, detail in session.execute(
        select(Account.platform, CrawlOutcome.detail)
        .join(Account, CrawlOutcome.account_id == Account.id)
        .where(
            CrawlOutcome.run_id == run_id, CrawlOutcome.outcome.in_(REFUSED), CrawlOutcome.detail.is_not(None)
        )
        .order_by(CrawlOutcome.id)
    ):
        if detail:
            example.setdefault(platform, detail[:160])
    raised: list[RaisedAlert] = []
    for platform, counts in sorted(outcomes_by_platform(session, run_id).items()):
        total = sum(counts.values())
        walled = refused(counts)
        label = name_zh(platform)
        if is_blocked(config.crawl.block_alert, counts):
            message = (
                f"{label}：本次抓取 {total} 个帐号中 {walled} 个被平台拦截或要求登录"
                f"（被拦截 {counts[BLOCKED]}，需要登录 {counts[LOGIN_REQUIRED]}）。这些帐号的状态保持不变，"
                f"不代表帐号停更；请检查出口 IP、抓取频率（platforms.{platform}.delay_s）或 Cookie。"
                + (f" 例：{example[platform]}" if platform in example else "")
            )
            raised.append(_raise(session, run_id, platform, BLOCKS, message, walled, total))
        elif counts[OK]:
            operator_alerts.resolve_alerts(session, platform, [BLOCKS])
        settings = config.platform(platform)
        if settings.cookie() and counts[LOGIN_REQUIRED]:
            message = cookie_alert_message(
                platform,
                settings.cookie_env,
                f"已配置 Cookie（环境变量 {settings.cookie_env}），但仍有 {counts[LOGIN_REQUIRED]} 个帐号要求登录，"
                f"Cookie 可能已失效，请更新后重新抓取",
            )
            raised.append(_raise(session, run_id, platform, COOKIE, message, counts[LOGIN_REQUIRED], total))
        elif counts[OK] and not counts[LOGIN_REQUIRED] and not _visitor_first(platform):
            # On a visitor-first platform a good crawl never tried the cookie: only `govwatch
            # cookies check` (record_cookie_checks) says it works again.
            operator_alerts.resolve_alerts(session, platform, [COOKIE])
    return raised


def _raise(
    session: Session, run_id: int, platform: str, kind: str, message: str, affected: int, total: int
) -> RaisedAlert:
    _, new = operator_alerts.raise_alert(
        session, platform=platform, kind=kind, message=message, affected=affected, total=total, run_id=run_id
    )
    return RaisedAlert(platform, kind, message, affected, total, new)


def blocked_platforms(session: Session, settings: BlockAlertSettings, run_id: int) -> list[BlockedPlatform]:
    """The platforms blocked in run `run_id` and not in the last run before it that read enough
    of the platform's accounts to say (crawl.block_alert.min_accounts). A rescan of one
    account never speaks for a platform."""
    found = []
    for platform, counts in sorted(outcomes_by_platform(session, run_id).items()):
        if not is_blocked(settings, counts):
            continue
        speaking = (
            select(CrawlOutcome.run_id)
            .join(Account, CrawlOutcome.account_id == Account.id)
            .where(CrawlOutcome.run_id < run_id, Account.platform == platform, repo.counted_outcomes())
            .group_by(CrawlOutcome.run_id)
            .having(func.count() >= settings.min_accounts)
            .subquery()
        )
        previous = session.scalar(select(func.max(speaking.c.run_id)))
        if previous is not None and is_blocked(
            settings, outcomes_by_platform(session, previous).get(platform, Counter())
        ):
            continue  # still blocked: told when it began
        found.append(
            BlockedPlatform(
                platform, run_id, sum(counts.values()), Counter({o: counts[o] for o in REFUSED if counts[o]})
            )
        )
    return found


# --- cookies --------------------------------------------------------------------------------


def renew_howto(platform: str, env: str | None) -> str:
    """How an operator renews the platform's cookie (the cookie alert and `cookies check` say it)."""
    declaration = declared(platform)
    howto = declaration.renew_zh if declaration else Platform.renew_zh
    return howto.format(env=env or f"platforms.{platform}.cookie_env")


def _visitor_first(platform: str) -> bool:
    """Whether the platform is read as a visitor, its login cookie sent only where the visitor is
    refused (crawler/weibo_visitor.py): a good crawl never tried the cookie."""
    declaration = declared(platform)
    return declaration is not None and declaration.visitor_first


def cookie_alert_message(platform: str, env: str | None, what: str) -> str:
    label = name_zh(platform)
    return f"{label}：{what}。更新方法：{renew_howto(platform, env)}"


def record_cookie_checks(session: Session, checks: Sequence[CookieCheck]) -> dict[str, datetime]:
    """Keep what `govwatch cookies check` found: an expired cookie opens (or keeps open) the
    platform's cookie alert, whose first_seen is the first failure; a working one resolves it.
    Returns, per expired platform, since when it has failed."""
    since: dict[str, datetime] = {}
    for check in checks:
        if check.state == CookieState.EXPIRED:
            message = cookie_alert_message(
                check.platform, check.env, f"环境变量 {check.env} 中的 Cookie 已失效（{check.detail}）"
            )
            alert, _new = operator_alerts.raise_alert(
                session,
                platform=check.platform,
                kind=COOKIE,
                message=message,
                affected=0,
                total=0,
                run_id=None,
            )
            since[check.platform] = alert.first_seen
        elif check.state == CookieState.OK:
            operator_alerts.resolve_alerts(session, check.platform, [COOKIE])
    return since


# --- feed bridges ---------------------------------------------------------------------------


def bridge_alerts(session: Session, run_id: int, checks: Sequence[BridgeCheck]) -> list[RaisedAlert]:
    """One operator alert per bridge that is down (resolved once it answers again)."""
    raised = []
    for check in checks:
        if check.up:
            operator_alerts.resolve_alerts(session, check.name, [BRIDGE])
            continue
        n = len(check.account_ids)
        message = (
            f"订阅桥接服务 {check.name}（{check.url}）无法访问：{check.detail}。经它读取的 {n} 个帐号本次未抓取，"
            f"状态保持不变，不代表帐号停更。请检查该服务是否在运行（docker compose ps、服务日志），恢复后重新抓取。"
        )
        raised.append(_raise(session, run_id, check.name, BRIDGE, message, n, n))
    return raised
