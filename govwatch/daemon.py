"""The scheduler daemon behind `govwatch serve` and `python scheduler.py`.

APScheduler 3 (BlockingScheduler) fires config.schedule's cron expressions in
config.timezone. Each job runs as its own process (`govwatch --config PATH
crawl`, `govwatch --config PATH report [--send]`) so a crawl's memory is
returned and a crash stays in the child; the crawl lock (govwatch/lock.py) is
taken inside the child, so a cron-started crawl and a daemon crawl never
overlap.

Misfires: a run that could not start on time (the machine slept, the previous
run was still going) still runs once within schedule.misfire_grace_s
(coalesced). Across restarts the same holds: the daemon keeps the last fire
time it handled per job in a small state file beside the crawl lock, and on
start runs once a job whose most recent fire time was missed within the grace.

SIGTERM/SIGINT: the scheduler stops taking jobs, a running child gets SIGTERM
and schedule.stop_timeout_s to finish (then SIGKILL), and the daemon exits.
Every job logs when it started, how long it took and how it ended.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from core.config import Config
from core.files import write_private_text
from govwatch.lock import lock_path

log = logging.getLogger("govwatch.scheduler")


@dataclass(frozen=True)
class JobSpec:
    name: str  # crawl | report | links | alerts
    cron: str
    args: tuple[str, ...]  # govwatch arguments after --config


def govwatch_command() -> list[str]:
    """The `govwatch` of this venv (beside this Python), or the module as a fallback."""
    script = Path(sys.executable).with_name("govwatch")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from govwatch.cli import main; main()"]


def start_govwatch(config_path: str, args: Sequence[str], **popen: Any) -> subprocess.Popen[str]:  # noqa: ANN401
    """`govwatch --config PATH ARGS...` in a child process, its stdout and stderr one stream of text
    (undecodable bytes replaced). `popen`: further Popen options (the daemon's line buffering, a
    console rescan's empty stdin). Raises OSError when it cannot start."""
    return subprocess.Popen(
        [*govwatch_command(), "--config", config_path, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        **popen,
    )


def output_lines(child: subprocess.Popen[str]) -> Iterator[str]:
    """A child's non-blank output lines as they come, trailing white space cut."""
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip():
            yield line.rstrip()


def job_specs(config: Config, report_send: bool) -> list[JobSpec]:
    report = ("report", "--send") if report_send else ("report",)
    specs = [
        JobSpec("crawl", config.schedule.crawl, ("crawl",)),
        JobSpec("report", config.schedule.report, report),
    ]
    if config.schedule.links and config.links.enabled:
        specs.append(JobSpec("links", config.schedule.links, ("links", "check")))
    if config.schedule.alerts and config.alerts.enabled:
        specs.append(JobSpec("alerts", config.schedule.alerts, ("alerts", "send")))
    return specs


def previous_fire(trigger: CronTrigger, now: datetime, horizon: timedelta) -> datetime | None:
    """The trigger's latest fire time in (now - horizon, now], if any."""
    moment = trigger.get_next_fire_time(None, now - horizon)
    latest = None
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest


class Daemon:
    def __init__(self, config: Config, config_path: str, report_send: bool) -> None:
        self.config = config
        self.config_path = str(Path(config_path).resolve())
        self.specs = {s.name: s for s in job_specs(config, report_send)}
        self.state_path = lock_path(config).parent / "govwatch-scheduler.json"
        self.stopping = threading.Event()
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        self.scheduler = BlockingScheduler(
            timezone=config.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": config.schedule.misfire_grace_s or None,
            },
        )
        self.triggers = {
            name: CronTrigger.from_crontab(spec.cron, timezone=config.tz) for name, spec in self.specs.items()
        }

    # ----------------------------------------------------------- state across restarts
    def _read_state(self) -> dict[str, dict]:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, name: str, **values: object) -> None:
        with self._lock:
            state = self._read_state()
            state.setdefault(name, {}).update(values)
            write_private_text(self.state_path, json.dumps(state, ensure_ascii=False, indent=1))

    def missed_jobs(self, now: datetime) -> list[tuple[str, datetime]]:
        """Jobs whose latest fire time within the grace was never handled (the daemon was down)."""
        grace = timedelta(seconds=self.config.schedule.misfire_grace_s)
        state = self._read_state()
        missed = []
        for name, trigger in self.triggers.items():
            due = previous_fire(trigger, now, grace) if grace else None
            last = state.get(name, {}).get("last_fire")
            if due is None:
                continue
            if last is None:  # first start: nothing was promised before
                self._write_state(name, last_fire=due.isoformat())
                continue
            if datetime.fromisoformat(last) < due:
                missed.append((name, due))
        return missed

    # ----------------------------------------------------------- running one job
    def run_job(self, name: str, due: datetime | None = None) -> int | None:
        if self.stopping.is_set():
            return None
        spec = self.specs[name]
        fire = due or datetime.now(self.config.tz)
        self._write_state(
            name, last_fire=fire.isoformat(), last_start=datetime.now(self.config.tz).isoformat()
        )
        log.info("job %s started: %s", name, " ".join(spec.args))
        started = time.monotonic()
        try:
            child = start_govwatch(self.config_path, spec.args, bufsize=1)
        except OSError as exc:
            log.error("job %s could not start: %s", name, exc)
            self._write_state(name, last_exit=None, last_outcome=f"could not start: {exc}")
            return None
        with self._lock:
            self._children[name] = child
        try:
            for line in output_lines(child):
                log.info("[%s] %s", name, line)
            code = child.wait()
        finally:
            with self._lock:
                self._children.pop(name, None)
        took = time.monotonic() - started
        if self.stopping.is_set() and code != 0:
            outcome = f"stopped (exit {code})"
        else:
            outcome = "ok" if code == 0 else f"failed (exit {code})"
        (log.info if code == 0 else log.error)("job %s finished in %.1f s: %s", name, took, outcome)
        self._write_state(
            name,
            last_end=datetime.now(self.config.tz).isoformat(),
            last_exit=code,
            last_outcome=outcome,
            last_duration_s=round(took, 1),
        )
        return code

    # ----------------------------------------------------------- stopping
    def stop(self, signum: int | None = None) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        name = signal.Signals(signum).name if signum else "stop"
        log.info("%s received: stopping the scheduler", name)
        threading.Thread(target=self._shutdown, name="govwatch-stop", daemon=True).start()

    def _shutdown(self) -> None:
        with self._lock:
            children = dict(self._children)
        for name, child in children.items():
            log.info("stopping job %s (pid %d)", name, child.pid)
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
        deadline = time.monotonic() + self.config.schedule.stop_timeout_s
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning(
                    "job %s did not stop within %.0f s: killed", name, self.config.schedule.stop_timeout_s
                )
                child.kill()
                child.wait()
        with contextlib.suppress(Exception):  # not running yet: serve() checks the flag
            self.scheduler.shutdown(wait=False)

    # ----------------------------------------------------------- the loop
    def serve(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, _frame: self.stop(signum))
        for name, trigger in self.triggers.items():
            self.scheduler.add_job(self.run_job, trigger, args=[name], id=name, name=name)
        now = datetime.now(self.config.tz)
        for name, due in self.missed_jobs(now):
            log.info(
                "job %s missed its run at %s (within the grace): running it now",
                name,
                f"{due:%Y-%m-%d %H:%M}",
            )
            self.scheduler.add_job(
                self.run_job, args=[name, due], id=f"{name}-catch-up", name=f"{name} (catch-up)"
            )
        for name, trigger in self.triggers.items():
            nxt = trigger.get_next_fire_time(None, now)
            log.info(
                "job %s: cron %r (%s), next run %s",
                name,
                self.specs[name].cron,
                self.config.timezone,
                f"{nxt:%Y-%m-%d %H:%M %Z}" if nxt else "never",
            )
        log.info("scheduler started (pid %d, config %s)", os.getpid(), self.config_path)
        if self.stopping.is_set():
            return
        self.scheduler.start()
        log.info("scheduler stopped")


def serve(config: Config, config_path: str, report_send: bool = True) -> None:
    """Run the scheduler until SIGTERM or SIGINT."""
    Daemon(config, config_path, report_send).serve()
