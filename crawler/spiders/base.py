"""What every platform spider shares: its accounts, their request chains, their outcomes.

A spider reads its accounts from storage (so a local crawl and a Scrapyd job take
the same path), follows each account's chain of requests, and emits exactly one
OutcomeItem per account when the chain's last request has settled. A callback
that raises, a network error, a block page: each ends as an outcome, never as
silence.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
import scrapy.exceptions
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from core.config import job_database_url
from core.items import BLOCKED, ERROR, LOGIN_REQUIRED, OK, PARSE_ERROR, OutcomeItem, PageProblem, PostItem
from core.platforms import declared
from crawler import planning
from crawler.backoff import Backoff
from crawler.cookies import PLATFORM_META, SITE_META, own_site
from crawler.parsers import blocks
from crawler.planning import CrawlJob
from storage.db import open_store

log = logging.getLogger(__name__)

# A spider that could not do its work at all leaves the reason in its stats (crawler/run.py).
SPIDER_ERROR = "govwatch/spider_error"
# Pages read past the backfill window to find stored posts that still lack a date.
UNDATED_SEARCH_PAGES = 3
# Accounts whose stored history a spider reads at a time (AccountSpider.load_jobs).
JOB_CHUNK = 500
# An account's article pages asked for at a time (AccountSpider.article_request).
ARTICLES_AT_ONCE = 2


@dataclass
class AccountRun:
    """One account's progress through this crawl."""

    job: CrawlJob
    started_at: datetime
    pending: int = 0
    pages: int = 0
    posts_seen: int = 0
    newest_seen: datetime | None = None  # newest non-pinned post of this crawl
    problem: PageProblem | None = None
    complete: bool = False
    note: str = ""
    profile_post_count: int | None = None
    last_url: str | None = None
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    seen_ids: list[str] = field(default_factory=list)  # non-pinned posts the listing showed
    oldest_seen: datetime | None = None  # the listing's window starts here
    undated_left: set[str] = field(init=False)  # stored undated posts the listing has yet to show
    window_passed_at: int | None = None  # the page where the listing went past the backfill window
    articles: deque[tuple[PostItem, Callable[..., Any], dict[str, str]]] = field(default_factory=deque)
    articles_asked: int = 0  # article pages asked for and not yet answered
    attempt: int = 1  # the account's reads in this crawl (a refused one is read again, crawler/backoff.py)

    def __post_init__(self) -> None:
        self.undated_left = set(self.job.undated_ids)


# Failures where no server answered at all (refused, no route, DNS, connect or download timeout):
# on nearly every account of several hosts at once they mean our own connection is down.
# (Scrapy 2.13+ raises its own exceptions for these; older ones raise Twisted's.)
NO_ANSWER = (
    *(
        getattr(scrapy.exceptions, name)
        for name in ("DownloadConnectionRefusedError", "CannotResolveHostError", "DownloadTimeoutError")
        if hasattr(scrapy.exceptions, name)
    ),
    net_error.ConnectError,
    net_error.DNSLookupError,
    net_error.TimeoutError,
    defer.TimeoutError,
)


def network_problem(failure: Failure) -> PageProblem:
    """A download failure (timeout, refused, reset, DNS) as an outcome."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc) or name
    no_answer = isinstance(exc, NO_ANSWER)
    if "Timeout" in name or "timed out" in text.lower():
        return PageProblem(ERROR, f"timeout: {text}", connection_failed=no_answer)
    return PageProblem(ERROR, f"network error ({name}): {text}", connection_failed=no_answer)


REFUSALS = (BLOCKED, LOGIN_REQUIRED)


def refused(run: AccountRun) -> bool:
    """The platform has refused this account's read (a block or a login wall)."""
    return run.problem is not None and run.problem.outcome in REFUSALS


def settles(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Wrap a callback of an account's chain: any exception becomes the account's
    outcome, and the request is counted as settled afterwards."""

    @functools.wraps(method)
    def wrapper(self: AccountSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        try:
            yield from method(self, response, **kwargs)
        except PageProblem as problem:
            run.problem = run.problem or problem
            if problem.http_status is None:
                problem.http_status = response.status
            run.last_url = response.url
            if problem.retry_later:
                self.backoff.refused(run.job.platform)
        except Exception as exc:  # a changed layout must not kill the account silently
            log.exception("parsing %s for %s failed", response.url, run.job.account_id)
            run.problem = run.problem or PageProblem(
                PARSE_ERROR, f"{type(exc).__name__}: {exc}", response.status
            )
            run.last_url = response.url
        else:
            self.backoff.answered(run.job.platform)
        if "listed" in response.meta:  # an article page answered: the account's next one
            yield from self.article_answered(run)
        yield from self.settle(run)

    return wrapper


class AccountSpider(scrapy.Spider):
    """Base of the platform spiders. Spider arguments (strings, for Scrapyd too):
    ``accounts`` — comma-separated account ids (default: every account this spider reads)."""

    def __init__(self, accounts: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(accounts, str):
            accounts = [a for a in accounts.split(",") if a]
        self.account_ids = list(accounts) if accounts else None
        self.runs: dict[str, AccountRun] = {}
        self._callbacks: dict[Callable[..., Any], Callable[..., Any]] = {}  # see _kept
        self.delayed = 0  # refused accounts waiting for their next attempt

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AccountSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.keep_open, signal=signals.spider_idle)
        crawler.signals.connect(spider.record_backoff, signal=signals.spider_closed)
        return spider

    @functools.cached_property
    def backoff(self) -> Backoff:
        return Backoff(self.crawler, self.options)

    def keep_open(self) -> None:
        """Refused accounts still to be read again: the crawl is not over."""
        if self.delayed > 0:
            raise DontCloseSpider

    def record_backoff(self) -> None:
        self.backoff.close()

    # --- options from the runner (settings, so Scrapyd jobs carry them too) ---

    @functools.cached_property
    def options(self) -> dict[str, Any]:
        raw = self.settings.get("GOVWATCH_OPTIONS") or {}
        return json.loads(raw) if isinstance(raw, str) else dict(raw)

    @functools.cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.options.get("timezone", "Asia/Shanghai"))

    def platform_options(self, platform: str) -> dict[str, Any]:
        return dict(self.options.get("platforms", {}).get(platform, {}))

    @staticmethod
    def html_headers() -> dict[str, str]:
        """Headers for HTML pages (column lists, article pages). No cookie: crawler/cookies.py
        attaches a platform's cookie to the requests whose host belongs to the platform."""
        return {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    @property
    def backfill(self) -> timedelta:
        return timedelta(days=int(self.options.get("backfill_days", 90)))

    @property
    def max_pages(self) -> int:
        return int(self.options.get("max_pages", 50))

    def now(self) -> datetime:
        return datetime.now(self.tz)

    # --- the accounts ---

    @classmethod
    def wants(cls, job: CrawlJob) -> bool:
        """Whether this spider reads the account: its platform names this spider
        (core/platforms.py), does not probe accounts of its kind instead, and the account has what
        the spider reads from (``reads``)."""
        platform = declared(job.platform)
        return (
            platform is not None
            and f"{cls.__module__}.{cls.__qualname__}" in platform.spiders
            and job.kind not in platform.probed_kinds
            and cls.reads(job)
        )

    @classmethod
    def reads(cls, job: CrawlJob) -> bool:
        """Whether the account has what this spider reads from (subclasses refine)."""
        return True

    def load_jobs(self) -> Iterator[list[CrawlJob]]:
        """This spider's accounts with their stored history, JOB_CHUNK at a time as the crawl
        reaches them: a province's 10,000 accounts' known posts never sit in memory at once."""
        store = open_store(job_database_url(self.settings), upgrade=False)
        try:
            ids = self.account_ids
            if ids is None:
                with store.session() as session:
                    ids = [j.account_id for j in planning.crawl_jobs(session, history=False) if self.wants(j)]
            for start in range(0, len(ids), JOB_CHUNK):
                with store.session() as session:
                    jobs = planning.crawl_jobs(
                        session,
                        account_ids=ids[start : start + JOB_CHUNK],
                        profile_every=timedelta(days=int(self.options.get("profile_every_days", 7))),
                    )
                yield [job for job in jobs if self.wants(job)]
        finally:
            store.dispose()

    async def start(self):  # noqa: ANN201
        """Accounts are started as the downloader has room, not all at once: Scrapy reads
        start() eagerly, and 10,000 accounts' requests queued up front cost memory."""
        chunks = self.load_jobs()
        while True:
            try:
                jobs = next(chunks, None)
            except Exception as exc:  # the run says so; its accounts left get an `error` outcome each
                log.exception("%s: could not load its accounts", self.name)
                self.crawler.stats.set_value(
                    SPIDER_ERROR, f"could not load the accounts: {type(exc).__name__}: {exc}"
                )
                return
            if jobs is None:
                return
            for job in jobs:
                while self.crawler.engine is not None and self.crawler.engine.needs_backout():
                    await self.crawler.signals.wait_for(signals.scheduler_empty)
                run = AccountRun(job=job, started_at=datetime.now(UTC))
                self.runs[job.account_id] = run
                for request in self.first_requests(run):
                    yield request

    def first_requests(self, run: AccountRun) -> Iterator[scrapy.Request]:
        raise NotImplementedError

    def read_again(self, run: AccountRun, wait: float) -> None:
        """The account's chain from the start, ``wait`` seconds from now (crawler/backoff.py).
        What the refused attempt stored stays stored; the upserts store nothing twice."""
        again = AccountRun(job=run.job, started_at=run.started_at, attempt=run.attempt + 1)
        self.runs[run.job.account_id] = again
        self.delayed += 1
        log.info("%s refused (%s); read again in %.1f s", run.job.account_id, run.problem, wait)
        from twisted.internet import reactor  # the crawl's own (importing it earlier installs another)

        reactor.callLater(wait, self._resume, again)

    def _resume(self, run: AccountRun) -> None:
        self.delayed -= 1
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return  # the crawl was stopped meanwhile; the run records the account as unfinished
        for request in self.first_requests(run):
            engine.crawl(request)

    # --- requests of an account's chain ---

    def request(
        self,
        run: AccountRun,
        url: str,
        callback: Callable[..., Any],
        *,
        errback: Callable[[Failure], Any] | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        method: str = "GET",
        body: bytes | str | None = None,
        **meta: Any,
    ) -> scrapy.Request:
        platform = run.job.platform
        opts = self.platform_options(platform)
        run.pending += 1
        return scrapy.Request(
            url,
            method=method,
            body=body,
            callback=self._kept(callback),
            errback=self._kept(errback or self.chain_failed),
            headers=headers,
            dont_filter=True,
            meta={
                "run": run,
                "account_id": run.job.account_id,
                PLATFORM_META: platform,  # whose cookie the request may carry (crawler/cookies.py)
                SITE_META: own_site(platform, run.job.url, run.job.feed_url),
                "download_slot": platform,
                "download_timeout": float(opts.get("timeout_s", 20)),
                "max_retry_times": int(opts.get("retries", 2)),
                "dont_redirect": not follow_redirects,
                "handle_httpstatus_all": True,
                **meta,
            },
        )

    def _kept(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """One bound-method object per callback for the whole crawl: Scrapy caches its check of a
        callback's source (inspect.getsource + ast.parse, every response) by weak reference to the
        callable, and a fresh ``self.parse_page`` per request missed that cache every time."""
        return self._callbacks.setdefault(method, method)

    @staticmethod
    def check(response: Response, expect: str) -> None:
        """Raise PageProblem for a block, login wall, error or unexpected page (parsers.blocks)."""
        headers = {
            k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v
        }
        blocks.check_response(response.status, response.url, response.body, headers, expect=expect)

    def chain_failed(self, failure: Failure) -> Iterator[Any]:
        run: AccountRun = failure.request.meta["run"]
        run.problem = run.problem or network_problem(failure)
        run.last_url = failure.request.url
        yield from self.settle(run)

    def keep_post(self, run: AccountRun, post: PostItem, now: datetime) -> tuple[bool, bool]:
        """Whether to store a listed post, and whether paging should stop here.

        Pinned posts are stored but never stop paging: an old pinned post on top is
        not where the account's stored history begins. Otherwise paging stops at the
        first post already stored (or older than the newest stored), and on a
        first crawl at the backfill window, keeping at least the newest post so
        that a zombie account's last post date is known.
        """
        run.posts_seen += 1
        if post.is_pinned:
            return True, False
        run.seen_ids.append(post.post_id)
        if post.published_at is not None and (run.oldest_seen is None or post.published_at < run.oldest_seen):
            run.oldest_seen = post.published_at
        job = run.job
        first_of_run = run.newest_seen is None
        if post.published_at is not None and (run.newest_seen is None or post.published_at > run.newest_seen):
            run.newest_seen = post.published_at
        undated_before = post.post_id in run.undated_left
        run.undated_left.discard(post.post_id)
        if post.post_id in job.known_ids:
            return True, True
        if post.published_at is None:
            return True, False
        beyond_window = post.published_at < now - self.backfill
        if job.newest_at is not None and post.published_at < job.newest_at:
            return not beyond_window, True  # into what is stored already
        if beyond_window:
            keep = undated_before or (first_of_run and not job.known_ids)
            if run.window_passed_at is None:
                run.window_passed_at = run.pages
            searching = run.undated_left and run.pages - run.window_passed_at < UNDATED_SEARCH_PAGES
            return keep, not searching
        return True, False

    # --- a new listed post's own page (website columns, WeChat articles) ---

    listing = "listing data"  # what is kept when the article page fails: "feed data", ...

    def article_request(
        self, run: AccountRun, post: PostItem, callback: Callable[..., Any], headers: dict[str, str]
    ) -> Iterator[scrapy.Request]:
        """The page of a new post the listing showed, read for its body (``meta['listed']``).
        An account's article pages are asked for ARTICLES_AT_ONCE at a time: once the platform
        refuses one (a block, a login wall), the rest are not asked for at all — asking a
        platform that already refuses us deepens the block — and are left for the next crawl."""
        run.articles.append((post, callback, headers))
        yield from self.next_articles(run)

    def next_articles(self, run: AccountRun) -> Iterator[scrapy.Request]:
        while run.articles and run.articles_asked < ARTICLES_AT_ONCE:
            if refused(run):
                run.articles.clear()
                return
            post, callback, headers = run.articles.popleft()
            assert post.url is not None
            run.articles_asked += 1
            yield self.request(
                run, post.url, callback, errback=self.article_failed, headers=headers, listed=post
            )

    def article_answered(self, run: AccountRun) -> Iterator[scrapy.Request]:
        run.articles_asked -= 1
        yield from self.next_articles(run)

    def read_article(
        self,
        run: AccountRun,
        response: Response,
        read: Callable[[], Any],
        keep_on: tuple[type[Exception], ...] = (),
    ) -> Any:
        """``read()`` the article page, or None when it cannot be read (not found, an error
        page, or one of ``keep_on``): the caller then keeps the listed post as the listing gave
        it, and the run says so. A block or login wall raises: it is the account's outcome and
        the post is read again next crawl, once the block is gone."""
        listed: PostItem = response.meta["listed"]
        try:
            self.check(response, "html")
            return read()
        except PageProblem as problem:
            if problem.outcome in REFUSALS:
                raise
            run.note = f"article page unreadable ({problem.detail}); {self.listing} kept for {listed.url}"
        except keep_on as exc:
            run.note = f"article page unreadable ({type(exc).__name__}); {self.listing} kept for {listed.url}"
        self.check_dates(run, [listed], response.status)
        listed.truncated = True  # its body is still to be read (planning.unread_articles)
        return None

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        """The article page was not fetched at all: the listed post is kept, and the run says so —
        unless the account is refused (a block on another of its pages): then the post is left for
        the next crawl, as a blocked article page leaves it (crawler/middlewares.py)."""
        run: AccountRun = failure.request.meta["run"]
        post: PostItem = failure.request.meta["listed"]
        yield from self.article_answered(run)
        if refused(run):
            yield from self.settle(run)
            return
        run.note = f"article page not fetched ({type(failure.value).__name__}); {self.listing} kept"
        self.check_dates(run, [post])
        post.truncated = True  # its body is still to be read (planning.unread_articles)
        yield post
        yield from self.settle(run)

    @staticmethod
    def blind(posts: list[PostItem]) -> bool:
        """A listing page on which no post's date could be read: paging further cannot tell
        where the backfill window ends, so the read stops there (it is not `ok` anyway)."""
        listed = [p for p in posts if not p.is_pinned]
        return bool(listed) and all(p.published_at is None for p in listed)

    def check_dates(self, run: AccountRun, posts: list[PostItem], status: int | None = None) -> None:
        """Posts whose date cannot be read are stored without one (never a guessed
        date), and the read is not `ok`: the newest post's date is what the status
        rests on, so an account must not look quiet, stale or empty because of them."""
        undated = [p for p in posts if p.published_at is None and not p.is_pinned]
        if undated and run.problem is None:
            run.problem = PageProblem(
                PARSE_ERROR,
                f"{len(undated)} 条内容的发布时间无法识别 / unreadable dates (e.g. post {undated[0].post_id})",
                status,
            )

    def settle(self, run: AccountRun) -> Iterator[OutcomeItem]:
        """One request of the chain is done; the last one emits the outcome (or, when the
        platform refused it with a rate limit or a verification page, puts the account back)."""
        run.pending -= 1
        if run.pending > 0 or run.done:
            return
        run.done = True
        if run.problem is not None and run.problem.retry_later:
            wait = self.backoff.wait_for(run.job.platform, run.attempt)
            if wait is not None:
                self.read_again(run, wait)
                return
        self.runs.pop(run.job.account_id, None)  # finished accounts hold no memory
        problem = run.problem
        complete = run.complete and problem is None
        yield OutcomeItem(
            account_id=run.job.account_id,
            outcome=problem.outcome if problem else OK,
            detail=problem.detail
            if problem
            else "; ".join(x for x in (run.extra.get("partial"), run.note) if x),
            http_status=problem.http_status if problem else None,
            url=run.last_url,
            pages=run.pages,
            posts_seen=run.posts_seen,
            complete=complete,
            profile_post_count=run.profile_post_count,
            started_at=run.started_at,
            finished_at=datetime.now(UTC),
            connection_failed=bool(problem and problem.connection_failed),
            window_start=run.oldest_seen if complete else None,
            seen_ids=list(run.seen_ids) if complete else [],
        )
