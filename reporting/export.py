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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govwatch.config import Config
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
FIELDS = {"accounts": ACCOUNT_FIELDS, "posts": POST_FIELDS, "findings": FINDING_FIELDS}


def _iso(value: datetime | None, config: Config) -> str | None:
    return value.astimezone(config.tz).isoformat() if value else None


def account_rows(session: Session, config: Config, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    now = now or utcnow()
    open_counts = dict(
        session.execute(
            select(Finding.account_id, func.count())
            .where(Finding.status == "open")
            .group_by(Finding.account_id)
        ).all()
    )
    query = select(Account, Unit.name).join(Unit, Account.unit_id == Unit.id).order_by(Unit.name, Account.id)
    for account, unit in session.execute(query):
        days = (now - account.last_post_at).days if account.last_post_at else None
        ratio = account.original_ratio_30d
        yield {
            "id": account.id,
            "unit": unit,
            "platform": account.platform,
            "name": account.name,
            "kind": account.kind,
            "status": account.status,
            "last_post_at": _iso(account.last_post_at, config),
            "days_since_last_post": max(days, 0) if days is not None else None,
            "posts_7d": account.posts_7d,
            "posts_30d": account.posts_30d,
            "original_ratio_30d": round(ratio, 4) if ratio is not None else None,
            "last_crawl_outcome": account.last_crawl_outcome,
            "last_crawled_at": _iso(account.last_crawled_at, config),
            "open_findings": open_counts.get(account.id, 0),
        }


def post_rows(session: Session, config: Config) -> Iterator[dict[str, Any]]:
    query = (
        select(Post)
        .order_by(Post.account_id, Post.published_at.desc(), Post.id)
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


ROWS = {"accounts": account_rows, "posts": post_rows, "findings": finding_rows}


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
