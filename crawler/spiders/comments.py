"""Public comments of an account's recent posts, within a budget (crawl.comments).

Mixed into a platform spider (Weibo first). Candidates are the newest posts this
crawl listed (crawl.comments.max_posts_per_account), recent enough, with comments;
of those, the ones whose comment count differs from the count at which their
comments were last read to the end are read (a new comment or a new reply
changes it): an unchanged night costs no comment requests. That count is stored
only after the post's last comment page is (CommentsRead): a crawl stopped in
between, or a comment page that failed, leaves the post to be read again. A
comment page that fails is noted, never the account's outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from scrapy.http import Response

from core.items import CommentsRead, PageProblem, PostItem
from crawler.parsers import weibo_comments
from crawler.spiders.base import AccountRun


class CommentsMixin:
    def comment_options(self) -> dict[str, Any]:
        return dict(self.options.get("comments", {}))  # type: ignore[attr-defined]

    def note_comment_candidate(self, run: AccountRun, post: PostItem, now: datetime) -> None:
        opts = self.comment_options()
        if not opts.get("enabled", True) or post.is_pinned or not post.comments:
            return
        if post.published_at is None or post.published_at < now - timedelta(
            days=int(opts.get("recent_days", 30))
        ):
            return
        run.extra.setdefault("comment_candidates", []).append(post)

    def comment_requests(self, run: AccountRun) -> Iterator[Any]:
        if run.extra.get("comments_started"):
            return
        run.extra["comments_started"] = True
        opts = self.comment_options()
        newest = sorted(run.extra.get("comment_candidates", []), key=lambda p: p.published_at, reverse=True)[
            : int(opts.get("max_posts_per_account", 5))
        ]
        for post in newest:
            if run.job.comment_counts.get(post.post_id) != post.comments:  # not read at this count
                yield self.comments_page_request(run, post, None, 1)

    def comments_page_request(self, run: AccountRun, post: PostItem, max_id: str | None, page: int) -> Any:
        url = weibo_comments.comments_url(self.base_url, post.post_id, max_id)  # type: ignore[attr-defined]
        return self.request(  # type: ignore[attr-defined]
            run,
            url,
            self.parse_comments,
            errback=self.comments_failed,
            headers=self.headers(run.extra["uid"]),  # type: ignore[attr-defined]
            follow_redirects=False,
            post=post,
            comment_page=page,
        )

    def parse_comments(self, response: Response) -> Iterator[Any]:
        run: AccountRun = response.meta["run"]
        post: PostItem = response.meta["post"]
        try:
            self.check(response, "json")
            page = weibo_comments.parse_comments(
                run.job.account_id,
                post.post_id,
                run.extra.get("uid"),
                response.body,
                self.now(),
                self.tz,  # type: ignore[attr-defined]
            )
        except PageProblem as problem:
            run.extra["comments_note"] = f"comments of {post.post_id} not read: {problem.detail}"
            page = None
        except Exception as exc:  # noqa: BLE001 - a comment page never fails the account
            run.extra["comments_note"] = f"comments of {post.post_id} not read: {type(exc).__name__}: {exc}"
            page = None
        if page is not None:
            yield from page.comments
            number = response.meta.get("comment_page", 1)
            if page.max_id and number < int(self.comment_options().get("max_pages", 2)):
                yield self.comments_page_request(run, post, page.max_id, number + 1)
            elif post.comments is not None:  # the end, or as far as the budget reads
                yield CommentsRead(run.job.account_id, post.post_id, post.comments)
        yield from self.settle(run)  # type: ignore[attr-defined]

    def comments_failed(self, failure: Any) -> Iterator[Any]:
        run: AccountRun = failure.request.meta["run"]
        run.extra["comments_note"] = f"comments not read: {type(failure.value).__name__}"
        yield from self.settle(run)  # type: ignore[attr-defined]
