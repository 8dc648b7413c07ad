"""The sandbox's HTTP vocabulary: a request as the server hands it to a route, the response a
route returns, and the router that picks the route. The server (sandbox/server.py) and every
module of routes (login.py, weibo_pc.py, faults.py ...) build on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox import weibo

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
XML_TYPE = "text/xml; charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_path: str  # path and query as sent
    host: str  # what an absolute link back to this sandbox puts after http:// (sandbox/hub.py adds its prefix)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str | list[str]] = field(default_factory=dict)  # a list: one header per value
    account_id: str | None = None  # for the counters
    reset: bool = False  # close the connection without answering (sandbox/faults.py)


Handler = Callable[[Request], Response]
Hook = Callable[[Request], Response | None]


class Router:
    """Exact-path routes first, then the longest matching prefix."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], Handler] = {}
        self._prefix: list[tuple[str, str, Handler]] = []

    def add(self, method: str, path: str, handler: Handler, *, prefix: bool = False) -> None:
        if prefix:
            self._prefix.append((method, path, handler))
            self._prefix.sort(key=lambda r: len(r[1]), reverse=True)
        else:
            self._exact[(method, path)] = handler

    def resolve(self, method: str, path: str) -> Handler | None:
        handler = self._exact.get((method, path))
        if handler:
            return handler
        for m, p, h in self._prefix:
            if m == method and path.startswith(p):
                return h
        return None


def json_response(data: Any, status: int = 200, account_id: str | None = None) -> Response:
    return Response(status, weibo.dumps(data), JSON, account_id=account_id)
