"""Peak memory of a 10,000-account crawl: the max RSS of the `govwatch crawl` process.

    .venv/bin/python -m bench.crawl_memory [--accounts 10000] [--backfill-days 3]

The sandbox world is scaled to about --accounts accounts (copies of its accounts) and served in
this process; the crawl is a subprocess whose own peak RSS a small wrapper process reads.
A first night with a short backfill keeps the run short (~2 requests per account) while every
account still goes through the whole pipeline. Baseline (same script): the same crawl of 1/10
of the accounts (a fresh database), run first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import GOVWATCH, machine, run, write_config
from sandbox.server import Sandbox
from sandbox.world import build_world

# The crawl's own peak RSS, read by a small wrapper process: ru_maxrss of a child forked
# straight from this process would count this process's pages (the in-process sandbox of
# 10,000 accounts) that the child holds until it execs.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def crawl(world, backfill_days: int, directory: Path) -> tuple[float, int, str, float]:  # noqa: ANN001
    with Sandbox(world=world) as sandbox:
        config = write_config(
            directory,
            sandbox.base_url,
            f"sqlite:///{directory / 'gw.db'}",
            world,
            crawl={"backfill_days": backfill_days},
        )
        seconds, done = run(
            [sys.executable, "-c", PEAK_WRAPPER, str(GOVWATCH), "--config", str(config), "crawl"]
        )
        peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
        return seconds, sandbox.request_counts()["requests"], done.stdout.strip().splitlines()[0], peak_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--backfill-days", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        per_copy = len(build_world().accounts)
        full = max(1, round(args.accounts / per_copy))
        for label, scale in (("baseline", max(1, full // 10)), ("full", full)):
            world = build_world(scale=scale)
            folder = Path(tmp) / label
            folder.mkdir()
            seconds, requests, line, peak_mb = crawl(world, args.backfill_days, folder)
            print(
                f"{label}: {len(world.accounts)} accounts, {requests} requests, {seconds:.0f} s; "
                f"peak RSS of the crawl process {peak_mb:.0f} MB; {line}",
                flush=True,
            )


if __name__ == "__main__":
    main()
