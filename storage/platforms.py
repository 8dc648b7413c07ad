"""Storage of comments, deleted posts and operator alerts.

Deletions are only ever inferred from a *complete* listing: a stored, non-pinned,
not yet deleted post published inside the listing's window that the listing did
not show was deleted (deleted_at = when we found out). A failed or partial
listing says nothing about deletions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from core.items import CommentItem, CommentsRead, DeletionItem, OutcomeItem
from storage.models import Comment, OperatorAlert, Post, utcnow
from storage.repo import _insert_ignore

# Date-only forms ("11-20") lose the time of day: a post within a day of the
# listing's oldest post may sit on either side of it, so it is left alone.
WINDOW_SLACK = timedelta(days=1)


def mark_listing_deletions(session: Session, outcome: OutcomeItem, now: datetime | None = None) -> list[str]:
    """Mark as deleted the stored posts a complete listing should have shown but did not."""
    if outcome.outcome != "ok" or not outcome.complete or outcome.window_start is None:
        return []
    now = now or utcnow()
    seen = set(outcome.seen_ids)
    rows = session.execute(
        select(Post.id, Post.platform_post_id).where(
            Post.account_id == outcome.account_id,
            Post.is_pinned.is_(False),
            Post.deleted_at.is_(None),
            Post.published_at > outcome.window_start + WINDOW_SLACK,
            Post.first_seen_at < now - timedelta(seconds=1),  # stored before this crawl
        )
    ).all()
    gone = [(pk, pid) for pk, pid in rows if pid not in seen]
    if gone:
        session.execute(update(Post).where(Post.id.in_([pk for pk, _ in gone])).values(deleted_at=now))
    return [pid for _, pid in gone]


def mark_deleted(session: Session, items: Sequence[DeletionItem], now: datetime | None = None) -> int:
    """Posts the platform itself says are deleted (an article page's notice)."""
    if not items:
        return 0
    now = now or utcnow()
    keys = [(i.account_id, i.post_id) for i in items]
    result = session.execute(
        update(Post)
        .where(tuple_(Post.account_id, Post.platform_post_id).in_(keys), Post.deleted_at.is_(None))
        .values(deleted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def upsert_comments(session: Session, items: Sequence[CommentItem]) -> int:
    """Store comments once each (keyed by account and platform comment id); returns new ones."""
    if not items:
        return 0
    latest = {(i.account_id, i.comment_id): i for i in items}
    now = utcnow()
    rows = [
        dict(
            account_id=i.account_id,
            platform_post_id=i.post_id,
            platform_comment_id=i.comment_id,
            published_at=i.published_at,
            text=i.text,
            author_id=i.author_id,
            author_name=i.author_name,
            by_account=i.by_account,
            reply_to=i.reply_to,
            first_seen_at=now,
        )
        for i in latest.values()
    ]
    existing = set()
    keys = list(latest)
    for start in range(0, len(keys), 500):
        existing.update(
            session.execute(
                select(Comment.account_id, Comment.platform_comment_id).where(
                    tuple_(Comment.account_id, Comment.platform_comment_id).in_(keys[start : start + 500])
                )
            ).all()
        )
    new = [r for r in rows if (r["account_id"], r["platform_comment_id"]) not in existing]
    if new:
        session.execute(_insert_ignore(session, Comment), new)
    return len(new)


def mark_comments_read(session: Session, items: Sequence[CommentsRead]) -> list[CommentsRead]:
    """Record the comment count at which each post's comments were read to the end. Called in
    the transaction that stores those comments (or after it), never before. Returns the items
    whose post is not stored yet (its long text still on the way): the caller tries them again."""
    latest = {(i.account_id, i.post_id): i for i in items}
    if not latest:
        return []
    keys = list(latest)
    stored: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 500):
        stored.update(
            session.execute(
                select(Post.account_id, Post.platform_post_id).where(
                    tuple_(Post.account_id, Post.platform_post_id).in_(keys[start : start + 500])
                )
            ).all()
        )
    rows = [
        {"b_account": a, "b_post": p, "b_count": latest[(a, p)].count} for a, p in keys if (a, p) in stored
    ]
    if rows:
        table = Post.__table__
        session.execute(
            update(table)
            .where(
                table.c.account_id == bindparam("b_account"), table.c.platform_post_id == bindparam("b_post")
            )
            .values(comments_read=bindparam("b_count")),
            rows,
        )
    return [item for key, item in latest.items() if key not in stored]


# --- operator alerts ------------------------------------------------------------------


def open_alerts(session: Session, platforms: Iterable[str] | None = None) -> list[OperatorAlert]:
    query = select(OperatorAlert).where(OperatorAlert.status == "open").order_by(OperatorAlert.id)
    if platforms is not None:
        query = query.where(OperatorAlert.platform.in_(list(platforms)))
    return list(session.scalars(query))


def raise_alert(
    session: Session,
    *,
    platform: str,
    kind: str,
    message: str,
    affected: int,
    total: int,
    run_id: int | None,
    now: datetime | None = None,
) -> tuple[OperatorAlert, bool]:
    """Open (or refresh) the alert of (platform, kind); returns it and whether it is new."""
    now = now or utcnow()
    fingerprint = f"{kind}:{platform}"
    alert = session.scalar(select(OperatorAlert).where(OperatorAlert.fingerprint == fingerprint))
    new = alert is None or alert.status != "open"
    if alert is None:
        alert = OperatorAlert(fingerprint=fingerprint, platform=platform, kind=kind, first_seen=now)
        session.add(alert)
    elif new:
        alert.first_seen = now
    alert.status = "open"
    alert.resolved_at = None
    alert.message = message
    alert.accounts_affected = affected
    alert.accounts_total = total
    alert.run_id = run_id
    alert.last_seen = now
    session.flush()
    return alert, new


def resolve_alerts(session: Session, platform: str, kinds: Iterable[str], now: datetime | None = None) -> int:
    now = now or utcnow()
    result = session.execute(
        update(OperatorAlert)
        .where(
            OperatorAlert.platform == platform,
            OperatorAlert.kind.in_(list(kinds)),
            OperatorAlert.status == "open",
        )
        .values(status="resolved", resolved_at=now)
    )
    return result.rowcount or 0
