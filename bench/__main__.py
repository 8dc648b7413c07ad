"""All benchmarks, one after another (`make bench`); their figures go in BENCHMARKS.md."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "crawl_throughput",
    "incremental",
    "scale_storage",
    "crawl_memory",
    "bench_check",
    "bench_stages",
    "bench_content",
    "links_requests",
)


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"== bench.{name} ==", flush=True)
        failed += subprocess.run([sys.executable, "-m", f"bench.{name}"]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
