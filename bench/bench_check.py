"""Benchmark of the content checks (`govwatch check` on JSON Lines).

Generates N posts of 50-500 characters (deterministic), then times, on one core:

- baseline: a script that only reads the JSON Lines, parses each line and
  writes one output line of the same shape ({"id", "labels": [], "findings": []})
  with the same JSON library and the same line writer as the checker
  (``runner.clean_line``), nothing else;
- baseline + validation: ``run_jsonl`` itself with a checker that finds
  nothing (the same reading, validating and writing code as the real run);
- check: ``analysis.text.runner.run_jsonl`` over the same file.

Times are the process's CPU time (time.process_time), the median of
``--repeat`` runs each: other work on a shared machine then does not count
against either side; wall-clock times are printed too. Pin the process to one
core (``taskset -c 0``). Prints the ratio (target: at most 8x), findings
counts, and memory: the process's peak RSS and the peak Python allocation
(tracemalloc) of a checking pass over a tenth and over all of the posts (flat
memory means the two peaks are close).

Also one short draft: ``govwatch check draft.txt`` in a new process each time
(cold, median of ``--drafts`` runs, target 0.5 s) and ``Checker.check`` in a
process that has checked before (warm, target 20 ms). ``--no-model``: the
lexicons and rules alone, for a before/after in the same sitting. The stream and the
warm draft run without the typo model (``checks.typos: false``; its cost is measured by
bench_typos.py) unless ``--typos``; the cold draft is ``govwatch check`` as shipped.

    taskset -c 0 .venv/bin/python bench/bench_check.py [--posts 200000] [--seed 7] [--repeat 5] [--no-model] [--typos]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.text import Checker  # noqa: E402
from analysis.text.runner import _loads, clean_line, run_jsonl  # noqa: E402

CLEAN = [
    "旗委召开常委会会议，传达学习党的二十大精神，研究部署下一阶段重点工作。",
    "近日，旗农牧局组织技术人员深入各苏木乡镇，开展春播备耕技术指导服务。",
    "为进一步优化营商环境，我旗推行企业开办“一网通办”，全程网上办理最快半天办结。",
    "旗教育局召开2024年秋季学期开学工作部署会，要求各学校做好校园安全排查。",
    "今年以来，全旗累计新增城镇就业1260人，发放创业担保贷款3200万元。",
    "旗卫健委提醒广大群众，流感高发季节请做好个人防护，出现症状及时就医。",
    "根据工作安排，城区部分路段将于本周六8:00至18:00停水，请居民提前储水。",
    "旗市场监督管理局开展节前食品安全专项检查，共检查经营主体136家。",
    "我旗举办第三届沙漠越野赛，来自全国各地的120名选手参赛。",
    "旗应急管理局组织开展森林草原防火应急演练，提升应急处置能力。",
    "大沁他拉街道开展“我为群众办实事”活动，为辖区老人提供免费理发、义诊服务。",
    "旗政务服务中心推出延时服务，工作日中午和周六上午正常办理业务。",
    "全旗各级各部门要坚决做到“两个维护”，不折不扣抓好各项决策部署落实。",
    "截至目前，全旗已完成高标准农田建设12万亩，农业综合生产能力稳步提升。",
    "旗人社局发布2024年公益性岗位招聘公告，报名时间为5月6日至10日。",
    "我旗认真落实减税降费政策，今年为市场主体减免税费1.2亿元。",
    "旗文化和旅游局发布五一假期文旅推介，沙漠景区门票半价优惠。",
    "反诈提醒：凡是要求加微信返利、刷单的都是诈骗，请广大群众切勿轻信。",
    "旗商务局发放第二批消费券，市民可通过云闪付领取，满200元减50元。",
    "今年一季度全旗地区生产总值增速位列全市第一，实现良好开局。",
]
NOISE = [
    "家人们，宝宝们快来看，今天小编给大家带来福利啦！",
    "土特产包邮到家，加微信13912345678下单，手慢无！",
    "截止年底，全旗完成各项任务，再接再励。",
    "今日星座运势：白羊座财运爆棚，双色球杀号推荐。",
    "原国土资源局于2017年完成确权登记工作。",
    "党史教育成效明显，旗环保局开展专项检查。",
]


def make_posts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        target = rng.randint(50, 500)
        parts: list[str] = []
        size = 0
        while size < target:
            s = rng.choice(NOISE) if rng.random() < 0.03 else rng.choice(CLEAN)
            parts.append(s)
            size += len(s)
        text = "".join(parts)[:target]
        obj = {"id": f"p{i}", "text": text}
        if rng.random() < 0.3:
            obj["title"] = parts[0][:20]
        lines.append(json.dumps(obj, ensure_ascii=False))
    return lines


def baseline(infile, outfile) -> None:
    """Read, parse and write the same JSON Lines with the checker's own JSON functions."""
    write = outfile.write
    for line in infile:
        if not line.strip():
            continue
        obj = _loads(line)
        write(clean_line(obj.get("id")))


class NoChecks:
    """A checker that finds nothing: ``run_jsonl`` with it reads, validates and writes only."""

    def findings(self, text, title=None, context=None, probs=None, facts=None):
        return []

    def model_probs(self, fulls):
        return [None] * len(fulls)


DRAFT = (
    "近日，旗农牧局组织技术人员深入各苏木乡镇，开展春播备耕技术指导服务，"
    "累计培训农牧民1200人次，发放技术资料3000余份。截止目前，全旗春播备耕工作有序推进。\n"
)


def cold_draft(runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall seconds of `govwatch check draft.txt` in a new process each time (no config.yaml);
    the CPU seconds (user + system) of each child go to ``cpu``."""
    import subprocess

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp, "draft.txt")
        draft.write_text(DRAFT, encoding="utf-8")
        exe = Path(sys.executable).with_name("govwatch")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "govwatch.cli"]
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(
                [*cmd, "check", str(draft), "--no-color"], cwd=tmp, capture_output=True, check=True
            )
            out.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if cpu is not None:
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return out


def warm_draft(checker, runs: int) -> list[float]:
    """Wall seconds of one draft's check in a process that has checked before."""
    checker.check(DRAFT)
    out = []
    for k in range(runs):
        text = DRAFT + str(k)  # never the same text twice
        t = time.perf_counter()
        checker.check(text)
        out.append(time.perf_counter() - t)
    return out


def timed(fn, src: Path, dst: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one pass."""
    with open(src, encoding="utf-8") as fi, open(dst, "w", encoding="utf-8") as fo:
        c, t = time.process_time(), time.perf_counter()
        fn(fi, fo)
        return time.process_time() - c, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5, help="median of this many runs each")
    ap.add_argument(
        "--no-model", action="store_true", help="lexicons and rules only (the checks before models)"
    )
    ap.add_argument("--typos", action="store_true", help="the typo model on in the stream and the warm draft")
    ap.add_argument("--drafts", type=int, default=11, help="cold drafts (new processes) to time")
    ap.add_argument("--drafts-only", action="store_true", help="time the drafts only, not the stream")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    checker = Checker.load(use_model=not args.no_model, typos=args.typos)
    checker.check("按装修标准宣布署名")  # initialise jieba once (used by word-boundary entries only)
    load_s = time.perf_counter() - t

    cold_cpu: list[float] = []
    cold = cold_draft(args.drafts, cold_cpu) if args.drafts else []
    warm = warm_draft(checker, 200)
    if args.drafts_only:
        _print_drafts(cold, cold_cpu, warm)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
        src.write_text("\n".join(make_posts(args.posts, args.seed)) + "\n", encoding="utf-8")
        size_mb = src.stat().st_size / 1e6

        def check(fi, fo):
            run_jsonl(fi, fo, checker, sys.stderr)

        def validating_baseline(fi, fo):
            run_jsonl(fi, fo, NoChecks(), sys.stderr)  # type: ignore[arg-type]

        # interleaved, so that a change of load touches all three alike
        base, valid, chk = [], [], []
        for _ in range(args.repeat):
            base.append(timed(baseline, src, dst))
            valid.append(timed(validating_baseline, src, dst))
            chk.append(timed(check, src, dst))
        base_s, base_w = (statistics.median(r[i] for r in base) for i in (0, 1))
        valid_s, valid_w = (statistics.median(r[i] for r in valid) for i in (0, 1))
        check_s, check_w = (statistics.median(r[i] for r in chk) for i in (0, 1))
        ratios = sorted(c[0] / b[0] for b, c in zip(base, chk, strict=True))
        labelled = 0
        findings = 0
        with open(dst, encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                labelled += bool(obj["labels"])
                findings += len(obj["findings"])
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        peaks = []
        for fraction in (10, 1):
            part = Path(tmp, f"part{fraction}.jsonl")
            with open(src, encoding="utf-8") as fi, open(part, "w", encoding="utf-8") as fo:
                for i, line in enumerate(fi):
                    if i >= args.posts // fraction:
                        break
                    fo.write(line)
            tracemalloc.start()
            timed(check, part, dst)
            peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
            tracemalloc.stop()

    n = args.posts
    print(
        f"checker: {'lexicons only' if args.no_model else 'lexicons + model'},"
        f" typo model {'on' if args.typos else 'off'}"
    )
    print(
        f"posts: {n} ({size_mb:.1f} MB of JSON Lines), load (lexicons, model, jieba) {load_s * 1000:.0f} ms"
    )
    print(f"CPU time, median of {args.repeat} (wall-clock median in brackets):")
    print(
        f"  baseline (read + parse + write):     {base_s:6.2f} s  {base_s / n * 1e6:5.1f} us/post  ({base_w:.2f} s)"
    )
    print(
        f"  run_jsonl, no checks (+ validation): {valid_s:6.2f} s  {valid_s / n * 1e6:5.1f} us/post  ({valid_w:.2f} s)"
    )
    print(
        f"  run_jsonl (check):                   {check_s:6.2f} s  {check_s / n * 1e6:5.1f} us/post  ({check_w:.2f} s)"
        f"  {n / check_s:,.0f} posts/s"
    )
    print(
        f"ratio check / baseline: {check_s / base_s:.2f}x (target <= 8x); per run: {', '.join(f'{r:.2f}' for r in ratios)}"
    )
    print(f"ratio check / run_jsonl without checks: {check_s / valid_s:.2f}x")
    print(
        f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print(f"posts with labels: {labelled}, findings: {findings}")
    _print_drafts(cold, cold_cpu, warm)
    print(f"peak RSS: {rss_mb:.0f} MB (includes the generated posts held once in memory)")
    print(
        f"peak traced allocation while checking: {peaks[0]:.2f} MB for {args.posts // 10} posts, {peaks[1]:.2f} MB for {args.posts}"
    )
    return 0


def _print_drafts(cold: list[float], cold_cpu: list[float], warm: list[float]) -> None:
    if cold:
        print(
            f"one draft, cold process (govwatch check draft.txt): median {statistics.median(cold):.3f} s wall"
            f" (min {min(cold):.3f}, max {max(cold):.3f}), {statistics.median(cold_cpu):.3f} s CPU,"
            f" {len(cold)} runs; target <= 0.5 s"
        )
    print(
        f"one draft, warm process (Checker.check, wall): median {statistics.median(warm) * 1000:.2f} ms"
        f" (max {max(warm) * 1000:.2f} ms, {len(warm)} drafts; target <= 20 ms)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
