"""Benchmark of the typo model's cost in the content checks, with and without it, same run.

- cold: ``govwatch check DRAFT`` in a new process (median of ``--repeat``), this
  checkout against another one given by ``--baseline-bin`` (e.g. main's
  ``.venv/bin/govwatch``);
- warm: one short draft through ``Checker.findings`` in a process that has
  checked before (median per draft), typo model on and off;
- stream: CPU time per post over the generated posts of bench_check (50-500
  characters), typo model on and off, after a warm-up that makes the model's
  tables dictionaries.

    .venv/bin/python bench/bench_typos.py [--posts 5000] [--repeat 7] [--baseline-bin PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.text import Checker  # noqa: E402
from bench.bench_check import make_posts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DRAFT = "县政府召开常务会议，研究部署安全生产工作，要求各部门压实责任，确保人民群众生命财产安全。"


def cold(binary: Path, draft: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([str(binary), "check", str(draft)], capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def warm(checker: Checker, repeat: int) -> float:
    checker.findings(DRAFT)
    times = []
    for k in range(repeat * 20):
        text = DRAFT if k % 2 else DRAFT[::-1]
        t = time.perf_counter()
        checker.findings(text)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def stream(checker: Checker, posts: list[str]) -> float:
    for text in posts[:500]:  # warm-up
        checker.findings(text)
    t = time.process_time()
    for text in posts:
        checker.findings(text)
    return (time.process_time() - t) / len(posts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-bin", type=Path, default=None, help="govwatch of another checkout")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / "draft.txt"
        draft.write_text(DRAFT + "\n", encoding="utf-8")
        mine = cold(ROOT / ".venv" / "bin" / "govwatch", draft, args.repeat)
        print(f"cold govwatch check (this checkout): {mine * 1000:.0f} ms median")
        if args.baseline_bin:
            base = cold(args.baseline_bin, draft, args.repeat)
            print(f"cold govwatch check ({args.baseline_bin}): {base * 1000:.0f} ms median")
    on, off = Checker.load(), Checker.load(typos=False)
    print(
        f"warm short draft: {warm(on, args.repeat) * 1000:.2f} ms with typos, {warm(off, args.repeat) * 1000:.2f} ms without"
    )
    posts = make_posts(args.posts, args.seed)
    with_typos, without = stream(on, posts), stream(off, posts)
    print(
        f"stream of {len(posts)} posts, CPU per post: {with_typos * 1e6:.0f} µs with typos, "
        f"{without * 1e6:.0f} µs without ({with_typos / without:.1f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
