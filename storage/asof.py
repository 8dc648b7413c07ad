"""Plain reads of what the stored rows said at a moment ``t``: the queries of the as-of read model.

Every read here takes the moment it is about, so a past week's report rebuilds what was known
then: posts published by ``t`` and not deleted by then (``live_at``), crawl outcomes finished by
``t``, findings open at ``t``. One grouped query per figure for all accounts at once; nothing
here judges an account (analysis/asof.py does, from these rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, or_, select
from sqlalchemy.orm import Session

from core.vocabulary import FindingState, Outcome
from storage.models import Account, CrawlOutcome, CrawlRun, Finding, OperatorAlert, Post, Unit
from storage.repo import counted_outcomes

# A post dated slightly in the future (clock skew, a platform's rounding) still counts.
SKEW = timedelta(hours=1)


def live_at(t: datetime) -> ColumnElement[bool]:
    """A post still live as of `t`: published by then (give or take SKEW) and not deleted by then."""
    return and_(Post.published_at <= t + SKEW, or_(Post.deleted_at.is_(None), Post.deleted_at > t))


def _open_or_closed(since: ColumnElement[bool]) -> ColumnElement[bool]:
    """A finding open now, or closed at a moment that meets `since` (a condition on
    Finding.status_changed_at)."""
    return or_(Finding.status == FindingState.OPEN, and_(Finding.status_changed_at.is_not(None), since))


def open_at(t: datetime) -> ColumnElement[bool]:
    """A finding open at `t`: seen by then, and open now or closed only after `t`."""
    return and_(Finding.first_seen <= t, _open_or_closed(Finding.status_changed_at > t))


def open_during(start: datetime, end: datetime) -> ColumnElement[bool]:
    """A finding open at some moment of [start, end): seen before its end, and open now or closed
    after its start."""
    return and_(Finding.first_seen < end, _open_or_closed(Finding.status_changed_at >= start))


def _of(column: Any, ids: Sequence[str] | None) -> tuple:  # noqa: ANN401
    """The extra condition that limits a read to the accounts `ids` (None: all accounts)."""
    return () if ids is None else (column.in_(list(ids)),)


# --- accounts ---------------------------------------------------------------------------


def accounts(
    session: Session, ids: Sequence[str] | None = None, *, by_unit: bool = False, by_id: bool = False
) -> list[Row]:
    """Each account's registry facts and the interaction figures analysis stored, with its unit's
    name. In storage order, ordered by unit name then id, or by id (as the database collates them)."""
    query = (
        select(
            Account.id,
            Unit.name.label("unit"),
            Account.name,
            Account.platform,
            Account.kind,
            Account.url,
            Account.closed,
            Account.reply_rate_30d,
            Account.reply_median_hours_30d,
            Account.unit_field,
        )
        # An outer join keeps the accounts table the outer loop: storage order is insertion order.
        .outerjoin(Unit, Account.unit_id == Unit.id)
        .where(*_of(Account.id, ids))
    )
    if by_unit:
        query = query.order_by(Unit.name, Account.id)
    elif by_id:
        query = query.order_by(Account.id)
    return list(session.execute(query))


# --- posts ------------------------------------------------------------------------------


def post_figures(session: Session, t: datetime, ids: Sequence[str] | None = None) -> dict[str, Row]:
    """Per account, of its posts live at `t`: the newest date, how many, how many in the last 7
    and 30 days, and how many of the last 30 days' are original."""
    d7, d30 = t - timedelta(days=7), t - timedelta(days=30)
    in30 = Post.published_at >= d30
    query = (
        select(
            Post.account_id,
            func.max(Post.published_at).label("last_post_at"),
            func.count().label("post_count"),
            func.sum(case((Post.published_at >= d7, 1), else_=0)).label("posts_7d"),
            func.sum(case((in30, 1), else_=0)).label("posts_30d"),
            func.sum(case((and_(in30, Post.is_original.is_(True)), 1), else_=0)).label("originals_30d"),
        )
        .where(live_at(t), *_of(Post.account_id, ids))
        .group_by(Post.account_id)
    )
    return {row.account_id: row for row in session.execute(query)}


def post_figures_at(
    session: Session, moments: Sequence[datetime], ids: Sequence[str] | None = None
) -> list[dict[str, tuple[datetime, int]]]:
    """Per moment of `moments` (oldest first), per account with posts live then: (the newest date,
    how many): what post_figures gives a status, for many moments in one scan of the posts
    instead of one scan each. The posts never deleted are counted per account and per the first
    moment they are live at, then summed up to each moment; the deleted ones (few) are read one
    by one and judged per moment by live_at's rule."""
    if not moments:
        return []
    if list(moments) != sorted(moments):
        raise ValueError("post_figures_at: the moments oldest first")
    bucket = case(
        *((Post.published_at <= t + SKEW, k) for k, t in enumerate(moments)), else_=len(moments)
    ).label("bucket")
    kept = session.execute(
        select(Post.account_id, bucket, func.max(Post.published_at), func.count())
        .where(Post.deleted_at.is_(None), Post.published_at <= moments[-1] + SKEW, *_of(Post.account_id, ids))
        .group_by(Post.account_id, bucket)
    )
    deleted = session.execute(
        select(Post.account_id, Post.published_at, Post.deleted_at).where(
            Post.deleted_at.is_not(None), Post.published_at <= moments[-1] + SKEW, *_of(Post.account_id, ids)
        )
    )
    per_bucket: dict[str, list[tuple[int, datetime, int]]] = {}
    for account_id, k, last, n in kept:
        per_bucket.setdefault(account_id, []).append((int(k), last, int(n)))
    out: list[dict[str, tuple[datetime, int]]] = [{} for _ in moments]
    for account_id, buckets in per_bucket.items():
        buckets.sort(key=lambda b: b[0])
        i, last, count = 0, None, 0
        for k, figures in enumerate(out):
            while i < len(buckets) and buckets[i][0] <= k:
                last = buckets[i][1] if last is None else max(last, buckets[i][1])
                count += buckets[i][2]
                i += 1
            if count:
                figures[account_id] = (last, count)
    for account_id, published_at, deleted_at in deleted:
        for t, figures in zip(moments, out, strict=True):
            if published_at <= t + SKEW and deleted_at > t:
                last, count = figures.get(account_id, (published_at, 0))
                figures[account_id] = (max(last, published_at), count + 1)
    return out


def newest_post_urls(
    session: Session, t: datetime, ids: Sequence[str] | None = None
) -> dict[str, str | None]:
    """The link of each account's newest post live at `t`."""
    newest = (
        select(Post.account_id, func.max(Post.published_at).label("at"))
        .where(live_at(t), *_of(Post.account_id, ids))
        .group_by(Post.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Post.account_id, Post.url).join(
            newest, and_(Post.account_id == newest.c.account_id, Post.published_at == newest.c.at)
        )
    )
    return {account_id: url for account_id, url in rows}


def posts_per_window(
    session: Session, windows: Sequence[tuple[datetime, datetime]], t: datetime
) -> dict[str, list[int]]:
    """Per account, how many of its posts live at `t` were published in each [start, end) of
    `windows` (consecutive, oldest first): one GROUP BY."""
    columns = [
        func.sum(case((and_(Post.published_at >= lo, Post.published_at < hi), 1), else_=0)).label(f"w{i}")
        for i, (lo, hi) in enumerate(windows)
    ]
    query = (
        select(Post.account_id, *columns)
        .where(Post.published_at >= windows[0][0], Post.published_at < windows[-1][1], live_at(t))
        .group_by(Post.account_id)
    )
    return {row[0]: [int(x or 0) for x in row[1:]] for row in session.execute(query)}


def post_times(session: Session, since: datetime, t: datetime, ids: Sequence[str] | None = None) -> list[Row]:
    """(account, published_at) of the posts live at `t` published from `since` on, and of each
    account's newest live post before `since` (where a gap running into `since` began)."""
    before = (
        select(Post.account_id, func.max(Post.published_at).label("published_at"))
        .where(Post.published_at < since, live_at(t), *_of(Post.account_id, ids))
        .group_by(Post.account_id)
    )
    within = select(Post.account_id, Post.published_at).where(
        Post.published_at >= since, live_at(t), *_of(Post.account_id, ids)
    )
    return list(session.execute(before)) + list(session.execute(within))


def content_counts(
    session: Session, since: datetime, t: datetime, ids: Sequence[str] | None = None
) -> list[Row]:
    """(account, content type, medium, posts) of the posts live at `t` published since `since`."""
    query = (
        select(Post.account_id, Post.content_type, Post.media, func.count())
        .where(Post.published_at >= since, live_at(t), *_of(Post.account_id, ids))
        .group_by(Post.account_id, Post.content_type, Post.media)
    )
    return list(session.execute(query))


# --- crawl outcomes ------------------------------------------------------------------------


def last_outcomes(
    session: Session, t: datetime, ids: Sequence[str] | None = None, *, counted: bool = True
) -> dict[str, Row]:
    """Each account's last crawl outcome finished by `t` (outcome, detail, http_status,
    finished_at). `counted`: only outcomes that say something about their account (not those of a
    run in which our own connection was down); otherwise the last attempt, whatever its run."""
    scope = [CrawlOutcome.finished_at <= t, *_of(CrawlOutcome.account_id, ids)]
    if counted:
        scope.append(counted_outcomes())
    newest = (
        select(CrawlOutcome.account_id, func.max(CrawlOutcome.id).label("id"))
        .where(*scope)
        .group_by(CrawlOutcome.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            CrawlOutcome.account_id,
            CrawlOutcome.outcome,
            CrawlOutcome.detail,
            CrawlOutcome.http_status,
            CrawlOutcome.finished_at,
        ).join(newest, CrawlOutcome.id == newest.c.id)
    )
    return {row.account_id: row for row in rows}


def last_ok(session: Session, t: datetime, ids: Sequence[str] | None = None) -> dict[str, tuple]:
    """Per account crawled ok by `t`: (its last ok crawl in a counted run or None, its last ok
    crawl in any run)."""
    finished = CrawlOutcome.finished_at
    rows = session.execute(
        select(
            CrawlOutcome.account_id,
            func.max(case((counted_outcomes(), finished), else_=None)),
            func.max(finished),
        )
        .where(CrawlOutcome.outcome == Outcome.OK, finished <= t, *_of(CrawlOutcome.account_id, ids))
        .group_by(CrawlOutcome.account_id)
    )
    return {account_id: (counted, any_run) for account_id, counted, any_run in rows}


def failing_spans(
    session: Session, t: datetime, kind: str, answered: Sequence[str], ids: Sequence[str] | None = None
) -> dict[str, timedelta]:
    """Accounts of `kind` whose counted reads since their last `answered` outcome (all by `t`)
    all had another outcome: how far apart the first and the last of those reads are."""
    scope = [CrawlOutcome.finished_at <= t, counted_outcomes(), *_of(CrawlOutcome.account_id, ids)]
    last_answer = (
        select(CrawlOutcome.account_id, func.max(CrawlOutcome.finished_at).label("at"))
        .where(CrawlOutcome.outcome.in_(answered), *scope)
        .group_by(CrawlOutcome.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            CrawlOutcome.account_id,
            func.min(CrawlOutcome.finished_at),
            func.max(CrawlOutcome.finished_at),
        )
        .join(Account, Account.id == CrawlOutcome.account_id)
        .outerjoin(last_answer, last_answer.c.account_id == CrawlOutcome.account_id)
        .where(
            Account.kind == kind,
            CrawlOutcome.outcome.not_in(answered),
            (last_answer.c.at.is_(None)) | (CrawlOutcome.finished_at > last_answer.c.at),
            *scope,
        )
        .group_by(CrawlOutcome.account_id)
    )
    return {account_id: last - first for account_id, first, last in rows}


def last_run_started(session: Session, t: datetime) -> CrawlRun | None:
    """The last crawl run started by `t`."""
    return session.scalar(
        select(CrawlRun).where(CrawlRun.started_at <= t).order_by(CrawlRun.started_at.desc()).limit(1)
    )


# --- findings and alerts -----------------------------------------------------------------


def findings_open_at(session: Session, t: datetime, ids: Sequence[str] | None = None) -> list[Row]:
    """The findings open at `t`, by account then id, each with the publication date of the post it
    is about (None when it is about no post)."""
    query = (
        select(
            Finding.id,
            Finding.account_id,
            Finding.category,
            Finding.severity,
            Finding.rule,
            Finding.evidence,
            Finding.evidence_url,
            Finding.first_seen,
            Finding.details,
            Finding.post_id,
            Post.published_at.label("post_published_at"),
        )
        .outerjoin(Post, Finding.post_id == Post.id)
        .where(open_at(t), *_of(Finding.account_id, ids))
        .order_by(Finding.account_id, Finding.id)
    )
    return list(session.execute(query))


def problem_posts(session: Session, t: datetime) -> list[Row]:
    """(account, category, post) of the posts with a finding open at `t`, false positives aside."""
    query = select(Finding.account_id, Finding.category, Finding.post_id).where(
        Finding.post_id.is_not(None), Finding.status != "dismissed", open_at(t)
    )
    return list(session.execute(query))


def rectified_between(session: Session, start: datetime, end: datetime) -> list[Row]:
    """(account, when) of findings rectified in [start, end) and still rectified."""
    query = select(Finding.account_id, Finding.status_changed_at).where(
        Finding.status == FindingState.RECTIFIED,
        Finding.status_changed_at >= start,
        Finding.status_changed_at < end,
    )
    return list(session.execute(query))


def operator_alerts_open_at(session: Session, t: datetime) -> list[OperatorAlert]:
    """The deployment-level alerts raised by `t` and not resolved by then."""
    return list(
        session.scalars(
            select(OperatorAlert)
            .where(OperatorAlert.first_seen <= t)
            .where((OperatorAlert.status == "open") | (OperatorAlert.resolved_at > t))
            .order_by(OperatorAlert.id)
        )
    )
