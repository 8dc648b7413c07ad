"""The as-of read model: the state of every account at a moment ``t``, from stored rows alone.

One answer to "what did we know about this account then": its status (by the rules of
analysis/status.py), last post, posts in the last 7 and 30 days and in any windows asked for,
content mix, the findings open then, the interaction figures analysis stored, and its crawl
outcomes. Status analysis stores it (analysis/run.py), and the weekly report, the exports and
the account card show it, so none of them judges an account again. With a past ``t`` it
rebuilds what was known then (posts published and not deleted by then, crawls finished by
then), so any past week's report can be rebuilt.

A fixed number of grouped queries (storage/asof.py) whatever the number of accounts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row
from sqlalchemy.orm import Session

from analysis.history import RepeatRecord, repeat_offenders
from analysis.status import Activity, Countdown, account_status, countdown, days_between
from core.config import Config, Thresholds
from core.platforms import is_monitored
from core.vocabulary import Outcome
from storage import asof as rows
from storage.models import OperatorAlert

MIX_DAYS = 30  # the content mix covers the last 30 days
# Outcomes that end an app's run of failed reads: it answered, or a read told us nothing about it
# (a block, a login wall, our own list lacking its link).
ANSWERED = (Outcome.OK, Outcome.BLOCKED, Outcome.LOGIN_REQUIRED, Outcome.SKIPPED)


@dataclass(frozen=True, slots=True)
class Crawl:
    """One crawl outcome of an account."""

    outcome: str
    detail: str | None
    http_status: int | None
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class OpenFinding:
    """A finding open at the moment of the read model."""

    id: int
    category: str
    severity: str
    rule: str
    evidence: str
    evidence_url: str | None
    first_seen: datetime
    details: dict | None
    post_id: int | None
    post_published_at: datetime | None  # of the post it is about


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account as of ``as_of``."""

    account_id: str
    unit: str
    name: str
    platform: str
    kind: str
    url: str | None
    as_of: datetime
    status: str
    note: str | None  # why, when the status is not obvious
    last_post_at: datetime | None
    last_post_url: str | None
    posts_7d: int
    posts_30d: int
    original_ratio_30d: float | None
    crawl: Crawl | None  # the last outcome that says something about the account
    last_attempt: Crawl | None  # the last outcome of any run, our own outages included
    last_ok_at: datetime | None  # the last ok crawl, in any run
    findings: tuple[OpenFinding, ...]  # open at `as_of`, by id
    reply_rate_30d: float | None  # as analysis/interaction.py last stored them
    reply_median_hours_30d: float | None
    posts_in_windows: tuple[int, ...] = ()  # posts published in each window asked for
    content_types: Counter[str] = field(default_factory=Counter)  # last 30 days, where analysed
    media: Counter[str] = field(default_factory=Counter)  # last 30 days, by medium
    veto: Countdown | None = None  # the two-week veto countdown (publishing accounts only)
    unit_field: str | None = None  # the registry's 业务领域 (None: config `units` or the name decide)

    @property
    def days_since_last_post(self) -> int | None:
        return days_between(self.last_post_at, self.as_of) if self.last_post_at else None


def _crawl(row: Row | None) -> Crawl | None:
    return Crawl(row.outcome, row.detail, row.http_status, row.finished_at) if row is not None else None


@dataclass(frozen=True, slots=True)
class _StatusReads:
    """What an account's status is judged from, for all accounts: the reads of one moment."""

    posts: dict[str, Any]  # figures of the posts live then (a row: last_post_at, post_count)
    last: dict[str, Row]  # last counted outcome
    oks: dict[str, tuple]  # last ok crawl: (in a counted run, in any run)
    failing: dict[str, timedelta]  # how long an app's current run of failed reads spans

    def status(self, account: Row, thresholds: Thresholds, t: datetime) -> tuple[str, str | None]:
        post = self.posts.get(account.id)
        outcome = self.last.get(account.id)
        activity = Activity(
            kind=account.kind,
            closed=account.closed,
            ever_ok=self.oks.get(account.id, (None, None))[0] is not None,
            last_outcome=outcome.outcome if outcome else None,
            last_post_at=post.last_post_at if post else None,
            post_count=post.post_count if post else 0,
            failing_for=self.failing.get(account.id),
            monitored=is_monitored(account.platform),
        )
        return account_status(activity, thresholds, t)


class _PostFigures(NamedTuple):
    last_post_at: datetime
    post_count: int


def _status_reads(
    session: Session, t: datetime, ids: Sequence[str] | None, posts: dict[str, Any] | None = None
) -> _StatusReads:
    return _StatusReads(
        posts=rows.post_figures(session, t, ids) if posts is None else posts,
        last=rows.last_outcomes(session, t, ids),
        oks=rows.last_ok(session, t, ids),
        failing=rows.failing_spans(session, t, "service", ANSWERED, ids),
    )


def statuses_at(session: Session, thresholds: Thresholds, t: datetime) -> dict[str, str]:
    """Every account's status at `t` (the fewest reads: for last week's figures beside this week's)."""
    reads = _status_reads(session, t, None)
    return {a.id: reads.status(a, thresholds, t)[0] for a in rows.accounts(session)}


def statuses_at_many(
    session: Session, thresholds: Thresholds, moments: Sequence[datetime]
) -> list[dict[str, str]]:
    """``statuses_at`` at each of `moments`, the same statuses: the posts' figures of all the
    moments read in one scan of the posts (the costly read: one scan each is minutes for 26
    moments on 2,000,000 posts), the crawl outcomes' reads per moment."""
    if len(moments) == 1:  # one moment: statuses_at's own plain GROUP BY is the faster
        return [statuses_at(session, thresholds, moments[0])]
    posts = rows.post_figures_at(session, moments)
    accounts = rows.accounts(session)
    out = []
    for t, figures in zip(moments, posts, strict=True):
        reads = _status_reads(session, t, None, {k: _PostFigures(*v) for k, v in figures.items()})
        out.append({a.id: reads.status(a, thresholds, t)[0] for a in accounts})
    return out


def account_states(
    session: Session,
    thresholds: Thresholds,
    t: datetime,
    account_ids: Sequence[str] | None = None,
    *,
    windows: Sequence[tuple[datetime, datetime]] = (),
    by_unit: bool = False,
) -> list[AccountState]:
    """The accounts (default: all) as of `t`, from stored rows alone (no writes).

    `windows`: consecutive [start, end) periods, oldest first, whose posts are counted.
    `by_unit`: ordered by unit name then id, as the database collates them; otherwise in storage
    order (the order analysis has always met accounts in, so findings keep their numbering).
    """
    ids = list(account_ids) if account_ids is not None else None
    accounts = rows.accounts(session, ids, by_unit=by_unit)
    reads = _status_reads(session, t, ids)
    urls = rows.newest_post_urls(session, t, ids)
    attempts = rows.last_outcomes(session, t, ids, counted=False)
    findings: dict[str, list[OpenFinding]] = defaultdict(list)
    for f in rows.findings_open_at(session, t, ids):
        findings[f.account_id].append(
            OpenFinding(
                f.id,
                f.category,
                f.severity,
                f.rule,
                f.evidence,
                f.evidence_url,
                f.first_seen,
                f.details,
                f.post_id,
                f.post_published_at,
            )
        )
    counts = rows.posts_per_window(session, windows, t) if windows else {}
    types: dict[str, Counter[str]] = defaultdict(Counter)
    media: dict[str, Counter[str]] = defaultdict(Counter)
    for account_id, content_type, medium, n in rows.content_counts(
        session, t - timedelta(days=MIX_DAYS), t, ids
    ):
        if content_type:
            types[account_id][content_type] += n
        if medium:
            media[account_id][medium] += n
    states = []
    for a in accounts:
        status, note = reads.status(a, thresholds, t)
        post = reads.posts.get(a.id)
        posts_30d = int(post.posts_30d or 0) if post else 0
        last_post_at = post.last_post_at if post else None
        attempt = attempts.get(a.id)
        days_since = days_between(last_post_at, t) if last_post_at else None
        states.append(
            AccountState(
                account_id=a.id,
                unit=a.unit,
                name=a.name,
                platform=a.platform,
                kind=a.kind,
                url=a.url,
                as_of=t,
                status=status,
                note=note,
                last_post_at=last_post_at,
                last_post_url=urls.get(a.id),
                posts_7d=int(post.posts_7d or 0) if post else 0,
                posts_30d=posts_30d,
                original_ratio_30d=(int(post.originals_30d or 0) / posts_30d) if posts_30d else None,
                crawl=_crawl(reads.last.get(a.id)),
                last_attempt=_crawl(attempt),
                last_ok_at=reads.oks.get(a.id, (None, None))[1],
                findings=tuple(findings.get(a.id, ())),
                reply_rate_30d=a.reply_rate_30d,
                reply_median_hours_30d=a.reply_median_hours_30d,
                posts_in_windows=tuple(counts.get(a.id, [0] * len(windows))),
                content_types=types.get(a.id, Counter()),
                media=media.get(a.id, Counter()),
                veto=countdown(a.kind, status, attempt.outcome if attempt else None, days_since, thresholds),
                unit_field=a.unit_field,
            )
        )
    return states


# --- a week ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunState:
    """The last crawl run started by a moment, as it stood then."""

    started_at: datetime
    finished_at: datetime | None  # None: still running then
    state: str
    accounts_total: int
    accounts_ok: int
    accounts_failed: int
    new_posts: int


def run_at(session: Session, t: datetime) -> RunState | None:
    run = rows.last_run_started(session, t)
    if run is None:
        return None
    finished = run.finished_at if run.finished_at and run.finished_at <= t else None
    return RunState(
        started_at=run.started_at,
        finished_at=finished,
        state=run.state if finished else "running",
        accounts_total=run.accounts_total,
        accounts_ok=run.accounts_ok,
        accounts_failed=run.accounts_failed,
        new_posts=run.new_posts,
    )


ProblemPosts = dict[str, dict[str, set[int]]]  # account -> problem class -> posts


def _problem_posts(session: Session, t: datetime) -> ProblemPosts:
    out: ProblemPosts = defaultdict(lambda: defaultdict(set))
    for account_id, category, post_id in rows.problem_posts(session, t):
        out[account_id][category].add(post_id)
    return out


@dataclass
class WeekState:
    """Every account as of the end of a week (or now, for a week still running), with what the
    week is compared with: the statuses and problem posts as of the week before's end."""

    as_of: datetime
    accounts: list[AccountState]  # by unit, then id; posts_in_windows: per week, this week last
    last_run: RunState | None
    prev_status: dict[str, str]  # empty when nothing had been crawled by the week before's end
    problem_posts: ProblemPosts  # posts with a finding open, per account and problem class
    prev_problem_posts: ProblemPosts
    rectified: set[str]  # accounts with a finding rectified in the week (and still rectified)
    prev_rectified: set[str]
    repeats: dict[str, RepeatRecord]
    operator_alerts: list[OperatorAlert]


def week_state(
    session: Session,
    config: Config,
    week_starts: Sequence[datetime],
    end: datetime,
    now: datetime,
) -> WeekState:
    """The week that ends at `end`, as of min(now, end). `week_starts`: the Mondays of the weeks
    whose posts are counted, oldest first, the week itself last and the one before it second last."""
    start, prev_start = week_starts[-1], week_starts[-2]
    as_of = min(now, end)
    windows = list(zip(week_starts, [*week_starts[1:], end], strict=True))
    accounts = account_states(session, config.thresholds, as_of, windows=windows, by_unit=True)
    prev_as_of = min(now, start)
    prev_status = statuses_at(session, config.thresholds, prev_as_of)
    if run_at(session, prev_as_of) is None:  # nothing was crawled by then: no change to show
        prev_status = {}
    rectified: set[str] = set()
    prev_rectified: set[str] = set()
    for account_id, at in rows.rectified_between(session, prev_start, as_of):
        (rectified if at >= start else prev_rectified).add(account_id)
    settings = config.report
    return WeekState(
        as_of=as_of,
        accounts=accounts,
        last_run=run_at(session, as_of),
        prev_status=prev_status,
        problem_posts=_problem_posts(session, as_of),
        prev_problem_posts=_problem_posts(session, prev_as_of),
        rectified=rectified,
        prev_rectified=prev_rectified,
        repeats=repeat_offenders(session, end, settings.repeat_weeks, settings.repeat_window, as_of),
        operator_alerts=rows.operator_alerts_open_at(session, as_of),
    )
