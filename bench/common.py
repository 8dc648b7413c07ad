"""Shared by the benchmarks: the machine, a sandbox config, running `govwatch` and timing it."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

from sandbox.configgen import config_dict
from sandbox.world import accounts_config

ROOT = Path(__file__).resolve().parents[1]
GOVWATCH = Path(sys.executable).with_name("govwatch")


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {mem_gb:.1f} GiB RAM; load average at start {load}"


def write_config(directory: Path, base_url: str, database: str, world=None, **overrides) -> Path:  # noqa: ANN001
    data = config_dict(base_url, database=database)
    if world is not None:
        data["accounts"] = accounts_config(base_url, [a.spec for a in world.accounts.values()])
    data.setdefault("report", {})["out_dir"] = str(directory / "reports")
    if "crawl" in overrides:  # merged: the sandbox's own crawl settings (back-off) stay
        overrides = {**overrides, "crawl": {**data.get("crawl", {}), **overrides["crawl"]}}
    data.update(overrides)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(command: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:  # noqa: ANN003
    elapsed, _cpu, done = run_timed(command, **kw)
    return elapsed, done


def run_timed(command: list[str], **kw) -> tuple[float, dict[str, float], subprocess.CompletedProcess]:  # noqa: ANN003
    """Run a command; its wall-clock seconds, CPU seconds (user + system) of the child and of
    this process meanwhile (`child`, `self`: an in-process sandbox's serving), and the result."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = time.process_time()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kw)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        "child": (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime),
        "self": time.process_time() - own,
    }
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, cpu, done
