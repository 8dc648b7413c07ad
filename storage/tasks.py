"""Reposting tasks (转载任务) as stored, and the plain reads their matching needs.

Tasks come from config.yaml (merged by id on every run, source ``config``) or from
``govwatch tasks add`` (source ``cli``). What a repost is and whether it was on time is
analysis's (analysis/reposts.py); this module only reads and writes rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Account, Post, RepostTask, Unit, utcnow


class TaskError(ValueError):
    """A task asked for that does not exist, or one added twice."""


@dataclass(frozen=True)
class AccountRow:
    id: str
    name: str
    unit: str
    platform: str
    kind: str
    closed: bool
    url: str | None
    last_ok_at: datetime | None


@dataclass(frozen=True)
class PostRow:
    id: int
    account_id: str
    platform_post_id: str
    url: str | None
    published_at: datetime | None
    title: str | None
    text: str
    repost_of: str | None
    repost_text: str | None


def _aware(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def task_values(task: Any, tz: ZoneInfo) -> dict[str, Any]:
    """The row values of a RepostTaskConfig (naive times are local times of ``tz``)."""
    deadline = task.deadline
    return dict(
        title=task.title,
        url=task.url,
        text=task.text,
        source_account_id=task.source,
        published_at=_aware(task.published_at, tz),
        deadline=_aware(deadline, tz) if isinstance(deadline, datetime) else None,
        deadline_hours=None if isinstance(deadline, datetime) else float(deadline),
        units=list(task.units),
        accounts=list(task.accounts),
    )


def merge_config_tasks(session: Session, tasks: Iterable[Any], tz: ZoneInfo) -> int:
    """Write config.yaml's tasks by id (source ``config``): a task the file changed takes its new
    values; one added by command with the same id becomes the config's. Returns the count."""
    count = 0
    for task in tasks:
        values = task_values(task, tz)
        row = session.get(RepostTask, task.id)
        if row is None:
            session.add(RepostTask(id=task.id, source="config", created_at=utcnow(), **values))
        else:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
            row.source = "config"
        count += 1
    session.flush()
    return count


def add_task(
    session: Session, task_id: str, values: dict[str, Any], now: datetime | None = None
) -> RepostTask:
    if session.get(RepostTask, task_id) is not None:
        raise TaskError(f"转载任务 {task_id} 已存在 / task {task_id!r} already exists")
    row = RepostTask(id=task_id, source="cli", created_at=now or utcnow(), **values)
    session.add(row)
    session.flush()
    return row


def get_task(session: Session, task_id: str) -> RepostTask:
    row = session.get(RepostTask, task_id)
    if row is None:
        known = ", ".join(session.scalars(select(RepostTask.id).order_by(RepostTask.id).limit(20)))
        raise TaskError(
            f"没有转载任务 {task_id} / no task {task_id!r}" + (f"（已有 / known: {known}）" if known else "")
        )
    return row


def list_tasks(session: Session, task_ids: Sequence[str] | None = None) -> list[RepostTask]:
    query = select(RepostTask).order_by(RepostTask.created_at, RepostTask.id)
    if task_ids:
        query = query.where(RepostTask.id.in_(list(task_ids)))
    return list(session.scalars(query))


def delete_task(session: Session, task_id: str) -> None:
    get_task(session, task_id)
    session.execute(delete(RepostTask).where(RepostTask.id == task_id))


def _account_query():  # noqa: ANN202
    return select(
        Account.id,
        Account.name,
        Unit.name,
        Account.platform,
        Account.kind,
        Account.closed,
        Account.url,
        Account.last_ok_at,
    ).join(Unit, Account.unit_id == Unit.id)


def accounts_of(session: Session, units: Sequence[str], account_ids: Sequence[str]) -> list[AccountRow]:
    """The registered accounts of ``units`` and those named in ``account_ids``, by id."""
    rows: dict[str, AccountRow] = {}
    queries = []
    if units:
        queries.append(_account_query().where(Unit.name.in_(list(units))))
    if account_ids:
        queries.append(_account_query().where(Account.id.in_(list(account_ids))))
    for query in queries:
        for row in session.execute(query):
            rows[row[0]] = AccountRow(*row)
    return sorted(rows.values(), key=lambda a: (a.unit, a.platform, a.name, a.id))


def registered_units(session: Session, names: Sequence[str]) -> set[str]:
    if not names:
        return set()
    return set(session.scalars(select(Unit.name).where(Unit.name.in_(list(names)))))


_POST_COLUMNS = (
    Post.id,
    Post.account_id,
    Post.platform_post_id,
    Post.url,
    Post.published_at,
    Post.title,
    Post.text,
    Post.repost_of,
    Post.repost_text,
)


def posts_by_url(session: Session, urls: Sequence[str]) -> list[PostRow]:
    if not urls:
        return []
    query = select(*_POST_COLUMNS).where(Post.url.in_(list(urls))).order_by(Post.published_at)
    return [PostRow(*row) for row in session.execute(query)]


def posts_by_platform_id(session: Session, post_ids: Sequence[str], platform: str) -> list[PostRow]:
    if not post_ids:
        return []
    query = (
        select(*_POST_COLUMNS)
        .join(Account, Post.account_id == Account.id)
        .where(Post.platform_post_id.in_(list(post_ids)), Account.platform == platform)
        .order_by(Post.published_at)
    )
    return [PostRow(*row) for row in session.execute(query)]


def live_posts(
    session: Session, account_ids: Sequence[str], since: datetime, until: datetime | None = None
) -> list[PostRow]:
    """The live (not deleted) posts of ``account_ids`` published from ``since`` (to ``until``),
    oldest first."""
    if not account_ids:
        return []
    out: list[PostRow] = []
    ids = list(account_ids)
    for start in range(0, len(ids), 500):
        query = select(*_POST_COLUMNS).where(
            Post.account_id.in_(ids[start : start + 500]),
            Post.deleted_at.is_(None),
            Post.published_at >= since,
        )
        if until is not None:
            query = query.where(Post.published_at <= until)
        out.extend(PostRow(*row) for row in session.execute(query))
    out.sort(key=lambda p: (p.published_at, p.id))
    return out


def next_task_id(session: Session, local_now: datetime) -> str:
    """t<yyyymmdd>-<n>: the first id of the day not taken."""
    stem = f"t{local_now:%Y%m%d}-"
    taken = set(session.scalars(select(RepostTask.id).where(RepostTask.id.like(stem + "%"))))
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def platform_of(session: Session, account_id: str) -> str | None:
    return session.scalar(select(Account.platform).where(Account.id == account_id))
