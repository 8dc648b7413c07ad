"""The feed bridges (RSSHub, WeRSS/we-mp-rss) as parts of the deployment: each one is checked
once per crawl, before its accounts are read.

A bridge (``crawl.bridges`` in config.yaml: a name and the URL it serves under) owns every
account whose ``feed_url`` starts with its URL. One GET of the bridge's URL (+ ``check_path``)
tells whether it is up: an answer below HTTP 500 is (its home page, or a 404 for the bare
prefix); a refused or reset connection, a timeout, or 502/503/504 (the proxy in front of a
bridge that is not running) is not. A bridge that is down costs one operator alert and its
accounts one `error` outcome each naming the bridge, without a request sent to it: not one
failure per account, and not hundreds of timeouts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx

from core.config import Config
from core.items import BridgeCheck
from crawler.planning import CrawlJob

log = logging.getLogger(__name__)

DOWN_STATUSES = (502, 503, 504)


def bridge_of(url: str | None, bridges: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The (name, url) of the configured bridge serving this feed URL (the longest prefix)."""
    if not url:
        return None
    best = None
    for name, prefix in bridges:
        base = prefix.rstrip("/")
        if (url == base or url.startswith(base + "/") or url.startswith(base + "?")) and (
            best is None or len(base) > len(best[1])
        ):
            best = (name, base)
    return best


def check_bridges(config: Config, jobs: Sequence[CrawlJob]) -> list[BridgeCheck]:
    """Check each configured bridge that serves at least one of these accounts."""
    configured = [(b.name, b.url) for b in config.crawl.bridges]
    paths = {b.name: b.check_path for b in config.crawl.bridges}
    owned: dict[tuple[str, str], list[str]] = {}
    for job in jobs:
        bridge = bridge_of(job.feed_url, configured)
        if bridge is not None:
            owned.setdefault(bridge, []).append(job.account_id)
    checks = []
    with httpx.Client(headers={"User-Agent": config.crawl.user_agent}, follow_redirects=True) as client:
        for (name, base), account_ids in owned.items():
            url = base + (paths.get(name) or "/")
            timeout = max(config.platform("wechat").timeout_s, 5.0)
            try:
                response = client.get(url, timeout=timeout)
            except httpx.HTTPError as exc:
                checks.append(
                    BridgeCheck(
                        name,
                        base,
                        False,
                        f"{type(exc).__name__}: {exc or url}",
                        account_ids,
                        no_answer=isinstance(exc, httpx.TransportError),
                    )
                )
                continue
            if response.status_code in DOWN_STATUSES:
                checks.append(
                    BridgeCheck(name, base, False, f"HTTP {response.status_code} at {url}", account_ids)
                )
            else:
                checks.append(BridgeCheck(name, base, True, f"HTTP {response.status_code}", account_ids))
    for check in checks:
        if not check.up:
            log.warning("feed bridge %s (%s) is down: %s", check.name, check.url, check.detail)
    return checks
