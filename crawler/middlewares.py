"""Downloader middlewares."""

from __future__ import annotations

from collections import Counter

from scrapy.crawler import Crawler


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
