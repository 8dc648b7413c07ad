"""The weekly report's view model: plain dataclasses that shape the as-of read model.

The read model (analysis/asof.py) says what every account was *as of* the end
of the report's week (or now, for a week still running): status, crawl outcome,
findings open then, posts published in the week. This module only puts that in
the words, formats and order of the page, so `govwatch report --week` rebuilds
any past week from stored rows.

A fixed number of queries, whatever the number of accounts: ``load_week`` reads
everything once, and ``scope_view`` cuts it to one supervisor's units, so
writing a report per supervisor costs no more queries than one report.
Templates receive only these dataclasses, never ORM objects.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analysis.asof import AccountState, OpenFinding, RunState, week_state
from analysis.findings import MAINTENANCE
from analysis.history import RepeatRecord
from analysis.reposts import TaskResult, evaluate_tasks
from analysis.status import days_between
from core.config import Config
from core.vocabulary import FAILED_OUTCOMES, AccountStatus, Category, Outcome, Severity
from reporting import labels as L
from reporting.tasks import TaskLine, report_tasks
from reporting.weeks import IsoWeek
from storage.models import utcnow

# Publishing-account statuses that need someone to act (the brief's 僵尸, 空壳, 超期未更新, 无法访问).
ACTION_STATUSES = (AccountStatus.ZOMBIE, AccountStatus.EMPTY, AccountStatus.STALE, AccountStatus.UNREACHABLE)
# Always shown in the headline, even at zero; other statuses only when present.
HEADLINE_STATUSES = (
    *ACTION_STATUSES,
    AccountStatus.WARNING,
    AccountStatus.ACTIVE,
    AccountStatus.UNKNOWN,
    AccountStatus.CLOSED,
)
EVIDENCE_CHARS = 200
STRIP_WEEKS = 12  # the activity strip: weekly post counts, oldest first
MARK_RE = re.compile(r"【([^【】]+)】")  # innermost: a post's own 【…】 may surround the mark
DETAIL_CHARS = 300
ALL_UNITS = "全部单位"


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (no javascript:, data:, relative)."""
    if not url:
        return None
    url = url.strip()
    if any(ch in url for ch in "\x00\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the view model ------------------------------------------------------------


@dataclass
class FindingLine:
    id: int
    category: str
    category_label: str
    severity: str
    severity_label: str
    rule: str
    evidence: str
    evidence_url: str | None
    first_seen: str  # date in the report's zone
    days_open: int
    # The evidence cut into (text, marked) pieces: matched words (【】 in storage) are marked.
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    explanation: str | None = None
    suggestion: str | None = None
    post_date: str | None = None  # the post the finding is about, when it is about a post


def evidence_pieces(evidence: str) -> list[tuple[str, bool]]:
    """Split stored evidence into plain and marked pieces; the template escapes each piece."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in MARK_RE.finditer(evidence):
        if match.start() > at:
            pieces.append((evidence[at : match.start()], False))
        pieces.append((match.group(1), True))
        at = match.end()
    if at < len(evidence):
        pieces.append((evidence[at:], False))
    return pieces


@dataclass
class StripCell:
    week: str  # "11-09" (Monday)
    count: int
    colour: str


@dataclass
class MixPart:
    label: str
    count: int
    share: int  # percent
    colour: str


@dataclass
class AccountLine:
    id: str
    unit: str
    name: str
    platform: str
    platform_label: str
    kind: str
    url: str | None
    status: str
    status_label: str
    status_note: str | None
    last_post_at: str | None  # date in the report's zone
    last_post_url: str | None
    days_since: int | None
    veto: str  # the two-week veto countdown as read (距否决 3 天, 已超期, 未知：…); "—" when not covered
    veto_state: str | None
    posts_week: int
    posts_30d: int
    original_share: str  # "63%" or "—"
    outcome: str | None  # last crawl outcome as of the report's moment
    outcome_label: str
    outcome_detail: str | None
    http_status: int | None
    crawled_at: str | None
    last_ok_at: str | None
    findings: list[FindingLine] = field(default_factory=list)
    activity: list[StripCell] = field(default_factory=list)
    content_mix: list[MixPart] = field(default_factory=list)  # content types, or media when untyped
    reply_rate: str = "—"  # share of the public's comments answered (30 days); "—" when not known
    repeat: RepeatRecord | None = None
    repeat_label: str = ""
    # Filled for accounts in the action section.
    severity: str | None = None
    severity_label: str = ""
    problem: str = ""
    duration: str = ""

    @property
    def crawl_failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    @property
    def outcome_note(self) -> str:
        """The failed crawl explained in Chinese (the raw detail is for operators)."""
        return L.outcome_note(self.outcome, self.outcome_detail)


@dataclass
class UnitGroup:
    unit: str
    severity: str | None
    accounts: list[AccountLine]


@dataclass
class Count:
    code: str
    label: str
    count: int
    fg: str = "#374151"
    bg: str = "#e5e7eb"
    prev: int | None = None  # last week's figure, for the change

    @property
    def delta(self) -> str:
        """The change from last week: "↑2", "↓1", "持平", or "" when unknown."""
        if self.prev is None:
            return ""
        d = self.count - self.prev
        return "持平" if d == 0 else (f"↑{d}" if d > 0 else f"↓{-d}")


@dataclass
class PlatformHealth:
    platform: str
    platform_label: str
    accounts: int
    ok: int
    failed: int
    never: int
    failures: str  # "被平台拦截 3，需要登录 1"


@dataclass
class RunSummary:
    started_at: str
    finished_at: str | None
    state: str
    accounts_total: int
    accounts_ok: int
    accounts_failed: int
    new_posts: int


@dataclass
class ReportView:
    title: str
    scope_name: str
    units: list[str] | None  # None: all units
    week: str
    week_label: str
    week_start: str
    week_end: str
    as_of: str
    week_complete: bool
    generated_at: str
    timezone: str
    thresholds: dict[str, int]
    total_accounts: int
    status_counts: list[Count]
    severity_counts: list[Count]
    category_counts: list[Count]
    open_findings: int
    posts_week: int
    problem_posts: list[Count]  # posts with an open finding, by problem class, with last week's
    problem_posts_total: Count
    rectified: Count  # accounts with a finding rectified this week, and last week
    repeat_accounts: int
    repeat_rule: str  # "近4周中有3周存在未整改问题"
    status_bar: list[MixPart]  # the status breakdown as one stacked bar
    strip_weeks: list[str]
    action_groups: list[UnitGroup]
    action_accounts: int
    crawl_problems: list[AccountLine]
    platform_health: list[PlatformHealth]
    last_run: RunSummary | None
    accounts: list[AccountLine]
    operator_alerts: list[OperatorAlertLine] = field(default_factory=list)  # crawl problems, atop the report
    tasks: list[TaskLine] = field(default_factory=list)  # 转载任务完成情况 (reporting/tasks.py)


# --- reading storage ----------------------------------------------------------------


@dataclass
class WeekData:
    """Everything a week's reports need, for all accounts, read once."""

    week: IsoWeek
    now: datetime
    as_of: datetime
    accounts: list[AccountLine]
    last_run: RunSummary | None
    prev_status: dict[str, str] = field(default_factory=dict)  # as of last week's end
    problem_posts: dict[str, dict[str, set[int]]] = field(default_factory=dict)  # account -> class -> posts
    prev_problem_posts: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    operator_alerts: list[OperatorAlertLine] = field(default_factory=list)
    rectified: set[str] = field(default_factory=set)  # accounts with a finding rectified in the week
    prev_rectified: set[str] = field(default_factory=set)
    strip_weeks: list[str] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)  # reposting tasks judged as of the week's end


def _fmt_day(at: datetime | None, tz: ZoneInfo) -> str | None:
    return f"{at.astimezone(tz):%Y-%m-%d}" if at else None


def _fmt_time(at: datetime | None, tz: ZoneInfo) -> str | None:
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}" if at else None


STRIP_COLOURS = ("#e5e7eb", "#bbf7d0", "#86efac", "#4ade80", "#16a34a", "#166534")


def strip_colour(count: int) -> str:
    """Heat-map colour of one week's post count (0 grey, then greener up to 7 or more)."""
    if count <= 0:
        return STRIP_COLOURS[0]
    for limit, colour in (
        (1, STRIP_COLOURS[1]),
        (2, STRIP_COLOURS[2]),
        (4, STRIP_COLOURS[3]),
        (6, STRIP_COLOURS[4]),
    ):
        if count <= limit:
            return colour
    return STRIP_COLOURS[5]


MEDIA_LABELS = {
    "text": "文字",
    "image": "图片",
    "video": "视频",
    "audio": "音频",
    "article": "文章",
    "link": "链接",
    "live": "直播",
}
MIX_COLOURS = ("#1d4ed8", "#0891b2", "#16a34a", "#ca8a04", "#c2410c", "#7c3aed", "#6b7280")


def content_mix(types: Counter[str], media: Counter[str]) -> list[MixPart]:
    """An account's content mix as parts of one bar: content types where analysed, else media."""
    counter = types
    if not counter:
        counter = Counter()
        for medium, n in media.items():
            counter[MEDIA_LABELS.get(medium, medium)] += n
    total = sum(counter.values())
    if not total:
        return []
    return [
        MixPart(label, n, round(n * 100 / total), MIX_COLOURS[min(i, len(MIX_COLOURS) - 1)])
        for i, (label, n) in enumerate(counter.most_common())
    ]


def explain_status(status: str, note: str | None, outcome: str | None) -> str | None:
    """The analysis note, in words a supervisor reads (outcome codes become Chinese)."""
    if status == AccountStatus.UNKNOWN:
        if outcome is None:
            return "尚未抓取，实际更新情况待核实"
        return f"从未成功抓取（最近一次：{L.outcome_label(outcome)}），实际更新情况待核实"
    if status == AccountStatus.UNAVAILABLE and outcome:
        return f"最近一次检测：{L.outcome_label(outcome)}"
    return note


@dataclass
class OperatorAlertLine:
    """A deployment-level alert (a platform blocking us, a dead cookie): data is missing, not silent."""

    platform: str
    message: str
    since: str


def reply_rate_text(rate: float | None, median_hours: float | None) -> str:
    """ "62%（中位 5 小时）": replies to the public's comments over the last 30 days (analysis/interaction.py)."""
    if rate is None:
        return "—"
    text = f"{round(rate * 100)}%"
    if median_hours is not None:
        text += f"（中位 {median_hours:.0f} 小时）"
    return text


def _run_summary(run: RunState | None, tz: ZoneInfo) -> RunSummary | None:
    if run is None:
        return None
    return RunSummary(
        started_at=_fmt_time(run.started_at, tz) or "",
        finished_at=_fmt_time(run.finished_at, tz),
        state=run.state,
        accounts_total=run.accounts_total,
        accounts_ok=run.accounts_ok,
        accounts_failed=run.accounts_failed,
        new_posts=run.new_posts,
    )


def _finding_line(f: OpenFinding, as_of: datetime, tz: ZoneInfo) -> FindingLine:
    evidence = clip(f.evidence, EVIDENCE_CHARS)
    return FindingLine(
        id=f.id,
        category=f.category,
        category_label=L.category_label(f.category),
        severity=f.severity,
        severity_label=L.severity_label(f.severity),
        rule=f.rule,
        evidence=evidence,
        evidence_url=safe_url(f.evidence_url),
        first_seen=_fmt_day(f.first_seen, tz) or "",
        days_open=days_between(f.first_seen, as_of),
        pieces=evidence_pieces(evidence),
        explanation=(f.details or {}).get("explanation"),
        suggestion=(f.details or {}).get("suggestion"),
        post_date=_fmt_day(f.post_published_at, tz) if f.post_id else None,
    )


def _account_line(
    a: AccountState, repeat: RepeatRecord | None, strip_weeks: list[str], tz: ZoneInfo
) -> AccountLine:
    crawl = a.crawl
    return AccountLine(
        id=a.account_id,
        unit=a.unit,
        name=a.name,
        platform=a.platform,
        platform_label=L.platform_label(a.platform),
        kind=a.kind,
        url=safe_url(a.url),
        status=a.status,
        status_label=L.status_label(a.status),
        status_note=explain_status(a.status, a.note, crawl.outcome if crawl else None),
        last_post_at=_fmt_day(a.last_post_at, tz),
        last_post_url=safe_url(a.last_post_url),
        days_since=a.days_since_last_post,
        veto=a.veto.text if a.veto else "—",
        veto_state=a.veto.state if a.veto else None,
        posts_week=a.posts_in_windows[-1],
        posts_30d=a.posts_30d,
        original_share=f"{round(a.original_ratio_30d * 100)}%" if a.original_ratio_30d is not None else "—",
        outcome=crawl.outcome if crawl else None,
        outcome_label=(
            L.outcome_label(crawl.outcome)
            if crawl
            else ("不再抓取" if a.status == AccountStatus.CLOSED else L.outcome_label(None))
        ),
        outcome_detail=clip(crawl.detail, DETAIL_CHARS) if crawl and crawl.detail else None,
        http_status=crawl.http_status if crawl else None,
        crawled_at=_fmt_time(crawl.finished_at, tz) if crawl else None,
        last_ok_at=_fmt_time(a.last_ok_at, tz),
        findings=[
            _finding_line(f, a.as_of, tz)
            for f in sorted(a.findings, key=lambda f: (L.severity_rank(f.severity), f.id))
        ],
        activity=[
            StripCell(label, n, strip_colour(n))
            for label, n in zip(strip_weeks, a.posts_in_windows, strict=True)
        ],
        content_mix=content_mix(a.content_types, a.media),
        reply_rate=reply_rate_text(a.reply_rate_30d, a.reply_median_hours_30d),
        repeat=repeat,
        repeat_label=f"屡查屡犯：近{repeat.window}周中有{repeat.weeks_open}周存在未整改问题"
        if repeat
        else "",
    )


def load_week(session: Session, config: Config, week: IsoWeek, now: datetime | None = None) -> WeekData:
    """What the week's reports show, for every account: the read model as of the end of the week
    (analysis/asof.py), in the words and formats of the page."""
    tz = config.tz
    now = now or utcnow()
    start = week.start(tz)
    strip_starts = [start - timedelta(days=7 * i) for i in range(STRIP_WEEKS - 1, -1, -1)]
    strip_weeks = [f"{s.astimezone(tz):%m-%d}" for s in strip_starts]
    state = week_state(session, config, strip_starts, week.end(tz), now)
    return WeekData(
        week,
        now,
        state.as_of,
        [_account_line(a, state.repeats.get(a.account_id), strip_weeks, tz) for a in state.accounts],
        _run_summary(state.last_run, tz),
        prev_status=state.prev_status,
        problem_posts=state.problem_posts,
        prev_problem_posts=state.prev_problem_posts,
        operator_alerts=[
            OperatorAlertLine(a.platform, a.message, _fmt_time(a.first_seen, tz) or "")
            for a in state.operator_alerts
        ],
        rectified=state.rectified,
        prev_rectified=state.prev_rectified,
        strip_weeks=strip_weeks,
        tasks=evaluate_tasks(session, tz, state.as_of),
    )


# --- cutting one supervisor's view -------------------------------------------------


def _status_severity(status: str) -> str | None:
    rule = MAINTENANCE.get(status)
    return rule.severity if rule else None


def _problem(a: AccountLine, config: Config) -> tuple[str, str]:
    """The problem in Chinese, and how long it has lasted."""
    t = config.thresholds
    maint = [f for f in a.findings if f.category == Category.POOR_MAINTENANCE]
    since = max((f.days_open for f in (maint or a.findings)), default=None)
    first = min((f.first_seen for f in (maint or a.findings)), default=None)
    if since is None:
        lasting = ""
    elif since == 0:
        lasting = f"本期新发现（{first}）"
    else:
        lasting = f"已持续 {since} 天（{first} 起）"
    if a.status == AccountStatus.ZOMBIE:
        return f"{AccountStatus.ZOMBIE.label}：超过 {t.zombie_days} 天未更新", f"{a.days_since} 天未更新"
    if a.status == AccountStatus.STALE:
        return (
            f"{AccountStatus.STALE.label}：超过 {t.stale_days} 天未更新（政务新媒体应至少两周更新一次）",
            f"{a.days_since} 天未更新",
        )
    if a.status == AccountStatus.EMPTY:
        return f"{AccountStatus.EMPTY.label}：抓取成功，但帐号内没有任何已发布内容", lasting or "首次发现"
    if a.status == AccountStatus.UNREACHABLE:
        return (
            f"{AccountStatus.UNREACHABLE.label}：{a.status_note or '帐号页面打不开'}",
            lasting or "首次发现",
        )
    classes = "、".join(dict.fromkeys(f.category_label for f in a.findings))
    return f"存在问题：{classes}", lasting


def _action_accounts(accounts: Iterable[AccountLine], config: Config) -> list[AccountLine]:
    out = []
    for a in accounts:
        if a.status == AccountStatus.CLOSED:
            continue
        if a.status not in ACTION_STATUSES and not a.findings:
            continue
        ranks = [L.severity_rank(f.severity) for f in a.findings]
        status_severity = _status_severity(a.status)
        if status_severity:
            ranks.append(L.severity_rank(status_severity))
        worst = min(ranks)
        a.severity = list(Severity)[worst] if worst < len(Severity) else None
        a.severity_label = L.severity_label(a.severity) if a.severity else ""
        a.problem, a.duration = _problem(a, config)
        out.append(a)
    return out


def _group_by_unit(accounts: list[AccountLine]) -> list[UnitGroup]:
    groups: dict[str, list[AccountLine]] = defaultdict(list)
    for a in accounts:
        groups[a.unit].append(a)

    def account_key(a: AccountLine) -> tuple:
        # Repeat offenders first (通报批评 for problems that persist after notice), then by severity.
        return (
            a.repeat is None,
            L.severity_rank(a.severity),
            L.status_rank(a.status),
            -(a.days_since or 0),
            a.name,
        )

    result = []
    for unit, members in groups.items():
        members.sort(key=account_key)
        result.append(UnitGroup(unit, members[0].severity, members))

    def group_key(g: UnitGroup) -> tuple:
        worst = L.severity_rank(g.severity)
        same = sum(1 for a in g.accounts if L.severity_rank(a.severity) == worst)
        return (not any(a.repeat for a in g.accounts), worst, -same, -len(g.accounts), g.unit)

    result.sort(key=group_key)
    return result


def _platform_health(accounts: list[AccountLine]) -> list[PlatformHealth]:
    by_platform: dict[str, list[AccountLine]] = defaultdict(list)
    for a in accounts:
        if a.status not in (
            AccountStatus.CLOSED,
            AccountStatus.UNMONITORED,
        ):  # a platform we do not read has no crawl health
            by_platform[a.platform].append(a)
    rows = []
    for platform, members in by_platform.items():
        failures = Counter(a.outcome for a in members if a.crawl_failed)
        rows.append(
            PlatformHealth(
                platform=platform,
                platform_label=L.platform_label(platform),
                accounts=len(members),
                ok=sum(1 for a in members if a.outcome == Outcome.OK),
                failed=sum(failures.values()),
                never=sum(1 for a in members if a.outcome is None),
                failures="，".join(
                    f"{L.outcome_label(code)} {n}"
                    for code, n in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            )
        )
    rows.sort(key=lambda r: (-r.failed, -r.accounts, r.platform))
    return rows


def scope_view(
    data: WeekData,
    config: Config,
    units: set[str] | frozenset[str] | None = None,
    scope_name: str | None = None,
) -> ReportView:
    """The report for the accounts of `units` (None: all units)."""
    tz = config.tz
    week = data.week
    # Fresh copies: each supervisor's view gets its own action annotations.
    accounts = [replace(a) for a in data.accounts if units is None or a.unit in units]
    accounts.sort(key=lambda a: (a.unit, L.status_rank(a.status), a.platform, a.name, a.id))

    status_counter = Counter(a.status for a in accounts)
    ids = {a.id for a in accounts}
    has_prev = bool(data.prev_status)
    prev_counter = Counter(st for a, st in data.prev_status.items() if a in ids)
    shown = [s for s in L.STATUS_ORDER if s in HEADLINE_STATUSES or status_counter[s]]
    status_counts = [
        Count(
            s,
            L.status_label(s),
            status_counter[s],
            *L.status_colours(s),
            prev=prev_counter[s] if has_prev else None,
        )
        for s in shown
    ]
    status_bar = [
        MixPart(c.label, c.count, round(c.count * 100 / len(accounts)), c.bg)
        for c in status_counts
        if c.count and accounts
    ]

    def problem_counter(source: dict[str, dict[str, set[int]]]) -> tuple[Counter[str], int]:
        counter: Counter[str] = Counter()
        posts: set[int] = set()
        for account_id, by_class in source.items():
            if account_id in ids:
                for category, post_ids in by_class.items():
                    counter[category] += len(post_ids)
                    posts |= post_ids
        return counter, len(posts)

    pp_now, pp_total = problem_counter(data.problem_posts)
    pp_prev, pp_prev_total = problem_counter(data.prev_problem_posts)
    problem_posts = [
        Count(c, L.category_label(c), pp_now[c], prev=pp_prev[c] if has_prev else None)
        for c in Category
        if pp_now[c] or pp_prev[c]
    ]
    settings = config.report

    all_findings = [f for a in accounts for f in a.findings]
    severity_counter = Counter(f.severity for f in all_findings)
    severity_counts = [
        Count(s, L.severity_label(s), severity_counter[s], *L.SEVERITY_COLOURS[s]) for s in Severity
    ]
    category_counter = Counter(f.category for f in all_findings)
    category_counts = [
        Count(c, L.category_label(c), category_counter[c]) for c in Category if category_counter[c]
    ]

    action = _action_accounts(accounts, config)
    crawl_problems = [
        a for a in accounts if a.status != AccountStatus.CLOSED and (a.crawl_failed or a.outcome is None)
    ]
    crawl_problems.sort(key=lambda a: (a.outcome is None, a.outcome or "", a.unit, a.name))

    return ReportView(
        title=config.report.title,
        scope_name=scope_name or ALL_UNITS,
        units=sorted(units) if units is not None else None,
        week=str(week),
        week_label=week.label(),
        week_start=f"{week.monday:%Y-%m-%d}",
        week_end=f"{week.sunday:%Y-%m-%d}",
        as_of=_fmt_time(data.as_of, tz) or "",
        week_complete=data.as_of >= week.end(tz),
        generated_at=_fmt_time(data.now, tz) or "",
        timezone=L.timezone_label(config.timezone),
        thresholds=config.thresholds.model_dump(),
        total_accounts=len(accounts),
        status_counts=status_counts,
        severity_counts=severity_counts,
        category_counts=category_counts,
        open_findings=len(all_findings),
        posts_week=sum(a.posts_week for a in accounts),
        problem_posts=problem_posts,
        problem_posts_total=Count("posts", "问题内容", pp_total, prev=pp_prev_total if has_prev else None),
        rectified=Count(
            "rectified",
            "整改帐号",
            len(data.rectified & ids),
            prev=len(data.prev_rectified & ids) if has_prev else None,
        ),
        repeat_accounts=sum(1 for a in accounts if a.repeat),
        repeat_rule=f"近{settings.repeat_window}周中有{settings.repeat_weeks}周及以上存在未整改问题",
        status_bar=status_bar,
        strip_weeks=data.strip_weeks,
        action_groups=_group_by_unit(action),
        action_accounts=len(action),
        crawl_problems=crawl_problems,
        platform_health=_platform_health(accounts),
        last_run=data.last_run,
        accounts=accounts,
        operator_alerts=data.operator_alerts,
        tasks=_safe_tasks(report_tasks(data.tasks, tz, week.end(tz), units)),
    )


def _safe_tasks(tasks: list[TaskLine]) -> list[TaskLine]:
    """Crawled addresses become links only when they are web addresses (safe_url)."""
    for task in tasks:
        task.url = safe_url(task.url)
        for line in task.accounts:
            line.url = safe_url(line.url)
    return tasks


def build_view(
    session: Session,
    config: Config,
    week: IsoWeek,
    units: set[str] | None = None,
    now: datetime | None = None,
    scope_name: str | None = None,
) -> ReportView:
    """The report view of `week` for the accounts of `units` (None: all)."""
    return scope_view(load_week(session, config, week, now), config, units, scope_name)
