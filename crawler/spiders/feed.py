"""RSS 2.0 and Atom feeds, for any platform read through a feed bridge
(RSSHub and the like): one account per feed URL, one request per account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from core.items import PostBatch
from crawler.parsers import feed
from crawler.planning import CrawlJob
from crawler.spiders.base import AccountRun, AccountSpider, settles
from crawler.spiders.weibo import weibo_uid


class FeedSpider(AccountSpider):
    name = "feed"

    @classmethod
    def reads(cls, job: CrawlJob) -> bool:
        if job.platform == "weibo":  # with a uid, the API reads it; with only a feed, we do
            return bool(job.feed_url) and weibo_uid(job) is None
        # An `rss` account's url is its feed; other platforms need a bridge's feed_url.
        return bool(job.feed_url or (job.platform == "rss" and job.url))

    def first_requests(self, run: AccountRun) -> Iterator[Any]:
        url = run.job.feed_url or run.job.url
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
        yield self.request(run, url, self.parse_feed, headers=headers)

    @settles
    def parse_feed(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        run.last_url = response.url
        self.check(response, "feed")
        result = feed.parse_feed(run.job.account_id, response.url, response.body, platform=run.job.platform)
        run.pages = 1
        self.check_dates(run, result.posts, response.status)
        now = self.now()
        newest_first = sorted(
            result.posts, key=lambda p: (p.published_at is not None, p.published_at or now), reverse=True
        )
        batch = [post for post in newest_first if self.keep_post(run, post, now)[0]]
        if batch:
            yield PostBatch(batch)
        run.complete = True
