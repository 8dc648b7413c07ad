"""The crawl lock: one crawl at a time per database, whoever starts it (cron, the daemon, a person).

SQLite deployments lock a file next to the database (``fcntl.flock``; the
kernel drops the lock when the process dies, so a crash never leaves a stale
lock). PostgreSQL deployments, whose crawls may start on several machines, take
a session-level advisory lock (``pg_try_advisory_lock``) on a connection held
for the crawl's duration; it too goes away with the connection.

The second crawl waits up to ``crawl.lock_wait_s`` seconds (default 0: no
waiting) and then gives up with ``CrawlLocked``; the CLI says so and exits 0.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from core.config import Config
from core.files import open_private

# pg_advisory_lock key: a fixed 64-bit number, "govwatch crawl".
PG_LOCK_KEY = 0x676F7677_61746368 & 0x7FFFFFFFFFFFFFFF
POLL_S = 0.25
LOCK_NAME = "govwatch-crawl.lock"


class CrawlLocked(Exception):
    """Another crawl holds the lock (and did not release it within the wait)."""

    def __init__(self, where: str, waited_s: float, holder: str | None = None) -> None:
        self.where = where
        self.waited_s = waited_s
        self.holder = holder
        held = f"（{holder}）" if holder else ""
        waited = f"等待 {waited_s:g} 秒后仍未结束，" if waited_s else ""
        super().__init__(
            f"另一个抓取正在进行{held}，{waited}本次跳过 / another crawl is running "
            f"(lock: {where}); this one was skipped"
        )


def lock_path(config: Config) -> Path:
    """The lock file: crawl.lock_dir if set, else next to the SQLite file, else beside config.yaml."""
    if config.crawl.lock_dir:
        return config.resolve(config.crawl.lock_dir) / LOCK_NAME
    url = config.database_url()
    prefix = "sqlite:///"
    if url.startswith(prefix):
        database = url[len(prefix) :]
        if database and database != ":memory:":
            return Path(database).with_name(Path(database).name + ".crawl.lock")
    return config.base_dir / LOCK_NAME


@contextlib.contextmanager
def crawl_lock(config: Config, wait_s: float | None = None) -> Iterator[None]:
    """Hold the crawl lock for the duration of the block, or raise CrawlLocked."""
    wait = config.crawl.lock_wait_s if wait_s is None else wait_s
    if config.database_url().startswith("postgresql"):
        with _pg_lock(config.database_url(), wait):
            yield
    else:
        with _file_lock(lock_path(config), wait):
            yield


def _deadline_loop(wait_s: float) -> Iterator[None]:
    """Yields once, then again every POLL_S until wait_s has passed."""
    deadline = time.monotonic() + wait_s
    yield
    while time.monotonic() < deadline:
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
        yield


@contextlib.contextmanager
def _file_lock(path: Path, wait_s: float) -> Iterator[None]:
    handle = open_private(path, "a+")  # held for the block
    try:
        for _ in _deadline_loop(wait_s):
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                continue
        else:
            handle.seek(0)
            holder = handle.read().strip() or None
            raise CrawlLocked(str(path), wait_s, holder)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


@contextlib.contextmanager
def _pg_lock(url: str, wait_s: float) -> Iterator[None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for _ in _deadline_loop(wait_s):
                if conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}):
                    break
            else:
                holder = conn.scalar(
                    text(
                        "SELECT 'pid ' || pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND ((classid::bigint << 32) | objid::bigint) = :k LIMIT 1"
                    ),
                    {"k": PG_LOCK_KEY},
                )
                safe = url.split("@")[-1]
                raise CrawlLocked(f"pg_advisory_lock({PG_LOCK_KEY}) on {safe}", wait_s, holder)
            try:
                yield
            finally:
                conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
    finally:
        engine.dispose()
