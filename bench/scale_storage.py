"""10,000 accounts and 2,000,000 posts: analysis (analysis.run.analyse) and the weekly report
(reporting.weekly.write_reports) from storage, in seconds, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.scale_storage [--accounts 10000] [--posts 2000000] [--db sqlite,postgresql]

Rows are bulk-generated (executemany on SQLite, COPY on PostgreSQL). The generated posts are
marked as already content-checked (checked_hash = content_hash), so analysis measures the status
and findings pass over stored rows; the content check of new posts is benchmarked separately
(bench/bench_check.py). Baseline (same script, same store): 1/10 of the accounts and posts.
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from analysis.run import analyse
from bench.scale import bulk_insert, run_scales
from core.config import parse_config
from crawler import planning
from crawler.spiders.base import JOB_CHUNK
from reporting.weekly import write_reports
from reporting.weeks import parse_week
from storage import repo
from storage.db import open_store
from storage.models import CrawlOutcome, CrawlRun

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
COLUMNS = (
    "account_id, platform_post_id, url, published_at, text, is_original, is_pinned, media, "
    "truncated, content_hash, checked_hash, labels, content_type, first_seen_at, last_seen_at"
)


def records(accounts: int) -> list[dict]:
    units = [f"第{i}乡镇人民政府" for i in range(200)]
    return [
        {
            "id": f"a{i:05d}",
            "unit": units[i % len(units)],
            "platform": "weibo",
            "name": f"帐号{i}",
            "handle": str(i),
        }
        for i in range(accounts)
    ]


def post_rows(accounts: list[dict], posts: int, sqlite: bool):  # noqa: ANN201
    each = posts // len(accounts)
    for i, account in enumerate(accounts):
        # A tenth of the accounts went quiet 20-200 days ago; the rest post about daily.
        quiet = timedelta(days=20 + (i * 7) % 180) if i % 10 == 0 else timedelta(hours=(i * 13) % 30)
        for j in range(each):
            when = NOW - quiet - timedelta(hours=j * 21 + (i % 5))
            stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else when.replace(tzinfo=None)
            yield (
                account["id"], f"{account['id']}-{j}", None, stamp, "关于做好冬季安全生产工作的通知",
                j % 5 != 0, False, "text", False, "h", "h", "", "notice", stamp, stamp,
            )  # fmt: skip


def fill(url: str, accounts: list[dict], posts: int) -> None:
    store = open_store(url)
    with store.session() as session:
        repo.sync_accounts(session, accounts)
    bulk_insert(store, [("posts", COLUMNS, post_rows(accounts, posts, store.dialect == "sqlite"))])
    with store.session() as session:
        run = CrawlRun(trigger="cron", started_at=NOW, finished_at=NOW, state="finished")
        session.add(run)
        session.flush()
        session.execute(
            insert(CrawlOutcome),
            [
                dict(run_id=run.id, account_id=a["id"], outcome="blocked" if i % 97 == 0 else "ok",
                     started_at=NOW, finished_at=NOW, requests=1)
                for i, a in enumerate(accounts)
            ],
        )  # fmt: skip
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    store.dispose()


def plan_night(url: str) -> tuple[float, float]:
    """What the spiders read before paging: every account's crawl job with its known posts
    (crawler.planning.crawl_jobs), JOB_CHUNK accounts at a time as AccountSpider.load_jobs does.
    Seconds (a plain pass) and peak Python memory in MB (a second pass under tracemalloc, which
    slows this allocation-heavy code ~4x: its time is not the figure)."""
    store = open_store(url)
    with store.session() as session:
        ids = [job.account_id for job in planning.crawl_jobs(session, history=False)]

    def read_all() -> int:
        known = 0
        for start in range(0, len(ids), JOB_CHUNK):
            with store.session() as session:
                jobs = planning.crawl_jobs(session, account_ids=ids[start : start + JOB_CHUNK])
            assert all(len(j.known_ids) <= planning.KNOWN_IDS_PER_ACCOUNT for j in jobs)
            known += sum(len(j.known_ids) for j in jobs)
        return known

    started = time.perf_counter()
    assert read_all()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    read_all()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    store.dispose()
    return seconds, peak


def measure(url: str, accounts: int, posts: int, out: Path) -> str:
    """The figures of one size, as printed after its accounts and posts."""
    started = time.perf_counter()
    chosen = records(accounts)
    fill(url, chosen, posts)
    filled = time.perf_counter() - started
    config = parse_config(
        {"supervisors": [{"name": "乡镇", "units": ["第1乡镇人民政府"]}, {"name": "全部", "units": ["*"]}]}
    )
    store = open_store(url)
    started = time.perf_counter()
    analyse(config, store, now=NOW)
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    write_reports(store, config, parse_week("2026-W47"), out, now=NOW)
    reported = time.perf_counter() - started
    store.dispose()
    planned, planned_mb = plan_night(url)
    return (
        f": generated in {filled:.1f} s; analyse {analysed:.1f} s; weekly reports {reported:.1f} s; "
        f"crawl jobs {planned:.1f} s, peak {planned_mb:.0f} MB"
    )


def main() -> None:
    run_scales(measure)


if __name__ == "__main__":
    main()
