"""The web console's reads and writes (govwatch/web holds no SQL): users, sessions, API tokens,
the audit log, drafts, and the scoped reads of accounts and findings its pages show.

Every read of accounts or findings takes ``units``: the unit names the signed-in user may see
(None: every unit). The web layer computes that set once per request (govwatch/web/scope.py)
and passes it to every read here, so no query forgets it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.vocabulary import FindingState
from storage.models import (
    Account,
    ApiToken,
    AuditEntry,
    CrawlOutcome,
    CrawlRun,
    Draft,
    Finding,
    FindingEvent,
    Post,
    Unit,
    WebSession,
    WebUser,
    utcnow,
)

Units = Collection[str] | None  # the unit names a user may see; None: all


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- users -------------------------------------------------------------------------


def user_by_name(session: Session, name: str) -> WebUser | None:
    return session.scalar(select(WebUser).where(WebUser.name == name))


def user_by_id(session: Session, user_id: int) -> WebUser | None:
    return session.get(WebUser, user_id)


def add_user(session: Session, name: str, role: str, unit: str | None, password_hash: str) -> WebUser:
    user = WebUser(name=name, role=role, unit=unit, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[WebUser]:
    return list(session.scalars(select(WebUser).order_by(WebUser.name)))


def unit_names(session: Session) -> list[str]:
    return list(session.scalars(select(Unit.name).order_by(Unit.name)))


# --- sessions and tokens -----------------------------------------------------------


def create_session(session: Session, user: WebUser, token: str, hours: float, now: datetime) -> None:
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    # Expired sessions of anyone go at each sign-in: the table never grows without bound.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))


def user_of_session(session: Session, token: str, now: datetime) -> WebUser | None:
    row = session.execute(
        select(WebUser)
        .join(WebSession, WebSession.user_id == WebUser.id)
        .where(WebSession.token_hash == token_hash(token), WebSession.expires_at > now)
    ).scalar_one_or_none()
    return None if row is None or row.disabled else row


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def add_api_token(session: Session, user: WebUser, token: str) -> None:
    session.add(ApiToken(token_hash=token_hash(token), user_id=user.id))


def user_of_api_token(session: Session, token: str, now: datetime) -> WebUser | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return None
    row.last_used_at = now
    user = session.get(WebUser, row.user_id)
    return None if user is None or user.disabled else user


# --- the audit log -----------------------------------------------------------------


def audit(
    session: Session,
    action: str,
    user_name: str | None,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            action=action,
            user_name=(user_name or "")[:100] or None,
            target=(target or "")[:300] or None,
            detail=detail,
            address=address,
        )
    )


def audit_entries(session: Session, limit: int = 200, user_name: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if user_name is not None:
        query = query.where(AuditEntry.user_name == user_name)
    return list(session.scalars(query))


# --- drafts ------------------------------------------------------------------------


def add_draft(
    session: Session, user: WebUser, unit: str | None, title: str, text: str, findings: list[dict]
) -> Draft:
    draft = Draft(
        user_id=user.id,
        unit=unit,
        title=title[:200],
        text=text,
        findings=findings,
        finding_count=len(findings),
    )
    session.add(draft)
    session.flush()
    return draft


def drafts_of(session: Session, user_id: int, limit: int = 50) -> list[Draft]:
    return list(
        session.scalars(
            select(Draft)
            .where(Draft.user_id == user_id)
            .order_by(Draft.created_at.desc(), Draft.id.desc())
            .limit(limit)
        )
    )


def draft_of(session: Session, user_id: int, draft_id: int) -> Draft | None:
    """A user's own draft (another user's draft is not found)."""
    return session.scalar(select(Draft).where(Draft.id == draft_id, Draft.user_id == user_id))


# --- scoped reads ------------------------------------------------------------------


def _in_units(query, units: Units):  # noqa: ANN001, ANN202
    return query if units is None else query.where(Unit.name.in_(list(units)))


def scoped_account_ids(session: Session, units: Units) -> set[str]:
    query = select(Account.id).join(Unit, Account.unit_id == Unit.id)
    return set(session.scalars(_in_units(query, units)))


def account_unit(session: Session, account_id: str) -> str | None:
    return session.scalar(
        select(Unit.name).join(Account, Account.unit_id == Unit.id).where(Account.id == account_id)
    )


def finding_unit(session: Session, finding_id: int) -> tuple[str, str] | None:
    """(account id, unit name) of a finding, or None."""
    row = session.execute(
        select(Finding.account_id, Unit.name)
        .join(Account, Account.id == Finding.account_id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(Finding.id == finding_id)
    ).first()
    return (row[0], row[1]) if row else None


@dataclass
class AccountRow:
    id: str
    unit: str
    platform: str
    name: str
    status: str
    closed: bool
    last_post_at: datetime | None
    posts_30d: int
    last_crawl_outcome: str | None
    open_findings: int


def account_rows(
    session: Session,
    units: Units,
    unit: str | None = None,
    platform: str | None = None,
    status: str | None = None,
    category: str | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AccountRow], int]:
    """One page of the accounts a user may see, filtered; and how many match in all."""
    filters = []
    if units is not None:
        filters.append(Unit.name.in_(list(units)))
    if unit:
        filters.append(Unit.name == unit)
    if platform:
        filters.append(Account.platform == platform)
    if status:
        filters.append(Account.status == status)
    if category:
        filters.append(
            Account.id.in_(
                select(Finding.account_id).where(
                    Finding.status == FindingState.OPEN, Finding.category == category
                )
            )
        )
    if search:
        like = f"%{search}%"
        filters.append(or_(Account.name.like(like), Account.id.like(like)))
    total = (
        session.scalar(
            select(func.count()).select_from(Account).join(Unit, Account.unit_id == Unit.id).where(*filters)
        )
        or 0
    )
    page = (
        select(Account.id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(*filters)
        .order_by(Unit.name, Account.platform, Account.name, Account.id)
        .limit(limit)
        .offset(offset)
    )
    return account_rows_by_id(session, list(session.scalars(page))), total


def account_rows_by_id(session: Session, ids: list[str]) -> list[AccountRow]:
    """The rows of these accounts, in the order given (the caller has checked the scope)."""
    if not ids:
        return []
    counts = dict(
        session.execute(
            select(Finding.account_id, func.count())
            .where(Finding.status == FindingState.OPEN, Finding.account_id.in_(ids))
            .group_by(Finding.account_id)
        ).all()
    )
    rows = session.execute(
        select(
            Account.id,
            Unit.name,
            Account.platform,
            Account.name,
            Account.status,
            Account.closed,
            Account.last_post_at,
            Account.posts_30d,
            Account.last_crawl_outcome,
        )
        .join(Unit, Account.unit_id == Unit.id)
        .where(Account.id.in_(ids))
    )
    by_id = {row[0]: AccountRow(*row, counts.get(row[0], 0)) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def account_of(session: Session, account_id: str, units: Units) -> Account | None:
    """The account when the user may see it; None when it does not exist or is another unit's."""
    query = select(Account).join(Unit, Account.unit_id == Unit.id).where(Account.id == account_id)
    return session.scalar(_in_units(query, units))


def posts_per_week(session: Session, account_id: str, since: datetime) -> list[datetime]:
    """The publication times of an account's live posts since ``since`` (the page counts them by week)."""
    return list(
        session.scalars(
            select(Post.published_at).where(
                Post.account_id == account_id,
                Post.published_at >= since,
                Post.deleted_at.is_(None),
            )
        )
    )


def recent_outcomes(
    session: Session, account_id: str, limit: int = 20
) -> list[tuple[CrawlOutcome, CrawlRun]]:
    rows = session.execute(
        select(CrawlOutcome, CrawlRun)
        .join(CrawlRun, CrawlRun.id == CrawlOutcome.run_id)
        .where(CrawlOutcome.account_id == account_id)
        .order_by(CrawlOutcome.run_id.desc())
        .limit(limit)
    )
    return [(o, r) for o, r in rows]


def findings_of(
    session: Session,
    units: Units,
    account_id: str | None = None,
    status: str | None = None,
    category: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[tuple[Finding, str, str]]:
    """Findings the user may see with their account's name and unit, newest first.

    Two steps: the page's ids first (a narrow sort over every matching finding), then those
    rows in full; sorting whole rows (evidence, details) of ten thousand findings is slower."""
    query = select(Finding.id).join(Account, Account.id == Finding.account_id)
    if units is not None:
        query = query.join(Unit, Account.unit_id == Unit.id).where(Unit.name.in_(list(units)))
    if account_id:
        query = query.where(Finding.account_id == account_id)
    if status:
        query = query.where(Finding.status == status)
    if category:
        query = query.where(Finding.category == category)
    query = (
        query.order_by(Finding.status, Finding.first_seen.desc(), Finding.id.desc())
        .limit(limit)
        .offset(offset)
    )
    ids = list(session.scalars(query))
    if not ids:
        return []
    rows = session.execute(
        select(Finding, Account.name, Unit.name)
        .join(Account, Account.id == Finding.account_id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(Finding.id.in_(ids))
    )
    by_id = {f.id: (f, name, unit) for f, name, unit in rows}
    return [by_id[i] for i in ids if i in by_id]


def finding_fields(finding: Finding, account_name: str, unit: str) -> dict:
    """One of ``findings_of``'s rows as the fields that the console's finding row and the API's
    finding object (a contract: tests/test_web_security.py) both carry, values as stored. Each
    adds its own: the API its ISO times, the page its local date, evidence link and history."""
    return {
        "id": finding.id,
        "account_id": finding.account_id,
        "account_name": account_name,
        "unit": unit,
        "category": finding.category,
        "rule": finding.rule,
        "severity": finding.severity,
        "evidence": finding.evidence,
        "status": finding.status,
    }


def count_findings(
    session: Session, units: Units, status: str | None = None, category: str | None = None
) -> int:
    query = select(func.count()).select_from(Finding).join(Account, Account.id == Finding.account_id)
    if units is not None:
        query = query.join(Unit, Account.unit_id == Unit.id).where(Unit.name.in_(list(units)))
    if status:
        query = query.where(Finding.status == status)
    if category:
        query = query.where(Finding.category == category)
    return session.scalar(query) or 0


def finding_events(session: Session, finding_ids: Sequence[int]) -> dict[int, list[FindingEvent]]:
    out: dict[int, list[FindingEvent]] = {}
    if not finding_ids:
        return out
    for event in session.scalars(
        select(FindingEvent)
        .where(FindingEvent.finding_id.in_(list(finding_ids)))
        .order_by(FindingEvent.at, FindingEvent.id)
    ):
        out.setdefault(event.finding_id, []).append(event)
    return out


def reset_failures(session: Session, user: WebUser, now: datetime) -> None:
    session.execute(
        update(WebUser)
        .where(WebUser.id == user.id)
        .values(failed_logins=0, locked_until=None, last_login_at=now)
    )


def now() -> datetime:
    return utcnow()


def finding_event_times(session: Session, units: Units, since: datetime) -> list[tuple[datetime, str]]:
    """(when, what) of every finding event since ``since`` on the accounts of ``units``."""
    query = (
        select(FindingEvent.at, FindingEvent.event)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .join(Account, Account.id == Finding.account_id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(FindingEvent.at >= since)
    )
    return [(at, event) for at, event in session.execute(_in_units(query, units))]
