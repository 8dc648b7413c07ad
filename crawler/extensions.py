"""A progress bar for crawls started on a terminal."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from core.items import OutcomeItem


class Progress:
    """Advances a shared rich progress task once per account outcome.

    The runner puts a callable in the setting GOVWATCH_PROGRESS; without one
    (cron, tests, Scrapyd) this does nothing.
    """

    def __init__(self, advance) -> None:  # noqa: ANN001
        self.advance = advance

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler.settings.get("GOVWATCH_PROGRESS"))
        if ext.advance is not None:
            crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item, response=None, spider=None) -> None:  # noqa: ANN001
        if isinstance(item, OutcomeItem):
            self.advance(item)
