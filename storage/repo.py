"""Writes and reads that more than one layer needs: accounts, posts, runs, outcomes.

Upserts are keyed on (account, platform post id): storing the same crawl twice
stores nothing twice. Batch functions take whole lists so a pipeline flush is
one round trip per table, not one per item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Subquery,
    bindparam,
    func,
    insert,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from core.items import OK, SKIPPED, DeletionItem, OutcomeItem, PostItem, ProfileItem
from core.vocabulary import FindingState
from storage.models import (
    Account,
    AccountSnapshot,
    CrawlOutcome,
    CrawlRun,
    Finding,
    Post,
    Unit,
    utcnow,
)


def content_hash(title: str | None, text: str, repost_text: str | None = None) -> str:
    """What the content checks read; a repost's original counts (None: the hash of before)."""
    whole = f"{title or ''}\n{text}" if repost_text is None else f"{title or ''}\n{text}\n{repost_text}"
    return hashlib.sha1(whole.encode()).hexdigest()


# --- units and accounts -------------------------------------------------------


def unit_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named units, creating the missing ones."""
    wanted = set(names)
    found = dict(session.execute(select(Unit.name, Unit.id).where(Unit.name.in_(wanted))).all())
    for name in sorted(wanted - found.keys()):
        unit = Unit(name=name)
        session.add(unit)
        session.flush()
        found[name] = unit.id
    return found


ACCOUNT_FIELDS = (
    "platform",
    "name",
    "handle",
    "url",
    "feed_url",
    "kind",
    "operator",
    "operator_name",
    "closed",
    "selectors",
    "unit_field",  # only in registry records whose file has a 业务领域 column
)


@dataclass
class SyncResult:
    added: list[str]
    updated: list[str]
    unchanged: int


def sync_accounts(session: Session, accounts: Sequence[dict], source: str = "config") -> SyncResult:
    """Merge account records (dicts with id, unit and ACCOUNT_FIELDS) by id."""
    units = unit_ids(session, {a["unit"] for a in accounts})
    existing = {
        a.id: a for a in session.scalars(select(Account).where(Account.id.in_([a["id"] for a in accounts])))
    }
    added, updated, unchanged = [], [], 0
    new_rows: list[dict] = []
    for record in accounts:
        values = {k: record.get(k) for k in ACCOUNT_FIELDS if k in record}
        values["unit_id"] = units[record["unit"]]
        current = existing.get(record["id"])
        if current is None:
            new_rows.append(dict(values, id=record["id"], source=source))
            added.append(record["id"])
            continue
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(current, key, value)
            updated.append(record["id"])
        else:
            unchanged += 1
    # New accounts as plain rows: a province's first 10,000 without an ORM object each.
    for start in range(0, len(new_rows), 1000):
        session.execute(insert(Account), new_rows[start : start + 1000])
    session.flush()
    return SyncResult(added, updated, unchanged)


def config_account_records(config_accounts: Iterable) -> list[dict]:  # AccountConfig objects
    return [a.model_dump() for a in config_accounts]


# --- reads the crawl plan is made of (crawler/planning.py decides what to ask for) ------

STREAM_ROWS = 5000  # rows fetched at a time: 10,000 accounts' known posts never sit in memory as rows


def open_accounts(
    session: Session,
    account_ids: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
    exclude_platforms: Iterable[str] = (),
) -> list[Account]:
    """The accounts not closed (all, or those named / of those platforms), by id."""
    query = select(Account).where(Account.closed.is_(False)).order_by(Account.id)
    excluded = list(exclude_platforms)
    if excluded:
        query = query.where(Account.platform.not_in(excluded))
    if account_ids:
        query = query.where(Account.id.in_(list(account_ids)))
    if platforms:
        query = query.where(Account.platform.in_(list(platforms)))
    return list(session.scalars(query))


EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


def newest_posts(ids: Sequence[str], per_account: int, extra: tuple = ()) -> Subquery:
    """The accounts' non-pinned posts ranked newest first (``rank``; undated ones last), as far as
    rank ``per_account`` at least: an index walk per account finds its per_account-th newest date,
    and only posts from that date on (or, for an account with fewer dated posts, all of them)
    are ranked — a province's store of 2,000,000 posts is not sorted to find 300,000."""
    older = aliased(Post)
    cutoff = (
        select(older.published_at)
        .where(older.account_id == Account.id, older.is_pinned.is_(False), older.published_at.is_not(None))
        .order_by(older.published_at.desc())
        .offset(per_account - 1)
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    # Materialized: computed once per account (PostgreSQL would otherwise run it per post row).
    cut = (
        select(Account.id.label("account_id"), cutoff.label("cutoff"))
        .where(Account.id.in_(ids))
        .cte("cutoffs")
        .prefix_with("MATERIALIZED")
    )
    columns = (Post.id, Post.account_id, Post.platform_post_id, Post.published_at, *extra)
    since = func.coalesce(cut.c.cutoff, bindparam("epoch", EPOCH, type_=Post.published_at.type))
    near = union_all(
        select(*columns)
        .join(cut, cut.c.account_id == Post.account_id)
        .where(Post.is_pinned.is_(False), Post.published_at >= since),
        select(*columns)
        .join(cut, cut.c.account_id == Post.account_id)
        .where(Post.is_pinned.is_(False), cut.c.cutoff.is_(None), Post.published_at.is_(None)),
    ).subquery()
    return select(
        *[c for c in near.c if c.key != "id"],
        func.row_number()
        .over(
            partition_by=near.c.account_id,
            order_by=(near.c.published_at.desc().nulls_last(), near.c.id.desc()),
        )
        .label("rank"),
    ).subquery()


def newest_post_rows(
    session: Session, ids: Sequence[str], per_account: int
) -> Iterable[tuple[str, str, datetime | None, int | None]]:
    """(account id, platform post id, published_at, comments_read) of each account's newest
    ``per_account`` non-pinned posts, streamed (newest_posts)."""
    ranked = newest_posts(ids, per_account, (Post.comments_read,))
    return session.execute(
        select(ranked.c.account_id, ranked.c.platform_post_id, ranked.c.published_at, ranked.c.comments_read)
        .where(ranked.c.rank <= per_account)
        .execution_options(yield_per=STREAM_ROWS)
    ).tuples()


def newest_comment_permissions(
    session: Session, ids: Sequence[str], per_account: int
) -> dict[str, list[tuple[str | None, str | None]]]:
    """Per account, (comment_permission, url) of its newest ``per_account`` live non-pinned
    posts, newest first (a deleted post is not among them)."""
    ranked = newest_posts(ids, per_account * 2, (Post.comment_permission, Post.url, Post.deleted_at))
    out: dict[str, list[tuple[str | None, str | None]]] = {}
    rows = session.execute(
        select(ranked.c.account_id, ranked.c.comment_permission, ranked.c.url)
        .where(ranked.c.rank <= per_account * 2, ranked.c.deleted_at.is_(None))
        .order_by(ranked.c.account_id, ranked.c.rank)
    )
    for account_id, permission, url in rows:
        posts = out.setdefault(account_id, [])
        if len(posts) < per_account:
            posts.append((permission, url))
    return out


def last_snapshots(session: Session, ids: Sequence[str]) -> dict[str, tuple[datetime, int | None]]:
    """Per account, when its newest profile snapshot was taken and the post count it said."""
    newest_snapshot = (
        select(AccountSnapshot.account_id, func.max(AccountSnapshot.id).label("id"))
        .where(AccountSnapshot.account_id.in_(ids))
        .group_by(AccountSnapshot.account_id)
        .subquery()
    )
    return {
        account_id: (taken_at, post_count)
        for account_id, taken_at, post_count in session.execute(
            select(AccountSnapshot.account_id, AccountSnapshot.taken_at, AccountSnapshot.post_count).join(
                newest_snapshot, AccountSnapshot.id == newest_snapshot.c.id
            )
        )
    }


def _post_ids_by_account(session: Session, account_ids: list[str], *where: object) -> dict[str, set[str]]:
    """The platform ids of the accounts' posts, not deleted, that match ``where``."""
    found: dict[str, set[str]] = {}
    if not account_ids:
        return found
    rows = session.execute(
        select(Post.account_id, Post.platform_post_id).where(
            Post.account_id.in_(account_ids), Post.deleted_at.is_(None), *where
        )
    )
    for account_id, post_id in rows:
        found.setdefault(account_id, set()).add(post_id)
    return found


def truncated_post_ids(
    session: Session, account_ids: list[str], first_seen_since: datetime
) -> dict[str, set[str]]:
    """Per account, its posts stored truncated (their body not read) first seen since then."""
    return _post_ids_by_account(
        session, account_ids, Post.truncated.is_(True), Post.first_seen_at >= first_seen_since
    )


def post_ids_with_open_findings(
    session: Session, account_ids: list[str], rule_prefixes: Sequence[str]
) -> dict[str, set[str]]:
    """Per account, its live non-pinned posts that an open finding of a rule starting with one of
    ``rule_prefixes`` names (a pinned post is on every listing's first page anyway)."""
    if not rule_prefixes:
        return {}
    named = select(Finding.post_id).where(
        Finding.status == FindingState.OPEN,
        Finding.post_id.is_not(None),
        or_(*(Finding.rule.startswith(prefix, autoescape=True) for prefix in rule_prefixes)),
    )
    return _post_ids_by_account(session, account_ids, Post.id.in_(named), Post.is_pinned.is_(False))


def undated_post_ids(session: Session, account_ids: list[str]) -> dict[str, set[str]]:
    """Per account, its non-pinned posts stored without a date."""
    return _post_ids_by_account(session, account_ids, Post.published_at.is_(None), Post.is_pinned.is_(False))


def posts_before_last_complete_read(
    session: Session, account_ids: list[str], per_account: int
) -> dict[str, list[tuple[str, datetime | None]]]:
    """Per account with posts first seen since the first crawl run after its last complete `ok`
    read (never read completely: since the first run), its newest ``per_account`` non-pinned posts
    first seen before that run began, as (platform post id, published_at). Accounts without
    such later posts are absent (on a normal night: all of them).

    All in SQL, a few rows per account: on a normal night every account has a run after
    its last complete read (tonight's), and its stored posts may number in the thousands.
    """
    if not account_ids:
        return {}
    last_complete = (
        select(CrawlOutcome.account_id, func.max(CrawlOutcome.run_id).label("run_id"))
        .where(
            CrawlOutcome.account_id.in_(account_ids),
            CrawlOutcome.outcome == OK,
            CrawlOutcome.complete.is_(True),
        )
        .group_by(CrawlOutcome.account_id)
        .subquery()
    )
    accounts = (
        select(Account.id.label("account_id"), func.coalesce(last_complete.c.run_id, 0).label("run_id"))
        .outerjoin(last_complete, last_complete.c.account_id == Account.id)
        .where(Account.id.in_(account_ids))
        .subquery()
    )
    next_run_start = (
        select(func.min(CrawlRun.started_at)).where(CrawlRun.id > accounts.c.run_id).scalar_subquery()
    )
    bounds = select(accounts.c.account_id, next_run_start.label("bound")).subquery()
    latest = (
        select(Post.account_id, func.max(Post.first_seen_at).label("latest"))
        .where(Post.account_id.in_(account_ids), Post.is_pinned.is_(False))
        .group_by(Post.account_id)
        .subquery()
    )
    bound_of = dict(
        session.execute(
            select(bounds.c.account_id, bounds.c.bound)
            .join(latest, latest.c.account_id == bounds.c.account_id)
            .where(bounds.c.bound.is_not(None), latest.c.latest >= bounds.c.bound)
        ).all()
    )
    if not bound_of:
        return {}
    ranked = (
        select(
            Post.account_id,
            Post.platform_post_id,
            Post.published_at,
            func.row_number()
            .over(
                partition_by=Post.account_id,
                order_by=(Post.published_at.desc().nulls_last(), Post.first_seen_at.desc(), Post.id.desc()),
            )
            .label("rank"),
        )
        .join(bounds, bounds.c.account_id == Post.account_id)
        .where(
            Post.account_id.in_(list(bound_of)),
            Post.is_pinned.is_(False),
            Post.first_seen_at < bounds.c.bound,
        )
        .subquery()
    )
    covered: dict[str, list[tuple[str, datetime | None]]] = {account_id: [] for account_id in bound_of}
    rows = session.execute(
        select(ranked.c.account_id, ranked.c.platform_post_id, ranked.c.published_at)
        .where(ranked.c.rank <= per_account)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for account_id, post_id, published_at in rows:
        covered[account_id].append((post_id, published_at))
    return covered


# --- crawl runs and outcomes ------------------------------------------------------


def counted_outcomes() -> ColumnElement[bool]:
    """The crawl outcomes that say something about their accounts: not those of a run in which
    our own connection was down (CrawlRun.outage)."""
    return CrawlOutcome.run_id.not_in(select(CrawlRun.id).where(CrawlRun.outage.is_(True)))


def start_run(session: Session, trigger: str, accounts_total: int) -> int:
    close_interrupted_runs(session)
    run = CrawlRun(trigger=trigger, accounts_total=accounts_total, state="running")
    session.add(run)
    session.flush()
    return run.id


INTERRUPTED = (
    "interrupted: the crawl process ended before closing this run (killed or crashed) / 抓取进程中断"
)


def close_interrupted_runs(session: Session) -> list[int]:
    """Runs left `running` by a crawl process that died (SIGKILL, power cut): mark them
    failed, count what they stored, so no report shows a phantom running crawl.

    Called before a new crawl starts; the crawl lock (crawl.lock_*) keeps two crawls
    from overlapping, so any run still `running` then is dead.
    """
    stale = list(session.scalars(select(CrawlRun.id).where(CrawlRun.state == "running")))
    for run_id in stale:
        finish_run(session, run_id, error=INTERRUPTED)
    return stale


def finish_run(session: Session, run_id: int, error: str | None = None) -> CrawlRun:
    """Close a run: fill in a failure outcome for every account that has none, and count."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl run {run_id}")
    counts = dict(
        session.execute(
            select(CrawlOutcome.outcome, func.count())
            .where(CrawlOutcome.run_id == run_id)
            .group_by(CrawlOutcome.outcome)
        ).all()
    )
    run.accounts_ok = counts.get(OK, 0)
    run.accounts_failed = sum(n for k, n in counts.items() if k not in (OK, SKIPPED))
    run.new_posts = (
        session.scalar(
            select(func.coalesce(func.sum(CrawlOutcome.new_posts), 0)).where(CrawlOutcome.run_id == run_id)
        )
        or 0
    )
    run.requests = (
        session.scalar(
            select(func.coalesce(func.sum(CrawlOutcome.requests), 0)).where(CrawlOutcome.run_id == run_id)
        )
        or 0
    )
    run.finished_at = utcnow()
    run.state = "failed" if error else "finished"
    run.error = error
    return run


def mark_outage(session: Session, run_id: int, why: str) -> CrawlRun:
    """Mark a closed run as one in which our own connection was down: failed, ``why`` first in
    its error, and its outcomes no longer counted (counted_outcomes)."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl run {run_id}")
    run.outage = True
    run.state = "failed"
    run.error = "; ".join(filter(None, [why, run.error]))
    return run


def mark_missing_outcomes(
    session: Session, run_id: int, account_ids: Sequence[str], detail: str
) -> list[str]:
    """Every account of a run gets an outcome: those the crawl never reported become `error`."""
    have = set(session.scalars(select(CrawlOutcome.account_id).where(CrawlOutcome.run_id == run_id)))
    missing = [a for a in account_ids if a not in have]
    now = utcnow()
    for account_id in missing:
        record_outcome(
            session,
            run_id,
            OutcomeItem(
                account_id=account_id, outcome="error", detail=detail, started_at=now, finished_at=now
            ),
            new_posts=0,
            requests=0,
        )
    return missing


def record_outcome(session: Session, run_id: int, item: OutcomeItem, new_posts: int, requests: int) -> None:
    finished = item.finished_at or utcnow()
    existing = session.scalar(
        select(CrawlOutcome).where(CrawlOutcome.run_id == run_id, CrawlOutcome.account_id == item.account_id)
    )
    values = _outcome_values(item, finished, new_posts, requests)
    if existing is None:
        session.add(CrawlOutcome(run_id=run_id, account_id=item.account_id, **values))
    else:  # a rerun of the same run id (Scrapyd retry): the last word counts
        for key, value in values.items():
            setattr(existing, key, value)
    account_values = dict(
        last_crawl_outcome=item.outcome, last_crawl_detail=item.detail or None, last_crawled_at=finished
    )
    if item.outcome == OK:
        account_values["last_ok_at"] = finished
    session.execute(update(Account).where(Account.id == item.account_id).values(**account_values))


def record_outcomes(session: Session, run_id: int, outcomes: Sequence[tuple[OutcomeItem, int, int]]) -> None:
    """record_outcome for a batch of (item, new_posts, requests), as a crawl's pipeline flushes
    them: one query for reruns, one INSERT of the outcomes and one UPDATE of the accounts per
    kind (ok or not). A batch with a rerun or an account twice takes them one by one."""
    if not outcomes:
        return
    ids = [item.account_id for item, _, _ in outcomes]
    rerun = session.scalar(
        select(func.count())
        .select_from(CrawlOutcome)
        .where(CrawlOutcome.run_id == run_id, CrawlOutcome.account_id.in_(ids))
    )
    if rerun or len(set(ids)) != len(ids):
        for item, new_posts, requests in outcomes:
            record_outcome(session, run_id, item, new_posts=new_posts, requests=requests)
        return
    rows, accounts = [], {True: [], False: []}
    for item, new_posts, requests in outcomes:
        finished = item.finished_at or utcnow()
        values = _outcome_values(item, finished, new_posts, requests)
        rows.append(dict(run_id=run_id, account_id=item.account_id, **values))
        accounts[item.outcome == OK].append(
            dict(
                b_id=item.account_id,
                b_outcome=item.outcome,
                b_detail=item.detail or None,
                b_finished=finished,
            )
        )
    session.execute(insert(CrawlOutcome.__table__), rows)
    table = Account.__table__
    for ok, params in accounts.items():
        if not params:
            continue
        finished = bindparam("b_finished", type_=table.c.last_crawled_at.type)
        values = dict(
            last_crawl_outcome=bindparam("b_outcome"),
            last_crawl_detail=bindparam("b_detail"),
            last_crawled_at=finished,
        )
        if ok:
            values["last_ok_at"] = finished
        session.execute(update(table).where(table.c.id == bindparam("b_id")).values(**values), params)


def _outcome_values(item: OutcomeItem, finished: datetime, new_posts: int, requests: int) -> dict:
    return dict(
        outcome=item.outcome,
        detail=item.detail or None,
        http_status=item.http_status,
        url=item.url,
        pages=item.pages,
        requests=requests,
        posts_seen=item.posts_seen,
        new_posts=new_posts,
        complete=item.complete,
        profile_post_count=item.profile_post_count,
        started_at=item.started_at,
        finished_at=finished,
        connection_failed=item.connection_failed,
    )


# --- posts and snapshots ---------------------------------------------------------


def upsert_posts(session: Session, items: Sequence[PostItem]) -> dict[str, int]:
    """Insert new posts, refresh seen ones; returns new posts per account.

    An edited post (its text changed) gets the new text and loses its content-check
    result, so analysis checks it again; a post seen again is no longer deleted.
    Core statements, one per kind of row (new, seen, edited), each executed once for the
    whole batch: the ORM's bulk machinery and a compiled UPDATE per seen post cost more
    than the database's own work.
    """
    if not items:
        return {}
    now = utcnow()
    latest: dict[tuple[str, str], PostItem] = {}
    for item in items:  # the same post twice in one batch: the later (long text) wins
        latest[(item.account_id, item.post_id)] = item
    keys = list(latest)
    existing: dict[tuple[str, str], tuple[int, str | None, bool]] = {}
    stored_links: dict[int, list | None] = {}
    for chunk_start in range(0, len(keys), 500):
        chunk = keys[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(
                Post.account_id, Post.platform_post_id, Post.id, Post.content_hash, Post.truncated, Post.links
            ).where(tuple_(Post.account_id, Post.platform_post_id).in_(chunk))
        )
        for account_id, post_id, pk, digest, truncated, links in rows:
            existing[(account_id, post_id)] = (pk, digest, truncated)
            stored_links[pk] = links

    new_rows, new_counts = [], {}
    seen_rows: list[dict] = []
    edited_rows: list[dict] = []
    link_rows: list[dict] = []
    for key, item in latest.items():
        digest = content_hash(item.title, item.text, item.repost_text)
        found = existing.get(key)
        if found is None:
            new_rows.append(_post_row(item, digest, now))
            new_counts[item.account_id] = new_counts.get(item.account_id, 0) + 1
            continue
        pk, old_digest, was_truncated = found
        links = _links_to_store(item, stored_links.get(pk))
        if links is not None:
            link_rows.append({"b_pk": pk, "b_links": links})
        row = dict(
            b_pk=pk,
            b_is_pinned=item.is_pinned,
            b_likes=item.likes,
            b_comments=item.comments,
            b_shares=item.shares,
            b_published_at=item.published_at,  # None keeps the stored date
            b_comment_permission=item.comment_permission,  # None keeps what a page showed before
        )
        # Edited: other text, or the whole text of a post stored truncated (the same words, as a
        # WeChat feed may carry them: no longer truncated, so its article is not asked for again).
        completed = was_truncated and not item.truncated
        if (old_digest != digest or completed) and not (
            item.truncated and _is_prefix_of_stored(session, pk, item.text)
        ):
            row.update(
                b_text=item.text,
                b_title=item.title,
                b_repost_text=item.repost_text,
                b_truncated=item.truncated,
                b_content_hash=digest,
            )
            edited_rows.append(row)
        else:
            seen_rows.append(row)
    if seen_rows:
        session.execute(_seen_update(now), seen_rows)
    if edited_rows:
        session.execute(_seen_update(now, edited=True), edited_rows)
    if link_rows:
        table = Post.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("b_pk")).values(links=bindparam("b_links")), link_rows
        )
    if new_rows:
        session.execute(_insert_ignore(session, Post), new_rows)
    return new_counts


def _links_to_store(item: PostItem, stored: list | None) -> list[str] | None:
    """The links a post seen again should now carry, or None to leave the stored ones: a page
    without anchors keeps them; a cut listing (truncated) adds to them, never drops any."""
    if not item.links:
        return None
    links = list(dict.fromkeys([*(stored or []), *item.links])) if item.truncated else list(item.links)
    return None if links == (stored or []) else links


def _seen_update(now: datetime, edited: bool = False):  # noqa: ANN202
    """UPDATE of posts seen again, executed with one parameter set per post (b_*)."""
    table = Post.__table__
    values = dict(
        last_seen_at=now,
        deleted_at=None,
        is_pinned=bindparam("b_is_pinned"),
        likes=bindparam("b_likes"),
        comments=bindparam("b_comments"),
        shares=bindparam("b_shares"),
        published_at=func.coalesce(
            bindparam("b_published_at", type_=table.c.published_at.type), table.c.published_at
        ),
        comment_permission=func.coalesce(
            bindparam("b_comment_permission", type_=table.c.comment_permission.type),
            table.c.comment_permission,
        ),
    )
    if edited:
        values.update(
            text=bindparam("b_text"),
            title=bindparam("b_title"),
            repost_text=bindparam("b_repost_text"),
            truncated=bindparam("b_truncated"),
            content_hash=bindparam("b_content_hash"),
        )
    return update(table).where(table.c.id == bindparam("b_pk")).values(**values)


def _is_prefix_of_stored(session: Session, pk: int, text: str) -> bool:
    """A truncated listing text must not overwrite the full long text stored earlier."""
    stored = session.scalar(select(Post.text).where(Post.id == pk)) or ""
    head = text.rstrip("…. ").removesuffix("全文").rstrip("…. ")
    return len(stored) > len(text) and stored.startswith(head[: max(1, len(head) - 2)])


def _post_row(item: PostItem, digest: str, now: datetime) -> dict:
    return dict(
        account_id=item.account_id,
        platform_post_id=item.post_id,
        url=item.url,
        published_at=item.published_at,
        title=item.title,
        text=item.text,
        is_original=item.is_original,
        is_pinned=item.is_pinned,
        media=item.media,
        likes=item.likes,
        comments=item.comments,
        shares=item.shares,
        repost_of=item.repost_of,
        repost_text=item.repost_text,
        source=item.source,
        comment_permission=item.comment_permission,
        truncated=item.truncated,
        content_hash=digest,
        links=list(item.links) or None,
        first_seen_at=now,
        last_seen_at=now,
        labels="",
    )


def _insert_ignore(session: Session, model):  # noqa: ANN001, ANN202
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect (a concurrent crawl may win).
    On the model's table (Core): the ORM's bulk insert of plain dicts adds nothing but cost."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model.__table__).on_conflict_do_nothing()


def add_snapshots(session: Session, items: Sequence[ProfileItem]) -> int:
    """Store profile snapshots; one unchanged from the last is stored only once a day."""
    if not items:
        return 0
    ids = [i.account_id for i in items]
    newest = (
        select(AccountSnapshot.account_id, func.max(AccountSnapshot.id).label("id"))
        .where(AccountSnapshot.account_id.in_(ids))
        .group_by(AccountSnapshot.account_id)
        .subquery()
    )
    last = {
        s.account_id: s
        for s in session.scalars(select(AccountSnapshot).join(newest, AccountSnapshot.id == newest.c.id))
    }
    now = utcnow()
    stored = 0
    for item in items:
        previous = last.get(item.account_id)
        same = previous is not None and (
            previous.name,
            previous.description,
            previous.followers,
            previous.post_count,
        ) == (
            item.name,
            item.description,
            item.followers,
            item.post_count,
        )
        if same and now - previous.taken_at < timedelta(hours=20):
            continue
        session.add(
            AccountSnapshot(
                account_id=item.account_id,
                taken_at=now,
                name=item.name,
                description=item.description,
                followers=item.followers,
                post_count=item.post_count,
                verified=item.verified,
            )
        )
        stored += 1
    return stored


# --- deleted posts ------------------------------------------------------------------


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


def live_posts_published_after(
    session: Session, account_id: str, after: datetime, first_seen_before: datetime
) -> list[tuple[int, str]]:
    """(row id, platform post id) of the account's stored posts, neither pinned nor deleted,
    published after ``after`` and first seen before ``first_seen_before``."""
    return list(
        session.execute(
            select(Post.id, Post.platform_post_id).where(
                Post.account_id == account_id,
                Post.is_pinned.is_(False),
                Post.deleted_at.is_(None),
                Post.published_at > after,
                Post.first_seen_at < first_seen_before,
            )
        ).tuples()
    )


def mark_posts_deleted(session: Session, post_pks: Sequence[int], now: datetime) -> None:
    """Set deleted_at (when we found out) on these post rows."""
    if post_pks:
        session.execute(update(Post).where(Post.id.in_(list(post_pks))).values(deleted_at=now))
