"""Weibo through the mobile JSON API (m.weibo.cn), and the PC web API (weibo.com) as a second road.

Profile (when no recent snapshot) -> posts container, paged by since_id (or
page on older responses) until the first stored post, the backfill window or
the end; truncated posts get their long text. An empty first page is
cross-checked against the profile's post count before anyone calls the account
empty.

When m.weibo.cn refuses an account at its first request (a block, a login wall), the account
is read through weibo.com's ``/ajax/profile/info`` and ``/ajax/statuses/mymblog`` (paged by
``page``) into the same items, with the same stop rules; its comments wait for a night the
mobile road is open. When that road refuses too, its refusal is the outcome (naming both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from scrapy.http import Response

from core.items import LOGIN_REQUIRED, NOT_FOUND, PageProblem, PostBatch, PostItem
from core.platforms import declared
from crawler.parsers import weibo, weibo_pc
from crawler.planning import CrawlJob
from crawler.spiders.base import REFUSALS, AccountRun, AccountSpider, settles
from crawler.spiders.comments import CommentsMixin


def weibo_uid(job: CrawlJob) -> str | None:
    if job.handle and job.handle.isdigit():
        return job.handle
    return declared("weibo").handle_from(job.url)


class WeiboSpider(CommentsMixin, AccountSpider):
    name = "weibo"

    @classmethod
    def reads(cls, job: CrawlJob) -> bool:
        return weibo_uid(job) is not None

    @property
    def base_url(self) -> str:
        return (self.platform_options("weibo").get("base_url") or declared("weibo").base_url).rstrip("/")

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

    @property
    def web_base_url(self) -> str:
        return (self.platform_options("weibo").get("web_base_url") or weibo_pc.DEFAULT_BASE).rstrip("/")

    def mobile_refused(self, run: AccountRun, response: Response, read: Any) -> Any:
        """``read()`` the mobile answer; None when m.weibo.cn refused the account's first request
        and the second road is taken instead (its first request is in ``run.extra['pc_first']``)."""
        try:
            self.check(response, "json")
            return read()
        except PageProblem as problem:
            if problem.outcome not in REFUSALS or run.pages > 0 or run.extra.get("road") == "pc":
                raise
            run.extra["road"] = "pc"
            run.extra["mobile_problem"] = problem
            run.extra["mobile_url"] = response.url
            run.note = f"m.weibo.cn refused ({problem.detail}); read through weibo.com"
            if run.job.needs_profile or response.meta.get("then_list") is False:
                run.extra["pc_first"] = self.pc_profile_request(
                    run, then_list=bool(response.meta.get("then_list", True))
                )
            else:
                run.extra["pc_first"] = self.pc_page_request(run, 1)
            return None

    @settles
    def parse_profile(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        result = self.mobile_refused(
            run, response, lambda: weibo.parse_profile(run.job.account_id, run.extra["uid"], response.body)
        )
        if result is None:
            yield run.extra.pop("pc_first")
            return
        run.extra["containerid"] = result.containerid or run.extra["containerid"]
        run.profile_post_count = result.profile.post_count
        yield result.profile
        yield from self.after_profile(run, response, lambda: self.page_request(run))

    @staticmethod
    def after_profile(run: AccountRun, response: Response, list_request: Callable[[], Any]) -> Iterator[Any]:
        """After a profile (either road): the list when it is still to be read; otherwise a
        cross-check after an empty list: a profile that counts posts is a restricted view."""
        if response.meta.get("then_list"):
            yield list_request()
        elif run.profile_post_count:
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
        now = self.now()
        page = self.mobile_refused(
            run, response, lambda: weibo.parse_posts_page(run.job.account_id, response.body, now, self.tz)
        )
        if page is None:
            yield run.extra.pop("pc_first")
            return
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
            yield from self.recheck_requests(run)
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
            yield from self.recheck_requests(run)

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
            read = weibo.read_long_text(response.body)
        except PageProblem:
            read = None  # keep the listing's text; the account's outcome is not at stake
        if read:
            post.text = read[0]
            post.truncated = False
            post.links = tuple(dict.fromkeys(post.links + read[1]))
        yield post

    def long_text_failed(self, failure: Any) -> Iterator[Any]:
        run: AccountRun = failure.request.meta["run"]
        yield failure.request.meta["post"]
        yield from self.settle(run)

    def recheck_requests(self, run: AccountRun) -> Iterator[Any]:
        """Each known post an open privacy finding names that this read's listing did not show
        (planning.recheck_named), asked for on its own so that the unit's fix is seen."""
        if run.extra.get("recheck_started"):
            return
        run.extra["recheck_started"] = True
        for post_id in sorted(run.job.recheck_ids - set(run.seen_ids)):
            yield self.request(
                run,
                weibo.status_url(self.base_url, post_id),
                self.parse_recheck,
                errback=self.recheck_failed,
                headers=self.headers(run.extra["uid"]),
                follow_redirects=False,
            )

    @settles
    def parse_recheck(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        try:
            self.check(response, "json")
            post = weibo.parse_status(run.job.account_id, response.body, self.now(), self.tz)
        except PageProblem:
            return  # gone or refused: says nothing of the post here, and never the account's outcome
        yield post

    def recheck_failed(self, failure: Any) -> Iterator[Any]:
        yield from self.settle(failure.request.meta["run"])

    # --- the second road: weibo.com's PC web API ---

    def pc_headers(self, uid: str) -> dict[str, str]:
        headers = self.headers(uid)
        headers["Referer"] = f"{self.web_base_url}/u/{uid}"
        return headers

    def pc_profile_request(self, run: AccountRun, then_list: bool) -> Any:
        uid = run.extra["uid"]
        return self.request(
            run,
            weibo_pc.profile_url(self.web_base_url, uid),
            self.parse_pc_profile,
            headers=self.pc_headers(uid),
            follow_redirects=False,
            then_list=then_list,
        )

    def pc_page_request(self, run: AccountRun, page: int) -> Any:
        uid = run.extra["uid"]
        return self.request(
            run,
            weibo_pc.posts_url(self.web_base_url, uid, page),
            self.parse_pc_page,
            headers=self.pc_headers(uid),
            follow_redirects=False,
            page_no=page,
        )

    def pc_refused(self, run: AccountRun, problem: PageProblem) -> PageProblem:
        """The second road failed too. A refusal or a "no such user" there is the account's outcome
        (a login wall says more than the mobile road's block), naming the mobile road's refusal;
        any other failure (an error, a changed layout) leaves the mobile road's refusal."""
        mobile: PageProblem | None = run.extra.get("mobile_problem")
        if mobile is None:
            return problem
        if problem.outcome in (*REFUSALS, NOT_FOUND):
            problem.detail = f"{problem.detail}; m.weibo.cn refused first: {mobile.detail}"
            problem.retry_later = problem.retry_later or mobile.retry_later
            return problem
        mobile.detail = f"{mobile.detail}; weibo.com failed too: {problem.detail}"
        return mobile

    @settles
    def parse_pc_profile(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        try:
            self.check(response, "json")
            profile = weibo_pc.parse_profile_info(run.job.account_id, response.body)
        except PageProblem as problem:
            raise self.pc_refused(run, problem) from None
        run.profile_post_count = profile.post_count
        yield profile
        yield from self.after_profile(run, response, lambda: self.pc_page_request(run, 1))

    @settles
    def parse_pc_page(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        now = self.now()
        try:
            self.check(response, "json")
            page = weibo_pc.parse_mymblog(run.job.account_id, response.body, now, self.tz)
        except PageProblem as problem:
            raise self.pc_refused(run, problem) from None
        run.pages += 1
        run.last_url = response.url
        if not page.posts and run.pages == 1:
            if run.profile_post_count is None and not run.job.needs_profile:
                run.profile_post_count = run.job.profile_post_count
            if run.profile_post_count:
                raise PageProblem(
                    LOGIN_REQUIRED,
                    f"资料显示有 {run.profile_post_count} 条微博，但列表为空（未登录视图或受限）",
                )
            if run.profile_post_count is None:
                yield self.pc_profile_request(run, then_list=False)
            else:
                run.complete = True
            return
        self.check_dates(run, page.posts, response.status)
        stop = False
        batch = []
        for post in page.posts:
            keep, stop_here = self.keep_post(run, post, now)
            if keep:
                if self.needs_long_text(run, post) and post.post_id in page.mblogids:
                    yield self.pc_long_text_request(run, post, page.mblogids[post.post_id])
                else:
                    batch.append(post)
            stop = stop or stop_here
        if batch:
            yield PostBatch(batch)
        if self.blind(page.posts):
            return
        if stop or not page.posts:
            run.complete = True  # the first stored post, or the end of the list
        elif run.pages >= self.max_pages:
            run.note = f"{run.note}; stopped after {run.pages} pages (crawl.max_pages)"
            run.complete = True
        else:
            yield self.pc_page_request(run, (response.meta.get("page_no") or 1) + 1)

    def pc_long_text_request(self, run: AccountRun, post: PostItem, mblogid: str) -> Any:
        return self.request(
            run,
            weibo_pc.long_text_url(self.web_base_url, mblogid),
            self.parse_long_text,
            errback=self.long_text_failed,
            headers=self.pc_headers(run.extra["uid"]),
            follow_redirects=False,
            post=post,
        )
