"""The scorecard's and spot check's reads: one grouped query per figure for all accounts at once
(SQL aggregates, so 10,000 accounts and 2,000,000 posts read in seconds), and the spot check's
notes. The accounts are storage/asof.py's, and "open during a period" is written there beside
"open at t". Nothing here scores or judges; analysis/scorecard.py does, from these rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Row, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from core.vocabulary import ContentLabel, FindingState
from storage.asof import open_during
from storage.models import Account, Comment, Finding, Post, SpotcheckNote, UTCDateTime, utcnow

# The media kinds and the content type that count as 图解/视频/解读 (parsers store media; the
# content mix stores the type, analysis/text/mix.py).
RICH_MEDIA = ("image", "video")
EXPLAINER_TYPE = "政策解读"
# Labels that put a post off the unit's work (功能定位不清, 过度娱乐化).
OFF_WORK_LABELS = (ContentLabel.COMMERCIAL, ContentLabel.OFF_TOPIC, ContentLabel.ENTERTAINMENT)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _has_label(label: str) -> ColumnElement[bool]:
    return Post.labels.like(f"%{label}%")


def in_period(start: datetime, end: datetime) -> ColumnElement[bool]:
    """A post published in [start, end)."""
    return and_(Post.published_at >= start, Post.published_at < end)


def post_aggregates(session: Session, start: datetime, end: datetime) -> dict[str, Row]:
    """Per account, of its posts published in [start, end): how many; original; checked by the
    content checks; checked and off the unit's work; with a wording error; 图解/视频/解读;
    truncated or empty; authoritative reposts; with public counts; and the sums of reposts,
    comments and likes."""
    checked = Post.checked_hash.is_not(None)
    off_work = or_(*(_has_label(label) for label in OFF_WORK_LABELS))
    empty = and_(func.coalesce(Post.text, "") == "", func.coalesce(Post.title, "") == "")
    query = (
        select(
            Post.account_id,
            func.count().label("posts"),
            _count(Post.is_original).label("original"),
            _count(checked).label("checked"),
            _count(and_(checked, off_work)).label("off_work"),
            _count(_has_label(ContentLabel.WORDING_ERROR)).label("wording"),
            _count(or_(Post.media.in_(RICH_MEDIA), Post.content_type == EXPLAINER_TYPE)).label("rich"),
            _count(or_(Post.truncated, empty)).label("broken"),
            _count(and_(Post.is_original.is_(False), Post.authoritative.is_(True))).label("authoritative"),
            _count(or_(Post.shares.is_not(None), Post.comments.is_not(None), Post.likes.is_not(None))).label(
                "counted"
            ),
            func.coalesce(func.sum(Post.shares), 0).label("shares"),
            func.coalesce(func.sum(Post.comments), 0).label("comments"),
            func.coalesce(func.sum(Post.likes), 0).label("likes"),
        )
        .where(in_period(start, end))
        .group_by(Post.account_id)
    )
    return {row.account_id: row for row in session.execute(query)}


WEEK_SECONDS = 7 * 24 * 3600


def _week_of(session: Session, origin: datetime) -> ColumnElement[int]:
    """A post's week, counted in whole 7 × 24 h from `origin`: arithmetic on the timestamp (one
    expression a row, no comparison chain), written for each database."""
    if session.get_bind().dialect.name == "sqlite":
        # whole seconds of the stored text "YYYY-MM-DD HH:MM:SS.ffffff", the fraction cut off
        # before SQLite reads it (it would round .9995 up): a post made a microsecond before a
        # Monday midnight stays in the week before, one made at it counts in its week
        stamp = func.substr(Post.published_at, 1, 19)
        seconds = cast(func.strftime("%s", stamp), Integer) - int(origin.timestamp())
        return seconds // WEEK_SECONDS
    at = literal(origin, UTCDateTime())
    return cast(func.floor(func.extract("epoch", Post.published_at - at) / WEEK_SECONDS), Integer)


def weekly_counts(
    session: Session, bounds: Sequence[datetime], ids: Sequence[str] | None = None
) -> dict[str, list[int]]:
    """Per account (all, or those of `ids`), posts published in each week since bounds[0], up to
    bounds[-1] (the last week may be cut short there). Weeks are 7 × 24 h from bounds[0] (a local
    Monday midnight): exact in a zone without daylight saving time such as China's; where the
    clocks change, an hour's posts near midnight on a Sunday may fall in the next week."""
    weeks = len(bounds) - 1
    week = _week_of(session, bounds[0]).label("week")
    query = (
        select(Post.account_id, week, func.count())
        .where(Post.published_at >= bounds[0], Post.published_at < bounds[-1])
        .where(*(() if ids is None else (Post.account_id.in_(list(ids)),)))
        .group_by(Post.account_id, week)
    )
    out: dict[str, list[int]] = {}
    for account_id, index, count in session.execute(query):
        if 0 <= int(index) < weeks:
            out.setdefault(account_id, [0] * weeks)[int(index)] = int(count)
    return out


def comments_between(session: Session, start: datetime, end: datetime) -> Iterable[Row]:
    """The public's comments and the accounts' replies published in [start, end), in a stream."""
    query = select(
        Comment.account_id,
        Comment.platform_comment_id,
        Comment.published_at,
        Comment.text,
        Comment.by_account,
        Comment.reply_to,
    ).where(Comment.published_at >= start, Comment.published_at < end)
    return session.execute(query.execution_options(yield_per=5000))


def findings_in_period(session: Session, start: datetime, end: datetime) -> list[Row]:
    """Findings that were open at some moment of [start, end): seen before its end, and open now
    or closed after its start. Dismissed findings are not problems of the unit."""
    query = (
        select(
            Finding.id,
            Finding.account_id,
            Finding.rule,
            Finding.category,
            Finding.severity,
            Finding.evidence,
            func.coalesce(Finding.evidence_url, Post.url).label("url"),
            Finding.first_seen,
            Finding.status,
        )
        .outerjoin(Post, Finding.post_id == Post.id)
        .where(open_during(start, end), Finding.status != FindingState.DISMISSED)
        .order_by(Finding.account_id, Finding.first_seen, Finding.id)
    )
    return list(session.execute(query))


# --- the spot check's notes -------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    account_id: str
    note: str


def notes(session: Session, period: str) -> dict[str, str]:
    query = select(SpotcheckNote.account_id, SpotcheckNote.note).where(SpotcheckNote.period == period)
    return dict(session.execute(query).all())


def save_notes(session: Session, period: str, rows: Sequence[Note], source: str) -> int:
    """Store each note (replacing that account's note for the period); returns how many."""
    existing = {
        n.account_id: n
        for n in session.scalars(
            select(SpotcheckNote).where(
                SpotcheckNote.period == period, SpotcheckNote.account_id.in_([r.account_id for r in rows])
            )
        )
    }
    for row in rows:
        current = existing.get(row.account_id)
        if current is None:
            session.add(SpotcheckNote(period=period, account_id=row.account_id, note=row.note, source=source))
        else:
            current.note, current.source, current.updated_at = row.note, source, utcnow()
    return len(rows)


def known_account_ids(session: Session, ids: Iterable[str]) -> set[str]:
    return set(session.scalars(select(Account.id).where(Account.id.in_(list(set(ids))))))
