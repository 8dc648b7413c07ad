"""`make demo`: the main job, end to end, on the bundled sandbox.

Starts the sandbox on a free loopback port, writes a config for it under
data/demo/ (fresh database each time), runs `govwatch crawl` and
`govwatch report` as a user would, and prints the report's path.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from core.files import private_dir, write_private_text
from reporting.weeks import week_of
from sandbox.configgen import config_dict
from sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parent.parent


def main(root: Path = ROOT) -> int:
    """The demo under ``root`` (the repository; tests give a folder of their own)."""
    demo_dir = root / "data" / "demo"
    private_dir(demo_dir)
    for stale in demo_dir.glob("govwatch.db*"):
        stale.unlink()
    govwatch = Path(sys.executable).with_name("govwatch")
    with Sandbox(port=0) as sandbox:
        config = config_dict(sandbox.base_url)
        config["database"] = "sqlite:///govwatch.db"
        # No mail server runs for the demo: alerts would only report that they could not be sent.
        config["alerts"] = {"enabled": False}
        config.setdefault("report", {})["out_dir"] = str(root / "reports" / "demo")
        config_path = demo_dir / "config.yaml"
        write_private_text(
            config_path,
            "# Written by `make demo` for the sandbox at "
            + sandbox.base_url
            + "\n"
            + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        )
        print(f"沙盒 / sandbox: {sandbox.base_url}（{len(config['accounts'])} 个帐号）", file=sys.stderr)
        subprocess.run([str(govwatch), "--config", str(config_path), "crawl"], check=True)
    tz_week = week_of(datetime.now(ZoneInfo(config["timezone"])).date())
    result = subprocess.run(
        [str(govwatch), "--config", str(config_path), "report", "--week", str(tz_week)],
        check=True,
        capture_output=True,
        text=True,
    )
    paths = result.stdout.split()
    print("周报 / weekly report:", file=sys.stderr)
    print(paths[0] if paths else "(no report written)")
    for other in paths[1:]:
        print(f"  分管报告 / supervisor report: {other}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
