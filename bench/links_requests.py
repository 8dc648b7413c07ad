"""Requests the weekly link check issues for N posts carrying M distinct links.

    .venv/bin/python -m bench.links_requests [--posts 2000] [--links 300] [--per-post 3]

Each post carries ``--per-post`` links drawn from M distinct ones (spread over 25 hosts, some
written with a different spelling: upper-case host, a fragment, a default port), published in
the last days. A loopback HTTP server stands in for the internet as the check's proxy (every
host answers 200, a fifth of the links redirect once) and counts what it is asked. Runs, on one
store: the first check; the same week a day later (its results stand); a week later. Baseline
in the same run: one request per link written in a post (no deduplication, no reuse), fetched
through the same client and politeness.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import machine
from core.config import parse_config
from core.links import extract_links
from crawler.links import check_links, fetch_all
from govwatch.app import open_app
from sandbox.http import HTML, LoopbackServer, Request, Response
from storage.models import Post


class Internet(LoopbackServer):
    """Every host answers; /r/ paths redirect once. Counts requests."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.count += 1
        if request.path.startswith("/r/"):
            return Response(302, b"", HTML, {"Location": request.path.replace("/r/", "/p/", 1)})
        return Response(200, b"<html><body><p>ok</p></body></html>", HTML)


def spellings(link: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return link.replace("http://", "HTTP://").replace(".example", ".EXAMPLE")
    if roll < 0.2:
        return link + "#top"
    if roll < 0.3:
        return link.replace(".example/", ".example:80/")
    return link


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--links", type=int, default=300)
    parser.add_argument("--per-post", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    rng = random.Random(15)
    links = [
        f"http://h{n % 25}.example/{'r' if n % 5 == 0 else 'p'}/notice-{n}.html" for n in range(args.links)
    ]
    with Internet() as net, tempfile.TemporaryDirectory() as tmp:
        config = parse_config(
            {
                "database": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "links": {
                    "proxy": f"http://127.0.0.1:{net.port}",
                    "canaries": [],
                    "delay_s": 0,
                    "concurrency": 16,
                },
                "accounts": [
                    {
                        "id": "bench-rss",
                        "platform": "rss",
                        "name": "基准",
                        "unit": "旗政府办公室",
                        "url": "http://a.example/",
                    }
                ],
            },
            Path(tmp) / "config.yaml",
        )
        store = open_app(config)
        now = datetime.now(UTC)
        written: list[str] = []
        with store.session() as s:
            for n in range(args.posts):
                chosen = [spellings(links[n % args.links], rng)] + [
                    spellings(rng.choice(links), rng) for _ in range(args.per_post - 1)
                ]
                written += chosen
                s.add(
                    Post(
                        account_id="bench-rss",
                        platform_post_id=str(n),
                        text="详见 " + " 以及 ".join(chosen) + " 。",
                        published_at=now - timedelta(days=rng.uniform(0, 20)),
                    )
                )
        distinct = len(extract_links(" ".join(written)))
        print(f"{args.posts} posts, {len(written)} links written, {distinct} distinct after normalising")

        net.count = 0
        started = time.perf_counter()
        fetched, _, issued = asyncio.run(fetch_all(config, [link for link in written]))
        baseline_s = time.perf_counter() - started
        baseline = net.count
        print(
            f"baseline (one request per link written): {baseline} requests ({issued} counted), {baseline_s:.1f} s"
        )

        rows = []
        for label, when in (
            ("first check", now),
            ("same week, a day later", now + timedelta(days=1)),
            ("a week later", now + timedelta(days=7, hours=1)),
        ):
            net.count = 0
            started = time.perf_counter()
            summary = check_links(config, store, now=when)
            took = time.perf_counter() - started
            rows.append(
                (label, summary.links, summary.checked, summary.reused, net.count, summary.requests, took)
            )
        print("| run | distinct links | fetched | reused | requests served | requests counted | seconds |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, n, checked, reused, served, counted, took in rows:
            print(f"| {label} | {n} | {checked} | {reused} | {served} | {counted} | {took:.1f} |")
        redirects = sum(1 for link in set(extract_links(" ".join(written))) if "/r/" in link)
        print(
            f"(of which redirects followed: {redirects} per full check; fetched links per distinct link: "
            f"{rows[0][2] / max(rows[0][1], 1):.2f})"
        )
        assert len(fetched) == len(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
