"""A feed bridge that is down: the proxy in front of it answers 502 for everything under it.

down = BridgeDown().install(sandbox)     # every /rsshub/ request: nginx's 502 page
down.enabled = False                     # the bridge is back
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.http import HTML, Request, Response
from sandbox.server import Sandbox

BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class BridgeDown:
    prefix: str = "/rsshub"
    enabled: bool = True
    answered: int = 0

    def install(self, sandbox: Sandbox) -> BridgeDown:
        sandbox.hooks.insert(0, self.hook)
        return self

    def hook(self, request: Request) -> Response | None:
        if not self.enabled or not (
            request.path == self.prefix or request.path.startswith(self.prefix + "/")
        ):
            return None
        self.answered += 1
        return Response(502, BAD_GATEWAY, HTML)
