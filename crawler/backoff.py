"""Back-off that finishes the night: a platform that rate-limits or asks for verification is
slowed down, and the accounts it refused are read again later in the same crawl.

Per platform, the download slot's delay grows on each refusal (HTTP 418/429/432, Bilibili -352,
WeChat 200013, a captcha or verification page: ``PageProblem.retry_later``) — to ``initial_s``,
then doubling, never above ``cap_s`` — and recovers (halves, back to the configured
``delay_s``) after ``recover_after`` answers in a row that were not refusals. A refused account
is put back: its chain starts again after a wait that doubles with each attempt (``initial_s``,
``2 × initial_s`` … up to ``cap_s``), as long as the crawl's ``budget_s`` (from the start of
the crawl) leaves room for the wait. Only then is it recorded `blocked`.

How long each platform was slowed goes into the crawl's stats (``SLOWED_PREFIX`` + platform, in
seconds) and from there into the crawl summary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

SLOWED_PREFIX = "govwatch/slowed_s/"
RETRIED_PREFIX = "govwatch/retried/"
DEFAULTS = {"enabled": True, "budget_s": 1800.0, "initial_s": 10.0, "cap_s": 120.0, "recover_after": 5}


@dataclass
class Pace:
    """One platform's pace in this crawl."""

    base: float  # the configured delay_s
    delay: float
    ok_streak: int = 0
    slowed_since: float | None = None
    slowed_total: float = 0.0


class Backoff:
    """The back-off of one crawler's platforms (see the module docstring)."""

    def __init__(self, crawler: Crawler, options: dict[str, Any]) -> None:
        self.crawler = crawler
        settings = {**DEFAULTS, **(options.get("backoff") or {})}
        self.enabled = bool(settings["enabled"])
        self.budget_s = float(settings["budget_s"])
        self.initial_s = float(settings["initial_s"])
        self.cap_s = float(settings["cap_s"])
        self.recover_after = int(settings["recover_after"])
        self.platform_delays = {
            name: float(p.get("delay_s", 1.0)) for name, p in (options.get("platforms") or {}).items()
        }
        self.started = time.monotonic()
        self.paces: dict[str, Pace] = {}

    def pace(self, platform: str) -> Pace:
        pace = self.paces.get(platform)
        if pace is None:
            base = self.platform_delays.get(platform, 1.0)
            pace = self.paces[platform] = Pace(base=base, delay=base)
        return pace

    # --- the platform's answers ---

    def refused(self, platform: str) -> None:
        """A rate limit or a verification page: slow the platform down."""
        if not self.enabled:
            return
        pace = self.pace(platform)
        pace.ok_streak = 0
        grown = min(self.cap_s, max(self.initial_s, pace.delay * 2))
        if grown > pace.delay:
            if pace.slowed_since is None:
                pace.slowed_since = time.monotonic()
                log.warning("%s: rate limited, slowing down to %.1f s between requests", platform, grown)
            pace.delay = grown
            self._apply(platform, pace)

    def answered(self, platform: str) -> None:
        """An answer that was not a refusal: after enough of them, speed up again."""
        pace = self.paces.get(platform)
        if pace is None or pace.slowed_since is None:
            return
        pace.ok_streak += 1
        if pace.ok_streak < self.recover_after:
            return
        pace.ok_streak = 0
        pace.delay = max(pace.base, pace.delay / 2)
        if pace.delay <= pace.base:
            pace.slowed_total += time.monotonic() - pace.slowed_since
            pace.slowed_since = None
        self._apply(platform, pace)

    def _apply(self, platform: str, pace: Pace) -> None:
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(platform) if engine is not None else None
        if slot is not None:
            slot.delay = pace.delay

    # --- the refused accounts ---

    def wait_for(self, platform: str, attempt: int) -> float | None:
        """How long before a refused account's next attempt (``attempt`` ≥ 1 refusals so far),
        or None when the budget has no room for it."""
        if not self.enabled:
            return None
        wait = min(self.cap_s, self.initial_s * 2 ** (attempt - 1))
        if time.monotonic() - self.started + wait > self.budget_s:
            return None
        self.crawler.stats.inc_value(RETRIED_PREFIX + platform)
        return wait

    def close(self) -> None:
        """Record how long each platform was slowed (stats, for the crawl summary)."""
        now = time.monotonic()
        for platform, pace in self.paces.items():
            total = pace.slowed_total + (now - pace.slowed_since if pace.slowed_since is not None else 0.0)
            if total > 0:
                self.crawler.stats.set_value(SLOWED_PREFIX + platform, round(total, 1))
