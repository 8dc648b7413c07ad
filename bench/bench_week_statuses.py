"""The web dashboard's 26 weeks of statuses: every account's status at each of the last 25
weeks' ends read one moment at a time (analysis.asof.statuses_at, as the console did) and all
together (statuses_at_many, one scan of the posts), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_week_statuses [--accounts 10000] [--posts 2000000] [--db sqlite,postgresql]

The store is filled as bench/scale_storage.py fills it and analysed once; both reads run on the
same store, one after the other, and must give the same statuses. Baseline (same run): 1/10 of
the accounts and posts.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from analysis.asof import statuses_at, statuses_at_many
from analysis.run import analyse
from bench.scale import run_scales
from bench.scale_storage import NOW, fill, records
from core.config import parse_config
from storage.db import open_store

WEEKS = 25


def measure(url: str, accounts: int, posts: int, out: Path) -> str:
    fill(url, records(accounts), posts)
    config = parse_config({"database": url}, out / "config.yaml")
    store = open_store(url)
    analyse(config, store, now=NOW)
    moments = [NOW + timedelta(days=4) - timedelta(weeks=k) for k in range(WEEKS, 0, -1)]
    with store.session() as session:
        started = time.perf_counter()
        each = [statuses_at(session, config.thresholds, t) for t in moments]
        one_by_one = time.perf_counter() - started
        started = time.perf_counter()
        together = statuses_at_many(session, config.thresholds, moments)
        many = time.perf_counter() - started
    store.dispose()
    assert together == each, "statuses_at_many differs from statuses_at"
    return f"\n  {WEEKS} weeks' statuses: one moment at a time {one_by_one:.2f} s, together {many:.2f} s"


if __name__ == "__main__":
    run_scales(measure)
