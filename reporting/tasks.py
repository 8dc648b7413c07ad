"""Reposting tasks (转载任务) shaped for people: the weekly report's section, the export rows
and the lines `govwatch tasks list|show` prints. Judgement is analysis/reposts.py's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.reposts import AccountResult, TaskResult, hours_text
from core.vocabulary import RepostState
from reporting import labels as L

# The weekly report shows the tasks published in the four weeks before its end.
REPORT_WEEKS = 4
STATE_COLOURS = {
    RepostState.DONE: ("#dcfce7", "#166534"),
    RepostState.LATE: ("#fef3c7", "#92400e"),
    RepostState.MISSING: ("#fee2e2", "#991b1b"),
    RepostState.UNVERIFIED: ("#e5e7eb", "#374151"),
    RepostState.PENDING: ("#dbeafe", "#1e40af"),
}


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}" if at else ""


@dataclass
class TaskAccountLine:
    unit: str
    account_id: str
    name: str
    platform_label: str
    state: str
    state_label: str
    bg: str
    fg: str
    posted_at: str  # the repost's time ("" when none)
    taken: str  # time taken since the task's publication
    late_by: str  # past the deadline (late only)
    url: str | None  # the repost's address
    how: str  # 微博转发 | 标题/正文相符 | ""


@dataclass
class TaskUnitLine:
    unit: str
    done: int
    expected: int
    state_label: str
    registered: bool


@dataclass
class TaskLine:
    id: str
    title: str
    url: str | None
    published_at: str
    deadline: str
    expected: int
    done: int  # on time
    late: int
    missing: int
    pending: int
    unverified: int
    units: list[TaskUnitLine] = field(default_factory=list)
    accounts: list[TaskAccountLine] = field(default_factory=list)
    unknown_accounts: list[str] = field(default_factory=list)

    @property
    def rate(self) -> str:
        """Reposted on time, of those expected."""
        return f"{round(self.done * 100 / self.expected)}%" if self.expected else "—"


def _how(how: str | None) -> str:
    return {"weibo": "微博转发", "text": "标题/正文相符"}.get(how or "", "")


def account_line(item: AccountResult, tz: ZoneInfo) -> TaskAccountLine:
    j = item.judgement
    state = RepostState(j.state)
    bg, fg = STATE_COLOURS[state]
    post_at = j.post.published_at if j.post else None
    return TaskAccountLine(
        unit=item.account.unit,
        account_id=item.account.id,
        name=item.account.name,
        platform_label=L.platform_label(item.account.platform),
        state=state.value,
        state_label=state.label,
        bg=bg,
        fg=fg,
        posted_at=_local(post_at, tz),
        taken=hours_text(j.hours_taken) if j.post else "",
        late_by=hours_text(j.hours_late) if j.hours_late is not None else "",
        url=j.post.url if j.post else None,
        how=_how(j.how),
    )


def task_line(result: TaskResult, tz: ZoneInfo, units: set[str] | frozenset[str] | None = None) -> TaskLine:
    """One task, for ``units`` only when given (a supervisor's scope)."""
    accounts = [a for a in result.accounts if units is None or a.account.unit in units]
    accounts.sort(key=lambda a: (RepostState.rank(a.state), a.account.unit, a.account.name, a.account.id))
    count = {s: sum(1 for a in accounts if a.state == s) for s in RepostState}
    unit_lines = [
        TaskUnitLine(
            u.unit,
            u.done,
            len(u.accounts),
            RepostState.label_of(u.state, "无应转载帐号" if u.registered else "单位未登记"),
            u.registered,
        )
        for u in result.units
        if units is None or u.unit in units
    ]
    return TaskLine(
        id=result.task.id,
        title=result.title,
        url=result.key.url or result.task.url,
        published_at=_local(result.key.published_at, tz),
        deadline=_local(result.deadline, tz),
        expected=len(accounts),
        done=count[RepostState.DONE],
        late=count[RepostState.LATE],
        missing=count[RepostState.MISSING],
        pending=count[RepostState.PENDING],
        unverified=count[RepostState.UNVERIFIED],
        units=unit_lines,
        accounts=[account_line(a, tz) for a in accounts],
        unknown_accounts=result.unknown_accounts,
    )


def report_tasks(
    results: Sequence[TaskResult],
    tz: ZoneInfo,
    week_end: datetime,
    units: set[str] | frozenset[str] | None = None,
) -> list[TaskLine]:
    """The tasks a week's report shows: published in the ``REPORT_WEEKS`` weeks before its end
    (and not after it), with an expected account in scope; newest first."""
    start = week_end - timedelta(weeks=REPORT_WEEKS)
    shown = [r for r in results if start <= r.key.published_at < week_end]
    shown.sort(key=lambda r: r.key.published_at, reverse=True)
    lines = [task_line(r, tz, units) for r in shown]
    return [t for t in lines if t.expected or units is None]


# --- command-line text ---------------------------------------------------------------------------


def list_lines(results: Sequence[TaskResult], tz: ZoneInfo) -> Iterator[str]:
    if not results:
        yield "没有转载任务 / no reposting tasks"
        return
    for result in results:
        t = task_line(result, tz)
        yield (
            f"{t.id}  {t.title}  发布 {t.published_at}  截止 {t.deadline}  "
            f"应转载 {t.expected}：{RepostState.DONE.label} {t.done}，{RepostState.LATE.label} {t.late}，"
            f"{RepostState.MISSING.label} {t.missing}，{RepostState.PENDING.label} {t.pending}，"
            f"{RepostState.UNVERIFIED.label} {t.unverified}"
        )


def show_lines(result: TaskResult, tz: ZoneInfo) -> Iterator[str]:
    t = task_line(result, tz)
    yield f"转载任务 {t.id}：{t.title}"
    if t.url:
        yield f"原文：{t.url}"
    key = (
        "（已在存储的内容中找到原文）"
        if result.key.post_id is not None
        else "（未找到原文，按任务登记的标题比对）"
    )
    yield f"发布：{t.published_at}  截止：{t.deadline}  {key}"
    yield f"按时完成率：{t.rate}（应转载 {t.expected} 个帐号）"
    yield "按单位："
    for u in t.units:
        yield f"  {u.unit}：{u.done}/{u.expected} 已转载（{u.state_label}）"
    yield "按帐号："
    for a in t.accounts:
        more = ""
        if a.posted_at:
            more = f"  转载于 {a.posted_at}，用时 {a.taken}"
            if a.late_by:
                more += f"，超时 {a.late_by}"
            more += f"（{a.how}）"
            if a.url:
                more += f" {a.url}"
        yield f"  [{a.state_label}] {a.unit} / {a.name}（{a.platform_label}，{a.account_id}）{more}"
    if t.unknown_accounts:
        yield "未登记的帐号 / unknown accounts: " + "、".join(t.unknown_accounts)


# --- exports -------------------------------------------------------------------------------------

TASK_FIELDS = (
    "task_id",
    "task_title",
    "published_at",
    "deadline",
    "unit",
    "account_id",
    "account_name",
    "platform",
    "state",
    "repost_url",
    "reposted_at",
    "hours_taken",
    "hours_late",
    "match",
    "score",
)
TASK_HEADERS = (
    "序号",
    "转载任务",
    "原文发布时间",
    "截止时间",
    "责任主体",
    "帐号名称",
    "平台",
    "完成情况",
    "转载时间",
    "用时",
    "超时",
    "转载链接",
    "任务编号",
    "帐号ID",
)
TASK_WIDTHS = (6, 30, 17, 17, 18, 18, 10, 10, 17, 12, 12, 36, 14, 20)


def _iso(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).isoformat() if at else None


def task_rows(results: Sequence[TaskResult], tz: ZoneInfo) -> Iterator[dict[str, Any]]:
    """One row per task and expected account (CONTRACT-style: codes, ISO times, nulls)."""
    for result in results:
        accounts = sorted(result.accounts, key=lambda a: (a.account.unit, a.account.name, a.account.id))
        for item in accounts:
            j = item.judgement
            yield {
                "task_id": result.task.id,
                "task_title": result.title,
                "published_at": _iso(result.key.published_at, tz),
                "deadline": _iso(result.deadline, tz),
                "unit": item.account.unit,
                "account_id": item.account.id,
                "account_name": item.account.name,
                "platform": item.account.platform,
                "state": RepostState(j.state).value,
                "repost_url": j.post.url if j.post else None,
                "reposted_at": _iso(j.post.published_at if j.post else None, tz),
                "hours_taken": j.hours_taken,
                "hours_late": j.hours_late,
                "match": j.how,
                "score": j.score,
            }


def task_report_rows(results: Sequence[TaskResult], tz: ZoneInfo) -> Iterator[list[Any]]:
    """The xlsx sheet: by task, worst standing first."""
    number = 0
    for result in results:
        t = task_line(result, tz)
        for a in t.accounts:
            number += 1
            yield [
                number,
                t.title,
                t.published_at,
                t.deadline,
                a.unit,
                a.name,
                a.platform_label,
                a.state_label,
                a.posted_at,
                a.taken,
                a.late_by,
                a.url or "",
                t.id,
                a.account_id,
            ]
