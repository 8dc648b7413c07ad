"""Downloader middlewares."""

from __future__ import annotations

from collections import Counter

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.spiders.base import refused


class AccountRequestCounter:
    """Counts requests that reach the network per account (retries included).

    The counts go into each account's crawl outcome, so "requests per account"
    on an unchanged night is a stored, checkable figure.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AccountRequestCounter:
        counter = cls()
        crawler.request_counts = counter.counts  # read by the pipeline
        return counter

    def process_request(self, request, spider=None):  # noqa: ANN001, ANN201
        account_id = request.meta.get("account_id")
        if account_id:
            self.counts[account_id] += 1
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
