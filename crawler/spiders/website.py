"""Government website columns: a column's list page, paged (index_1.html...) while
its items are new; an item without a date on the list gets it from its article
page's PubDate meta.

The article page of every new item is read for its body, so the content checks see
more than the title (``platforms.website.fetch_articles``, default true; a column
without dates reads them anyway, for the date). Known items are not fetched again:
a night with nothing new costs the one list page. Where the list has a date it stays
the post's date. An article page that cannot be read (not found, an error page, a
network failure) keeps the post with the list's title and date, and the run says so;
its page is asked for again by the crawls of the next week that list it
(repo.unread_articles). A block or login wall on it is the account's outcome and the
post is left for the next crawl (as WeChat articles are), so its body is read once the
block is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.parsers import website
from crawler.spiders.base import AccountRun, AccountSpider, settles
from govwatch.items import PARSE_ERROR, PageProblem, PostItem
from storage.repo import CrawlJob


class WebsiteSpider(AccountSpider):
    name = "website"
    platforms = ("website",)
    listing = "list title and date"

    @classmethod
    def wants(cls, job: CrawlJob) -> bool:
        return job.platform == "website" and job.kind != "service" and bool(job.url)

    @property
    def fetch_articles(self) -> bool:
        return bool(self.platform_options("website").get("fetch_articles", True))

    def first_requests(self, run: AccountRun) -> Iterator[Any]:
        yield self.request(run, run.job.url, self.parse_list, headers=self.html_headers())

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
        read_articles = self.fetch_articles
        for item in page.items:
            post = website.column_post(run.job.account_id, item)
            known = post.post_id in run.job.known_ids
            if post.published_at is None and not known:
                # The list has no date: the article page's PubDate decides.
                yield self.request(run, post.url, self.parse_article, headers=self.html_headers(), post=post)
                continue
            keep, stop_here = self.keep_post(run, post, now)
            stop = stop or stop_here
            if not keep:
                continue
            if read_articles and _web(post.url) and (not known or post.post_id in run.job.unread_ids):
                # A new item's body; or a stored item's, kept with the list's data when its
                # article page failed (repo.unread_articles).
                yield from self.article_request(run, post, self.parse_listed_article, self.html_headers())
            elif known and (read_articles or post.published_at is None):
                # The list shows a stored article's title only: seen again (its date, not
                # deleted), but its stored body stays (a truncated item without text never
                # overwrites the stored text, storage/repo.py upsert_posts).
                post.text, post.truncated = "", True
                yield post
            else:
                yield post
        if stop or not page.next_url:
            run.complete = True
        elif run.pages >= self.max_pages:
            run.note = f"stopped after {run.pages} pages (crawl.max_pages)"
        else:
            yield self.request(run, page.next_url, self.parse_list, headers=self.html_headers())

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

    @settles
    def parse_listed_article(self, response: Response) -> Iterator[Any]:
        """The body of a new item whose date the list gave (the list's date stays)."""
        run: AccountRun = response.meta["run"]
        post: PostItem = response.meta["listed"]
        page = self.read_article(
            run,
            response,
            lambda: website.parse_article_page(
                response.url, response.body, self.now(), self.tz, status=response.status
            ),
            keep_on=(Exception,),  # a page lxml cannot read: the list's data is still true
        )
        if page is not None:
            _, title, text = page
            post.title = title or post.title
            if text:
                post.text = text
            else:
                run.note = f"no article body found on {response.url}; list title kept"
        yield post


def _web(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://"))  # type: ignore[union-attr]
