"""Registry checks: 管理底数不清 (unmanaged) and 托管变脱管 (outsourcing).

- more than one account of a unit on one platform (国办发〔2018〕123号: one per unit per platform);
- accounts named after an internal department (内设机构), by config.registry.department_patterns;
- idle accounts: no post for thresholds.idle_days, to be merged or closed;
- renamed accounts (名称变更未报备): the name the platform shows now differs from the
  registry's, with the date that name was first seen; it ends when the registry is updated
  or the old name returns;
- signs of hijacking (盗用): the profile's name or description changed between snapshots
  (within registry.profile_change_days), or a burst of off-mission posts (labels
  commercial/off_topic) in the last registry.burst_days; a name change already reported
  as a rename is not reported again here;
- outsourced accounts with open problems: one outsourcing finding naming the operator.

Fingerprints are ``reg:<account>:<check>``; every analysed account's ``reg:<account>:``
prefix is judged, so a check that no longer holds is rectified. Run after the other
findings are synced (the outsourcing check reads what is open).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.findings import FindingSpec
from core import rules
from core.config import Config
from core.platforms import name_zh
from core.vocabulary import AccountKind, Category, ContentLabel, FindingState, Operator, Severity
from storage.models import Account, AccountSnapshot, Finding, Post, Unit

OFF_MISSION_LABELS = tuple(label for label in ContentLabel if label.category == Category.OFF_MISSION)
DUPLICATES_NAMED = 5  # accounts named in a duplicate finding's evidence


def registry_prefix(account_id: str) -> str:
    return f"reg:{account_id}:"


def registry_findings(
    session: Session, config: Config, now: datetime, account_ids: Sequence[str] | None = None
) -> tuple[list[FindingSpec], dict[str, str]]:
    """The registry findings of the analysed accounts, and the prefixes judged (with reasons)."""
    everyone = list(session.execute(select(Account, Unit.name).join(Unit, Account.unit_id == Unit.id)))
    accounts = [(a, unit) for a, unit in everyone if not a.closed]
    # Closed accounts are judged too: their registry problems end with them.
    wanted = set(account_ids) if account_ids else {a.id for a, _ in everyone}
    specs: list[FindingSpec] = []
    judged = {registry_prefix(a): "登记问题已消除（自动复核）" for a in wanted}

    # one unit, one platform, more than one open account
    groups: dict[tuple[str, str], list[Account]] = defaultdict(list)
    for account, unit in accounts:
        groups[(unit, account.platform)].append(account)
    for (unit, platform), members in groups.items():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda m: m.id)
        # Name a few: the evidence must stay readable (and small) when a unit has hundreds.
        names = "、".join(f"{m.name}（{m.id}）" for m in ordered[:DUPLICATES_NAMED])
        if len(ordered) > DUPLICATES_NAMED:
            names += f" 等 {len(ordered)} 个"
        siblings = [x.id for x in ordered[:DUPLICATES_NAMED]]
        for m in members:
            if m.id in wanted:
                specs.append(
                    FindingSpec.of(
                        rules.REGISTRY_DUPLICATE,
                        fingerprint=registry_prefix(m.id) + "duplicate",
                        account_id=m.id,
                        evidence=f"{unit}在{name_zh(platform)}开设 {len(members)} 个帐号：{names}；"
                        "原则上同一平台只开设一个帐号，请合并或关停",
                        details={"count": len(ordered), "accounts": siblings},
                    )
                )

    patterns = [re.compile(p) for p in config.registry.department_patterns]
    idle_before = now - timedelta(days=config.thresholds.idle_days)
    for account, unit in accounts:
        if account.id not in wanted:
            continue
        name = account.name.strip()
        matched = next((p.pattern for p in patterns if p.search(name)), None)
        if matched and name != unit:
            specs.append(
                FindingSpec.of(
                    rules.REGISTRY_DEPARTMENT,
                    fingerprint=registry_prefix(account.id) + "department",
                    account_id=account.id,
                    evidence=f"帐号“{name}”以内设机构名义开设（{unit}）；不得以内设机构名义开设政务新媒体",
                    details={"pattern": matched},
                )
            )
        if (
            account.kind == AccountKind.PUBLISH
            and account.last_post_at is not None
            and account.last_post_at < idle_before
        ):
            days = (now - account.last_post_at).days
            specs.append(
                FindingSpec.of(
                    rules.REGISTRY_IDLE,
                    fingerprint=registry_prefix(account.id) + "idle",
                    account_id=account.id,
                    evidence=f"已 {days} 天未发布（超过 {config.thresholds.idle_days} 天），应整合或关停注销",
                    evidence_url=account.last_post_url,
                )
            )

    open_wanted = wanted & {a.id for a, _ in accounts}
    renamed = _renames(session, config, [a for a, _ in accounts if a.id in open_wanted])
    specs.extend(renamed)
    specs.extend(_profile_changes(session, config, now, open_wanted, {r.account_id for r in renamed}))
    specs.extend(_bursts(session, config, now, open_wanted))
    return specs, judged


def same_name(a: str, b: str) -> bool:
    """Whether two account names are the same name (full-width forms and spaces aside)."""

    def norm(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).split())

    return norm(a) == norm(b)


def _renames(session: Session, config: Config, accounts: Sequence[Account]) -> list[FindingSpec]:
    """Accounts whose profile shows a name other than the registry's (the newest snapshot), with
    the date that name was first seen (the first snapshot of its latest unbroken run)."""
    by_id = {a.id: a for a in accounts}
    rows = session.execute(
        select(AccountSnapshot.account_id, AccountSnapshot.taken_at, AccountSnapshot.name)
        .where(AccountSnapshot.account_id.in_(list(by_id)), AccountSnapshot.name.is_not(None))
        .order_by(AccountSnapshot.account_id, AccountSnapshot.taken_at, AccountSnapshot.id)
    )
    shown: dict[str, tuple[str, datetime]] = {}  # account -> (newest name, first seen)
    for account_id, taken_at, name in rows:
        name = name.strip()
        if not name:
            continue
        current = shown.get(account_id)
        if current is None or not same_name(current[0], name):
            shown[account_id] = (name, taken_at)
    specs = []
    for account_id, (name, first_seen) in shown.items():
        registered = by_id[account_id].name.strip()
        if same_name(name, registered):
            continue
        seen = first_seen.astimezone(config.tz)
        specs.append(
            FindingSpec.of(
                rules.REGISTRY_RENAMED,
                fingerprint=registry_prefix(account_id) + "renamed",
                account_id=account_id,
                evidence=f"平台显示名称“{name}”与台账登记名称“{registered}”不一致（{seen:%Y-%m-%d} 起），"
                "名称变更未报备，请按程序报备并更新台账",
                details={"registry_name": registered, "profile_name": name, "first_seen": seen.isoformat()},
            )
        )
    return specs


def _profile_changes(
    session: Session, config: Config, now: datetime, wanted: set[str], renamed: set[str]
) -> list[FindingSpec]:
    """Name or description changes between snapshots; a renamed account's name change is its
    rename finding's (never reported twice)."""
    since = now - timedelta(days=config.registry.profile_change_days)
    rows = session.execute(
        select(
            AccountSnapshot.account_id,
            AccountSnapshot.taken_at,
            AccountSnapshot.name,
            AccountSnapshot.description,
        )
        .where(AccountSnapshot.account_id.in_(list(wanted)))
        .order_by(AccountSnapshot.account_id, AccountSnapshot.taken_at, AccountSnapshot.id)
    )
    previous: dict[str, tuple] = {}
    changes: dict[str, list[str]] = defaultdict(list)
    for account_id, taken_at, name, description in rows:
        before = previous.get(account_id)
        previous[account_id] = (name, description)
        if before is None or taken_at < since:
            continue
        old_name, old_description = before
        if name and old_name and name != old_name and account_id not in renamed:
            changes[account_id].append(
                f"名称由“{old_name}”改为“{name}”（{taken_at.astimezone(config.tz):%m-%d}）"
            )
        if description is not None and old_description is not None and description != old_description:
            changes[account_id].append(
                f"简介由“{old_description[:40]}”改为“{description[:40]}”（{taken_at.astimezone(config.tz):%m-%d}）"
            )
    return [
        FindingSpec.of(
            rules.REGISTRY_PROFILE_CHANGED,
            fingerprint=registry_prefix(account_id) + "profile",
            account_id=account_id,
            evidence="帐号资料被修改，请确认是否本单位所为（防止盗用）：" + "；".join(items),
        )
        for account_id, items in changes.items()
    ]


def _bursts(session: Session, config: Config, now: datetime, wanted: set[str]) -> list[FindingSpec]:
    settings = config.registry
    since = now - timedelta(days=settings.burst_days)
    rows = session.execute(
        select(Post.account_id, Post.labels).where(
            Post.account_id.in_(list(wanted)), Post.published_at >= since, Post.deleted_at.is_(None)
        )
    )
    total: dict[str, int] = defaultdict(int)
    flagged: dict[str, int] = defaultdict(int)
    for account_id, labels in rows:
        total[account_id] += 1
        if set((labels or "").split()) & set(OFF_MISSION_LABELS):
            flagged[account_id] += 1
    specs = []
    for account_id, count in flagged.items():
        if count >= settings.burst_min_posts and count / total[account_id] >= settings.burst_share:
            specs.append(
                FindingSpec.of(
                    rules.REGISTRY_OFFMISSION_BURST,
                    fingerprint=registry_prefix(account_id) + "burst",
                    account_id=account_id,
                    evidence=f"近 {settings.burst_days} 天 {total[account_id]} 条内容中有 {count} 条为商业广告或与职能无关，"
                    "疑似帐号被盗用，请立即核实",
                )
            )
    return specs


def outsourcing_findings(
    session: Session, now: datetime, account_ids: Sequence[str] | None = None
) -> tuple[list[FindingSpec], dict[str, str]]:
    """Outsourced accounts with open problems: one finding each, naming the operator and the problems."""
    query = select(Account)  # closed accounts too: judged, so their findings end with them
    if account_ids:
        query = query.where(Account.id.in_(list(account_ids)))
    accounts = list(session.scalars(query))
    ids = [a.id for a in accounts]
    judged = {f"outs:{a}:": "托管帐号问题已整改（自动复核）" for a in ids}
    open_rows = session.execute(
        select(Finding.account_id, Finding.category, Finding.id).where(
            Finding.account_id.in_(ids),
            Finding.status == FindingState.OPEN,
            Finding.category != Category.OUTSOURCING,
        )
    )
    # Named for the supervisor: the finding's number and its problem class in Chinese.
    problems: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for account_id, category, finding_id in open_rows:
        problems[account_id].append((Category.label_of(category, "其他问题"), finding_id))
    specs = []
    for account in accounts:
        if account.closed or account.operator != Operator.OUTSOURCED or not problems.get(account.id):
            continue
        items = sorted(problems[account.id], key=lambda x: x[1])
        operator = account.operator_name or "未登记运维单位"
        specs.append(
            FindingSpec.of(
                rules.OUTSOURCING_OPEN_PROBLEMS,
                fingerprint=f"outs:{account.id}:open",
                account_id=account.id,
                severity=Severity.MAJOR if len(items) > 1 else Severity.MINOR,
                evidence=f"委托{operator}运维，存在 {len(items)} 个未整改问题（"
                + "、".join(f"#{i} {r}" for r, i in items[:8])
                + "），请主办单位审核托管安排、落实监管责任",
                details={"operator_name": account.operator_name, "findings": [i for _, i in items]},
            )
        )
    return specs, judged
