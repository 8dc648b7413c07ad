"""What the crawler asks for next: one CrawlJob per account, with what incremental paging needs.

The rules live here; the rows come from storage's plain queries (storage/repo.py):

- paging stops at the first known post: the newest KNOWN_IDS_PER_ACCOUNT stored non-pinned
  posts, as far as a complete read covers them (resume_after_incomplete);
- an account with stored posts that have no date is read again from the top until the
  listing has shown them again (reread_undated);
- a website or WeChat post whose article page failed is asked for again for ARTICLE_RETRY
  (unread_articles), and so is one an open privacy finding names (RECHECK_RULES), so that the
  unit's fix (the number removed from the page) is seen and the finding closes;
- a profile is read when the newest snapshot is older than ``profile_every``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.platforms import declared, unmonitored_codes
from storage import repo
from storage.models import Account, utcnow


@dataclass(frozen=True, slots=True)
class CrawlJob:
    """One account to crawl, with what incremental paging needs to know."""

    account_id: str
    platform: str
    handle: str | None
    url: str | None
    feed_url: str | None
    kind: str
    known_ids: frozenset[str]  # the newest stored post ids (pinned excluded)
    newest_at: datetime | None  # newest stored non-pinned post
    needs_profile: bool  # no recent profile snapshot
    profile_post_count: int | None = None  # what the newest snapshot said
    selectors: dict | None = field(default=None, hash=False, compare=False)  # website columns
    # The comment count at which each of the newest posts' comments were last read to the end
    # (None: never, or a crawl stopped before they were all stored): comments are fetched again
    # when the listing's count differs.
    comment_counts: dict[str, int | None] = field(default_factory=dict, hash=False, compare=False)
    # Stored posts without a date (a page whose dates could not be read): the listing is read
    # until it has shown them again, a little past the backfill window if need be.
    undated_ids: frozenset[str] = frozenset()
    # Recent website/WeChat posts kept with the listing's data because their article page failed:
    # their page is asked for again when the listing shows them (see unread_articles).
    unread_ids: frozenset[str] = frozenset()
    # Known posts an open finding of RECHECK_RULES names, on platforms without article pages (Weibo):
    # the spider asks for each one the listing did not show again (see recheck_named).
    recheck_ids: frozenset[str] = frozenset()


KNOWN_IDS_PER_ACCOUNT = 30
ARTICLE_RETRY = timedelta(days=7)  # how long a failed article page is asked for again
# Findings whose post is read again on every crawl while they are open: personal data and secret
# marks published must close as soon as the page is fixed, and known article pages are otherwise
# never fetched twice.
RECHECK_RULES = ("privacy.",)


def crawl_jobs(
    session: Session,
    account_ids: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
    profile_every: timedelta = timedelta(days=7),
    now: datetime | None = None,
    history: bool = True,
) -> list[CrawlJob]:
    """The open accounts to crawl (default: all), each with what incremental paging needs.

    ``history=False``: who and where only (no known posts, no profile due) — the runner's list
    to hand accounts to spiders, which read their accounts' history themselves, a chunk at a
    time (AccountSpider.load_jobs).
    """
    now = now or utcnow()
    accounts = repo.open_accounts(session, account_ids, platforms, exclude_platforms=unmonitored_codes())
    ids = [a.id for a in accounts]
    if not ids:
        return []
    if not history:
        return [_job(a, needs_profile=False) for a in accounts]

    known: dict[str, set[str]] = {}
    newest: dict[str, datetime] = {}
    comment_counts: dict[str, dict[str, int | None]] = {}
    for account_id, post_id, published_at, comments in repo.newest_post_rows(
        session, ids, KNOWN_IDS_PER_ACCOUNT
    ):
        known.setdefault(account_id, set()).add(post_id)
        comment_counts.setdefault(account_id, {})[post_id] = comments
        if published_at is not None and (account_id not in newest or published_at > newest[account_id]):
            newest[account_id] = published_at
    last_snapshot = repo.last_snapshots(session, ids)
    jobs = []
    for a in accounts:
        taken, post_count = last_snapshot.get(a.id, (None, None))
        jobs.append(
            _job(
                a,
                known_ids=frozenset(known.get(a.id, ())),
                newest_at=newest.get(a.id),
                needs_profile=taken is None or now - taken >= profile_every,
                profile_post_count=post_count,
                comment_counts=comment_counts.get(a.id, {}),
            )
        )
    jobs = unread_articles(session, reread_undated(session, resume_after_incomplete(session, jobs)), now)
    return recheck_named(session, jobs)


def _job(account: Account, **history: object) -> CrawlJob:
    history.setdefault("known_ids", frozenset())
    history.setdefault("newest_at", None)
    return CrawlJob(
        account_id=account.id,
        platform=account.platform,
        handle=account.handle,
        url=account.url,
        feed_url=account.feed_url,
        kind=account.kind,
        selectors=account.selectors,
        **history,  # type: ignore[arg-type]
    )


def unread_articles(session: Session, jobs: list[CrawlJob], now: datetime) -> list[CrawlJob]:
    """A website or WeChat post whose article page failed is stored with the listing's data and
    marked truncated (AccountSpider.read_article): for ARTICLE_RETRY after it was first seen, the
    next crawls that list it ask for its page again, so its body reaches the content checks.
    A post an open finding of RECHECK_RULES names is asked for again on every crawl that lists
    it, for as long as the finding is open: an edited page closes it."""
    reading = [j.account_id for j in jobs if (p := declared(j.platform)) and p.reads_articles]
    unread = repo.truncated_post_ids(session, reading, now - ARTICLE_RETRY)
    for account_id, ids in repo.post_ids_with_open_findings(session, reading, RECHECK_RULES).items():
        unread.setdefault(account_id, set()).update(ids)
    return [
        replace(j, unread_ids=frozenset(unread[j.account_id])) if j.account_id in unread else j for j in jobs
    ]


def recheck_named(session: Session, jobs: list[CrawlJob]) -> list[CrawlJob]:
    """A known post an open finding of RECHECK_RULES names, on a platform without article pages
    (Weibo), is asked for on its own on every crawl while the finding is open, unless the listing
    shows it anyway: the listing stops at the first known post, so an older post's fix would
    otherwise never be read."""
    named = repo.post_ids_with_open_findings(
        session,
        [j.account_id for j in jobs if (p := declared(j.platform)) and not p.reads_articles],
        RECHECK_RULES,
    )
    return [
        replace(j, recheck_ids=frozenset(named[j.account_id])) if j.account_id in named else j for j in jobs
    ]


def reread_undated(session: Session, jobs: list[CrawlJob]) -> list[CrawlJob]:
    """A stored post without a date (an unreadable page) is not covered: its account is read
    again from the top, and on until the listing has shown those posts again (see
    AccountSpider.keep_post), so the next readable listing gives them their dates."""
    undated = repo.undated_post_ids(session, [j.account_id for j in jobs])
    return [
        replace(j, known_ids=frozenset(), newest_at=None, undated_ids=frozenset(undated[j.account_id]))
        if j.account_id in undated
        else j
        for j in jobs
    ]


def resume_after_incomplete(session: Session, jobs: list[CrawlJob]) -> list[CrawlJob]:
    """Incremental paging may stop only at posts that a complete read already covers.

    A crawl that failed half-way (a block, a truncated page, a kill) stores the newest
    posts but leaves a gap below them; stopping at those posts next time would keep
    the gap forever. So the posts that count as known are those first seen before the
    first crawl run after the account's last complete `ok` read (never read completely:
    before the first run; posts stored outside any crawl count as covered). The upserts
    make re-reading a stretch store nothing twice.
    """
    covered = repo.posts_before_last_complete_read(
        session, [j.account_id for j in jobs if j.known_ids], KNOWN_IDS_PER_ACCOUNT
    )
    out = []
    for job in jobs:
        if job.account_id not in covered:
            out.append(job)
            continue
        posts = covered[job.account_id]
        dated = [p[1] for p in posts if p[1] is not None]
        out.append(
            replace(
                job,
                known_ids=frozenset(p[0] for p in posts),
                newest_at=max(dated) if dated else None,
            )
        )
    return out
