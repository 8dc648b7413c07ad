"""WeChat official accounts: the bridge's feed lists the articles, each new
article's page says when it was published (``var ct``) and what it is.

Known articles are not fetched again and not re-yielded (the feed's description
and pubDate would overwrite what the article page said), except one whose page failed
and was stored with the feed's data: it is asked for again for a week
(planning.unread_articles). A deleted article
stores the post as deleted; a verification page (环境异常, captcha, ret 200013)
makes the account's outcome ``blocked``, and the article is left for the next
crawl rather than stored with the bridge's late date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from core.items import DeletionItem, PostItem
from crawler.parsers import feed, wechat
from crawler.planning import CrawlJob
from crawler.spiders.base import AccountRun, settles
from crawler.spiders.feed import FeedSpider


class WechatSpider(FeedSpider):
    name = "wechat"
    listing = "feed data"

    @classmethod
    def reads(cls, job: CrawlJob) -> bool:
        return bool(job.feed_url)

    @settles
    def parse_feed(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        run.last_url = response.url
        self.check(response, "feed")
        result = feed.parse_feed(run.job.account_id, response.url, response.body, platform="wechat")
        run.pages = 1
        now = self.now()
        newest_first = sorted(
            result.posts, key=lambda p: (p.published_at is not None, p.published_at or now), reverse=True
        )
        for post in newest_first:
            keep, _ = self.keep_post(run, post, now)
            known = post.post_id in run.job.known_ids
            if not keep or (known and post.post_id not in run.job.unread_ids):
                continue  # a known post is read again only if its article page failed
            if post.url and post.url.startswith(("http://", "https://")):
                yield from self.article_request(run, post, self.parse_article, self.html_headers())
            else:
                yield post
        run.complete = True

    @settles
    def parse_article(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        feed_post: PostItem = response.meta["listed"]
        article = self.read_article(
            run,
            response,
            lambda: wechat.parse_article(
                run.job.account_id,
                feed_post.post_id,
                feed_post.url or response.url,
                response.body,
                response.status,
            ),
        )
        if article is None:  # a page we cannot read: what the feed said is kept, and the run says so
            yield feed_post
            return
        if article.deleted:
            feed_post.text = feed_post.text or ""
            yield feed_post
            yield DeletionItem(run.job.account_id, feed_post.post_id, article.deleted_reason)
            return
        post = article.post
        assert post is not None
        post.published_at = post.published_at or feed_post.published_at
        post.title = post.title or feed_post.title
        if not post.text:
            post.text = feed_post.text
        self.check_dates(run, [post], response.status)
        yield post
