"""Government website columns: a column's list page, paged (index_1.html...) while
its items are new; an item without a date on the list gets it from its article
page's PubDate meta."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.parsers import website
from crawler.spiders.base import AccountRun, AccountSpider, settles
from govwatch.items import PARSE_ERROR, PageProblem
from storage.repo import CrawlJob


class WebsiteSpider(AccountSpider):
    name = "website"
    platforms = ("website",)

    @classmethod
    def wants(cls, job: CrawlJob) -> bool:
        return job.platform == "website" and job.kind != "service" and bool(job.url)

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        cookie = self.cookie("website")
        if cookie:
            headers["Cookie"] = cookie
        return headers

    def first_requests(self, run: AccountRun) -> Iterator[Any]:
        yield self.request(run, run.job.url, self.parse_list, headers=self.headers())

    @settles
    def parse_list(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]

        self.check(response, "html")
        now = self.now()
        page = website.parse_column(
            response.url, response.body, now, self.tz, selectors=run.job.selectors, status=response.status
        )
        run.pages += 1
        run.last_url = response.url
        stop = False
        for item in page.items:
            post = website.column_post(run.job.account_id, item)
            if post.published_at is None and post.post_id not in run.job.known_ids:
                # The list has no date: the article page's PubDate decides.
                yield self.request(run, post.url, self.parse_article, headers=self.headers(), post=post)
                continue
            keep, stop_here = self.keep_post(run, post, now)
            if keep:
                yield post
            stop = stop or stop_here
        if stop or not page.next_url:
            run.complete = True
        elif run.pages >= self.max_pages:
            run.note = f"stopped after {run.pages} pages (crawl.max_pages)"
        else:
            yield self.request(run, page.next_url, self.parse_list, headers=self.headers())

    @settles
    def parse_article(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        post = response.meta["post"]
        # A failed article page raises (the account's outcome; the post is left for the
        # next night): an undated post is never stored as if it had no date.
        published, title, text = website.parse_article_page(
            response.url, response.body, self.now(), self.tz, status=response.status
        )
        if published is None:
            raise PageProblem(
                PARSE_ERROR, f"no PubDate on the article page and none on the list: {response.url}"
            )
        post.published_at = published
        post.title = title or post.title
        if text:
            post.text = text
        keep, _ = self.keep_post(run, post, self.now())
        if keep:
            yield post
