"""`govwatch serve`: the scheduler runs the crawl on its cron line, as its own process, and
stops cleanly on SIGTERM; a run missed while it was down runs once on start."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sandbox.configgen import config_dict
from tests.conftest import GOVWATCH, ROOT, export_jsonl, write_sandbox_config

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Shanghai")


def small_config(tmp_path: Path, base_url: str, crawl_cron: str, **extra) -> Path:
    accounts = [a for a in config_dict(base_url)["accounts"] if a["id"] in ("qc-fabu-weibo", "qc-edu-wechat")]
    return write_sandbox_config(
        tmp_path,
        base_url,
        accounts=accounts,
        schedule={"crawl": crawl_cron, "report": "0 8 1 1 *", "stop_timeout_s": 5, **extra},
        alerts={"enabled": False},
    )


class Serve:
    """`govwatch serve` in the background, its log lines collected."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [str(GOVWATCH), "--config", str(config), "serve"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            assert self.process.poll() is None or self.lines, "serve exited"
            time.sleep(0.2)
        raise AssertionError(f"no log line with {text!r} in {timeout} s:\n" + "\n".join(self.lines))

    def stop(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)  # raises if it does not stop
        self._reader.join(timeout=5)
        return code


def test_serve_runs_the_crawl_on_schedule_and_stops_on_sigterm(tmp_path, sandbox):
    now = datetime.now(TZ)
    fire = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (fire - now).total_seconds() < 10:  # too close to start up in time: the minute after
        fire += timedelta(minutes=1)
    config = small_config(tmp_path, sandbox.base_url, f"{fire.minute} {fire.hour} * * *")
    serve = Serve(config)
    try:
        serve.wait_for("scheduler started", 60)
        assert any(f"next run {fire:%Y-%m-%d %H:%M}" in line for line in serve.lines), serve.lines
        serve.wait_for("job crawl started", 150)
        finished = serve.wait_for("job crawl finished", 180)
        assert "ok" in finished
        assert any("抓取完成" in line for line in serve.lines)  # the crawl's own summary, logged
    finally:
        code = serve.stop()
    assert code == 0, serve.lines
    assert any("SIGTERM received" in line for line in serve.lines)
    posts = export_jsonl(config, "posts")
    assert {p["account_id"] for p in posts} == {"qc-fabu-weibo", "qc-edu-wechat"}


def test_missed_run_within_grace_runs_once_on_start_and_sigterm_stops_a_running_crawl(tmp_path, sandbox):
    now = datetime.now(TZ)
    due = (now - timedelta(minutes=5)).replace(second=0, microsecond=0)
    config = small_config(tmp_path, sandbox.base_url, f"{due.minute} {due.hour} * * *")
    # The daemon last handled this job a day ago: it was down at `due`.
    state = tmp_path / "govwatch-scheduler.json"
    state.write_text(
        json.dumps({"crawl": {"last_fire": (due - timedelta(days=1)).isoformat()}}), encoding="utf-8"
    )
    gate = threading.Event()
    sandbox.hooks.append(lambda request: gate.wait(120) and None)  # the crawl hangs until released
    serve = Serve(config)
    try:
        serve.wait_for("missed its run", 60)
        serve.wait_for("job crawl started", 60)
        time.sleep(2)  # the child is crawling (held by the sandbox)
        code = serve.stop(timeout=60)
    finally:
        gate.set()
        if serve.process.poll() is None:
            serve.process.kill()
    assert code == 0, serve.lines
    assert any("stopping job crawl" in line for line in serve.lines), serve.lines
    assert any("job crawl finished" in line for line in serve.lines), serve.lines
    handled = json.loads(state.read_text(encoding="utf-8"))["crawl"]
    assert datetime.fromisoformat(handled["last_fire"]) == due  # it will not run again for that slot
