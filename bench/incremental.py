"""An incremental night where nothing changed: requests per account, by platform family.

    .venv/bin/python -m bench.incremental [--scale 5] [--visitor-check]

First night: a full crawl. Second night, same world: the requests the sandbox served per account
and the crawl_outcomes.requests govwatch recorded. Baseline (same script): the first night.
With --visitor-check the sandbox's Weibo sends a request without visitor cookies to its visitor
check (sandbox/visitor.py), as m.weibo.cn does; the passages and the requests they cost (on the
passport's paths, not any account's) are printed too.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select

from bench.common import GOVWATCH, machine, run, write_config
from sandbox.server import Sandbox
from sandbox.visitor import VisitorCheck
from sandbox.world import build_world
from storage.db import open_store
from storage.models import CrawlOutcome


def per_family(world, by_account: dict[str, int]) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """family (weibo, wechat, website, app, other feeds) -> (accounts, requests), ok behaviour only."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account in world.accounts.values():
        if account.behavior != "ok":
            continue
        family = account.platform if account.platform in ("weibo", "wechat", "website", "app") else "feed"
        out[family][0] += 1
        out[family][1] += by_account.get(account.id, 0)
    return {k: (v[0], v[1]) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--visitor-check", action="store_true", help="Weibo's visitor check on")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    world = build_world(scale=args.scale)
    with Sandbox(world=world) as sandbox, tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        url = f"sqlite:///{directory / 'gw.db'}"
        config = write_config(directory, sandbox.base_url, url, world)
        visitor = VisitorCheck().install(sandbox) if args.visitor_check else None
        nights = []
        for night in range(2):
            sandbox.reset_counts()
            passages = visitor.passages if visitor else 0
            redirects = visitor.redirects if visitor else 0
            run([str(GOVWATCH), "--config", str(config), "crawl"])
            counts = sandbox.request_counts()
            nights.append(counts["by_account"])
            if visitor:
                print(
                    f"night {night + 1}: visitor passages {visitor.passages - passages}, "
                    f"requests sent to the visitor check {visitor.redirects - redirects}, "
                    f"genvisitor2 {counts['by_path'].get('/visitor/genvisitor2', 0)}"
                )
        store = open_store(url, upgrade=False)
        with store.session() as session:
            last_run = session.scalar(select(func.max(CrawlOutcome.run_id)))
            recorded = dict(
                session.execute(
                    select(CrawlOutcome.account_id, CrawlOutcome.requests).where(
                        CrawlOutcome.run_id == last_run
                    )
                ).all()
            )
        store.dispose()
    first, second = per_family(world, nights[0]), per_family(world, nights[1])
    stored = per_family(world, recorded)
    print(f"accounts: {len(world.accounts)} (ok behaviour: {sum(n for n, _ in second.values())})")
    for family in sorted(second):
        n, served = second[family]
        print(
            f"{family}: {n} accounts; nothing-changed night {served / n:.2f} requests/account "
            f"(sandbox), {stored[family][1] / n:.2f} (crawl_outcomes.requests); "
            f"first night {first[family][1] / n:.2f}; ratio {served / max(first[family][1], 1):.3f}"
        )


if __name__ == "__main__":
    main()
