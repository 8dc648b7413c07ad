"""Government website columns: a column's list page, paged (index_1.html..., or POSTs to a
Hanweb column's dataproxy.jsp) while its items are new; an item without a date on the list
gets it from its article page (meta, the date shown in the text, else its address).

A later list page that fails after readable ones (a broken 下一页 link, a 404 on page 2) is
a partial read: what was read is kept, the outcome stays ok and its detail says so. A 404
ends the list there (a broken link stays broken: the next night costs one request again);
any other failure leaves the read incomplete, to be read again from the top next night.

The article page of every new item is read for its body, so the content checks see
more than the title (``platforms.website.fetch_articles``, default true; a column
without dates reads them anyway, for the date). Known items are not fetched again:
a night with nothing new costs the one list page. Where the list has a date it stays
the post's date. An article page that cannot be read (not found, an error page, a
network failure) keeps the post with the list's title and date, and the run says so;
its page is asked for again by the crawls of the next week that list it
(planning.unread_articles). A block or login wall on it is the account's outcome and the
post is left for the next crawl (as WeChat articles are), so its body is read once the
block is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import Response
from twisted.python.failure import Failure

from core.items import NOT_FOUND, PARSE_ERROR, PageProblem, PostItem
from crawler.parsers import website
from crawler.planning import CrawlJob
from crawler.spiders.base import REFUSALS, AccountRun, AccountSpider, network_problem, refused, settles


class WebsiteSpider(AccountSpider):
    name = "website"
    listing = "list title and date"

    @classmethod
    def reads(cls, job: CrawlJob) -> bool:
        return bool(job.url)

    @property
    def fetch_articles(self) -> bool:
        return bool(self.platform_options("website").get("fetch_articles", True))

    def first_requests(self, run: AccountRun) -> Iterator[Any]:
        yield self.list_request(run, run.job.url)

    def list_request(self, run: AccountRun, url: str, form: dict[str, str] | None = None) -> Any:
        """A column page; a POST of ``form`` for a Hanweb dataproxy.jsp page."""
        headers = self.html_headers()
        if form is None:
            return self.request(run, url, self.parse_list, errback=self.list_failed, headers=headers)
        headers.update(
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "X-Requested-With": "XMLHttpRequest",
                "Referer": run.job.url or url,
            }
        )
        return self.request(
            run,
            url,
            self.parse_list,
            errback=self.list_failed,
            headers=headers,
            method="POST",
            body=urlencode(form),
            form=form,
        )

    @staticmethod
    def partial(run: AccountRun, reason: str, url: str, outcome: str | None = None) -> None:
        """A later list page failed after readable ones: what they gave stands (the account is
        not unreachable for a broken 下一页 link) and the outcome's detail says so. A page that
        is not there (404/410) is a broken link, not a passing failure: the list ends where the
        read ended, as if it had no further page. Any other failure leaves the read incomplete,
        so the next night reads the column again from the top (planning.resume_after_incomplete)."""
        run.complete = outcome == NOT_FOUND
        run.extra["partial"] = (
            f"部分读取：第 {run.pages + 1} 页无法读取（{reason}），已保留前 {run.pages} 页的 "
            f"{run.posts_seen} 条 / partial read: page {run.pages + 1} failed ({url}), "
            f"kept what the first {run.pages} page(s) gave"
        )
        run.last_url = url

    @settles
    def parse_list(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        now = self.now()
        try:
            self.check(response, "html")
            page = website.parse_column(
                response.url,
                response.body,
                now,
                self.tz,
                selectors=run.job.selectors,
                status=response.status,
                form=response.meta.get("form"),
            )
        except PageProblem as problem:
            if run.pages == 0 or problem.outcome in REFUSALS:
                raise
            self.partial(run, problem.detail, response.url, problem.outcome)
            return
        except Exception as exc:  # a later page lxml cannot read: the earlier pages still stand
            if run.pages == 0:
                raise
            self.partial(run, f"{type(exc).__name__}: {exc}", response.url)
            return
        run.pages += 1
        run.last_url = response.url
        stop = False
        read_articles = self.fetch_articles
        past_known = False  # items listed after a stored one are older: stored, or past the window
        for item in page.items:
            post = website.column_post(run.job.account_id, item)
            known = post.post_id in run.job.known_ids or past_known
            past_known = past_known or post.post_id in run.job.known_ids
            if post.published_at is None and known and post.post_id not in run.job.known_ids:
                self.keep_post(run, post, now)  # seen again (not deleted); its page is not asked for
                continue
            if post.published_at is None and not known:
                # The list shows no date: the article page decides (its meta, its text, else
                # the day its address carries).
                yield self.request(
                    run,
                    post.url,
                    self.parse_article,
                    headers=self.html_headers(),
                    post=post,
                    fallback=item.url_date,
                )
                continue
            keep, stop_here = self.keep_post(run, post, now)
            stop = stop or stop_here
            if not keep:
                continue
            if read_articles and _web(post.url) and (not known or post.post_id in run.job.unread_ids):
                # A new item's body; or a stored item's, kept with the list's data when its
                # article page failed (planning.unread_articles).
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
            yield self.list_request(run, page.next_url, page.next_form)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        """A list page not fetched at all: the account's outcome on its first page; after
        readable pages, a partial read."""
        run: AccountRun = failure.request.meta["run"]
        if run.pages == 0 or refused(run):
            yield from self.chain_failed(failure)
            return
        self.partial(run, network_problem(failure).detail, failure.request.url)
        yield from self.settle(run)

    @settles
    def parse_article(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        post: PostItem = response.meta["post"]
        fallback = response.meta.get("fallback")
        # A failed article page raises (the account's outcome; the post is left for the
        # next night): an undated post is never stored as if it had no date. Its address's
        # date, when it has one, is a date: the post is kept with it.
        try:
            page = website.read_article_page(
                response.url, response.body, self.now(), self.tz, status=response.status
            )
        except PageProblem as problem:
            if fallback is None or problem.outcome in REFUSALS:
                raise
            run.note = (
                f"article page unreadable ({problem.detail}); the date in its address kept for {post.url}"
            )
            post.published_at, post.truncated = fallback, True
            keep, _ = self.keep_post(run, post, self.now())
            if keep:
                yield post
            return
        published = page.published or fallback
        if published is None:
            raise PageProblem(
                PARSE_ERROR,
                f"no publish date on the article page (meta, text or address) and none on the list: {response.url}",
            )
        post.published_at = published
        post.title = page.title or post.title
        post.source = page.source or post.source
        if page.text:
            post.text = page.text
        post.links = page.links
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
            lambda: website.read_article_page(
                response.url, response.body, self.now(), self.tz, status=response.status
            ),
            keep_on=(Exception,),  # a page lxml cannot read: the list's data is still true
        )
        if page is not None:
            post.title = page.title or post.title
            post.source = page.source or post.source
            post.links = page.links
            if page.text:
                post.text = page.text
            else:
                run.note = f"no article body found on {response.url}; list title kept"
        yield post


# A column item that links straight to a file (a notice published as a PDF): the list's title
# is all there is to read; the file is not an article page.
_ATTACHMENTS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".wps",
    ".et",
    ".ofd",
    ".zip",
    ".rar",
    ".7z",
    ".txt",
)


def _web(url: str | None) -> bool:
    if not url or not url.startswith(("http://", "https://")):
        return False
    return not urlsplit(url).path.lower().endswith(_ATTACHMENTS)
