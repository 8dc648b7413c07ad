"""The `govwatch` click group and what every command shares: the config it loads once, the
exit codes, and `guarded`, which turns known errors into one-line messages.

The command modules (cli_monitor, cli_check, cli_ops, cli_access) register their commands
on `cli`; govwatch/cli.py, the entry point, imports them all. This module imports none of
them, so the import graph has no circle.

Exit status (CONTRACT.md): 0 success, 2 bad usage or configuration (the
message names the file, key or argument), 1 any other failure. A crawl in
which some accounts failed still exits 0: outcomes are data.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from core.config import Config

EXIT_FAILURE = 1
EXIT_USAGE = 2


class State:
    """What the commands share: the config, read on first use.

    `core.config` (pydantic) is imported then too, not before: `govwatch check` of a draft
    without a config file never pays for it (cold start)."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from core.config import load_config

            self._config = load_config(self.config_path)
        return self._config


def fail(message: str, code: int = EXIT_FAILURE) -> None:
    click.echo(message, err=True)
    sys.exit(code)


# Causes of a failed write, for the Chinese half of the message (the English is the system's own).
_WRITE_ERRNO = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "不允许写入",
    errno.ENOENT: "所在文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已满",
    errno.EEXIST: "已有同名文件",
}


def write_failure(what_zh: str, what_en: str, exc: OSError, path: str | Path | None = None) -> str:
    """One line naming the path and the cause: 无法写入报告 / cannot write the report: PATH: 原因 / cause."""
    where = path or exc.filename or "?"  # the path asked for, not a temporary file beside it
    cause = exc.strerror or str(exc)
    chinese = _WRITE_ERRNO.get(exc.errno or 0)
    return f"无法写入{what_zh} / cannot write {what_en}: {where}: {chinese + ' / ' if chinese else ''}{cause}"


def _database_location() -> str:
    context = click.get_current_context(silent=True)
    state = context.find_object(State) if context else None
    if state is None:
        return "?"
    from storage.db import database_location

    try:
        return database_location(state.config.database_url())
    except Exception:  # noqa: BLE001 - the location is a courtesy; the cause is what matters
        return "?"


@contextmanager
def guarded() -> Iterator[None]:
    """Turn known errors into messages and CONTRACT exit codes.

    The error classes are imported only when something was raised: `govwatch check` of a
    draft then never imports the configuration, the application, the lock or the storage
    layer (cold start)."""
    try:
        yield
    except Exception as exc:
        from core.config import ConfigError

        if isinstance(exc, ConfigError):
            fail(f"配置错误 / config error: {exc}", EXIT_USAGE)
        from sqlalchemy.exc import DBAPIError

        from govwatch.app import UnknownAccounts
        from govwatch.lock import CrawlLocked
        from storage.db import StoreError, database_error_cause

        if isinstance(exc, CrawlLocked):
            fail(str(exc), 0)  # not a failure: the running crawl does the work (README, "Scheduling")
        if isinstance(exc, UnknownAccounts):
            fail(str(exc), EXIT_USAGE)
        if isinstance(exc, StoreError):
            fail(f"数据库错误 / database error: {exc}")
        if isinstance(exc, DBAPIError):  # the database refused a read or write mid-command: one line
            fail(f"数据库错误 / database error: {_database_location()}: {database_error_cause(exc)}")
        raise


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="GOVWATCH_CONFIG",
    default=None,
    metavar="PATH",
    help="config.yaml to use (default: $GOVWATCH_CONFIG, else ./config.yaml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """govwatch — 政务新媒体监测: crawl, analyse and report on government accounts."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # libraries that reset logger levels still pass here
        handler.setLevel(level)
    ctx.obj = State(config_path)
