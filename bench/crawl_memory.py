"""Peak memory of a 10,000-account crawl: the max RSS of the `govwatch crawl` process.

    .venv/bin/python -m bench.crawl_memory [--accounts 10000] [--backfill-days 3] [--history 60]

The sandbox world is scaled to about --accounts accounts (copies of its accounts) and served in
this process; the crawl is a subprocess whose own peak RSS a small wrapper process reads.
Two nights on one database:
- first night: a short backfill keeps the run short (~2.5 requests per account) while every
  account still goes through the whole pipeline;
- a later night: the store then gets --history older posts per account (dated before the
  backfill window, first seen long ago, as a province's store holds after months), and the
  same accounts are crawled again, incrementally: every account now starts with its newest
  30 known posts, what the spiders read from storage before paging.
Baseline (same script): the same two nights with 1/10 of the accounts, run first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench.common import GOVWATCH, machine, run, write_config
from sandbox.server import Sandbox
from sandbox.world import build_world
from storage.db import open_store
from storage.models import Account, Post, utcnow

# The crawl's own peak RSS, read by a small wrapper process: ru_maxrss of a child forked
# straight from this process would count this process's pages (the in-process sandbox of
# 10,000 accounts) that the child holds until it execs.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def crawl(sandbox: Sandbox, config: Path) -> tuple[float, int, str, float]:
    before = sandbox.request_counts()["requests"]
    seconds, done = run([sys.executable, "-c", PEAK_WRAPPER, str(GOVWATCH), "--config", str(config), "crawl"])
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    requests = sandbox.request_counts()["requests"] - before
    return seconds, requests, done.stdout.strip().splitlines()[0], peak_mb


def add_history(url: str, per_account: int) -> int:
    """Older posts for every account, as months of nights would have stored them."""
    store = open_store(url)
    now = utcnow()
    long_ago = now - timedelta(days=400)
    added = 0
    with store.session() as session:
        for account_id in session.scalars(select(Account.id)):
            rows = [
                dict(
                    account_id=account_id,
                    platform_post_id=f"history-{n}",
                    url=f"https://example.gov.cn/{account_id}/history-{n}",
                    published_at=now - timedelta(days=30 + 3 * n),
                    text="历史信息：本单位召开专题会议，部署近期重点工作。",
                    first_seen_at=long_ago,
                    last_seen_at=long_ago,
                    checked_hash="history",
                )
                for n in range(per_account)
            ]
            session.execute(insert(Post), rows)
            added += len(rows)
    store.dispose()
    return added


def nights(world, backfill_days: int, history: int, directory: Path) -> None:  # noqa: ANN001
    url = f"sqlite:///{directory / 'gw.db'}"
    with Sandbox(world=world) as sandbox:
        config = write_config(directory, sandbox.base_url, url, world, crawl={"backfill_days": backfill_days})
        for night in ("first night", "later night"):
            if night == "later night":
                print(f"  + {add_history(url, history):,} older posts stored", flush=True)
            seconds, requests, line, peak_mb = crawl(sandbox, config)
            print(
                f"  {night}: {len(world.accounts)} accounts, {requests} requests, {seconds:.0f} s; "
                f"peak RSS of the crawl process {peak_mb:.0f} MB; {line}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--backfill-days", type=int, default=3)
    parser.add_argument(
        "--history", type=int, default=60, help="older posts per account before the later night"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        per_copy = len(build_world().accounts)
        full = max(1, round(args.accounts / per_copy))
        for label, scale in (("baseline", max(1, full // 10)), ("full", full)):
            print(f"{label}:", flush=True)
            folder = Path(tmp) / label
            folder.mkdir()
            nights(build_world(scale=scale), args.backfill_days, args.history, folder)


if __name__ == "__main__":
    main()
