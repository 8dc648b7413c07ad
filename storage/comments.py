"""Comments and replies, and the comment count at which each post's comments were read.

Comments are stored once each (keyed by account and platform comment id); a post's
``comments_read`` says up to which count they are all stored, so the crawler reads them again
only when the listing shows another count.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from core.items import CommentItem, CommentsRead
from storage.models import Comment, Post, utcnow
from storage.repo import _insert_ignore


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
