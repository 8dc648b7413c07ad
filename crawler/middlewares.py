"""Downloader middlewares."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

from crawler.spiders.base import refused

REQUESTS_PREFIX = "govwatch/requests/"  # + account id: requests sent for it, in the crawl's stats


class AccountRequestCounter:
    """Counts requests that reach the network per account (retries included), in the crawl's
    stats (``REQUESTS_PREFIX`` + account id).

    The counts go into each account's crawl outcome (the pipeline reads them when it stores the
    outcome, which a spider emits once the account's requests are settled), so "requests per
    account" on an unchanged night is a stored, checkable figure.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AccountRequestCounter:
        return cls(crawler.stats)

    def process_request(self, request, spider=None):  # noqa: ANN001, ANN201
        account_id = request.meta.get("account_id")
        if account_id:
            self.stats.inc_value(REQUESTS_PREFIX + account_id)
        return None


class SkipRefusedAccounts:
    """Once a platform has answered an account's read with a block or a login wall, the account's
    requests still queued (its other article pages, say) are not sent: asking a platform that is
    already refusing us only deepens the block, and the account's outcome is known. They end in
    their errback (IgnoreRequest), which settles them without storing anything they would have
    fetched (AccountSpider.article_failed). Article pages are also paced per account
    (AccountSpider.article_request), so few of them are ever queued."""

    def process_request(self, request, spider=None):  # noqa: ANN001, ANN201
        run = request.meta.get("run")
        if run is not None and refused(run):
            raise IgnoreRequest(f"account already {run.problem.outcome}: {run.problem.detail}")
        return None
