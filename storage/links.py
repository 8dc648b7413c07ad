"""The link check's reads and writes: the posts whose links are checked, each link's checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.vocabulary import FindingState
from storage.models import Finding, LinkCheck, LinkCheckRun, Post

LINK_FINDING_PREFIX = "link:"  # analysis/links.py's fingerprints: link:<post id>:<link hash>


@dataclass(frozen=True)
class PostText:
    id: int
    account_id: str
    url: str | None
    published_at: datetime | None
    deleted_at: datetime | None
    title: str | None
    text: str
    repost_text: str | None
    links: tuple[str, ...] = ()  # the anchors' addresses the post's page gave (posts.links)


def post_texts(session: Session, since: datetime, ids: Iterable[int] = ()) -> list[PostText]:
    """Posts published since ``since`` (live or deleted), and the posts ``ids`` whatever their date."""
    ids = list(ids)
    cond = Post.published_at >= since
    if ids:
        cond = or_(cond, Post.id.in_(ids))
    rows = session.execute(
        select(
            Post.id,
            Post.account_id,
            Post.url,
            Post.published_at,
            Post.deleted_at,
            Post.title,
            Post.text,
            Post.repost_text,
            Post.links,
        ).where(cond)
    )
    return [PostText(*row[:-1], links=tuple(row[-1] or ())) for row in rows]


def posts_with_open_link_findings(session: Session) -> list[int]:
    """Posts with a link finding still open: their links are checked (and judged) past the window."""
    return list(
        session.scalars(
            select(Finding.post_id)
            .where(
                Finding.status == FindingState.OPEN,
                Finding.fingerprint.startswith(LINK_FINDING_PREFIX),
                Finding.post_id.is_not(None),
            )
            .distinct()
        )
    )


def checks_of(
    session: Session, urls: Iterable[str], since: datetime | None = None
) -> dict[str, list[LinkCheck]]:
    """Each link's checks in runs that were not our own outage, newest first."""
    urls = list(urls)
    out: dict[str, list[LinkCheck]] = {}
    for start in range(0, len(urls), 500):
        query = (
            select(LinkCheck)
            .join(LinkCheckRun, LinkCheck.run_id == LinkCheckRun.id)
            .where(LinkCheck.url.in_(urls[start : start + 500]), LinkCheckRun.outage.is_(False))
            .order_by(LinkCheck.checked_at.desc(), LinkCheck.id.desc())
        )
        if since is not None:
            query = query.where(LinkCheck.checked_at >= since)
        for check in session.scalars(query):
            out.setdefault(check.url, []).append(check)
    return out
