"""The web console's page times with 10,000 accounts and 2,000,000 posts (SQLite).

    .venv/bin/python -m bench.bench_web [--accounts 10000] [--posts 2000000] [--requests 30]

The store is filled as bench/scale_storage.py fills it (same generator), analysed once, then the
app is called in this process (Starlette's TestClient: the whole ASGI stack, no network) as an
office user (every unit) and as one unit's editor. Each page is asked ``--requests`` times; the
figures are the median and the 95th percentile in milliseconds, and the dashboard's first
(cold) request is reported apart: it reads the week's model for every unit, which is then kept
for a minute and cut to each user's scope. Baseline (same run): 1/10 of the accounts and posts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from analysis.run import analyse
from bench.common import machine
from bench.scale import baseline_and_full
from bench.scale_storage import NOW, fill, records
from core.config import parse_config
from govwatch.web.app import create_app
from govwatch.web.security import hash_password
from storage import web as db
from storage.db import open_store
from tests.web_world import client, sign_in

PASSWORD = "bench password 1"
PAGES = [
    "/",
    "/accounts",
    "/accounts?status=zombie",
    "/accounts?unit=第7乡镇人民政府&platform=weibo",
    "/accounts/a00007",
    "/findings",
    "/drafts",
    "/api/accounts?limit=100",
]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(accounts: int, posts: int, requests: int, directory: Path) -> dict:
    url = f"sqlite:///{directory / f'web-{accounts}.db'}"
    started = time.perf_counter()
    fill(url, records(accounts), posts)
    config = parse_config(
        {
            "database": url,
            "web": {"secret_key_file": str(directory / "web.key")},
            "supervisors": [{"name": "乡镇", "units": ["第7乡镇人民政府"]}],
        },
        directory / "config.yaml",
    )
    store = open_store(url)
    analyse(config, store, now=NOW)
    with store.session() as session:
        db.add_user(session, "office", "office", None, hash_password(PASSWORD))
        db.add_user(session, "editor", "editor", "第7乡镇人民政府", hash_password(PASSWORD))
        db.add_api_token(session, db.user_by_name(session, "office"), "bench-token")
        db.add_api_token(session, db.user_by_name(session, "editor"), "bench-token-editor")
    prepared = time.perf_counter() - started

    class World:  # what tests/web_world's helpers need
        pass

    world = World()
    world.app = create_app(config, store)
    figures: dict = {"prepare_s": prepared}
    for who, token in (("office", "bench-token"), ("editor", "bench-token-editor")):
        c = sign_in(world, who, PASSWORD, client(world))
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        while "正在汇总本周数据" in c.get("/").text:  # this week's figures, made in the background
            time.sleep(0.05)
        figures[f"{who}: dashboard's first figures after"] = (time.perf_counter() - started) * 1000
        while "preparing" in c.get("/").text:  # and the past weeks' statuses, made once
            time.sleep(0.05)
        figures[f"{who}: dashboard ready after"] = (time.perf_counter() - started) * 1000
        for page in PAGES:
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                response = c.get(page, headers=headers if page.startswith("/api/") else None)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (who, page, response.status_code)
            figures[f"{who} {page}"] = (statistics.median(times), p95(times))
        if who == "office":  # the summary made again after an action (past weeks' statuses kept)
            weeks = world.app.state.console.weeks
            made = weeks.made
            started = time.perf_counter()
            weeks.invalidate()
            c.get("/")
            while weeks.made == made:
                time.sleep(0.05)
            figures["office: summary remade after an action in"] = (time.perf_counter() - started) * 1000
    store.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        for label, accounts, posts in baseline_and_full(args.accounts, args.posts):
            figures = run(accounts, posts, args.requests, Path(tmp))
            shown = "baseline (1/10)" if label == "baseline" else label
            print(
                f"\n{shown}: {accounts} accounts, {posts} posts (filled and analysed in {figures.pop('prepare_s'):.0f} s)"
            )
            print(f"{'page':58} {'median ms':>10} {'p95 ms':>8}")
            for name, value in figures.items():
                if isinstance(value, tuple):
                    print(f"{name:58} {value[0]:10.1f} {value[1]:8.1f}")
                else:
                    print(f"{name:58} {value:10.1f} {'(once)':>8}")


if __name__ == "__main__":
    main()
