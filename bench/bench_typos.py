"""Benchmark of the typo model's cost in the content checks, with and without it, same run.

- cold: ``govwatch check DRAFT`` in a new process (median of ``--repeat``, runs
  alternated), with the repository's config.yaml plus ``checks.typos`` true and
  false; optionally also another checkout's ``--baseline-bin`` (e.g. main's);
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


def cold(commands: list[list[str]], repeat: int) -> list[float]:
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for k, command in enumerate(commands):
            t = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            times[k].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


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
        base_config = (ROOT / "config.yaml").read_text(encoding="utf-8")
        govwatch = str(ROOT / ".venv" / "bin" / "govwatch")
        commands = []
        for flag in ("true", "false"):
            config = Path(tmp) / f"config-{flag}.yaml"
            config.write_text(base_config + f"\nchecks:\n  typos: {flag}\n", encoding="utf-8")
            commands.append([govwatch, "--config", str(config), "check", str(draft)])
        if args.baseline_bin:
            commands.append(
                [str(args.baseline_bin), "--config", str(ROOT / "config.yaml"), "check", str(draft)]
            )
        times = cold(commands, args.repeat)
        print(
            f"cold govwatch check: {times[0] * 1000:.0f} ms with typos, {times[1] * 1000:.0f} ms without (median)"
        )
        if args.baseline_bin:
            print(f"cold govwatch check of {args.baseline_bin}: {times[2] * 1000:.0f} ms")
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
