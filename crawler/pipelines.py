"""Items -> storage, in batches.

Posts, profile snapshots and outcomes are buffered and written in one
transaction per batch (posts first, so an account's outcome always lands with
or after its posts). A crash loses at most the batch in flight; the upserts
make a rerun store nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from scrapy.crawler import Crawler

from core.config import job_database_url
from core.items import (
    CommentItem,
    CommentsRead,
    DeletionItem,
    OutcomeItem,
    PostBatch,
    PostItem,
    ProfileItem,
)
from crawler.deletions import mark_listing_deletions
from crawler.middlewares import REQUESTS_PREFIX
from storage import comments, repo
from storage.db import Store, open_store

log = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(
        self, crawler: Crawler, database_url: str, run_id: int, batch_size: int, max_wait_s: float
    ) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.run_id = run_id
        self.batch_size = batch_size
        self.max_wait_s = max_wait_s
        self.store: Store | None = None
        self.posts: list[PostItem] = []
        self.profiles: list[ProfileItem] = []
        self.outcomes: list[OutcomeItem] = []
        self.comments: list[CommentItem] = []
        self.comments_read: list[CommentsRead] = []
        self.deletions: list[DeletionItem] = []
        self.new_posts: Counter[str] = Counter()
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        return cls(
            crawler,
            database_url=job_database_url(s),
            run_id=s.getint("GOVWATCH_RUN_ID"),
            batch_size=s.getint("GOVWATCH_BATCH_SIZE", 200),
            max_wait_s=s.getfloat("GOVWATCH_BATCH_SECONDS", 2.0),
        )

    def open_spider(self, spider=None) -> None:  # noqa: ANN001
        if not self.database_url or not self.run_id:
            raise RuntimeError("GOVWATCH_DATABASE_URL and GOVWATCH_RUN_ID must be set")
        # Migrations ran when the run was created; the crawl only writes.
        self.store = open_store(self.database_url, upgrade=False)

    def close_spider(self, spider=None) -> None:  # noqa: ANN001
        self.flush()
        if self.store is not None:
            self.store.dispose()

    def process_item(self, item, spider=None):  # noqa: ANN001, ANN201
        if isinstance(item, PostBatch):
            self.posts.extend(item.posts)
        elif isinstance(item, PostItem):
            self.posts.append(item)
        elif isinstance(item, ProfileItem):
            self.profiles.append(item)
        elif isinstance(item, OutcomeItem):
            self.outcomes.append(item)
        elif isinstance(item, CommentItem):
            self.comments.append(item)
        elif isinstance(item, CommentsRead):
            self.comments_read.append(item)
        elif isinstance(item, DeletionItem):
            self.deletions.append(item)
        else:
            raise TypeError(f"unexpected item {type(item).__name__}")
        pending = len(self.posts) + len(self.profiles) + len(self.outcomes) + len(self.comments)
        if pending >= self.batch_size or time.monotonic() - self.last_flush >= self.max_wait_s:
            self.flush()
        return item

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if (
            not (
                self.posts
                or self.profiles
                or self.outcomes
                or self.comments
                or self.comments_read
                or self.deletions
            )
            or self.store is None
        ):
            return
        stats = self.crawler.stats
        with self.store.session() as session:
            for account_id, n in repo.upsert_posts(session, self.posts).items():
                self.new_posts[account_id] += n
            repo.add_snapshots(session, self.profiles)
            comments.upsert_comments(session, self.comments)
            # With or after the comments; a post still waiting for its long text is tried again.
            waiting = comments.mark_comments_read(session, self.comments_read)
            repo.mark_deleted(session, self.deletions)
            for outcome in self.outcomes:
                mark_listing_deletions(session, outcome)
            repo.record_outcomes(
                session,
                self.run_id,
                [
                    (
                        outcome,
                        self.new_posts.pop(outcome.account_id, 0),
                        stats.get_value(REQUESTS_PREFIX + outcome.account_id, 0),
                    )
                    for outcome in self.outcomes
                ],
            )
        self.posts, self.profiles, self.outcomes = [], [], []
        self.comments, self.comments_read, self.deletions = [], waiting, []
