"""Where a stream's time goes: the content check of bench_check.py's posts, stage by stage.

The stream (``run_jsonl``) reads a chunk of posts, scores the chunk with the model, works out
each post's facts (facts.py), scans the chunk with the lexicons' automaton, then runs the
rules post by post and writes a line each. This times each stage alone, on the same generated
posts as bench_check.py, in CPU time per post (median of ``--repeat`` passes), on one core:

- baseline: read, parse and write the JSON Lines (bench_check's baseline);
- validation: ``run_jsonl`` with a checker that finds nothing, less the baseline;
- model: ``Checker.model_probs`` of each chunk;
- facts: ``facts.text_facts`` of each chunk;
- scan: ``Checker.scan_ahead`` of each chunk (the fold and the automaton);
- rules: ``Checker.findings`` of each post with its scan taken, for posts that come out
  clean and posts with findings apart.

It then prints the floor: the ratio to the baseline that the stream would have if the rules
cost nothing, i.e. what the libraries' and the runner's part alone costs (the target is 8x).

    taskset -c 0 .venv/bin/python bench/bench_stages.py [--posts 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import NoChecks, baseline, make_posts, timed  # noqa: E402

from analysis.text import Checker  # noqa: E402
from analysis.text.facts import text_facts  # noqa: E402
from analysis.text.runner import CHUNK, run_jsonl  # noqa: E402


def stage_pass(checker: Checker, fulls: list[str], clean: list[bool]) -> dict[str, float]:
    """CPU seconds of each stage over all posts, chunk by chunk as the stream goes."""
    spent = dict.fromkeys(("model", "facts", "scan", "rules clean", "rules with findings"), 0.0)
    clock = time.process_time
    for i in range(0, len(fulls), CHUNK):
        chunk = fulls[i : i + CHUNK]
        t0 = clock()
        probs = checker.model_probs(chunk)
        t1 = clock()
        bits = text_facts(chunk)
        t2 = clock()
        checker.scan_ahead(chunk, bits)
        t3 = clock()
        spent["model"] += t1 - t0
        spent["facts"] += t2 - t1
        spent["scan"] += t3 - t2
        findings = checker.findings
        for j, (full, p, f) in enumerate(zip(chunk, probs, bits, strict=True)):
            t = clock()
            findings(full, None, None, p, f)
            spent["rules clean" if clean[i + j] else "rules with findings"] += clock() - t
    return spent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    checker = Checker.load(typos=False)  # the stream as bench_check times it
    lines = make_posts(args.posts, args.seed)
    posts = [json.loads(line) for line in lines]
    fulls = [f"{p['title']}\n{p['text']}" if p.get("title") else p["text"] for p in posts]
    clean = [not checker.findings(full) for full in fulls]
    n = len(fulls)
    stage_pass(checker, fulls[:CHUNK], clean[:CHUNK])  # the model's float rows, the DFA: built once

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            base = timed(baseline, src, dst)[0]
            valid = timed(lambda fi, fo: run_jsonl(fi, fo, NoChecks(), sys.stderr), src, dst)[0]  # type: ignore[arg-type]
            stream = timed(lambda fi, fo: run_jsonl(fi, fo, checker, sys.stderr), src, dst)[0]
            runs.append(
                {
                    "baseline": base,
                    "validation": valid - base,
                    **stage_pass(checker, fulls, clean),
                    "stream": stream,
                }
            )

    us = {k: statistics.median(r[k] for r in runs) / n * 1e6 for k in runs[0]}
    n_clean = sum(clean)
    print(f"posts: {n} ({n_clean / n:.0%} come out clean), CPU µs a post, median of {args.repeat}:")
    for key in ("baseline", "validation", "model", "facts", "scan", "rules clean", "rules with findings"):
        share = ""
        if key == "rules clean":
            share = f"   ({us[key] * n / n_clean:.1f} µs a clean post)"
        elif key == "rules with findings":
            share = f"   ({us[key] * n / max(1, n - n_clean):.1f} µs a post with findings)"
        print(f"  {key:<20} {us[key]:6.2f}{share}")
    stages = sum(us[k] for k in us if k not in ("baseline", "stream"))
    print(
        f"  {'stream (run_jsonl)':<20} {us['stream']:6.2f}   (stages summed: {us['baseline'] + stages:.2f})"
    )
    floor = us["baseline"] + us["validation"] + us["model"] + us["facts"] + us["scan"]
    print(f"ratio stream / baseline: {us['stream'] / us['baseline']:.2f}x (target <= 8x)")
    print(
        f"floor, the rules costing nothing: {floor / us['baseline']:.2f}x;"
        f" the rules of a clean post at zero and the rest as now: "
        f"{(floor + us['rules with findings']) / us['baseline']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
