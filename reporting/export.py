"""Exports per CONTRACT.md: accounts, posts, findings as JSON Lines or CSV.

Times are ISO 8601 with the configured zone's offset; unknown values are null
(JSON) or empty (CSV), never omitted. Rows stream from the database, so a
million posts export in flat memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.asof import account_states
from analysis.status import Countdown
from analysis.veto import quarter_figures
from core.config import Config
from core.files import replace_private
from core.vocabulary import AccountKind, ContentLabel, FindingState, UnitField
from reporting.tasks import TASK_FIELDS, TASK_HEADERS, TASK_WIDTHS
from storage.models import Account, Finding, Post, Unit, utcnow

ACCOUNT_FIELDS = (
    "id",
    "unit",
    "platform",
    "name",
    "kind",
    "status",
    "last_post_at",
    "days_since_last_post",
    "posts_7d",
    "posts_30d",
    "original_ratio_30d",
    "last_crawl_outcome",
    "last_crawled_at",
    "open_findings",
    "veto_state",  # core/vocabulary.py VetoState; empty for accounts the veto does not cover
    "veto_days_left",  # days until the two-week veto, while counting
    "quarter",  # the calendar quarter of the next two, e.g. 2026Q4
    "quarter_days_overdue",  # days of the quarter so far out of compliance (two weeks without a post)
    "quarter_longest_gap_days",  # longest gap between posts (or since the last one) in the quarter
    "unit_field",  # the 业务领域 it is ranked under (UnitField): registry > config `units` > name
)
POST_FIELDS = (
    "account_id",
    "post_id",
    "url",
    "published_at",
    "title",
    "text",
    "is_original",
    "is_pinned",
    "deleted",
    "likes",
    "comments",
    "shares",
    "labels",
    "repost_of",
    "repost_text",
)
FINDING_FIELDS = (
    "id",
    "account_id",
    "post_id",
    "category",
    "rule",
    "severity",
    "evidence",
    "first_seen",
    "last_seen",
    "status",
)
FIELDS = {"accounts": ACCOUNT_FIELDS, "posts": POST_FIELDS, "findings": FINDING_FIELDS, "tasks": TASK_FIELDS}


def _iso(value: datetime | None, config: Config) -> str | None:
    return value.astimezone(config.tz).isoformat() if value else None


def account_rows(session: Session, config: Config, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The accounts as of `now` (the as-of read model, analysis/asof.py), by unit then id."""
    states = account_states(session, config.thresholds, now or utcnow(), by_unit=True)
    quarters = quarter_figures(session, states, config.thresholds, config.tz)
    for a in states:
        ratio = a.original_ratio_30d
        attempt = a.last_attempt
        quarter = quarters.get(a.account_id)
        yield {
            "id": a.account_id,
            "unit": a.unit,
            "platform": a.platform,
            "name": a.name,
            "kind": a.kind,
            "status": a.status,
            "last_post_at": _iso(a.last_post_at, config),
            "days_since_last_post": a.days_since_last_post,
            "posts_7d": a.posts_7d,
            "posts_30d": a.posts_30d,
            "original_ratio_30d": round(ratio, 4) if ratio is not None else None,
            "last_crawl_outcome": attempt.outcome if attempt else None,
            "last_crawled_at": _iso(attempt.finished_at if attempt else None, config),
            "open_findings": len(a.findings),
            "veto_state": a.veto.state if a.veto else None,
            "veto_days_left": a.veto.days_left if a.veto else None,
            "quarter": quarter.quarter if quarter else None,
            "quarter_days_overdue": quarter.days_overdue if quarter else None,
            "quarter_longest_gap_days": quarter.longest_gap_days if quarter else None,
            "unit_field": str(config.unit_field(a.unit, a.unit_field)),
        }


def post_rows(session: Session, config: Config) -> Iterator[dict[str, Any]]:
    query = (
        select(Post)
        .order_by(Post.account_id, Post.published_at.desc().nulls_last(), Post.id)
        .execution_options(yield_per=2000)
    )
    for post in session.scalars(query):
        yield {
            "account_id": post.account_id,
            "post_id": post.platform_post_id,
            "url": post.url,
            "published_at": _iso(post.published_at, config),
            "title": post.title,
            "text": post.text,
            "is_original": post.is_original,
            "is_pinned": post.is_pinned,
            "deleted": post.deleted_at is not None,
            "likes": post.likes,
            "comments": post.comments,
            "shares": post.shares,
            "labels": post.labels.split() if post.labels else [],
            "repost_of": post.repost_of,
            "repost_text": post.repost_text,
        }


def finding_rows(session: Session, config: Config) -> Iterator[dict[str, Any]]:
    query = (
        select(Finding, Post.platform_post_id)
        .outerjoin(Post, Finding.post_id == Post.id)
        .order_by(Finding.id)
        .execution_options(yield_per=2000)
    )
    for finding, post_id in session.execute(query):
        yield {
            "id": finding.id,
            "account_id": finding.account_id,
            "post_id": post_id,
            "category": finding.category,
            "rule": finding.rule,
            "severity": finding.severity,
            "evidence": finding.evidence,
            "first_seen": _iso(finding.first_seen, config),
            "last_seen": _iso(finding.last_seen, config),
            "status": finding.status,
        }


def _task_results(session: Session, config: Config) -> list:
    from analysis.reposts import evaluate_tasks

    return evaluate_tasks(session, config.tz, utcnow())


def task_rows(session: Session, config: Config) -> Iterator[dict[str, Any]]:
    """Reposting tasks: one row per task and expected account, judged now (reporting/tasks.py)."""
    from reporting.tasks import task_rows as rows

    yield from rows(_task_results(session, config), config.tz)


ROWS = {"accounts": account_rows, "posts": post_rows, "findings": finding_rows, "tasks": task_rows}


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return value


def export_rows(session: Session, config: Config, what: str, fmt: str, out: TextIO) -> int:
    """Write the rows of `what` to `out` as jsonl or csv; returns the number of rows."""
    rows = ROWS[what](session, config)
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS[what], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return count


# --- xlsx: Chinese headers, the 通报 layout a government office forwards ---------------------

XLSX_TITLES = {
    "accounts": "政务新媒体帐号情况",
    "posts": "政务新媒体发布内容",
    "findings": "政务新媒体问题通报",
    "tasks": "转载任务完成情况",
}


def _local(value: datetime | None, config: Config) -> str:
    return f"{value.astimezone(config.tz):%Y-%m-%d %H:%M}" if value else ""


def finding_report_rows(session: Session, config: Config) -> Iterator[list[Any]]:
    """The 通报 list: findings grouped by responsible unit, open first, worst first, with 序号."""
    from reporting import labels as L

    query = (
        select(Finding, Account.name, Account.platform, Unit.name, Post.url)
        .join(Account, Finding.account_id == Account.id)
        .join(Unit, Account.unit_id == Unit.id)
        .outerjoin(Post, Finding.post_id == Post.id)
    )
    rows = list(session.execute(query))
    worst: dict[str, tuple[int, int]] = {}
    for finding, _name, _platform, unit, _url in rows:
        key = (FindingState.rank(finding.status), L.severity_rank(finding.severity))
        worst[unit] = min(worst.get(unit, key), key)
    rows.sort(
        key=lambda r: (
            worst[r[3]],
            r[3],
            FindingState.rank(r[0].status),
            L.severity_rank(r[0].severity),
            r[1],
            r[0].first_seen,
        )
    )
    for number, (finding, name, platform, unit, post_url) in enumerate(rows, start=1):
        details = finding.details or {}
        description = finding.evidence
        if details.get("explanation"):
            description += f"\n说明：{details['explanation']}"
        if details.get("suggestion"):
            description += f"\n建议改为：{details['suggestion']}"
        yield [
            number,
            unit,
            name,
            L.platform_label(platform),
            L.category_label(finding.category),
            description,
            _local(finding.first_seen, config),
            FindingState.label_of(finding.status),
            L.severity_label(finding.severity),
            finding.evidence_url or post_url or "",
        ]


FINDING_HEADERS = (
    "序号",
    "责任主体",
    "帐号名称",
    "平台",
    "问题类型",
    "问题描述/证据",
    "发现时间",
    "状态",
    "严重程度",
    "原文链接",
)
ACCOUNT_HEADERS = (
    "序号",
    "责任主体",
    "帐号名称",
    "平台",
    "帐号类型",
    "状态",
    "最后发布时间",
    "未更新天数",
    "近7天发布",
    "近30天发布",
    "近30天原创占比",
    "最近抓取结果",
    "最近抓取时间",
    "未整改问题数",
    "帐号ID",
    "距两周否决",
    "本季度超期天数",
    "本季度最长未更新间隔（天）",
    "业务领域",
)
POST_HEADERS = (
    "序号",
    "帐号ID",
    "发布时间",
    "标题",
    "正文",
    "链接",
    "原创",
    "置顶",
    "已删除",
    "点赞",
    "评论",
    "转发",
    "内容标签",
    "平台内容ID",
)


def _account_report_rows(session: Session, config: Config) -> Iterator[list[Any]]:
    from reporting import labels as L

    for number, row in enumerate(account_rows(session, config), start=1):
        ratio = row["original_ratio_30d"]
        yield [
            number,
            row["unit"],
            row["name"],
            L.platform_label(row["platform"]),
            AccountKind.label_of(row["kind"]),
            L.status_label(row["status"]),
            (row["last_post_at"] or "")[:16].replace("T", " "),
            row["days_since_last_post"],
            row["posts_7d"],
            row["posts_30d"],
            f"{round(ratio * 100)}%" if ratio is not None else "",
            L.outcome_label(row["last_crawl_outcome"]),
            (row["last_crawled_at"] or "")[:16].replace("T", " "),
            row["open_findings"],
            row["id"],
            Countdown(row["veto_state"], row["veto_days_left"]).text if row["veto_state"] else "",
            row["quarter_days_overdue"],
            row["quarter_longest_gap_days"],
            UnitField.label_of(row["unit_field"]),
        ]


def _post_report_rows(session: Session, config: Config) -> Iterator[list[Any]]:

    for number, row in enumerate(post_rows(session, config), start=1):
        yield [
            number,
            row["account_id"],
            (row["published_at"] or "")[:16].replace("T", " "),
            row["title"] or "",
            row["text"],
            row["url"] or "",
            "是" if row["is_original"] else "否",
            "是" if row["is_pinned"] else "否",
            "是" if row["deleted"] else "否",
            row["likes"],
            row["comments"],
            row["shares"],
            "、".join(ContentLabel.label_of(x) for x in row["labels"]),
            row["post_id"],
        ]


def _task_report_rows(session: Session, config: Config) -> Iterator[list[Any]]:
    from reporting.tasks import task_report_rows

    yield from task_report_rows(_task_results(session, config), config.tz)


XLSX = {
    "tasks": (TASK_HEADERS, _task_report_rows, TASK_WIDTHS),
    "findings": (FINDING_HEADERS, finding_report_rows, (6, 16, 18, 10, 14, 60, 17, 8, 8, 36)),
    "accounts": (
        ACCOUNT_HEADERS,
        _account_report_rows,
        (6, 18, 20, 10, 8, 10, 17, 8, 8, 8, 10, 12, 17, 10, 20, 10, 10, 12, 14),
    ),
    "posts": (POST_HEADERS, _post_report_rows, (6, 18, 17, 24, 60, 36, 6, 6, 6, 8, 8, 8, 16, 20)),
}


def _cell_text(value: Any) -> Any:
    """Text as text: control characters removed (Excel refuses them)."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_xlsx(session: Session, config: Config, what: str, path: str, now: datetime | None = None) -> int:
    """Write `what` as an .xlsx workbook with Chinese headers; returns the number of rows.

    Findings come in the 通报 layout: grouped by responsible unit, worst first, numbered.
    Crawled text never becomes a formula: cells starting with "=" are stored as strings.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers, rows, widths = XLSX[what]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = {"findings": "问题通报", "accounts": "帐号情况", "posts": "发布内容", "tasks": "转载任务"}[
        what
    ]
    stamp = _local(now or utcnow(), config)
    sheet.append([f"{XLSX_TITLES[what]}（导出时间：{stamp}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(headers))
    fill = PatternFill("solid", fgColor="D9D9D9")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    count = 0
    for row in rows(session, config):
        sheet.append([_cell_text(v) for v in row])
        count += 1
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # crawled "=..." text is not a formula
                cell.data_type = "s"
            cell.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    if count:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{count + 2}"
    with replace_private(path, "wb") as handle:  # 0600, and never half a workbook
        workbook.save(handle)
    return count
