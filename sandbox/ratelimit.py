"""A platform that rate-limits for a while, then lifts it.

    limit = RateLimit("weibo", after_requests=20, duration_s=3).install(sandbox)
    ...
    limit.refused            # answers refused while the limit was on
    limit.lifted_at          # time.monotonic() when it lifted (None while on or never started)

The platform's first ``after_requests`` requests are answered; the next one starts the limit,
and for ``duration_s`` seconds every request of the platform is refused the way the platform
refuses: Weibo with HTTP 418 and an empty body (m.weibo.cn's anti-crawler answer); a platform
read through the feed bridge with the bridge's error page (HTTP 503) carrying the platform's
refusal — Bilibili's risk control (code -352), WeChat's frequency control (ret 200013), HTTP 429
for the others. Then it lifts.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from sandbox import feeds
from sandbox.http import HTML, JSON, Request, Response
from sandbox.server import Sandbox

_PATHS = {
    "weibo": ("/api/", "/statuses/", "/comments/", "/u/", "/ajax/"),
    "wechat": ("/rsshub/wechat", "/s/"),
    "bilibili": ("/rsshub/bilibili",),
}


BRIDGE_MESSAGES = {
    "bilibili": "Error: Got error code -352 while fetching: 风控校验失败",
    "wechat": "Error: WeChat answered ret 200013 (freq control)",
}


def refusal(platform: str, path: str) -> Response:
    if platform == "weibo":
        return Response(418, b"", HTML)
    if path.startswith("/rsshub/"):
        message = BRIDGE_MESSAGES.get(platform, 'FetchError: [GET] "upstream": 429 Too Many Requests')
        return Response(503, feeds.error_page(path, message), HTML)
    if platform == "wechat":  # an article page
        body = {"base_resp": {"ret": 200013, "err_msg": "freq control"}}
        return Response(200, json.dumps(body).encode("utf-8"), JSON)
    return Response(429, b"<html><head><title>429 Too Many Requests</title></head></html>", HTML)


@dataclass
class RateLimit:
    platform: str = "weibo"
    after_requests: int = 20
    duration_s: float = 3.0
    paths: tuple[str, ...] | None = None
    refused: int = 0
    answered: int = 0
    started_at: float | None = None
    lifted_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, sandbox: Sandbox) -> RateLimit:
        self.paths = self.paths or _PATHS.get(self.platform, (f"/rsshub/{self.platform}",))
        sandbox.hooks.append(self.hook)
        return self

    def hook(self, request: Request) -> Response | None:
        assert self.paths is not None
        if not request.path.startswith(self.paths):
            return None
        with self._lock:
            now = time.monotonic()
            if self.started_at is None and self.answered >= self.after_requests:
                self.started_at = now
            on = self.started_at is not None and now - self.started_at < self.duration_s
            if self.started_at is not None and not on and self.lifted_at is None:
                self.lifted_at = now
            if on:
                self.refused += 1
                return refusal(self.platform, request.path)
            self.answered += 1
        return None
