"""config.yaml: loading and validation.

Every mistake becomes a ConfigError naming the file, the key path
(``accounts[2].platform``) and what is wrong; the CLI turns it into exit 2.
Secrets never live here: the file names environment variables, read on use.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core import yamlread
from core.fields import field_of
from core.links import DEFAULT_ALLOW_DOMAINS
from core.platforms import account_codes, declared, monitored_codes
from core.rules import MAINTENANCE_EMPTY, MAINTENANCE_STALE, MAINTENANCE_ZOMBIE, check_rule_id
from core.vocabulary import AccountKind, Operator, Severity, UnitField

DEFAULT_CONFIG = "config.yaml"
ACCOUNT_ID_RE = re.compile(r"^[a-z0-9-]+$")


class ConfigError(Exception):
    """A configuration mistake, with where it is."""

    def __init__(self, path: str | os.PathLike[str], key: str, reason: str) -> None:
        self.path = str(path)
        self.key = key
        self.reason = reason
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {reason}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlatformSettings(_Strict):
    base_url: str | None = None
    cookie_env: str | None = None  # name of an environment variable holding the cookie
    # Hosts (and their subdomains) that may get the cookie besides the platform's own domains
    # and base_url's host (crawler/cookies.py); for website/rss/app it replaces "the account's host".
    cookie_domains: list[str] = Field(default_factory=list)
    delay_s: Annotated[float, Field(ge=0)] = 1.0
    concurrency: Annotated[int, Field(ge=1, le=64)] = 2
    timeout_s: Annotated[float, Field(gt=0)] = 20.0
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    # weibo only: weibo.com, whose PC web API is the second road when m.weibo.cn refuses an account
    web_base_url: Annotated[str, Field(pattern=r"^https?://[^\s]+$")] | None = None
    # website only: read the article page of each new item of a column whose list shows dates,
    # so its body is checked too (a column without dates always reads them, for the date).
    fetch_articles: bool = True

    @field_validator("cookie_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for domain in value:
            if not re.match(
                r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$", domain
            ):
                raise ValueError(
                    f"{domain!r} is not a host name (no scheme, port or path: e.g. mp.weixin.qq.com)"
                )
        return value

    def cookie(self) -> str | None:
        """The cookie from the environment, or None when unset."""
        if not self.cookie_env:
            return None
        return os.environ.get(self.cookie_env) or None


class Thresholds(_Strict):
    warn_days: Annotated[int, Field(ge=1)] = 7
    stale_days: Annotated[int, Field(ge=1)] = 14
    zombie_days: Annotated[int, Field(ge=1)] = 90
    idle_days: Annotated[int, Field(ge=1)] = 180
    # An app or service is unavailable only after failing on two reads at least this far apart.
    unavailable_confirm_hours: Annotated[float, Field(gt=0)] = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.warn_days < self.stale_days < self.zombie_days:
            raise ValueError(
                f"must satisfy warn_days < stale_days < zombie_days "
                f"(got {self.warn_days}, {self.stale_days}, {self.zombie_days})"
            )
        return self


def _check_cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a cron expression ({exc})") from None
    return value


class Schedule(_Strict):
    crawl: str = "0 2 * * *"
    report: str = "0 8 * * mon"
    misfire_grace_s: Annotated[int, Field(ge=0)] = 6 * 3600
    send_report: bool = True  # the scheduled report runs `govwatch report --send`
    stop_timeout_s: Annotated[float, Field(gt=0)] = 10.0  # on SIGTERM: how long a running job may finish
    # Alerts held in quiet hours (or left by a failed channel) go out on this line.
    alerts: str | None = "10 * * * *"

    # The weekly check of the links published in posts (govwatch links check); null: not scheduled.
    links: str | None = "0 4 * * sun"

    _cron_crawl = field_validator("crawl")(classmethod(lambda cls, v: _check_cron(v)))
    _cron_links = field_validator("links")(classmethod(lambda cls, v: v if v is None else _check_cron(v)))
    _cron_report = field_validator("report")(classmethod(lambda cls, v: _check_cron(v)))
    _cron_alerts = field_validator("alerts")(classmethod(lambda cls, v: v if v is None else _check_cron(v)))


PLAINTEXT_AUTH_REFUSED = (
    "security none would send username and password unencrypted: use security ssl or starttls, "
    "or set smtp.allow_plaintext_auth: true for a relay on this machine "
    "(拒绝以明文发送 SMTP 密码)"
)


class Smtp(_Strict):
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 465
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password_env: str | None = None
    sender: str
    timeout_s: Annotated[float, Field(gt=0)] = 30.0
    retries: Annotated[int, Field(ge=0, le=10)] = 3  # on temporary failures (4xx, connection errors)
    retry_backoff_s: Annotated[float, Field(ge=0)] = 2.0  # doubled after each attempt
    # security none sends the login in cleartext: only with this set (a relay on this machine).
    allow_plaintext_auth: bool = False

    @model_validator(mode="after")
    def _no_cleartext_password(self) -> Smtp:
        if self.plaintext_auth_refused():
            raise ValueError(PLAINTEXT_AUTH_REFUSED)
        return self

    def plaintext_auth_refused(self) -> bool:
        """A login would cross the network unencrypted and the config has not allowed it."""
        return (
            self.security == "none"
            and bool(self.username or self.password_env)
            and not self.allow_plaintext_auth
        )

    def password(self) -> str | None:
        if not self.password_env:
            return None
        return os.environ.get(self.password_env) or None


class Supervisor(_Strict):
    name: Annotated[str, Field(min_length=1)]
    email: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=lambda: ["*"])

    @field_validator("email")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address or address.strip() != address:
                raise ValueError(f"not an email address: {address!r}")
        return value

    def covers(self, unit: str) -> bool:
        return "*" in self.units or unit in self.units


def _allowed_fields() -> str:
    return ", ".join(f"{f.value} ({f.label})" for f in UnitField)


class UnitSettings(_Strict):
    """What config says of one unit (责任主体) by its name: ``units: {旗体育局: {field: sports}}``."""

    # Its 业务领域, when its name does not say it (core/fields.py): a code or its Chinese label.
    field: UnitField | None = None

    @field_validator("field", mode="before")
    @classmethod
    def _field(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip()
        for member in UnitField:
            if text in (member.value, member.label):
                return member
        raise ValueError(f"unknown 业务领域 {value!r}; allowed: {_allowed_fields()}")


class WebsiteSelectors(_Strict):
    """Optional CSS selectors for a website column list the heuristics cannot read."""

    item: Annotated[str, Field(min_length=1)]  # one list entry (e.g. "ul.news li")
    link: str = "a"  # inside an item: the article link
    date: str | None = None  # inside an item: the element holding the date
    next: str | None = None  # the next-page link, when not index_N.html


class AccountConfig(_Strict):
    id: str
    unit: Annotated[str, Field(min_length=1)]
    platform: str
    name: Annotated[str, Field(min_length=1)]
    handle: str | None = None
    url: str | None = None
    feed_url: str | None = None
    kind: AccountKind = AccountKind.PUBLISH
    operator: Operator = Operator.SELF
    operator_name: str | None = None
    closed: bool = False
    selectors: WebsiteSelectors | None = None  # website columns only

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ACCOUNT_ID_RE.match(value):
            raise ValueError(f"{value!r} must match [a-z0-9-]+")
        return value

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str) -> str:
        if declared(value) is None:
            raise ValueError(f"{value!r} is not one of {', '.join(account_codes())}")
        return value

    @field_validator("handle", mode="before")
    @classmethod
    def _handle(cls, value: Any) -> Any:
        # YAML reads an unquoted uid as a number; it is an identifier.
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _readable(self) -> AccountConfig:
        platform = declared(self.platform)
        if platform and platform.needs and not any(getattr(self, field) for field in platform.needs):
            raise ValueError(f"a {self.platform} account needs {platform.needs_said}")
        return self


class CommentsSettings(_Strict):
    """Public comments of recent posts (Weibo), within a budget per account and crawl."""

    enabled: bool = True
    max_posts_per_account: Annotated[int, Field(ge=0)] = 5
    max_pages: Annotated[int, Field(ge=1)] = 2  # comment pages per post
    recent_days: Annotated[int, Field(ge=1)] = 30  # only posts this recent


class BlockAlertSettings(_Strict):
    """When a platform's blocks in one crawl become one operator alert."""

    min_accounts: Annotated[int, Field(ge=1)] = 3  # at least this many accounts blocked...
    min_share: Annotated[float, Field(gt=0, le=1)] = 0.5  # ...and at least this share of the platform's

    def platform_blocked(self, walled: int, total: int) -> bool:
        """Whether `walled` of a crawl's `total` accounts of one platform make the platform blocked.
        One account (a rescan) is never a platform."""
        return total > 0 and walled >= self.min_accounts and walled / total >= self.min_share

    def speaks_for_platform(self, total: int) -> bool:
        """Whether a crawl of `total` accounts of a platform can say the platform is blocked."""
        return total >= self.min_accounts


class OutageSettings(_Strict):
    """When a crawl's failures are our own connection being down, not the accounts': at least
    min_share of the accounts read failed with no answer at all (refused, DNS, timeout), spread
    over at least min_hosts hosts that each failed on min_share of their accounts."""

    min_share: Annotated[float, Field(gt=0, le=1)] = 0.9
    min_hosts: Annotated[int, Field(ge=1)] = 2


class BackoffSettings(_Strict):
    """Rate limits and verification pages (crawler/backoff.py): slow the platform down, read the
    refused accounts again later in the same crawl, within a time budget."""

    enabled: bool = True
    budget_s: Annotated[float, Field(ge=0)] = 1800.0  # from the crawl's start; then `blocked`
    initial_s: Annotated[float, Field(gt=0)] = 10.0  # first wait and first slowed delay; doubles
    cap_s: Annotated[float, Field(gt=0)] = 120.0  # never slower than this between requests
    recover_after: Annotated[int, Field(ge=1)] = 5  # answers in a row before the delay halves


class BridgeSettings(_Strict):
    """A feed bridge the office runs (RSSHub, WeRSS): accounts whose feed_url starts with `url`
    are read through it; it is checked once per crawl (crawler/bridges.py)."""

    name: Annotated[str, Field(min_length=1, max_length=20)]
    url: Annotated[str, Field(pattern=r"^https?://[^\s]+$")]
    check_path: str = "/"  # appended to url for the check (RSSHub and WeRSS answer their home page)


class CrawlSettings(_Strict):
    backfill_days: Annotated[int, Field(ge=1)] = 90
    max_pages: Annotated[int, Field(ge=1)] = 50  # per account and crawl, a safety bound
    user_agent: str = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    fetch_long_text: bool = True
    lock_wait_s: Annotated[float, Field(ge=0)] = 0.0
    comments: CommentsSettings = Field(default_factory=CommentsSettings)
    block_alert: BlockAlertSettings = Field(default_factory=BlockAlertSettings)
    backoff: BackoffSettings = Field(default_factory=BackoffSettings)
    bridges: list[BridgeSettings] = Field(default_factory=list)
    outage: OutageSettings = Field(default_factory=OutageSettings)
    lock_dir: str | None = None  # where the crawl lock file lives (default: next to the SQLite file)
    # Where the spiders run: in the crawl's own process (local), or as jobs on Scrapyd nodes
    # (crawler/scrapyd.py) that write to the shared database (PostgreSQL). README: "A Scrapyd cluster".
    executor: Literal["local", "scrapyd"] = "local"
    scrapyd_nodes: list[Annotated[str, Field(pattern=r"^https?://[^\s/]+")]] = Field(default_factory=list)
    scrapyd_project: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")] = "govwatch"
    scrapyd_timeout_s: Annotated[float, Field(gt=0)] = 6 * 3600.0  # the whole crawl on the cluster
    scrapyd_poll_s: Annotated[float, Field(gt=0)] = 2.0  # how often listjobs.json is asked

    @model_validator(mode="after")
    def _scrapyd_needs_nodes(self) -> CrawlSettings:
        if self.executor == "scrapyd" and not self.scrapyd_nodes:
            raise ValueError("executor scrapyd needs scrapyd_nodes (a list of Scrapyd URLs)")
        return self


DEFAULT_DEPARTMENT_PATTERNS = ("科$", "股$", "室$", "办公室$", "中心$", "党支部$", "工会$", "团委$")


class RegistrySettings(_Strict):
    """Registry checks (analysis/registry_checks.py): 管理底数不清 and 托管变脱管."""

    # Account names that look like an internal department (内设机构), as regular expressions.
    department_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_DEPARTMENT_PATTERNS))
    profile_change_days: Annotated[int, Field(ge=1)] = 30  # a name/description change stays a sign this long
    burst_days: Annotated[int, Field(ge=1)] = 7  # off-mission burst: window
    burst_min_posts: Annotated[int, Field(ge=1)] = 3  # ... at least this many labelled posts
    burst_share: Annotated[float, Field(gt=0, le=1)] = 0.5  # ... and this share of the window's posts

    @field_validator("department_patterns")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from None
        return value


class ChecksSettings(_Strict):
    """Content checks (analysis/text): extra lexicon files and allow-listed terms."""

    lexicons: list[str] = Field(default_factory=list)  # extra lexicon files or folders, users' own
    allow: list[str] = Field(default_factory=list)  # terms never to flag
    typos: bool = True  # the typo model beside the fixed list (about 1-2 ms CPU per post)


class ReportSettings(_Strict):
    out_dir: str = "reports"
    title: str = "政务新媒体监测周报"
    base_url: str | None = None
    # A repeat offender (屡查屡犯): an account with findings open in `repeat_weeks` of the last `repeat_window` weeks.
    repeat_weeks: Annotated[int, Field(ge=1, le=52)] = 3
    repeat_window: Annotated[int, Field(ge=1, le=52)] = 4

    @model_validator(mode="after")
    def _repeat(self) -> ReportSettings:
        if self.repeat_weeks > self.repeat_window:
            raise ValueError(
                f"repeat_weeks ({self.repeat_weeks}) must not exceed repeat_window ({self.repeat_window})"
            )
        return self


class WebSettings(_Strict):
    """The web console (`govwatch web`): where it listens, its cookie secret, its sign-in limits."""

    listen: str = "127.0.0.1:8080"  # host:port; behind the office's nginx keep it on loopback
    # The key that signs session cookies: made on first run (random, 0600) when the file is missing.
    secret_key_file: str = "data/web-secret.key"
    # Cookies marked Secure: "auto" when the request came over https (directly or, from a trusted
    # proxy, by X-Forwarded-Proto), "always" or "never".
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12
    max_failures: Annotated[int, Field(ge=1, le=100)] = 5  # failed sign-ins before the user is locked
    lockout_minutes: Annotated[float, Field(gt=0)] = 15
    # Sign-in attempts one address may make per minute, whatever the user name.
    attempts_per_minute: Annotated[int, Field(ge=1)] = 20

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


def with_password(url: str, password_env: str | None, source: str = "<config>") -> str:
    """`url` with its password taken from the environment variable `password_env` (if named);
    a missing variable is a ConfigError naming `source` and the key."""
    if not password_env:
        return url
    password = os.environ.get(password_env)
    if not password:
        raise ConfigError(
            source,
            "database_password_env",
            f"environment variable {password_env} is not set (数据库密码环境变量未设置)",
        )
    from sqlalchemy.engine import make_url  # here: `govwatch check` never needs SQLAlchemy

    return make_url(url).set(password=password).render_as_string(hide_password=False)


# Where a crawl job's database settings come from, for its error messages.
JOB_SETTINGS = "crawl job settings (GOVWATCH_DATABASE_PASSWORD_ENV)"


def job_database_url(settings: Any) -> str | None:
    """The database URL a crawl job (local or on a Scrapyd node) writes to, from its settings:
    GOVWATCH_DATABASE_URL with the password from GOVWATCH_DATABASE_PASSWORD_ENV's variable."""
    url = settings.get("GOVWATCH_DATABASE_URL")
    password_env = settings.get("GOVWATCH_DATABASE_PASSWORD_ENV") or None
    return with_password(url, password_env, JOB_SETTINGS) if url else url


def _env_name(value: str | None) -> str | None:
    if value is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
        raise ValueError(f"{value!r} is not an environment variable name (put the secret in the environment)")
    return value


class WebhookSettings(_Strict):
    """A group robot: DingTalk (signed), WeCom or Feishu. URL and secret come from the environment."""

    kind: Literal["dingtalk", "wecom", "feishu"]
    name: Annotated[str, Field(min_length=1)]
    url_env: str  # environment variable holding the webhook URL (it carries the access token)
    secret_env: str | None = None  # DingTalk 加签 / Feishu 签名校验 secret
    units: list[str] = Field(default_factory=lambda: ["*"])

    _env_url = field_validator("url_env")(classmethod(lambda cls, v: _env_name(v)))
    _env_secret = field_validator("secret_env")(classmethod(lambda cls, v: _env_name(v)))

    def url(self) -> str | None:
        return os.environ.get(self.url_env) or None

    def secret(self) -> str | None:
        return (os.environ.get(self.secret_env) or None) if self.secret_env else None

    def covers(self, unit: str) -> bool:
        return "*" in self.units or unit in self.units


def _check_quiet(value: str | None) -> str | None:
    if value is None:
        return None
    match = re.match(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$", value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time range like 22:00-07:00")
    return value.strip()


class AlertSettings(_Strict):
    """Immediate alerts after each crawl: severe new findings and blocked platforms, by mail or webhook."""

    enabled: bool = True
    severities: list[Severity] = Field(default_factory=lambda: [Severity.CRITICAL, Severity.MAJOR])
    # Slow-burning problems go to the weekly report, not to an alert.
    exclude_rules: list[Annotated[str, AfterValidator(check_rule_id)]] = Field(
        default_factory=lambda: [r.id for r in (MAINTENANCE_STALE, MAINTENANCE_ZOMBIE, MAINTENANCE_EMPTY)]
    )
    email: bool = True  # mail the supervisors whose units cover the account
    email_to: list[str] = Field(default_factory=list)  # and these addresses (all alerts)
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    quiet_hours: str | None = None  # "22:00-07:00" in the configured zone: held, sent after
    max_per_run: Annotated[int, Field(ge=1)] = 10  # per channel; the rest go out as one summary
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    timeout_s: Annotated[float, Field(gt=0)] = 10.0
    # Warn the unit's supervisor when a publishing account has gone this many days without a post,
    # before the two-week veto (thresholds.stale_days) falls; null turns the warning off.
    veto_warning_days: Annotated[int, Field(ge=1)] | None = 10

    _quiet = field_validator("quiet_hours")(classmethod(lambda cls, v: _check_quiet(v)))


_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")


def _check_domains(value: list[str]) -> list[str]:
    for domain in value:
        if not isinstance(domain, str) or not _HOST_RE.match(domain.strip().lstrip("*.")):
            raise ValueError(
                f"{domain!r} is not a domain (no scheme, port or path: e.g. gov.cn or www.example.org.cn)"
            )
    return [d.strip().lstrip("*.").lower() for d in value]


class LinkSettings(_Strict):
    """The weekly check of links published in posts and articles (crawler/links.py checks,
    analysis/links.py judges). README: "Link checks"."""

    enabled: bool = True
    window_days: Annotated[int, Field(ge=1, le=365)] = 30  # links of posts published this recently
    # A link is fetched at most once in this many days; a check within it reuses the last result.
    recheck_days: Annotated[float, Field(gt=0)] = 7.0
    # A link is a problem only after failing on two checks at least this many hours apart.
    confirm_hours: Annotated[float, Field(gt=0)] = 24.0
    # Government and authoritative domains (and their subdomains): never "commercial". Replaces the
    # default list when given; extra_allow_domains adds to it.
    allow_domains: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOW_DOMAINS))
    extra_allow_domains: list[str] = Field(default_factory=list)
    concurrency: Annotated[int, Field(ge=1, le=64)] = 8  # requests at once in all
    per_host: Annotated[int, Field(ge=1, le=8)] = 1  # requests at once to one host
    delay_s: Annotated[float, Field(ge=0)] = 1.0  # between two requests to one host
    timeout_s: Annotated[float, Field(gt=0)] = 15.0
    max_redirects: Annotated[int, Field(ge=0, le=30)] = 10
    # Fetch links to this machine or a private network (127.0.0.1, 10.x, 192.168.x ...): off, so a
    # post cannot make govwatch reach inside the office's network; the sandbox's tests turn it on.
    allow_private: bool = False
    # An outbound HTTP proxy for the check (http://host:port), when the office's network needs one.
    proxy: Annotated[str, Field(pattern=r"^https?://[^\s/]+/?$")] | None = None
    # Known-good addresses asked first: when none answers, our own connection is down (an outage).
    # An empty list turns the canary off (the share rule below still holds).
    canaries: list[Annotated[str, Field(pattern=r"^https?://[^\s]+$")]] = Field(
        default_factory=lambda: ["https://www.gov.cn/", "http://www.people.com.cn/"]
    )
    # Our own outage: at least this share of the links checked failed with no answer at all
    # (refused, no such host, timeout), spread over at least min_hosts hosts.
    outage_share: Annotated[float, Field(gt=0, le=1)] = 0.8
    outage_min_hosts: Annotated[int, Field(ge=1)] = 3

    _allow = field_validator("allow_domains", "extra_allow_domains")(
        classmethod(lambda cls, v: _check_domains(v))
    )

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.allow_domains, *self.extra_allow_domains]))


class InteractionSettings(_Strict):
    """Replies to the public: a question unanswered after this many working days is a finding."""

    reply_working_days: Annotated[int, Field(ge=1)] = 5  # local rules use 5 working days
    window_days: Annotated[int, Field(ge=1)] = 30  # reply rate and median delay over this window
    holidays: list[date] = Field(default_factory=list)  # extra non-working days (Mon-Fri)
    # Interaction switched off: a finding when at least this share of the account's newest
    # comments_off_posts posts whose comment permission is known have comments closed or limited
    # (and at least comments_off_min_known of them are known).
    comments_off_posts: Annotated[int, Field(ge=1, le=100)] = 10
    comments_off_share: Annotated[float, Field(gt=0, le=1)] = 0.6
    comments_off_min_known: Annotated[int, Field(ge=1)] = 3


TASK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
_TIME_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_SPAN_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([hd])$")


def parse_time(value: Any) -> datetime:
    """A moment as config.yaml or the command line writes it: "2026-11-20 18:00" (local time
    of ``timezone``, kept naive here), "2026-11-20T18:00+08:00", a YAML timestamp, or a date
    (its midnight). ValueError says what is accepted."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    match = _TIME_RE.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(
            f"not a time: {value!r} (write 2026-11-20 18:00, local time of timezone; 时间格式如 2026-11-20 18:00)"
        )
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        raise ValueError(f"not a time: {value!r} ({exc})") from None
    if zone:
        from datetime import timedelta, timezone

        if zone == "Z":
            return moment.replace(tzinfo=UTC)
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment.replace(tzinfo=timezone(sign * offset))
    return moment


def parse_span_hours(value: Any) -> float:
    """A deadline given as a span after publication: "24h", "2d" -> hours."""
    match = _SPAN_RE.match(str(value).strip().lower())
    if not match:
        raise ValueError(f"not a span: {value!r} (write 24h or 2d)")
    hours = float(match.group(1)) * (24 if match.group(2) == "d" else 1)
    if hours <= 0:
        raise ValueError(f"the span must be positive (got {value!r})")
    return hours


class RepostTaskConfig(_Strict):
    """A reposting task (转载任务): a key post, who must repost it, by when.

    ``deadline`` is a time ("2026-11-20 18:00", local) or a span after the key post's
    publication ("24h", "2d"); ``published_at`` defaults to the key post's own time when
    govwatch has stored it."""

    id: str
    title: str | None = None
    url: str | None = None
    text: str | None = None  # the key post's text, when neither title nor a stored post gives it
    source: str | None = None  # the account id of the key post's publisher, when monitored
    published_at: datetime | None = None
    deadline: datetime | float
    units: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _task_id(cls, value: Any) -> Any:
        value = str(value) if isinstance(value, int) else value
        if isinstance(value, str) and not TASK_ID_RE.match(value):
            raise ValueError(f"{value!r} must be letters, digits, - or _ (at most 60)")
        return value

    @field_validator("published_at", mode="before")
    @classmethod
    def _published(cls, value: Any) -> Any:
        return None if value is None else parse_time(value)

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, value: Any) -> Any:
        if isinstance(value, str) and _SPAN_RE.match(value.strip().lower()):
            return parse_span_hours(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"write a time (2026-11-20 18:00) or a span (24h, 2d), not a bare number {value!r}"
            )
        return parse_time(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value.strip()):
            raise ValueError(f"not a web address: {value!r} (http:// or https://)")
        return value.strip() if value else value

    @field_validator("accounts")
    @classmethod
    def _account_ids(cls, value: list[str]) -> list[str]:
        for account_id in value:
            if not ACCOUNT_ID_RE.match(account_id):
                raise ValueError(f"{account_id!r} is not an account id ([a-z0-9-]+)")
        return value

    @model_validator(mode="after")
    def _complete(self) -> RepostTaskConfig:
        if not (self.title or self.url):
            raise ValueError("a task needs the key post's title or url (标题或链接至少填写一项)")
        if not (self.units or self.accounts):
            raise ValueError("a task needs units or accounts expected to repost (须列出转载单位或帐号)")
        if (
            isinstance(self.deadline, datetime)
            and self.published_at is not None
            and (self.deadline.tzinfo is None) == (self.published_at.tzinfo is None)
            and self.deadline <= self.published_at
        ):
            raise ValueError(
                f"deadline {self.deadline:%Y-%m-%d %H:%M} is not after published_at "
                f"{self.published_at:%Y-%m-%d %H:%M} (截止时间须晚于发布时间)"
            )
        return self


class ScorecardWeights(_Strict):
    """The weight of each of the four dimensions in the total (relative; they need not sum to 100)."""

    fit: Annotated[float, Field(ge=0)] = 25  # 职能契合
    quality: Annotated[float, Field(ge=0)] = 25  # 制作水准
    reach: Annotated[float, Field(ge=0)] = 25  # 传播效果
    response: Annotated[float, Field(ge=0)] = 25  # 互动回应

    @model_validator(mode="after")
    def _some_weight(self) -> ScorecardWeights:
        if self.fit + self.quality + self.reach + self.response <= 0:
            raise ValueError("at least one of fit, quality, reach, response must weigh more than 0")
        return self


class ScorecardSettings(_Strict):
    """The quarterly (or monthly) scorecard and spot check (README, "Scorecard")."""

    weights: ScorecardWeights = Field(default_factory=ScorecardWeights)
    # 制作水准: this many wording errors per 100 posts (or more) scores 0 on that part.
    errors_per_100_zero: Annotated[float, Field(gt=0)] = 10.0
    # 制作水准: this share of 图解/视频/解读 posts (or more) scores full marks on that part.
    rich_share_full: Annotated[float, Field(gt=0, le=1)] = 0.3
    # 互动回应: a median reply delay of this many hours (or more) scores 0 on that part.
    reply_hours_zero: Annotated[float, Field(gt=0)] = 120.0
    out_dir: str | None = None  # default: report.out_dir/scorecard


class Config(_Strict):
    timezone: str = "Asia/Shanghai"
    database: str = "sqlite:///data/govwatch.db"
    # PostgreSQL's password from this environment variable, so that neither config.yaml nor a
    # Scrapyd job's settings (sent over HTTP, listed by the node) carry it.
    database_password_env: str | None = None
    platforms: dict[str, PlatformSettings] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    schedule: Schedule = Field(default_factory=Schedule)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    checks: ChecksSettings = Field(default_factory=ChecksSettings)
    interaction: InteractionSettings = Field(default_factory=InteractionSettings)
    links: LinkSettings = Field(default_factory=LinkSettings)
    scorecard: ScorecardSettings = Field(default_factory=ScorecardSettings)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    smtp: Smtp | None = None
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    supervisors: list[Supervisor] = Field(default_factory=list)
    web: WebSettings = Field(default_factory=WebSettings)
    accounts: list[AccountConfig] = Field(default_factory=list)
    # Per unit (by its name, as accounts' `unit` and the 台账 spell it): its 业务领域 override.
    units: dict[str, UnitSettings] = Field(default_factory=dict)
    repost_tasks: list[RepostTaskConfig] = Field(default_factory=list)

    # Where the file was read from; relative paths (sqlite, reports) resolve against it.
    source: str | None = Field(default=None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database")
    @classmethod
    def _db(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    _env_db_password = field_validator("database_password_env")(classmethod(lambda cls, v: _env_name(v)))

    @model_validator(mode="after")
    def _db_password(self) -> Config:
        if self.database_password_env:
            if not self.database.startswith("postgresql"):
                raise ValueError("database_password_env is for a postgresql:// database")
            if not os.environ.get(self.database_password_env):
                raise ValueError(
                    f"database_password_env: environment variable {self.database_password_env} is not set"
                )
        return self

    @field_validator("platforms")
    @classmethod
    def _platform_names(cls, value: dict[str, PlatformSettings]) -> dict[str, PlatformSettings]:
        known = monitored_codes()
        for name, settings in value.items():
            if name not in known:
                raise ValueError(f"unknown platform {name!r}; known: {', '.join(known)}")
            for option in settings.model_fields_set - set(declared(name).options):
                owners = [p for p in known if option in declared(p).options]
                if owners and getattr(settings, option) is not None:
                    raise ValueError(f"{name}.{option}: only {' and '.join(owners)} has this option")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for account in self.accounts:
            if account.id in seen:
                raise ValueError(f"account id {account.id!r} appears more than once")
            seen.add(account.id)
        tasks: set[str] = set()
        for index, task in enumerate(self.repost_tasks):
            if task.id in tasks:
                raise ValueError(f"repost_tasks[{index}].id: task id {task.id!r} appears more than once")
            tasks.add(task.id)
        return self

    @model_validator(mode="after")
    def _veto_warning_before_veto(self) -> Config:
        """Set by hand, the warning day must fall before the veto; the default (10) is simply not
        used under a shorter stale_days, so such a config still loads."""
        warn, stale = self.alerts.veto_warning_days, self.thresholds.stale_days
        if "veto_warning_days" in self.alerts.model_fields_set and warn is not None and warn >= stale:
            raise ValueError(
                f"alerts.veto_warning_days ({warn}) must be below thresholds.stale_days ({stale}): "
                "the warning goes out before the veto, not after"
            )
        return self

    def unit_field(self, unit: str | None, registered: str | None = None) -> UnitField:
        """The unit's 业务领域: the registry's (``registered``, an account's 业务领域 column) when
        given, else its `units` override, else what its name says (core/fields.py)."""
        overrides = {name: u.field for name, u in self.units.items() if u.field is not None}
        return field_of(unit, overrides, registered)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def platform(self, name: str) -> PlatformSettings:
        settings = self.platforms.get(name) or PlatformSettings()
        platform = declared(name)
        if settings.base_url is None and platform and platform.base_url:
            settings = settings.model_copy(update={"base_url": platform.base_url})
        return settings

    @property
    def base_dir(self) -> Path:
        return Path(self.source).resolve().parent if self.source else Path.cwd()

    def database_url(self, password: bool = True) -> str:
        """The database URL with a relative SQLite path resolved against the config file, and
        the password from `database_password_env` (left out with password=False)."""
        prefix = "sqlite:///"
        if self.database.startswith(prefix) and not self.database.startswith(prefix + "/"):
            rest = self.database[len(prefix) :]
            if rest and rest != ":memory:":
                return prefix + str(self.base_dir / rest)
        if password and self.database_password_env:
            return with_password(self.database, self.database_password_env, self.source or "<config>")
        return self.database

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p


def _key_path(loc: tuple[Any, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = ""
            if isinstance(node, list) and 0 <= item < len(node) and isinstance(node[item], dict):
                ident = node[item].get("id") or node[item].get("name")
                label = f" ({ident})" if ident else ""
            parts.append(f"[{item}]{label}")
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def _reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling and indentation)"
    if kind == "missing":
        return "required key is missing"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def parse_config(data: Any, source: str | os.PathLike[str] = "<config>") -> Config:
    """Validate already-loaded YAML data."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(source, "", "the top level must be a mapping of keys to values")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(x for x in first["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        key = _key_path(loc, data)
        value = first.get("input")
        reason = _reason(first)
        if (
            first.get("type") not in ("missing", "extra_forbidden")
            and not isinstance(value, dict | list)
            and repr(value) not in reason
        ):
            reason = f"{reason} (got {value!r})"
        more = len(exc.errors()) - 1
        if more:
            reason += f"; and {more} more problem(s)"
        raise ConfigError(source, key, reason) from None
    return config.model_copy(update={"source": str(source)})


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate a config file (default: $GOVWATCH_CONFIG or ./config.yaml)."""
    path = Path(path or os.environ.get("GOVWATCH_CONFIG") or DEFAULT_CONFIG)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(path, "", exc.strerror or str(exc)) from None
    try:
        data = yamlread.load(text)
    except yamlread.DuplicateKeyError as exc:
        raise ConfigError(
            path,
            exc.path or str(exc.key),
            f"duplicate key: on line {exc.first_line} and again on line {exc.second_line} "
            f"(重复的键：第 {exc.first_line} 行和第 {exc.second_line} 行；只保留一个)",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, where, f"not valid YAML: {problem}") from None
    if data is None or data == {}:
        raise ConfigError(
            path, "", "the file is empty: nothing to monitor (配置文件为空；请填写 accounts 等配置)"
        )
    return parse_config(data, path)
