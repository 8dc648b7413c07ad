"""The tables (DESIGN.md, "Storage").

Times are stored as UTC and come back as aware UTC datetimes on SQLite and
PostgreSQL alike (``UTCDateTime``). Account ids are the stable string keys of
config.yaml; posts are unique per (account, platform post id).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC stored, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given to the database: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    """A responsible unit (责任主体)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    accounts: Mapped[list[Account]] = relationship(back_populates="unit")


class Account(Base):
    """A registered account, with the state analysis last derived for it."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    feed_url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10), default="publish")  # publish | service
    operator: Mapped[str] = mapped_column(String(12), default="self")  # self | outsourced
    operator_name: Mapped[str | None] = mapped_column(String(200))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The registry's 业务领域 (core/vocabulary.py UnitField); None: config `units` or the name decide.
    unit_field: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="config")  # config | import
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Derived by analysis (analysis/status.py); never written by the crawler.
    status: Mapped[str] = mapped_column(String(12), default="unknown")
    status_note: Mapped[str | None] = mapped_column(Text)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_post_url: Mapped[str | None] = mapped_column(Text)
    posts_7d: Mapped[int] = mapped_column(Integer, default=0)
    posts_30d: Mapped[int] = mapped_column(Integer, default=0)
    original_ratio_30d: Mapped[float | None] = mapped_column(Float)
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Crawl bookkeeping, written with each outcome.
    last_crawl_outcome: Mapped[str | None] = mapped_column(String(16))
    last_crawl_detail: Mapped[str | None] = mapped_column(Text)
    last_crawled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Website column selectors; interaction with the public over 30 days.
    selectors: Mapped[dict | None] = mapped_column(JSON)
    reply_rate_30d: Mapped[float | None] = mapped_column(Float)
    reply_median_hours_30d: Mapped[float | None] = mapped_column(Float)

    unit: Mapped[Unit] = relationship(back_populates="accounts")


class AccountSnapshot(Base):
    """What a profile said at one moment: name, description, counts."""

    __tablename__ = "account_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    followers: Mapped[int | None] = mapped_column(Integer)
    post_count: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (Index("ix_account_snapshots_account_taken", "account_id", "taken_at"),)


class Post(Base):
    """One platform post. Unique per (account, platform post id)."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform_post_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    is_original: Mapped[bool] = mapped_column(Boolean, default=True)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    media: Mapped[str] = mapped_column(String(10), default="text")
    likes: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    # The comment count at which the post's comments were last read completely (None: never).
    comments_read: Mapped[int | None] = mapped_column(Integer)
    shares: Mapped[int | None] = mapped_column(Integer)
    repost_of: Mapped[str | None] = mapped_column(Text)
    repost_text: Mapped[str | None] = mapped_column(Text)  # the reposted original's text
    source: Mapped[str | None] = mapped_column(String(200))
    # CommentPermission as the post's page last showed it; None: unknown (never counted as off).
    comment_permission: Mapped[str | None] = mapped_column(String(12))
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str | None] = mapped_column(String(40))
    # The addresses behind anchors in the post's body (PostItem.links), as a JSON list; None: none
    # seen. Not in content_hash: a post read again with its links is not an edited post.
    links: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Content checks (analysis/text): labels as a space-separated sorted list, and
    # the content_hash they were computed for (None: not checked yet).
    labels: Mapped[str] = mapped_column(String(100), default="")
    checked_hash: Mapped[str | None] = mapped_column(String(40))
    content_type: Mapped[str | None] = mapped_column(String(12))
    authoritative: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        UniqueConstraint("account_id", "platform_post_id", name="uq_posts_account_platform_post"),
        Index("ix_posts_account_published", "account_id", "published_at"),
        Index("ix_posts_published", "published_at"),
    )


class CrawlRun(Base):
    """One crawl: a cron night, a manual crawl or a rescan."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(20), default="cli")
    state: Mapped[str] = mapped_column(String(12), default="running")  # running | finished | failed
    accounts_total: Mapped[int] = mapped_column(Integer, default=0)
    accounts_ok: Mapped[int] = mapped_column(Integer, default=0)
    accounts_failed: Mapped[int] = mapped_column(Integer, default=0)
    new_posts: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Our own connection was down (nearly every account of several hosts unreachable): the run's
    # outcomes say nothing about the accounts and count for no status, finding or alert.
    outage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    outcomes: Mapped[list[CrawlOutcome]] = relationship(back_populates="run")


class CrawlOutcome(Base):
    """How one account fared in one crawl. Exactly one per account per run."""

    __tablename__ = "crawl_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    posts_seen: Mapped[int] = mapped_column(Integer, default=0)
    new_posts: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_post_count: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connection_failed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    run: Mapped[CrawlRun] = relationship(back_populates="outcomes")

    __table_args__ = (
        UniqueConstraint("run_id", "account_id", name="uq_crawl_outcomes_run_account"),
        Index("ix_crawl_outcomes_account_run", "account_id", "run_id"),
    )


class Finding(Base):
    """A problem of one of the notice's eight classes, with its evidence and lifecycle."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What makes two observations the same problem (e.g. "maint:ACCOUNT", "post:ID:RULE").
    fingerprint: Mapped[str] = mapped_column(String(300), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    rule: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[str] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | rectified | dismissed
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_findings_status_category", "status", "category"),)


class SentReport(Base):
    """One weekly report mailed to one supervisor: a second send of the week sends nothing."""

    __tablename__ = "sent_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(10))  # ISO week, 2026-W46
    supervisor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="sent")  # sent | failed
    recipients: Mapped[list | None] = mapped_column(JSON)  # addresses the mail reached
    failed: Mapped[dict | None] = mapped_column(JSON)  # address -> reason
    subject: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("week", "supervisor", name="uq_sent_reports_week_supervisor"),)


class SentAlert(Base):
    """One immediate alert on one channel: each event is sent once per channel."""

    __tablename__ = "sent_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # "finding:12:2026-11-14T02:10:00", "blocked:weibo:31"
    channel: Mapped[str] = mapped_column(String(250))  # "email:旗教育局", "dingtalk:值班群"
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="SET NULL"))
    severity: Mapped[str] = mapped_column(String(10), default="major")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | summarised | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("key", "channel", name="uq_sent_alerts_key_channel"),
        Index("ix_sent_alerts_status", "status"),
    )


class FindingEvent(Base):
    """A finding's history: opened, rectified, reopened, dismissed; with when, why and who."""

    __tablename__ = "finding_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(12))  # opened | rectified | reopened | dismissed
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))  # a person ($USER) or "govwatch"

    __table_args__ = (Index("ix_finding_events_finding_at", "finding_id", "at"),)


class Comment(Base):
    """A public comment on a post, or the account's reply in its thread."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform_post_id: Mapped[str] = mapped_column(String(200))
    platform_comment_id: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str | None] = mapped_column(String(100))
    author_name: Mapped[str | None] = mapped_column(String(200))
    by_account: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_to: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "platform_comment_id", name="uq_comments_account_comment"),
        Index("ix_comments_account_published", "account_id", "published_at"),
    )


class OperatorAlert(Base):
    """A deployment-level problem for the person who runs govwatch, not for a unit:
    a platform blocking us in bulk, a cookie that stopped working. One row per
    (platform, kind) episode; open until a crawl of that platform goes well again."""

    __tablename__ = "operator_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(100), unique=True)  # "blocks:weibo", "cookie:weibo"
    platform: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # blocks | cookie
    message: Mapped[str] = mapped_column(Text)
    accounts_affected: Mapped[int] = mapped_column(Integer, default=0)
    accounts_total: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | resolved
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RepostTask(Base):
    """A reposting task (转载任务): a key post, the units and accounts expected to repost it, and
    by when. From config.yaml (source "config", merged by id on every run) or `govwatch tasks add`
    (source "cli")."""

    __tablename__ = "repost_tasks"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    source_account_id: Mapped[str | None] = mapped_column(String(100))  # the key post's publisher
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: the key post's own time
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_hours: Mapped[float | None] = mapped_column(Float)  # a span after publication instead
    units: Mapped[list] = mapped_column(JSON, default=list)
    accounts: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(10), default="cli")  # config | cli
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LinkCheckRun(Base):
    """One check of the links published in posts (crawler/links.py): how many links, how many
    requests, and whether our own connection was down (then none of its checks counts)."""

    __tablename__ = "link_check_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(20), default="cli")
    links: Mapped[int] = mapped_column(Integer, default=0)  # distinct links due in the window
    requests: Mapped[int] = mapped_column(Integer, default=0)  # HTTP requests made (canaries included)
    reused: Mapped[int] = mapped_column(Integer, default=0)  # links whose check this week was reused
    canary_ok: Mapped[bool | None] = mapped_column(Boolean)  # None: no canary configured
    outage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str | None] = mapped_column(Text)


class LinkCheck(Base):
    """What one check of one link (by its normalised URL) saw."""

    __tablename__ = "link_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_check_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)  # normalised (crawler/parsers/links.py)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verdict: Mapped[str] = mapped_column(String(12))  # core.vocabulary.LinkVerdict
    detail: Mapped[str | None] = mapped_column(Text)  # what the check saw, in Chinese
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    # No answer at all (refused, no such host, timeout): the kind of failure our own outage makes.
    connection_failed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (Index("ix_link_checks_url_checked", "url", "checked_at"),)


class SpotcheckNote(Base):
    """A person's 制作水准 note on one account for one period, imported from the 通报 draft."""

    __tablename__ = "spotcheck_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))  # 2026-Q4, 2026-11
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)  # the file it came from
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("period", "account_id", name="uq_spotcheck_notes_period_account"),)


# --- the web console (govwatch/web): users, their sessions and tokens, the audit log, drafts ---


class WebUser(Base):
    """A person who signs in to the web console. ``unit``: the editor's or viewer's unit, or the
    supervisor's name in config `supervisors` (None for the office and an all-units viewer)."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(12))  # core.vocabulary.Role
    unit: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, with its own salt and parameters
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser. The cookie carries the id, signed; the table keeps only its hash, so a
    copy of the database signs no one in. Deleted at sign-out; a new one at every sign-in."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the JSON API (`govwatch users token NAME`), kept as its hash."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One action in the web console: who, what, on what, from where, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_name: Mapped[str | None] = mapped_column(String(100))  # as typed, for failed sign-ins
    action: Mapped[str] = mapped_column(String(20))  # core.vocabulary.AuditAction
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))


class Draft(Base):
    """A draft checked before publication (先审后发) in the web console, kept per editor. The text
    is stored with personal numbers masked, as everywhere else."""

    __tablename__ = "web_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    unit: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    findings: Mapped[list | None] = mapped_column(JSON)
    finding_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_web_drafts_user_created", "user_id", "created_at"),)
