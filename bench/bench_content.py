"""The nightly content pass over stored posts (analysis.content.check_posts), CPU time per post.

    taskset -c 0 .venv/bin/python -m bench.bench_content [--posts 20000] [--repeat 3] [--typos]

Stores ``--posts`` posts of bench_check.py's generator (the same texts as the stream's bench,
one account) in a SQLite file in a temporary folder, then times ``check_posts`` over all of
them ``--repeat`` times (each pass starts from posts never checked: ``checked_hash`` cleared;
the checker is loaded before the first);
prints the median CPU time per post (the process's, so other work on a shared machine does
not count), the labels written and the findings. The typo model is off unless ``--typos``
(the configuration's default is on: about 1-2 ms a post, which then dominates).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update  # noqa: E402

from analysis.content import check_posts, load_checker  # noqa: E402
from bench.bench_check import make_posts  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.items import PostItem  # noqa: E402
from storage import repo  # noqa: E402
from storage.db import open_store  # noqa: E402
from storage.models import Post  # noqa: E402

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    import json

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--typos", action="store_true", help="the typo model on (the configuration's default)")
    args = ap.parse_args(argv)
    config = parse_config(
        {
            "accounts": [
                {"id": "a", "unit": "旗人民政府", "platform": "weibo", "name": "帐号", "handle": "1"}
            ],
            "checks": {"typos": args.typos},
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp, 'bench.db')}")
        with store.session() as s:
            repo.sync_accounts(s, repo.config_account_records(config.accounts))
            items = []
            for i, line in enumerate(make_posts(args.posts, args.seed)):
                obj = json.loads(line)
                when = NOW - timedelta(minutes=i)
                items.append(PostItem("a", f"p{i}", None, when, text=obj["text"], title=obj.get("title")))
            repo.upsert_posts(s, items)
        load_checker(config).check("按装修标准宣布署名")  # the lexicons, the model, jieba: loaded once
        cpu, wall = [], []
        counts = (0, 0)
        for _ in range(args.repeat):
            with store.session() as s:
                s.execute(update(Post).values(checked_hash=None))
            with store.session() as s:
                c, t = time.process_time(), time.perf_counter()
                result = check_posts(s, config, NOW)
                cpu.append(time.process_time() - c)
                wall.append(time.perf_counter() - t)
                labelled = s.scalar(select(func.count()).select_from(Post).where(Post.labels != ""))
                counts = (result.checked, labelled or 0, len(result.specs))
        store.dispose()
    n = args.posts
    print(f"check_posts over {n} stored posts (SQLite), typo model {'on' if args.typos else 'off'}")
    print(
        f"CPU per post, median of {args.repeat}: {statistics.median(cpu) / n * 1e6:.1f} us"
        f" (runs: {', '.join(f'{x / n * 1e6:.1f}' for x in sorted(cpu))}); wall median"
        f" {statistics.median(wall) / n * 1e6:.1f} us"
    )
    print(f"checked {counts[0]}, labelled {counts[1]}, findings {counts[2]}")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
