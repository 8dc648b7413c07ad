"""Fault injection: a share of the sandbox's answers fail the way the platforms fail.

    faults = Faults(rate=0.5, seed=7, stall_s=3).install(sandbox)
    ...
    faults.counts            # Counter of injected faults by kind
    faults.log               # [(path_and_query, account_id, kind)], in the order served

A hook in ``Sandbox.hooks``: for each eligible request it draws, from the seed,
the request's path and query and how many times that same URL was asked
before, whether to fail and how. The draw does not depend on the order in which
concurrent requests arrive, so the same seed gives the same faults to the
same crawl (a retry of a URL is a new draw).

Kinds (``FAULT_KINDS``), each one seen in the field:

| kind | the answer |
| --- | --- |
| ``http_5xx`` | 500/502/503/504 with nginx's error page |
| ``http_418`` / ``http_432`` | Weibo's anti-crawler statuses, empty body |
| ``captcha`` | HTTP 200, an HTML 安全验证 page with a captcha |
| ``login_page`` | HTTP 302 to the sandbox's /signin/login |
| ``truncated`` | the real body cut short (a complete response, broken JSON/XML) |
| ``not_json`` | HTTP 200, "系统繁忙" as HTML where JSON or a feed was asked |
| ``empty_cards`` | a Weibo list page as ``{"ok":1}`` with ``cards: []`` (list pages only) |
| ``garbage_dates`` | the real page with every date replaced by nonsense (list pages, feeds) |
| ``stall`` | ``stall_s`` seconds of silence (default 35), then the real answer |
| ``reset`` | the connection closed without any response |
| ``wrong_encoding`` | the real body re-encoded as GBK, still declared UTF-8 |

Selection: ``accounts`` (ids) and ``paths`` (path prefixes) limit which
requests may fail; ``kinds`` limits the kinds. Control routes
(``/__sandbox__/``) and the login page never fail.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sandbox.http import HTML, Request, Response
from sandbox.server import Sandbox

FAULT_KINDS = (
    "http_5xx",
    "http_418",
    "http_432",
    "captcha",
    "login_page",
    "truncated",
    "not_json",
    "empty_cards",
    "garbage_dates",
    "stall",
    "reset",
    "wrong_encoding",
)
# Kinds that only make sense for some pages.
_LIST_ONLY = {"empty_cards"}
_CONTENT_ONLY = {"garbage_dates", "truncated", "wrong_encoding"}

GARBAGE_DATES = (
    "",
    "Thu Feb 30 25:61:00 +0800 2026",
    "99-99",
    "13-45",
    "昨天 25:99",
    "很久以前",
    "0000-00-00",
    "2026-13-40",
    "Mon Foo 12 10:00:00 +9999 2026",
    "-5分钟前",
    "null",
    "刚刚刚",
)
_FEED_DATE = re.compile(
    rb"(<(pubDate|published|updated|dc:date)>)([^<]*)(</\2>)",
)

CAPTCHA_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证 - 新浪微博</title></head>'
    '<body><div class="verify"><p>请完成验证后继续访问</p><img src="/captcha.png" alt="验证码">'
    '<input name="code" placeholder="请输入验证码"></div></body></html>'
).encode()
BUSY_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统繁忙</title></head>'
    "<body><p>系统繁忙，请稍后再试。</p></body></html>"
).encode()
NGINX_ERROR = (
    "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1>"
    "</center><hr><center>nginx</center></body></html>"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Time-out",
}


@dataclass
class Faults:
    """A fault-injecting hook for one Sandbox (see the module docstring)."""

    rate: float = 0.5
    seed: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    stall_s: float = 35.0
    accounts: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    enabled: bool = True
    counts: Counter[str] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)  # eligible requests, by account
    log: list[tuple[str, str | None, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not 0 <= self.rate <= 1:
            raise ValueError("rate must be within [0, 1]")
        if self.accounts is not None:
            self.accounts = frozenset(self.accounts)
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.sandbox: Sandbox | None = None

    def install(self, sandbox: Sandbox) -> Faults:
        self.sandbox = sandbox
        sandbox.hooks.append(self)
        return self

    def uninstall(self) -> None:
        if self.sandbox is not None and self in self.sandbox.hooks:
            self.sandbox.hooks.remove(self)

    def summary(self) -> dict:
        with self._lock:
            return {
                "injected": sum(self.counts.values()),
                "eligible": sum(self.served.values()),
                "by_kind": dict(sorted(self.counts.items())),
            }

    # ------------------------------------------------------------ the hook
    def __call__(self, request: Request) -> Response | None:
        if not self.enabled or self.sandbox is None:
            return None
        if request.path.startswith("/__sandbox__/") or request.path.startswith("/signin/"):
            return None
        if self.paths is not None and not request.path.startswith(self.paths):
            return None
        handler = self.sandbox.router.resolve(request.method, request.path)
        if handler is None:
            return None
        real = handler(request)
        if self.accounts is not None and real.account_id not in self.accounts:
            return real
        with self._lock:
            nth = self._seen[request.raw_path]
            self._seen[request.raw_path] += 1
            self.served[real.account_id or "-"] += 1
        rng = random.Random(f"{self.seed}\x00{request.raw_path}\x00{nth}")
        if rng.random() >= self.rate:
            return real
        kinds = self._applicable(request, real)
        if not kinds:
            return real
        kind = rng.choice(kinds)
        with self._lock:
            self.counts[kind] += 1
            self.log.append((request.raw_path, real.account_id, kind))
        return self._inject(kind, rng, request, real)

    def _applicable(self, request: Request, real: Response) -> list[str]:
        content = real.status == 200 and bool(real.body)
        is_list = request.path == "/api/container/getIndex" and request.query.get(
            "containerid", ""
        ).startswith("107603")
        out = []
        for kind in self.kinds:
            if kind in _LIST_ONLY and not (is_list and content):
                continue
            if kind in _CONTENT_ONLY and not content:
                continue
            if kind == "garbage_dates" and not (is_list or request.path.startswith("/rsshub/")):
                continue
            out.append(kind)
        return out

    def _inject(self, kind: str, rng: random.Random, request: Request, real: Response) -> Response:
        acct = real.account_id
        if kind == "http_5xx":
            status = rng.choice(sorted(_REASONS))
            body = NGINX_ERROR.format(status=status, reason=_REASONS[status]).encode()
            return Response(status, body, HTML, account_id=acct)
        if kind == "http_418":
            return Response(418, b"", HTML, account_id=acct)
        if kind == "http_432":
            return Response(432, b"", HTML, account_id=acct)
        if kind == "captcha":
            return Response(200, CAPTCHA_PAGE, HTML, account_id=acct)
        if kind == "login_page":
            location = f"http://{request.host}/signin/login?entry=mweibo&res=wel&wm=3349"
            return Response(302, b"", HTML, {"Location": location}, account_id=acct)
        if kind == "truncated":
            cut = rng.randint(1, max(1, len(real.body) - 1))
            return Response(200, real.body[:cut], real.content_type, dict(real.headers), account_id=acct)
        if kind == "not_json":
            return Response(200, BUSY_PAGE, HTML, account_id=acct)
        if kind == "empty_cards":
            data = json.loads(real.body)
            info = dict(data.get("data", {}).get("cardlistInfo") or {})
            info.pop("since_id", None)
            body = json.dumps({"ok": 1, "data": {"cardlistInfo": info, "cards": []}}, ensure_ascii=False)
            return Response(200, body.encode(), real.content_type, account_id=acct)
        if kind == "garbage_dates":
            return Response(
                200, garble_dates(real.body, rng), real.content_type, dict(real.headers), account_id=acct
            )
        if kind == "stall":
            time.sleep(self.stall_s)
            return real
        if kind == "reset":
            return Response(0, b"", HTML, account_id=acct, reset=True)
        if kind == "wrong_encoding":
            text = real.body.decode("utf-8")
            body = text.encode("gbk", "replace")
            return Response(200, body, real.content_type, dict(real.headers), account_id=acct)
        raise AssertionError(kind)  # pragma: no cover


def garble_dates(body: bytes, rng: random.Random) -> bytes:
    """The same page with every date (Weibo created_at, feed pubDate/updated) replaced by nonsense."""
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        data = json.loads(body)

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "created_at":
                        node[key] = rng.choice(GARBAGE_DATES)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(data)
        return json.dumps(data, ensure_ascii=False).encode()
    return _FEED_DATE.sub(lambda m: m.group(1) + rng.choice(GARBAGE_DATES).encode() + m.group(4), body)


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """'stall,reset' -> ('stall', 'reset'); None or '' -> every kind."""
    if not text:
        return FAULT_KINDS
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kinds {unknown}; choose from {', '.join(FAULT_KINDS)}")
    return kinds


def selection(values: Iterable[str] | None) -> frozenset[str] | None:
    values = [v for v in (values or []) if v]
    return frozenset(values) if values else None
