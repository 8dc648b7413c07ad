"""Weibo's visitor passage (Sina Visitor System), passed the way a browser passes it.

m.weibo.cn sends a request without cookies to its visitor check
(``visitor.passport.weibo.cn/visitor/visitor?...&url=<the page asked for>``). A browser's
visitor page then POSTs ``cb=visitor_gray_callback&tid=&from=weibo`` to
``/visitor/genvisitor2`` on the same host; the answer (JSONP, retcode 20000000) sets the
visitor cookies SUB and SUBP, and the browser goes back to the page it asked for.

This downloader middleware does the same, once for the whole crawl rather than once per
account: the first request sent to the check starts one passage (endpoint taken from the
host that redirected, so a sandbox on loopback takes the same path as m.weibo.cn); the
requests that meet the check meanwhile wait for it; every Weibo request after it carries
the visitor cookies. When the cookies lapse (the check answers again a request that carried
the current ones) a new passage renews them.

Scope: the visitor cookies go only to requests of the Weibo platform (``download_slot``
weibo) whose host lies in the cookies' domain (``.weibo.cn`` from the passport's
Set-Cookie; the exact host for host-only cookies). They are kept in memory for the crawl,
never stored.

A configured login cookie is not sent by default: a Weibo request that arrives with a
Cookie header has it moved aside (``meta['weibo_login_cookie']``) and goes as the visitor.
The login cookie is used only where the visitor is refused: an answer that asks for a login
(a redirect to the login page, ``ok: -100``), or a visitor passage that fails for good.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.parsers.blocks import is_login_url

log = logging.getLogger(__name__)

PLATFORM = "weibo"
VISITOR_PATH = re.compile(r"/visitor/visitor\b")
GENVISITOR = "/visitor/genvisitor2"
SUCCESS = 20000000
# A request met by the visitor check this many times is handed to the spider (blocked).
MAX_TRIES = 3
# Passages that fail in a row before the visitor is taken as refused for the crawl.
MAX_FAILURES = 2
# Stats keys (crawler.stats; crawler/run.py puts them in the summary).
STAT_PASSAGES = "govwatch/weibo_visitor_passages"
STAT_REFUSED = "govwatch/weibo_visitor_refused"
STAT_LOGIN_USED = "govwatch/weibo_login_cookie_used"

_JSONP = re.compile(r"\(\s*(\{.*\})\s*\)\s*;?\s*$", re.S)
_OK_MINUS_100 = re.compile(rb'^\s*\{\s*"ok"\s*:\s*-100\b')


@dataclass
class VisitorCookies:
    """Cookies of one passage and where they may go."""

    domain: str  # ".weibo.cn" style, or a host for host-only cookies
    host_only: bool
    values: dict[str, str] = field(default_factory=dict)

    def covers(self, host: str) -> bool:
        if self.host_only:
            return host == self.domain
        bare = self.domain.lstrip(".")
        return host == bare or host.endswith("." + bare)

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.values.items())


def visitor_location(response: Response) -> str | None:
    """The visitor check's URL when this answer sends us there (redirect or landed page)."""
    location = response.headers.get(b"Location")
    if location and 300 <= response.status < 400:
        text = location.decode("latin-1")
        if VISITOR_PATH.search(urlsplit(text).path):
            return text
    if VISITOR_PATH.search(urlsplit(response.url).path):
        return response.url
    return None


def asks_login(response: Response) -> bool:
    """A Weibo answer that wants a login: a redirect to the login page, or ``{"ok": -100}``."""
    location = response.headers.get(b"Location")
    if location and 300 <= response.status < 400 and is_login_url(location.decode("latin-1")):
        return True
    return bool(_OK_MINUS_100.match(response.body[:64]))


def _set_cookie(header: str) -> tuple[str, str, dict[str, str]]:
    """name, value and lower-cased attributes of one Set-Cookie header (its expires may hold a
    comma and a long weekday name, which http.cookies refuses)."""
    first, _, rest = header.partition(";")
    name, _, value = first.partition("=")
    attributes = {}
    for part in rest.split(";"):
        key, _, val = part.partition("=")
        attributes[key.strip().lower()] = val.strip()
    return name.strip(), value.strip(), attributes


def parse_passage(response: Response, scope_host: str) -> VisitorCookies | None:
    """The visitor cookies a genvisitor2 answer hands out, or None when it refused.

    Set-Cookie first (with its Domain, when the passport's host lies in it); the JSONP
    body's ``data.sub``/``data.subp`` otherwise, scoped to the host that was redirected."""
    try:
        text = response.body.decode("utf-8", "replace")
    except AttributeError:
        return None
    match = _JSONP.search(text)
    try:
        data = json.loads(match.group(1)) if match else json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("retcode") != SUCCESS:
        return None
    passport_host = urlsplit(response.url).hostname or ""
    values: dict[str, str] = {}
    domain = ""
    for raw in response.headers.getlist(b"Set-Cookie"):
        name, value, attributes = _set_cookie(raw.decode("latin-1"))
        if name in ("SUB", "SUBP") and value:
            values[name] = value
            if name == "SUB":
                domain = attributes.get("domain", "")
    if values.get("SUB"):
        bare = domain.lstrip(".")
        if bare and (passport_host == bare or passport_host.endswith("." + bare)):
            return VisitorCookies("." + bare, False, values)
        return VisitorCookies(passport_host, True, values)
    body = data.get("data") or {}
    if isinstance(body, dict) and body.get("sub"):
        values = {"SUB": str(body["sub"])}
        if body.get("subp"):
            values["SUBP"] = str(body["subp"])
        return VisitorCookies(scope_host, True, values)
    return None


class WeiboVisitor:
    """The downloader middleware (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.jars: list[VisitorCookies] = []
        self.generation = 0  # passages that succeeded
        self.passing = False  # a passage is on its way
        self.waiters: list[Deferred] = []
        self.gated: set[str] = set()  # hosts that have sent us to the visitor check
        self.failures = 0  # passages failed in a row
        self.refused = False  # the visitor is refused for the rest of the crawl
        # The crawl's first Weibo request goes alone (the scout): if it meets the visitor check,
        # the others wait for the passage instead of meeting the check too.
        self.scout_out = False
        self.scouted = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WeiboVisitor:
        return cls(crawler)

    # ------------------------------------------------------------ requests out
    async def process_request(self, request: Request, spider: Any = None) -> None:
        meta = request.meta
        if (
            meta.get("download_slot") != PLATFORM
            or meta.get("weibo_visitor_passage")
            or meta.get("weibo_login")
        ):
            return None  # not Weibo's, the passage itself, or the login cookie on purpose
        cookie = request.headers.get(b"Cookie")
        if cookie:
            del request.headers[b"Cookie"]
            meta["weibo_login_cookie"] = cookie.decode("latin-1")
            if self.refused:
                self._use_login(request, inline=True)
                return None
        host = urlsplit(request.url).hostname or ""
        if not self.scout_out:
            self.scout_out = True
            meta["weibo_visitor_scout"] = True
        patience = 2 * float(meta.get("download_timeout") or 20)
        while (self.passing and host in self.gated) or (
            self.scout_out and not self.scouted and not meta.get("weibo_visitor_scout")
        ):
            if not await self._wait(patience):
                log.warning(
                    "Weibo visitor passage still pending after %.0f s: %s goes without it",
                    patience,
                    request.url,
                )
                break
        self._attach(request, host)
        return None

    async def _wait(self, patience: float) -> bool:
        """Wait for the scout's answer or the passage; False when ``patience`` ran out first
        (never a request held for ever: the crawl could not end)."""
        from twisted.internet import reactor  # the crawl's own (importing it earlier installs another)

        waiter: Deferred = Deferred()
        self.waiters.append(waiter)
        timer = reactor.callLater(patience, lambda: waiter.called or waiter.callback(False))
        released = await maybe_deferred_to_future(waiter)
        if timer.active():
            timer.cancel()
        return released is not False

    def _scout_back(self, request: Request, starts_passage: bool) -> None:
        """The scout's answer is in: the others go (or wait on for the passage it starts)."""
        if request.meta.pop("weibo_visitor_scout", False) and not self.scouted:
            self.scouted = True
            if not starts_passage:
                self._release()

    def _attach(self, request: Request, host: str) -> None:
        for jar in self.jars:
            if jar.covers(host):
                request.headers[b"Cookie"] = jar.header()
                break
        request.meta["weibo_visitor_gen"] = self.generation
        return None

    def _use_login(self, request: Request, *, inline: bool = False) -> Request | None:
        """The request again with the configured login cookie (None: there is none)."""
        login = request.meta.get("weibo_login_cookie")
        if not login:
            return None
        self.crawler.stats.inc_value(STAT_LOGIN_USED)
        if inline:
            request.headers[b"Cookie"] = login
            request.meta["weibo_login"] = True
            return None
        replay = request.replace(dont_filter=True)
        replay.headers[b"Cookie"] = login
        replay.meta["weibo_login"] = True
        return replay

    # ------------------------------------------------------------ answers in
    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        meta = request.meta
        if meta.get("weibo_visitor_passage"):
            return self._passage_answered(request, response)
        if meta.get("download_slot") != PLATFORM:
            return response
        answer = self._answered(request, response)
        self._scout_back(request, starts_passage=self.passing)
        return answer

    def _answered(self, request: Request, response: Response) -> Request | Response:
        meta = request.meta
        location = visitor_location(response)
        if location is None:
            if not meta.get("weibo_login") and asks_login(response):
                return self._use_login(request) or response
            return response
        if meta.get("weibo_login"):
            return response  # even the login cookie is sent to the visitor check: blocked
        tries = int(meta.get("weibo_visitor_tries", 0))
        if self.refused or meta.get("weibo_visitor_off") or tries >= MAX_TRIES:
            return self._use_login(request) or response
        host = urlsplit(request.url).hostname or ""
        self.gated.add(host)
        replay = request.replace(dont_filter=True)
        if b"Cookie" in replay.headers:
            del replay.headers[b"Cookie"]
        replay.meta["weibo_visitor_tries"] = tries + 1
        sent = meta.get("weibo_visitor_gen")
        if self.passing or (sent is not None and sent < self.generation):
            return replay  # a passage is on its way, or has renewed the cookies since it went out
        return self._start_passage(location, replay, host)

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Request | None:
        if not request.meta.get("weibo_visitor_passage"):
            self._scout_back(request, starts_passage=False)
            return None
        log.warning("Weibo visitor passage failed: %s: %s", type(exception).__name__, exception)
        return self._passage_failed(request)

    # ------------------------------------------------------------ the passage
    def _start_passage(self, location: str, replay: Request, host: str) -> Request:
        parts = urlsplit(location)
        self.passing = True
        return Request(
            f"{parts.scheme}://{parts.netloc}{GENVISITOR}",
            method="POST",
            body=urlencode({"cb": "visitor_gray_callback", "tid": "", "from": "weibo", "webdriver": "false"}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": location,
                "Accept": "*/*",
            },
            dont_filter=True,
            priority=100,
            meta={
                "weibo_visitor_passage": True,
                "weibo_visitor_for": replay,
                "weibo_visitor_host": host,
                "download_slot": PLATFORM,
                "dont_redirect": True,
                "handle_httpstatus_all": True,
                "max_retry_times": replay.meta.get("max_retry_times", 2),
                "download_timeout": replay.meta.get("download_timeout", 20),
            },
        )

    def _passage_answered(self, request: Request, response: Response) -> Request:
        jar = parse_passage(response, request.meta["weibo_visitor_host"]) if response.status == 200 else None
        if jar is None:
            log.warning("Weibo visitor passage refused: HTTP %s %r", response.status, response.body[:200])
            return self._passage_failed(request)
        self.jars = [j for j in self.jars if j.domain != jar.domain] + [jar]
        self.generation += 1
        self.failures = 0
        self.crawler.stats.inc_value(STAT_PASSAGES)
        self._release()
        return request.meta["weibo_visitor_for"]

    def _passage_failed(self, request: Request) -> Request:
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.refused = True
            self.crawler.stats.set_value(STAT_REFUSED, True)
        self._release()
        replay: Request = request.meta["weibo_visitor_for"]
        replay.meta["weibo_visitor_off"] = True  # its next visitor check goes to the spider
        return replay

    def _release(self) -> None:
        self.passing = False
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.called:  # one whose patience ran out has gone already
                waiter.callback(None)
