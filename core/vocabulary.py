"""The domain's words: every code govwatch stores and exports, with its Chinese label.

Each code is a ``StrEnum`` member, so it *is* the exact string kept in the database and
written in exports (CONTRACT.md) and compares equal to it; ``.label`` is what a supervisor
reads. Where an order matters (worst status first, most severe first) it is the order the
members are declared in, read with ``rank``. Colours, advice and other presentation stay in
reporting; the words themselves live only here.
"""

from __future__ import annotations

from enum import StrEnum


class Word(StrEnum):
    """A stored code and its Chinese label. Subclasses declare ``NAME = "code", "标签"``."""

    label: str

    def __new__(cls, value: str, label: str) -> Word:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def label_of(cls, code: str | None, missing: str = "—") -> str:
        """The label of ``code``; ``missing`` for None or empty, an unknown code as itself
        (shown rather than hidden)."""
        if code is None or code == "":
            return missing
        try:
            return cls(code).label
        except ValueError:
            return code

    @classmethod
    def rank(cls, code: str | None) -> int:
        """The position of ``code`` in the declared order; None and unknown codes come last."""
        try:
            return list(cls).index(cls(code))
        except ValueError:
            return len(cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code -> label, in the declared order."""
        return {member.value: member.label for member in cls}


class Outcome(Word):
    """How reading one account went in one crawl (crawl_outcomes.outcome, last_crawl_outcome)."""

    OK = "ok", "成功"
    BLOCKED = "blocked", "被平台拦截"
    LOGIN_REQUIRED = "login_required", "需要登录"
    NOT_FOUND = "not_found", "帐号不存在"
    ERROR = "error", "抓取出错"
    PARSE_ERROR = "parse_error", "页面无法解析"
    # Not read because our own list lacks what reading needs (an app without its link, a Weibo
    # account without its uid): says nothing about the account, never a failure of the unit.
    SKIPPED = "skipped", "未抓取（台账信息不全）"


# The outcomes that are a failed read of the account (ok and skipped are not).
FAILED_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.BLOCKED,
    Outcome.LOGIN_REQUIRED,
    Outcome.NOT_FOUND,
    Outcome.ERROR,
    Outcome.PARSE_ERROR,
)
NOT_CRAWLED = "尚未抓取"  # the label of an account no crawl has read yet


class AccountStatus(Word):
    """An account's status (accounts.status), declared worst first: the order of the report's
    headline figures and of its account table."""

    ZOMBIE = "zombie", "僵尸帐号"
    EMPTY = "empty", "空壳帐号"
    STALE = "stale", "超期未更新"
    UNREACHABLE = "unreachable", "无法访问"
    UNAVAILABLE = "unavailable", "不可用"  # service accounts (服务类)
    WARNING = "warning", "更新偏慢"
    UNKNOWN = "unknown", "状态未知"
    ACTIVE = "active", "正常更新"
    AVAILABLE = "available", "可用"  # service accounts (服务类)
    UNMONITORED = "unmonitored", "不支持自动监测"
    CLOSED = "closed", "已关停"


# The statuses each kind of account can have.
PUBLISH_STATUSES: tuple[AccountStatus, ...] = (
    AccountStatus.ACTIVE,
    AccountStatus.WARNING,
    AccountStatus.STALE,
    AccountStatus.ZOMBIE,
    AccountStatus.EMPTY,
    AccountStatus.UNREACHABLE,
    AccountStatus.UNKNOWN,
    AccountStatus.UNMONITORED,
    AccountStatus.CLOSED,
)
SERVICE_STATUSES: tuple[AccountStatus, ...] = (
    AccountStatus.AVAILABLE,
    AccountStatus.UNAVAILABLE,
    AccountStatus.UNKNOWN,
    AccountStatus.UNMONITORED,
    AccountStatus.CLOSED,
)


class Severity(Word):
    """How grave a finding is (findings.severity), most severe first."""

    CRITICAL = "critical", "严重"
    MAJOR = "major", "较重"
    MINOR = "minor", "一般"


class Category(Word):
    """The founding notice's eight problem classes (八类问题): findings.category."""

    OFF_MISSION = "off_mission", "功能定位不清"
    LOW_QUALITY = "low_quality", "信息质量不高"
    POOR_INTERACTION = "poor_interaction", "互动服务不实"
    WORDING_ERROR = "wording_error", "审核把关不严"
    UNMANAGED = "unmanaged", "管理底数不清"
    OVER_ENTERTAINMENT = "over_entertainment", "过度娱乐化"
    POOR_MAINTENANCE = "poor_maintenance", "运维保障差"
    OUTSOURCING = "outsourcing", "托管变脱管"


class FindingState(Word):
    """Where a finding stands (findings.status), in the 通报 list's order: open first."""

    OPEN = "open", "未整改"
    RECTIFIED = "rectified", "已整改"
    DISMISSED = "dismissed", "已排除"


class FindingEventKind(Word):
    """A step in a finding's history (finding_events.event)."""

    OPENED = "opened", "发现"
    REOPENED = "reopened", "再次出现"
    RECTIFIED = "rectified", "已整改"
    DISMISSED = "dismissed", "人工排除"


class AccountKind(Word):
    """What an account is for (accounts.kind): publishing posts, or a service (an app)."""

    PUBLISH = "publish", "发布类"
    SERVICE = "service", "服务类"


class UnitField(Word):
    """A unit's line of work (业务领域): what the scorecard ranks within and the spot check draws
    by, in the order the scorecard lists them. Which unit is in which: core/fields.py."""

    GENERAL = "general", "综合（政府办）"
    POLICE = "police", "公安"
    EDUCATION = "education", "教育"
    HEALTH = "health", "卫生健康"
    CULTURE_TOURISM = "culture_tourism", "文化旅游"
    SPORTS = "sports", "体育"
    AGRICULTURE = "agriculture", "农业农村"
    MARKET = "market", "市场监管"
    TRANSPORT = "transport", "交通"
    ENVIRONMENT = "environment", "自然资源和生态环境"
    WELFARE = "welfare", "民生保障（人社、民政）"
    EMERGENCY = "emergency", "应急消防"
    WEATHER = "weather", "气象"
    MEDIA = "media", "融媒体和宣传"
    TOWNSHIP = "township", "乡镇街道"
    OTHER = "other", "其他"


class VetoState(Word):
    """Where a publishing account stands against the national two-week veto (两周未更新，单项否决):
    days still left, past it, or not known because the last crawl did not read the account."""

    COUNTING = "counting", "距否决"
    OVERDUE = "overdue", "已超期"
    UNKNOWN = "unknown", "未知"


class CommentPermission(Word):
    """Whether the public may comment on a post, as the platform's page or API shows it
    (posts.comment_permission). None (not stored as a code): the page does not say — unknown,
    never counted as switched off."""

    OPEN = "open", "可评论"
    LIMITED = "limited", "评论受限"  # Weibo: a restriction on who may comment, or 精选 (shown after approval)
    # The page shows no comment function (a WeChat article without 留言): switched off by the unit,
    # or never granted by the platform (newer accounts have no 留言) — a person must confirm which.
    NOT_SHOWN = "not_shown", "未见留言功能"


class Operator(Word):
    """Who runs an account (accounts.operator): the unit itself, or a company it hired."""

    SELF = "self", "自行运维"
    OUTSOURCED = "outsourced", "委托运维"


class ContentLabel(Word):
    """A problem the text checks find in one post (posts.labels, ``govwatch check``), with the
    problem class it belongs to."""

    category: Category

    def __new__(cls, value: str, label: str, category: Category) -> ContentLabel:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.category = category
        return member

    COMMERCIAL = "commercial", "商业广告", Category.OFF_MISSION
    OFF_TOPIC = "off_topic", "与职能无关", Category.OFF_MISSION
    ENTERTAINMENT = "entertainment", "过度娱乐化", Category.OVER_ENTERTAINMENT
    WORDING_ERROR = "wording_error", "表述错误", Category.WORDING_ERROR


class RepostState(Word):
    """Where one expected account stands on one reposting task (转载任务), worst first:
    the order of the task table and of the export."""

    MISSING = "missing", "逾期未转载"
    LATE = "late", "逾期转载"
    UNVERIFIED = "unverified", "无法核实"  # deadline passed, the account not read since
    PENDING = "pending", "待转载"  # before the deadline, no repost yet
    DONE = "done", "按时转载"


class LinkVerdict(Word):
    """What one check of one link published in a post saw (link_checks.verdict): it works, it is
    dead (404/410, no such host, refused, a parked domain), it lands on a gambling or adult
    site, it lands on a shop or other commercial site outside the allow-list; or the check
    said nothing about the link (a timeout, a 5xx or 403, an address inside our own network
    not fetched). A run that was our own outage counts for nothing whatever its verdicts."""

    OK = "ok", "正常"
    DEAD = "dead", "链接失效"
    HARMFUL = "harmful", "指向有害网站"
    COMMERCIAL = "commercial", "指向商业网站"
    UNKNOWN = "unknown", "未能检测"


class Role(Word):
    """What a web console user may do (users.role), widest first."""

    OFFICE = "office", "网信办管理员"  # everything: every unit, the registry, the users' work
    SUPERVISOR = "supervisor", "主管单位"  # the units of its config `supervisors` entry
    EDITOR = "editor", "单位编辑"  # its own unit's accounts and drafts
    VIEWER = "viewer", "只读用户"  # reads its unit (or every unit when it has none); changes nothing


class AuditAction(Word):
    """One line of the web console's audit log (audit_log.action)."""

    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "帐号锁定"
    LOGOUT = "logout", "退出"
    DENIED = "denied", "越权访问被拒绝"
    DISMISS = "dismiss", "排除问题"
    REOPEN = "reopen", "恢复问题"
    RECTIFY = "rectify", "标记已整改"
    RESCAN = "rescan", "重新检测"
    DRAFT_CHECK = "draft_check", "稿件预审"
    REGISTRY_PREVIEW = "registry_preview", "台账预览"
    REGISTRY_IMPORT = "registry_import", "台账导入"
    REGISTRY_EXPORT = "registry_export", "台账导出"
    REPORT_READ = "report_read", "查看周报"
    API = "api", "接口调用"


# Every vocabulary, for checks that walk them all.
VOCABULARIES: tuple[type[StrEnum], ...] = (
    Outcome,
    LinkVerdict,
    AccountStatus,
    Severity,
    Category,
    FindingState,
    FindingEventKind,
    AccountKind,
    UnitField,
    Operator,
    ContentLabel,
    RepostState,
    CommentPermission,
    Role,
    AuditAction,
)
