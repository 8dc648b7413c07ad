"""Rescans started from the web console: `govwatch rescan ID` in a child process (Scrapy's reactor
runs once per process), watched from a background thread. The child takes the crawl lock
(govwatch/jobs.py); a crawl already running makes it exit 1 with the lock's message, shown as is."""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field

from core.config import Config
from govwatch.daemon import output_lines, start_govwatch

KEEP_S = 3600  # finished rescans are shown for an hour


@dataclass
class Rescan:
    id: str
    account_id: str
    user_id: int
    started: float = field(default_factory=time.time)
    lines: list[str] = field(default_factory=list)
    code: int | None = None  # None: still running

    @property
    def running(self) -> bool:
        return self.code is None

    @property
    def ok(self) -> bool:
        return self.code == 0


class Rescans:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.jobs: dict[str, Rescan] = {}
        self.lock = threading.Lock()

    def start(self, account_id: str, user_id: int) -> Rescan:
        job = Rescan(secrets.token_urlsafe(12), account_id, user_id)
        with self.lock:
            now = time.time()
            for key in [k for k, j in self.jobs.items() if not j.running and now - j.started > KEEP_S]:
                del self.jobs[key]
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"rescan-{account_id}").start()
        return job

    def get(self, job_id: str) -> Rescan | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _run(self, job: Rescan) -> None:
        try:
            child = start_govwatch(
                str(self.config.source), ["rescan", job.account_id], stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            job.lines.append(f"无法启动重新检测 / could not start: {exc}")
            job.code = 1
            return
        for line in output_lines(child):  # shown as they come
            job.lines.append(line)
        job.code = child.wait()
