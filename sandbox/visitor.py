"""Weibo's visitor check (Sina Visitor System), as the sandbox's Weibo answers it.

    visitor = VisitorCheck(ttl_requests=40).install(sandbox)
    ...
    visitor.passages         # visitor identities handed out (genvisitor2 calls that succeeded)
    visitor.redirects        # Weibo requests sent to the visitor check
    visitor.expire_all()     # every visitor cookie handed out so far lapses now

With the check on, a Weibo request (the mobile API, long text, comments, the user page)
that carries no valid visitor cookie (SUB) is answered with a 302 to
``/visitor/visitor?entry=sinawap&a=enter&url=<the page asked for>&...`` on the same host,
the way m.weibo.cn sends a browser without cookies to visitor.passport.weibo.cn. The
visitor page is an HTML page whose script POSTs to ``/visitor/genvisitor2``
(``cb=visitor_gray_callback&tid=&from=weibo``); that call answers with a JSONP body
``window.visitor_gray_callback && visitor_gray_callback({"retcode":20000000,...,"data":
{"sub":...,"subp":...,"tid":...}});`` and sets the SUB and SUBP cookies.

A visitor cookie lapses after ``ttl_requests`` Weibo requests (or ``ttl_s`` seconds), or
at once with ``expire_all()``: the next request is sent to the visitor check again.
``refuse=True`` makes genvisitor2 refuse every visitor (retcode 50111 and no cookies).
A configured login cookie (any cookie named SUB that this check did not hand out, e.g.
``SUB=login...``) is let through like a visitor's, without ever lapsing.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from sandbox.http import HTML, Request, Response
from sandbox.server import Sandbox

WEIBO_PATHS = ("/api/", "/statuses/", "/comments/", "/u/", "/ajax/")
LOGIN_SUB_PREFIX = "login"
_SUB = re.compile(r"(?:^|;\s*)SUB=([^;]+)")

VISITOR_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Sina Visitor System</title>
</head>
<body>
<script type="text/javascript">
var return_url = {return_url};
var from = "weibo";
function gen_visitor() {{
  var xhr = new XMLHttpRequest();
  xhr.open("POST", "/visitor/genvisitor2", true);
  xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
  xhr.onload = function () {{ location.replace(return_url); }};
  xhr.send("cb=visitor_gray_callback&tid=&from=" + from + "&webdriver=false");
}}
gen_visitor();
</script>
</body>
</html>
"""


@dataclass
class VisitorCheck:
    """The visitor check on the sandbox's Weibo (see the module docstring)."""

    ttl_requests: int | None = None
    ttl_s: float | None = None
    refuse: bool = False
    enabled: bool = True
    passages: int = 0
    redirects: int = 0
    _issued: dict[str, tuple[float, int]] = field(default_factory=dict)  # SUB -> (issued at, uses)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, sandbox: Sandbox) -> VisitorCheck:
        sandbox.hooks.insert(0, self.hook)
        sandbox.router.add("GET", "/visitor/visitor", self.visitor_page)
        sandbox.router.add("POST", "/visitor/genvisitor2", self.genvisitor2)
        return self

    def expire_all(self) -> None:
        with self._lock:
            self._issued.clear()

    # ------------------------------------------------------------ the check
    def hook(self, request: Request) -> Response | None:
        if not self.enabled or not request.path.startswith(WEIBO_PATHS) or request.path == "/api/config":
            return None
        match = _SUB.search(request.headers.get("cookie", ""))
        sub = match.group(1) if match else None
        if sub is not None and sub.startswith(LOGIN_SUB_PREFIX):
            return None
        with self._lock:
            if sub is not None and sub in self._issued:
                issued_at, uses = self._issued[sub]
                lapsed = (self.ttl_requests is not None and uses >= self.ttl_requests) or (
                    self.ttl_s is not None and time.monotonic() - issued_at > self.ttl_s
                )
                if not lapsed:
                    self._issued[sub] = (issued_at, uses + 1)
                    return None
                del self._issued[sub]
            self.redirects += 1
        back = quote(f"https://m.weibo.cn{request.raw_path}", safe="")
        location = (
            f"http://{request.host}/visitor/visitor?entry=sinawap&a=enter&url={back}"
            f"&domain=weibo.cn&ua=php-sso_sdk_client-0.6.36&_rand={time.time():.4f}&sudaref="
        )
        return Response(302, b"", HTML, {"Location": location})

    # ------------------------------------------------------------ the passport's pages
    def visitor_page(self, request: Request) -> Response:
        page = VISITOR_PAGE.format(return_url=json.dumps(request.query.get("url", "")))
        return Response(200, page.encode("utf-8"), HTML)

    def genvisitor2(self, request: Request) -> Response:
        content_type = "application/javascript; charset=utf-8"
        if self.refuse:
            body = 'window.visitor_gray_callback && visitor_gray_callback({"retcode":50111,"msg":"访问受限","data":{}});'
            return Response(200, body.encode("utf-8"), content_type)
        with self._lock:
            serial = next(self._serial)
            sub = f"_2AkMVisitor{serial:06d}f8NxqwFRmfwTyWLmZIhzzAjEieKng92oJRMxHRl"
            self._issued[sub] = (time.monotonic(), 0)
            self.passages += 1
        subp = f"0033WrSXqPxfM72-Ws9jqgMF55529P9D9W{serial:06d}vNo6rVgM_I8.Nfw"
        data = {
            "retcode": 20000000,
            "msg": "succ",
            "data": {
                "next": "cross_domain",
                "sub": sub,
                "subp": subp,
                "alt": "",
                "savestate": 0,
                "tid": f"01Aa9SQlUD5uH1PaX5dB4hUTYf1vHk_{serial:06d}",
                "new_tid": True,
                "confidence": 100,
            },
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        body = f"window.visitor_gray_callback && visitor_gray_callback({text});"
        expires = "Monday, 27-Sep-2027 16:42:59 GMT"
        # Host-only cookies: the sandbox serves loopback, not .weibo.cn.
        headers: dict[str, str | list[str]] = {
            "Set-Cookie": [
                f"SUB={sub}; expires={expires}; path=/; httponly; SameSite=None",
                f"SUBP={subp}; expires={expires}; path=/",
            ]
        }
        return Response(200, body.encode("utf-8"), content_type, headers)
