"""One HTTP server for many sandboxes, each under its own path prefix.

    with SandboxHub() as hub:                 # one loopback port for a whole test session
        sb = hub.mount(Sandbox())             # a world of its own, at hub.base_url + "/w/1"
        httpx.get(sb.base_url + "/api/container/getIndex?type=uid&value=7712000101")
        hub.unmount(sb)

As Scrapy's own test server does, the address chooses the behaviour: ``/w/NAME/rest`` is
answered by the sandbox mounted as NAME, exactly as that sandbox alone would answer ``/rest``
(its own world, hooks and counters, so nothing one test changes reaches another). Its answers
are rebased under the prefix: absolute links and redirects (``href="/gov/…"``, ``Location:
/app/…``) and the addresses a sandbox writes from the Host header (feed links, the login
wall, the visitor check) all lead back into the same mounted sandbox. A request outside every
prefix from a client that built the address from the host alone (Weibo's visitor passage POSTs
to ``/visitor/genvisitor2`` at the root of the visitor page's host) is answered by the sandbox
its Referer is under; anything else outside a mounted prefix is 404.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import replace
from urllib.parse import urlsplit

from sandbox.http import LoopbackServer, Request, Response
from sandbox.server import Sandbox

PREFIX = "/w/"
TEXT = "text/plain; charset=utf-8"
# An attribute holding an absolute path (not a protocol-relative "//host" one).
_ABSOLUTE_PATH = re.compile(rb"""((?:href|src|action)\s*=\s*["'])/(?!/)""")


class SandboxHub(LoopbackServer):
    """A loopback HTTP server dispatching ``/w/NAME/…`` to the sandbox mounted as NAME."""

    thread_name = "sandbox-hub"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._mounted: dict[str, Sandbox] = {}
        self._names = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------ mounting
    def mount(self, sandbox: Sandbox, name: str | None = None) -> Sandbox:
        """Serve ``sandbox`` under ``/w/NAME`` (a fresh number unless named); its ``base_url`` says where."""
        sandbox.warm()
        with self._lock:
            name = name or str(next(self._names))
            if name in self._mounted:
                raise ValueError(f"a sandbox is already mounted as {name!r}")
            self._mounted[name] = sandbox
        sandbox.mounted_at = f"{self.base_url}{PREFIX}{name}"
        return sandbox

    def unmount(self, sandbox: Sandbox) -> None:
        """Stop serving ``sandbox``: its prefix answers 404 from now on."""
        with self._lock:
            for name, mounted in list(self._mounted.items()):
                if mounted is sandbox:
                    del self._mounted[name]
        sandbox.mounted_at = None

    # ------------------------------------------------------------ dispatch
    def handle(self, request: Request) -> Response:
        name = self._mounted_name(request.path)
        if name is not None:
            prefix = f"{PREFIX}{name}"
            path, raw_path = request.path[len(prefix) :] or "/", request.raw_path[len(prefix) :] or "/"
        else:
            name = self._mounted_name(urlsplit(request.headers.get("referer", "")).path)
            prefix, path, raw_path = f"{PREFIX}{name}", request.path, request.raw_path
        with self._lock:
            sandbox = self._mounted.get(name) if name is not None else None
        if sandbox is None:
            return Response(404, b"no sandbox is mounted at this address", TEXT)
        inner = replace(request, path=path, raw_path=raw_path, host=request.host + prefix)
        return rebased(sandbox.handle(inner), prefix)

    def _mounted_name(self, path: str) -> str | None:
        """The NAME of ``/w/NAME/...`` when a sandbox is mounted as NAME."""
        if not path.startswith(PREFIX):
            return None
        name = path.removeprefix(PREFIX).partition("/")[0]
        with self._lock:
            return name if name in self._mounted else None


def rebased(answer: Response, prefix: str) -> Response:
    """``answer`` with its absolute paths (links in HTML and XML, a redirect) moved under ``prefix``."""
    headers = dict(answer.headers)
    location = headers.get("Location")
    if isinstance(location, str) and location.startswith("/") and not location.startswith("//"):
        headers["Location"] = prefix + location
    body = answer.body
    if "html" in answer.content_type or "xml" in answer.content_type:
        body = _ABSOLUTE_PATH.sub(rb"\1" + prefix.encode() + b"/", body)
    return replace(answer, body=body, headers=headers)
