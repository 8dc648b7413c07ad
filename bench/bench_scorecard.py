"""The quarterly scorecard for 10,000 accounts and 2,000,000 posts: analysis.scorecard.build_scorecard
(the four dimensions, ranks, the period before, 26-week trends) and the .xlsx + .html it writes, in
seconds, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_scorecard [--accounts 10000] [--posts 2000000] [--db sqlite,postgresql]

Rows are bulk-generated (executemany on SQLite, COPY on PostgreSQL): the posts spread over 2026-Q4
with public counts, content labels, media kinds and content types, and 10 public comments per
account (questions, replies). Baseline (same script, same machine, same run): 1/10 of the accounts
and posts. A fraction of the full size (--posts, --accounts) is stated in the output.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analysis.scorecard import Period, build_scorecard
from bench.scale import bulk_insert, run_scales
from core.config import parse_config
from reporting.scorecard import write_scorecard
from storage import repo
from storage.db import open_store

PERIOD = Period.parse("2026-Q4")
START = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 2026-10-01 00:00 in Asia/Shanghai
NOW = datetime(2027, 1, 5, 2, tzinfo=UTC)
PLATFORMS = ("weibo", "wechat", "website", "douyin")
LABELS = ("", "", "", "", "", "", "off_topic", "wording_error", "commercial", "entertainment")
MEDIA = ("text", "image", "video", "article", "text")
POST_COLUMNS = (
    "account_id, platform_post_id, url, published_at, text, is_original, is_pinned, media, truncated, "
    "content_hash, checked_hash, labels, content_type, authoritative, likes, comments, shares, "
    "first_seen_at, last_seen_at"
)
COMMENT_COLUMNS = "account_id, platform_post_id, platform_comment_id, published_at, text, by_account, reply_to, first_seen_at"


def records(accounts: int) -> list[dict]:
    units = [f"第{i}乡镇人民政府" for i in range(500)]
    out = []
    for i in range(accounts):
        platform = PLATFORMS[i % len(PLATFORMS)]
        record = {"id": f"a{i:05d}", "unit": units[i % len(units)], "platform": platform, "name": f"帐号{i}"}
        record["handle" if platform in ("weibo", "wechat", "douyin") else "url"] = (
            str(i) if platform != "website" else f"https://s{i}.example.gov.cn/"
        )
        out.append(record)
    return out


def _stamp(when: datetime, sqlite: bool):  # noqa: ANN202
    return when.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else when.replace(tzinfo=None)


def post_rows(accounts: list[dict], posts: int, sqlite: bool):  # noqa: ANN201
    each = posts // len(accounts)
    span = (91 * 24 * 3600) // max(1, each)
    for i, account in enumerate(accounts):
        counted = account["platform"] != "website"
        for j in range(each):
            k = i + j
            when = _stamp(START + timedelta(seconds=j * span + i % 3600), sqlite)
            yield (
                account["id"], f"{account['id']}-{j}", None, when, "关于做好冬季安全生产工作的通知",
                k % 5 != 0, False, MEDIA[k % 5], k % 50 == 0, "h", "h" if k % 7 else None,
                LABELS[k % 10], "政策解读" if k % 11 == 0 else "工作动态", k % 5 == 0 and k % 2 == 0,
                (k * 7) % 50 if counted else None, (k * 3) % 9 if counted else None,
                (k * 5) % 13 if counted else None, when, when,
            )  # fmt: skip


def comment_rows(accounts: list[dict], sqlite: bool):  # noqa: ANN201
    for i, account in enumerate(accounts):
        for j in range(5):
            asked = START + timedelta(days=10 + (i + j) % 60, hours=j)
            cid = f"{account['id']}-c{j}"
            stamp = _stamp(asked, sqlite)
            yield (account["id"], "p", cid, stamp, "请问怎么办理？", False, None, stamp)
            if (i + j) % 3:
                reply = _stamp(asked + timedelta(hours=1 + (i * j) % 48), sqlite)
                yield (account["id"], "p", f"{cid}-r", reply, "您好，请到窗口办理", True, cid, reply)


def fill(url: str, accounts: list[dict], posts: int) -> None:
    store = open_store(url)
    with store.session() as session:
        repo.sync_accounts(session, accounts)
    sqlite = store.dialect == "sqlite"
    bulk_insert(
        store,
        [
            ("posts", POST_COLUMNS, post_rows(accounts, posts, sqlite)),
            ("comments", COMMENT_COLUMNS, comment_rows(accounts, sqlite)),
        ],
    )
    if store.dialect == "postgresql":
        from sqlalchemy import text

        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    store.dispose()


def measure(url: str, accounts: int, posts: int, out: Path) -> str:
    """The figures of one size, as printed after its accounts and posts."""
    started = time.perf_counter()
    fill(url, records(accounts), posts)
    filled = time.perf_counter() - started
    config = parse_config({"database": url})
    store = open_store(url)
    started = time.perf_counter()
    with store.session() as session:
        card = build_scorecard(session, config, PERIOD, now=NOW)
    built = time.perf_counter() - started
    started = time.perf_counter()
    write_scorecard(card, config, str(out), now=NOW)
    written = time.perf_counter() - started
    store.dispose()
    counted = sum(a.figures.posts for a in card.accounts)
    return (
        f" ({counted} in {PERIOD.code}): generated in {filled:.1f} s; scorecard computed in {built:.1f} s; "
        f".xlsx + .html written in {written:.1f} s; total {built + written:.1f} s"
    )


def main() -> None:
    run_scales(measure)


if __name__ == "__main__":
    main()
