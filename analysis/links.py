"""What the link checks mean: was a run our own outage, and which links are confirmed problems.

A run is our own outage when no canary answered, or when at least ``links.outage_share`` of its
links failed with no answer at all (refused, no such host, timeout) on at least
``links.outage_min_hosts`` hosts: its checks then count for nothing, for no link.

A link is a problem (links.dead, links.harmful, links.commercial in core/rules.py) once it failed
on two checks at least ``links.confirm_hours`` apart with no working check between them; one
finding per post and link, with the two checks as evidence. It is rectified when a later check
finds the link working, or when the post is gone (deleted).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.findings import FindingSpec, SyncCounts, sync_findings
from core import rules
from core.config import Config
from core.links import host_of, post_links
from core.rules import Rule
from core.vocabulary import LinkVerdict
from storage.db import Store
from storage.links import LINK_FINDING_PREFIX, checks_of, post_texts, posts_with_open_link_findings
from storage.models import LinkCheck, LinkCheckRun, utcnow

RULE_OF: dict[str, Rule] = {
    LinkVerdict.DEAD: rules.LINKS_DEAD,
    LinkVerdict.HARMFUL: rules.LINKS_HARMFUL,
    LinkVerdict.COMMERCIAL: rules.LINKS_COMMERCIAL,
}
PREFIX = LINK_FINDING_PREFIX
WORKS_AGAIN = "链接已恢复正常或已更正（自动复核）"
POST_GONE = "帖文已删除（自动复核）"


@dataclass(frozen=True)
class LinkRunHealth:
    run_id: int
    outage: bool
    reason: str | None = None


def judge_link_run(config: Config, store: Store, run_id: int) -> LinkRunHealth:
    """Decide once whether a link check run was our own outage, and record it on the run."""
    s = config.links
    with store.session() as session:
        run = session.get(LinkCheckRun, run_id)
        if run is None:
            raise ValueError(f"no link check run {run_id}")
        reason = None
        if run.canary_ok is False:
            reason = "探测地址均无响应"
        else:
            checks = session.scalars(select(LinkCheck).where(LinkCheck.run_id == run_id)).all()
            failed = [c for c in checks if c.connection_failed]
            hosts = {host_of(c.url) for c in failed}
            if checks and len(failed) / len(checks) >= s.outage_share and len(hosts) >= s.outage_min_hosts:
                reason = f"{len(failed)}/{len(checks)} 个链接无应答，涉及 {len(hosts)} 个网站"
        run.outage = reason is not None
        if reason:
            run.note = f"本机网络异常（{reason}）：本次检测不计入"
    return LinkRunHealth(run_id, reason is not None, reason)


def _confirmed(checks: Sequence[LinkCheck], gap: timedelta) -> tuple[LinkCheck, LinkCheck] | None:
    """The earlier and the later of two failing checks at least ``gap`` apart, with none working
    between them and the latest check failing; None when the link is not a confirmed problem."""
    said = [c for c in checks if c.verdict != LinkVerdict.UNKNOWN]  # newest first
    if not said or said[0].verdict == LinkVerdict.OK:
        return None
    latest = said[0]
    for earlier in said[1:]:
        if earlier.verdict == LinkVerdict.OK:
            return None
        if latest.checked_at - earlier.checked_at >= gap:
            return earlier, latest
    return None


def fingerprint(post_id: int, link: str) -> str:
    return f"{PREFIX}{post_id}:{hashlib.sha1(link.encode()).hexdigest()[:16]}"


def link_findings(
    session: Session, config: Config, now: datetime, account_ids: Sequence[str] | None = None
) -> tuple[list[FindingSpec], dict[str, str]]:
    """The confirmed link problems of the window's posts (and of posts with a link finding still
    open), and the fingerprint prefixes judged with the reason a finding of each closes."""
    if session.scalar(select(LinkCheck.id).limit(1)) is None:
        return [], {}  # no link was ever checked: there is nothing to judge (and nothing open)
    s = config.links
    tz = config.tz
    posts = post_texts(session, now - timedelta(days=s.window_days), posts_with_open_link_findings(session))
    if account_ids:
        wanted = set(account_ids)
        posts = [p for p in posts if p.account_id in wanted]
    links_of = {p.id: post_links(p.links, p.text, p.title, p.repost_text) for p in posts}
    checks = checks_of(session, {link for links in links_of.values() for link in links})
    gap = timedelta(hours=s.confirm_hours)
    specs: list[FindingSpec] = []
    judged: dict[str, str] = {}
    for post in posts:
        prefix = f"{PREFIX}{post.id}:"
        if post.deleted_at is not None:
            judged[prefix] = POST_GONE
            continue
        judged[prefix] = WORKS_AGAIN
        for link in links_of[post.id]:
            pair = _confirmed(checks.get(link, []), gap)
            if pair is None:
                continue
            earlier, latest = pair
            rule = RULE_OF[latest.verdict]
            first, second = earlier.checked_at.astimezone(tz), latest.checked_at.astimezone(tz)
            if earlier.detail == latest.detail:
                seen = f"{first:%Y-%m-%d}、{second:%Y-%m-%d} 两次检测均{latest.detail or ''}"
            else:
                seen = f"{first:%Y-%m-%d} 检测{earlier.detail or ''}；{second:%Y-%m-%d} 再次检测{latest.detail or ''}"
            evidence = f"{rule.title}：帖文中的链接 {link}，{seen}"
            specs.append(
                FindingSpec.of(
                    rule,
                    fingerprint=fingerprint(post.id, link),
                    account_id=post.account_id,
                    evidence=evidence,
                    evidence_url=post.url,
                    post_id=post.id,
                    details={
                        "link": link,
                        "final_url": latest.final_url,
                        "checks": [
                            {
                                "at": c.checked_at.isoformat(),
                                "verdict": c.verdict,
                                "http_status": c.http_status,
                                "detail": c.detail,
                            }
                            for c in (earlier, latest)
                        ],
                    },
                )
            )
    return specs, judged


def analyse_links(config: Config, store: Store, now: datetime | None = None) -> SyncCounts:
    """Reconcile the link findings with the stored checks (after a link check run)."""
    now = now or utcnow()
    with store.session() as session:
        specs, judged = link_findings(session, config, now)
        return sync_findings(session, specs, judged, now)
