"""The sandbox's HTTP vocabulary: a request as the server hands it to a route, the response a
route returns, and the router that picks the route. The server (sandbox/server.py) and every
module of routes (login.py, weibo_pc.py, faults.py ...) build on it."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

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
    host: (
        str  # what an absolute link back to this sandbox puts after http:// (sandbox/hub.py adds its prefix)
    )


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


def make_handler(
    answer: Callable[[Request], Response], default_host: Callable[[], str]
) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class serving ``answer(request)``; ``default_host`` when a client sends no Host."""

    class SandboxHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes
        server_version = "nginx"
        sys_version = ""

        def _serve(self, method: str, send_body: bool = True) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=method,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_path=self.path,
                host=self.headers.get("Host") or default_host(),
            )
            try:
                response = answer(request)
            except Exception as exc:  # a bug in the sandbox: say so, keep serving
                response = Response(500, f"sandbox error: {exc!r}".encode(), "text/plain; charset=utf-8")
            if response.reset:  # a connection reset: RST, no status line
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    for one in value if isinstance(value, list) else [value]:
                        self.send_header(name, one)
                self.end_headers()
                if send_body and response.body:
                    self.wfile.write(response.body)
            except ConnectionError:  # the client gave up (a timeout during a stall): nothing to say
                self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve("GET", send_body=False)

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return SandboxHandler


class LoopbackServer:
    """A threaded HTTP server that answers with ``handle(request)``, started and stopped with the
    object (``with``), on a free port when ``port`` is 0. The sandbox and the hub are two."""

    thread_name = "sandbox-http"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def before_start(self) -> None:
        """What must be ready before the first request (nothing by default)."""

    def host_header(self) -> str:
        """The Host a request without one is taken to name."""
        return f"{self.host}:{self.port}"

    def start(self) -> Self:
        if self._httpd:
            return self
        self.before_start()
        httpd = ThreadingHTTPServer((self.host, self.port), make_handler(self.handle, self.host_header))
        httpd.daemon_threads = True
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
