"""Weibo through the mobile JSON API (m.weibo.cn).

Profile (when no recent snapshot) -> posts container, paged by since_id (or
page on older responses) until the first stored post, the backfill window or
the end; truncated posts get their long text. An empty first page is
cross-checked against the profile's post count before anyone calls the account
empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.parsers import weibo
from crawler.spiders.base import AccountRun, AccountSpider, settles
from crawler.spiders.comments import CommentsMixin
from govwatch.items import LOGIN_REQUIRED, PageProblem, PostBatch, PostItem
from storage.repo import CrawlJob

UID_IN_URL = re.compile(r"weibo\.(?:cn|com)/(?:u/|profile/)?(\d{5,})")


def weibo_uid(job: CrawlJob) -> str | None:
    if job.handle and job.handle.isdigit():
        return job.handle
    match = UID_IN_URL.search(job.url or "")
    return match.group(1) if match else None


class WeiboSpider(CommentsMixin, AccountSpider):
    name = "weibo"
    platforms = ("weibo",)

    @classmethod
    def wants(cls, job: CrawlJob) -> bool:
        return job.platform == "weibo" and weibo_uid(job) is not None

    @property
    def base_url(self) -> str:
        return (self.platform_options("weibo").get("base_url") or "https://m.weibo.cn").rstrip("/")

    def headers(self, uid: str) -> dict[str, str]:
        return {
            "Accept": "application/json, text/plain, */*",
            "MWeibo-Pwa": "1",
            "X-Requested-With": "XMLHttpRequest",
            "Referer": f"{self.base_url}/u/{uid}",
        }

    def first_requests(self, run: AccountRun) -> Iterator[Any]:
        uid = weibo_uid(run.job)
        run.extra["uid"] = uid
        run.extra["containerid"] = f"107603{uid}"
        if run.job.needs_profile:
            yield self.profile_request(run, then_list=True)
        else:
            yield self.page_request(run)

    def profile_request(self, run: AccountRun, then_list: bool) -> Any:
        uid = run.extra["uid"]
        return self.request(
            run,
            weibo.profile_url(self.base_url, uid),
            self.parse_profile,
            headers=self.headers(uid),
            follow_redirects=False,
            then_list=then_list,
        )

    def page_request(self, run: AccountRun, since_id: str | None = None, page: int | None = None) -> Any:
        uid = run.extra["uid"]
        url = weibo.posts_url(self.base_url, run.extra["containerid"], since_id=since_id, page=page)
        return self.request(
            run, url, self.parse_page, headers=self.headers(uid), follow_redirects=False, page_no=page
        )

    @settles
    def parse_profile(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        self.check(response, "json")
        result = weibo.parse_profile(run.job.account_id, run.extra["uid"], response.body)
        run.extra["containerid"] = result.containerid or run.extra["containerid"]
        run.profile_post_count = result.profile.post_count
        yield result.profile
        if response.meta.get("then_list"):
            yield self.page_request(run)
        elif run.profile_post_count:
            # Cross-check after an empty list: the profile says there are posts.
            run.problem = PageProblem(
                LOGIN_REQUIRED,
                f"资料显示有 {run.profile_post_count} 条微博，但列表为空（未登录视图或受限）",
                response.status,
            )
        else:
            run.complete = True

    @settles
    def parse_page(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        self.check(response, "json")
        now = self.now()
        page = weibo.parse_posts_page(run.job.account_id, response.body, now, self.tz)
        run.pages += 1
        run.last_url = response.url
        if not page.posts and run.pages == 1:
            yield from self.empty_first_page(run)
            return
        self.check_dates(run, page.posts, response.status)
        stop = False
        batch = []
        for post in page.posts:
            keep, stop_here = self.keep_post(run, post, now)
            if keep:
                self.note_comment_candidate(run, post, now)
                if self.needs_long_text(run, post):
                    yield self.long_text_request(run, post)
                else:
                    batch.append(post)
            stop = stop or stop_here
        if batch:
            yield PostBatch(batch)
        if self.blind(page.posts):
            return  # check_dates made the read a parse_error; the next night reads again
        if stop:
            run.complete = True
            yield from self.comment_requests(run)
            return
        next_page = (response.meta.get("page_no") or 1) + 1 if page.page else None
        if not page.posts:
            # ok:1 and no cards after a page that promised more: not the end we can trust.
            run.note = f"page {run.pages} was empty after a page with a next cursor"
        elif not (page.since_id or next_page):
            run.complete = True  # the end of the account's list
        elif run.pages >= self.max_pages:
            run.note = f"stopped after {run.pages} pages (crawl.max_pages)"
            run.complete = True  # as far as it was meant to read: the next night resumes above it
        else:
            yield self.page_request(run, since_id=page.since_id, page=None if page.since_id else next_page)
        if run.complete:
            yield from self.comment_requests(run)

    def empty_first_page(self, run: AccountRun) -> Iterator[Any]:
        if run.profile_post_count is None and not run.job.needs_profile:
            run.profile_post_count = run.job.profile_post_count  # this week's snapshot
        if run.profile_post_count:
            raise PageProblem(
                LOGIN_REQUIRED,
                f"资料显示有 {run.profile_post_count} 条微博，但列表为空（未登录视图或受限）",
            )
        if run.profile_post_count is None:
            yield self.profile_request(run, then_list=False)  # cross-check before calling it empty
        else:
            run.complete = True

    def needs_long_text(self, run: AccountRun, post: PostItem) -> bool:
        return (
            post.truncated
            and post.post_id not in run.job.known_ids
            and bool(self.options.get("fetch_long_text", True))
        )

    def long_text_request(self, run: AccountRun, post: PostItem) -> Any:
        """The post is stored when its long text arrives (or fails to)."""
        return self.request(
            run,
            weibo.long_text_url(self.base_url, post.post_id),
            self.parse_long_text,
            errback=self.long_text_failed,
            headers=self.headers(run.extra["uid"]),
            follow_redirects=False,
            post=post,
        )

    @settles
    def parse_long_text(self, response: Response) -> Iterator[Any]:
        post: PostItem = response.meta["post"]
        try:
            self.check(response, "json")
            text = weibo.parse_long_text(response.body)
        except PageProblem:
            text = None  # keep the listing's text; the account's outcome is not at stake
        if text:
            post.text = text
            post.truncated = False
        yield post

    def long_text_failed(self, failure: Any) -> Iterator[Any]:
        run: AccountRun = failure.request.meta["run"]
        yield failure.request.meta["post"]
        yield from self.settle(run)
