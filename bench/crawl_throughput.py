"""Crawl throughput: pages/s of `govwatch crawl` (a first night, politeness delays off) against a
bare Scrapy spider that fetches the same URLs with the same concurrency and parses nothing.

    .venv/bin/python -m bench.crawl_throughput [--scale 20]

The sandbox world is scaled (sandbox.world.build_world(scale=N): N copies of the 41 accounts)
and served in this process; both crawls are subprocesses, timed from start to exit. It also
prints the CPU seconds of each crawl process and of this process while it serves each crawl
(the sandbox's share: the same for both sides, about a tenth of one core), which stay
comparable when other work on the machine stretches the wall-clock times.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from pathlib import Path

from bench.common import GOVWATCH, machine, run_timed, write_config
from sandbox.server import Sandbox
from sandbox.world import build_world


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    world = build_world(scale=args.scale)
    urls: list[str] = []
    lock = threading.Lock()
    with Sandbox(world=world) as sandbox, tempfile.TemporaryDirectory() as tmp:

        def record(request):  # noqa: ANN001, ANN202
            with lock:
                urls.append(sandbox.base_url + request.raw_path)
            return None

        sandbox.hooks.append(record)
        directory = Path(tmp)
        config = write_config(directory, sandbox.base_url, f"sqlite:///{directory / 'gw.db'}", world)
        seconds, cpu, done = run_timed([str(GOVWATCH), "--config", str(config), "crawl"])
        crawl_only = float(m.group(1)) if (m := re.search(r"用时 ([\d.]+) 秒", done.stdout)) else seconds
        pages = sandbox.request_counts()["requests"]
        (directory / "urls.txt").write_text("\n".join(urls), encoding="utf-8")
        sandbox.reset_counts()
        sandbox.hooks.clear()
        bare_seconds, bare_cpu, _ = run_timed(
            [sys.executable, "-m", "bench.bare_spider", str(directory / "urls.txt"), "8"]
        )
        bare_pages = sandbox.request_counts()["requests"]
    accounts = len(world.accounts)
    ours, ours_crawl, bare = pages / seconds, pages / crawl_only, bare_pages / bare_seconds
    print(f"accounts: {accounts}, pages fetched by govwatch: {pages}, by the bare spider: {bare_pages}")
    print(f"govwatch crawl (whole command, with analysis): {seconds:.1f} s = {ours:.0f} pages/s")
    print(f"govwatch crawl (crawl part, its own 用时): {crawl_only:.1f} s = {ours_crawl:.0f} pages/s")
    print(f"bare Scrapy spider (whole process): {bare_seconds:.1f} s = {bare:.0f} pages/s")
    print(f"ratio govwatch/bare: {ours / bare:.2f} (whole command), {ours_crawl / bare:.2f} (crawl part)")
    print(
        f"CPU seconds: govwatch process {cpu['child']:.1f} (sandbox serving it {cpu['self']:.1f}); "
        f"bare spider {bare_cpu['child']:.1f} (sandbox serving it {bare_cpu['self']:.1f})"
    )
    print(f"CPU ratio bare/govwatch (whole process): {bare_cpu['child'] / cpu['child']:.2f}")


if __name__ == "__main__":
    main()
