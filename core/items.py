"""Plain, typed items that parsers produce and the pipeline stores.

They carry no Scrapy or database types, so parsers stay pure and tests can
build them by hand. Times are timezone-aware datetimes (any offset); the
storage layer converts them to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.vocabulary import Outcome

# Crawl outcomes (CONTRACT.md: last_crawl_outcome), by the names parsers and spiders use.
OK = Outcome.OK
BLOCKED = Outcome.BLOCKED
LOGIN_REQUIRED = Outcome.LOGIN_REQUIRED
NOT_FOUND = Outcome.NOT_FOUND
ERROR = Outcome.ERROR
PARSE_ERROR = Outcome.PARSE_ERROR
SKIPPED = Outcome.SKIPPED  # our own list lacks what reading needs: never the unit's failure
OUTCOMES = tuple(Outcome)

# repost_text of a repost whose original the platform shows as deleted.
DELETED_ORIGINAL = "（原微博已删除）"

# Media kinds of a post.
MEDIA_KINDS = ("text", "image", "video", "article", "audio")


class PageProblem(Exception):
    """A response that is not what we asked for: a block, a login wall, an error page.

    Parsers raise it instead of returning an empty result, so that a captcha or a
    changed layout is never mistaken for "this account has no posts".
    """

    def __init__(
        self,
        outcome: str,
        detail: str,
        http_status: int | None = None,
        connection_failed: bool = False,
        *,
        retry_later: bool = False,
    ) -> None:
        if outcome not in OUTCOMES or outcome == OK:
            raise ValueError(f"not a failure outcome: {outcome!r}")
        super().__init__(f"{outcome}: {detail}")
        self.outcome = outcome
        self.detail = detail
        self.http_status = http_status
        # A rate limit or a verification page: the platform may answer again after a back-off.
        self.retry_later = retry_later
        # Nothing answered: refused, no route, DNS failed or the connection timed out.
        self.connection_failed = connection_failed


@dataclass(slots=True)
class ProfileItem:
    """What an account's profile page says about it at one moment."""

    account_id: str
    name: str | None = None
    description: str | None = None
    followers: int | None = None
    post_count: int | None = None  # the platform's own count of posts (statuses_count)
    verified: bool | None = None
    avatar_url: str | None = None


@dataclass(slots=True)
class PostItem:
    """One post as the platform shows it."""

    account_id: str
    post_id: str  # the platform's own id, unique per account
    url: str | None
    published_at: datetime | None  # aware; None when the page gives no usable date
    text: str = ""
    title: str | None = None
    is_original: bool = True
    is_pinned: bool = False
    media: str = "text"
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    truncated: bool = False  # the listing cut the text; a long-text fetch may complete it
    repost_of: str | None = None  # author (and id) of the reposted original, for reposts
    # The reposted original's plain text (reposts only): what the account spread, checked with
    # its own comment. DELETED_ORIGINAL when the platform shows the original as deleted.
    repost_text: str | None = None
    source: str | None = None  # the platform's "source" field or feed author
    # Whether the public may comment (core.vocabulary.CommentPermission); None: the page does not say.
    comment_permission: str | None = None
    # The addresses behind anchors in the post's body (网页链接, an article's <a href>), absolute
    # and normalised (crawler/parsers/anchors.py): links the text does not show. Not part of the
    # post's content hash.
    links: tuple[str, ...] = ()


@dataclass(slots=True)
class PostBatch:
    """The posts of one listing page as one item: Scrapy's per-item machinery (spider
    middlewares, pipeline chain, signals) costs more than parsing a post, so a page's
    posts travel together."""

    posts: list[PostItem]


@dataclass(slots=True)
class OutcomeItem:
    """How fetching one account went in this crawl: exactly one per account per crawl."""

    account_id: str
    outcome: str
    detail: str = ""
    http_status: int | None = None
    url: str | None = None
    pages: int = 0  # list pages fetched
    posts_seen: int = 0  # posts parsed from listings (including already-stored ones)
    complete: bool = False  # the listing was read down to the end of its window
    profile_post_count: int | None = None  # what the profile claimed, for the empty cross-check
    started_at: datetime | None = None
    finished_at: datetime | None = field(default=None)
    connection_failed: bool = False  # an `error` where no server answered at all (PageProblem)
    # A complete listing covers [window_start, now]: stored non-pinned posts in it that
    # are not among seen_ids were deleted. Set only when complete.
    window_start: datetime | None = None
    seen_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DeletionItem:
    """A post the platform says is deleted (e.g. WeChat's 该内容已被发布者删除)."""

    account_id: str
    post_id: str
    detail: str = ""


@dataclass(slots=True)
class CommentItem:
    """One public comment on a post, or a reply in its thread."""

    account_id: str
    post_id: str  # the platform id of the post commented on
    comment_id: str
    published_at: datetime | None
    text: str = ""
    author_id: str | None = None
    author_name: str | None = None
    by_account: bool = False  # written by the account itself (a reply to the public)
    reply_to: str | None = None  # comment id this one answers, for replies


@dataclass(slots=True)
class CommentsRead:
    """A post's comments were read to the end (or as far as crawl.comments allows) at the
    comment count its listing showed. Stored after the comments themselves: a crawl killed
    before this lands reads them again next time."""

    account_id: str
    post_id: str
    count: int


# --- what a crawl found about the deployment's own access (judged in analysis/crawl_health.py)


@dataclass
class BridgeCheck:
    """Whether a feed bridge (RSSHub, WeRSS) answered its check before its accounts were read."""

    name: str
    url: str
    up: bool
    detail: str = ""
    account_ids: list[str] = field(default_factory=list)
    no_answer: bool = False  # nothing answered at all (refused, DNS, timeout): an outage sign


class CookieState(StrEnum):
    """What one check of a platform's login cookie found."""

    OK = "ok"  # logged in
    EXPIRED = "expired"  # not logged in
    UNSET = "unset"  # cookie_env names an empty variable
    UNCHECKED = "unchecked"  # read through a feed bridge: no check of its own
    ERROR = "error"  # could not tell (a block, a network failure, an unknown answer)


@dataclass(frozen=True)
class CookieCheck:
    platform: str
    env: str
    state: CookieState
    detail: str = ""
