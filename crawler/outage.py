"""Our own outage, told apart from the accounts' failures.

With no network at all every account fails, and one by one those failures look like
units' apps being down and platforms being unreachable. When nearly every account read in a
crawl got no answer at all (connection refused, no route, DNS failure, timeout), spread over
several hosts (crawl.outage), the crawl says that our connection is broken: one operator
alert (运维告警), the run marked `outage` and failed (exit status 1), and its outcomes count
for no account's status, finding or alert (storage.repo.COUNTED).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import OutageSettings
from crawler.alerts import PlatformAlert
from storage import platforms as platform_store
from storage.models import CrawlOutcome, CrawlRun

# The operator alert's (platform, kind): the deployment's connection, not a platform.
NETWORK = "network"
OUTAGE = "outage"


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


def check_outage(session: Session, settings: OutageSettings, run_id: int) -> Outage | None:
    rows = session.execute(
        select(CrawlOutcome.url, CrawlOutcome.connection_failed).where(CrawlOutcome.run_id == run_id)
    ).all()
    return find_outage(rows, settings)


def record_outage(session: Session, run_id: int, outage: Outage | None) -> list[PlatformAlert]:
    """Mark the run and raise the operator alert for an outage; a run that read something
    without one resolves it."""
    run = session.get(CrawlRun, run_id)
    if outage is None:
        if run is not None and run.accounts_ok:
            platform_store.resolve_alerts(session, NETWORK, [OUTAGE])
        return []
    if run is not None:
        run.outage = True
    message = outage.message()
    _, new = platform_store.raise_alert(
        session,
        platform=NETWORK,
        kind=OUTAGE,
        message=message,
        affected=outage.failed,
        total=outage.read,
        run_id=run_id,
    )
    return [PlatformAlert(NETWORK, OUTAGE, message, outage.failed, outage.read, new)]
