"""The weekly check of the links published in posts and articles (httpx, asynchronous).

Which links: every link written in a post published within ``links.window_days`` (its text, its
title, the reposted original), deduplicated by normalised URL (core/links.py); a link checked
within ``links.recheck_days`` is not fetched again, its last check stands (at most one request
per distinct link per week, plus its redirects). Politeness: at most ``links.concurrency``
requests at once, at most ``links.per_host`` to one host, ``links.delay_s`` between two requests
to one host, a timeout, the crawl's User-Agent, an optional outbound proxy.

Canaries (``links.canaries``, known-good addresses) are asked first: when none answers, our own
connection is down and no link is fetched. Each link's check is stored (link_checks) with what
it saw; what the run means (our outage?) and what the checks mean (a problem confirmed by two
failures a day apart) is analysis/links.py's.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from core.config import Config
from core.links import host_of, post_links
from crawler.parsers.html import decode_page
from crawler.parsers.links import DNS, OTHER, PRIVATE, REFUSED, TIMEOUT, Fetched, classify, private_host
from storage.db import Store
from storage.links import checks_of, post_texts, posts_with_open_link_findings
from storage.models import LinkCheck, LinkCheckRun, utcnow

log = logging.getLogger(__name__)
HEAD_BYTES = 64 * 1024
RECHECK_SLACK = timedelta(hours=1)  # enough of a page for a parked domain's or a shop's words


@dataclass
class LinkRunSummary:
    run_id: int
    links: int  # distinct links in the window
    checked: int  # fetched this run
    reused: int  # a check of this week stands
    requests: int  # HTTP requests made, redirects and canaries included
    canary_ok: bool | None


def _error_kind(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return TIMEOUT
    if isinstance(exc, httpx.ProxyError):
        return REFUSED if "refused" in str(exc).lower() else OTHER
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, socket.gaierror):
                return DNS
            if (
                isinstance(cause, ConnectionRefusedError)
                or getattr(cause, "errno", None) == errno.ECONNREFUSED
            ):
                return REFUSED
            cause = cause.__cause__ or cause.__context__
        text = str(exc).lower()
        if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return DNS
        if "refused" in text:
            return REFUSED
        return REFUSED if "connect" in text else OTHER
    return OTHER


class _Polite:
    """At most ``per_host`` requests at once to a host and ``delay`` seconds between two starts."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host, self.delay = per_host, delay
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def enter(self, host: str) -> asyncio.Semaphore:
        sem = self._sems.setdefault(host, asyncio.Semaphore(self.per_host))
        await sem.acquire()
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            wait = self._last.get(host, -1e9) + self.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last[host] = time.monotonic()
        return sem


async def _fetch(client: httpx.AsyncClient, url: str, counter: list[int]) -> Fetched:
    hops = [url]
    try:
        counter[0] += 1
        async with client.stream("GET", url) as response:
            counter[0] += len(response.history)
            hops += [str(r.url) for r in response.history] + [str(response.url)]
            chunk = b""
            async for part in response.aiter_bytes():
                chunk += part
                if len(chunk) >= HEAD_BYTES:
                    break
            head = decode_page(chunk[:HEAD_BYTES])  # its real encoding (GBK pages declare it in <meta>)
            return Fetched(url, response.status_code, str(response.url), tuple(dict.fromkeys(hops)), head)
    except PrivateAddress as exc:
        return Fetched(
            url, None, url, tuple(hops), error=PRIVATE, error_text=f"跳转至内部网络地址，未访问：{exc}"
        )
    except httpx.TooManyRedirects as exc:
        return Fetched(url, None, url, tuple(hops), error=OTHER, error_text=f"重定向过多：{exc}")
    except httpx.HTTPError as exc:
        return Fetched(
            url, None, url, tuple(hops), error=_error_kind(exc), error_text=f"{type(exc).__name__}: {exc}"
        )


class PrivateAddress(Exception):
    """A request, the link's own or one of its redirects, to this machine or a private network."""


def address_guard(allow_private: bool, resolve: bool):
    """An httpx request hook refusing every request (redirects included) to a private address:
    an IP literal, ``localhost``, or, when ``resolve`` (no proxy resolves for us), a name whose
    addresses are private. A post must not make govwatch reach inside the network it runs in
    through a public link that redirects there."""
    verdicts: dict[str, bool] = {}

    async def refuse_private(request: httpx.Request) -> None:
        if allow_private:
            return
        host = request.url.host
        if host not in verdicts:
            verdicts[host] = private_host(host) or (resolve and await _resolves_private(host))
        if verdicts[host]:
            raise PrivateAddress(host)

    return refuse_private


async def _resolves_private(host: str) -> bool:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # no such name: the request itself says so (dead), not this guard
    return any(private_host(str(info[4][0])) for info in infos)


def _client(
    config: Config, transport: httpx.AsyncBaseTransport | None = None, guarded: bool = True
) -> httpx.AsyncClient:
    """The check's client; ``guarded`` (links taken from posts) refuses private addresses, the
    office's own canaries are not guarded."""
    s = config.links
    hooks = [address_guard(s.allow_private, resolve=not s.proxy)] if guarded else []
    return httpx.AsyncClient(
        transport=transport,
        event_hooks={"request": hooks},
        follow_redirects=True,
        max_redirects=s.max_redirects,
        timeout=s.timeout_s,
        headers={"User-Agent": config.crawl.user_agent, "Accept": "text/html,*/*;q=0.8"},
        proxy=s.proxy,
        trust_env=False,
        limits=httpx.Limits(max_connections=s.concurrency, max_keepalive_connections=s.concurrency),
    )


async def fetch_all(
    config: Config, urls: Sequence[str], canaries: Sequence[str] = ()
) -> tuple[list[Fetched], bool | None, int]:
    """Fetch the canaries, then (when one answered, or none is configured) every url, politely.
    Returns the fetches, whether a canary answered (None: none configured) and the requests made."""
    s = config.links
    counter = [0]
    canary_ok: bool | None = None
    if canaries:
        async with _client(config, guarded=False) as client:
            answers = await asyncio.gather(*(_fetch(client, c, counter) for c in canaries))
        canary_ok = any(a.error is None for a in answers)
        if not canary_ok:
            return [], False, counter[0]
    async with _client(config) as client:
        polite = _Polite(s.per_host, s.delay_s)
        overall = asyncio.Semaphore(s.concurrency)

        async def one(url: str) -> Fetched:
            sem = await polite.enter(host_of(url))  # the host's turn first: a busy host holds no slot
            try:
                async with overall:
                    return await _fetch(client, url, counter)
            finally:
                sem.release()

        fetched = await asyncio.gather(*(one(u) for u in urls))
    return list(fetched), canary_ok, counter[0]


def links_in_window(store: Store, config: Config, now: datetime) -> dict[str, list[int]]:
    """Each distinct link of the posts published in the window, and of older posts whose link
    finding is still open (so that it can be found working again), deleted posts left out ->
    the posts with it."""
    since = now - timedelta(days=config.links.window_days)
    by_link: dict[str, list[int]] = {}
    with store.session() as session:
        for post in post_texts(session, since, posts_with_open_link_findings(session)):
            if post.deleted_at is not None:
                continue
            for link in post_links(post.links, post.text, post.title, post.repost_text):
                by_link.setdefault(link, []).append(post.id)
    return by_link


def check_links(
    config: Config, store: Store, now: datetime | None = None, trigger: str = "cli"
) -> LinkRunSummary:
    """One link check: the window's links not checked within recheck_days are fetched once each and
    their checks stored in a new run."""
    now = now or utcnow()
    s = config.links
    by_link = links_in_window(store, config, now)
    with store.session() as session:
        # A check younger than recheck_days stands; an hour's slack so that next week's job, starting
        # a few seconds earlier in its minute than this one, still checks again.
        recent = checks_of(session, by_link, since=now - timedelta(days=s.recheck_days) + RECHECK_SLACK)
        run = LinkCheckRun(started_at=now, trigger=trigger, links=len(by_link))
        session.add(run)
        session.flush()
        run_id = run.id
    due = [u for u in by_link if u not in recent]
    # A link to this machine or the office's own network is not fetched (a post must not make
    # govwatch reach inside the network it runs in), unless links.allow_private says so.
    skipped = [] if s.allow_private else [u for u in due if private_host(host_of(u))]
    due = [u for u in due if u not in set(skipped)]
    fetched, canary_ok, requests = asyncio.run(fetch_all(config, due, s.canaries)) if due else ([], None, 0)
    if canary_ok is not False:
        fetched += [Fetched(u, error=PRIVATE) for u in skipped]
    allow = s.allowed
    with store.session() as session:
        run = session.get(LinkCheckRun, run_id)
        for f in fetched:
            verdict, detail = classify(f, allow)
            session.add(
                LinkCheck(
                    run_id=run_id,
                    url=f.url,
                    checked_at=now,
                    verdict=verdict,
                    detail=detail,
                    http_status=f.status,
                    final_url=f.final_url,
                    connection_failed=f.connection_failed,
                )
            )
        run.finished_at = max(utcnow(), now)
        run.requests = requests
        run.reused = len(by_link) - len(due) - len(skipped)
        run.canary_ok = canary_ok
        if canary_ok is False:
            run.note = "探测地址均无响应：本机网络异常，未检测链接"
    log.info("link check %d: %d links, %d fetched, %d requests", run_id, len(by_link), len(fetched), requests)
    reused = len(by_link) - len(due) - len(skipped)
    return LinkRunSummary(run_id, len(by_link), len(fetched), reused, requests, canary_ok)
