"""The `govwatch` command. Parses arguments, loads the config, calls one function below.

Exit status (CONTRACT.md): 0 success, 2 bad usage or configuration (the
message names the file, key or argument), 1 any other failure. A crawl in
which some accounts failed still exits 0: outcomes are data.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from core.config import Config, ConfigError, load_config
from core.files import open_private
from core.platforms import monitored_codes
from core.vocabulary import Severity

EXIT_FAILURE = 1
EXIT_USAGE = 2


class State:
    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
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
    draft then never imports the application, the lock or the storage layer (cold start)."""
    try:
        yield
    except ConfigError as exc:
        fail(f"配置错误 / config error: {exc}", EXIT_USAGE)
    except Exception as exc:
        from sqlalchemy.exc import DBAPIError

        from govwatch.app import UnknownAccounts
        from govwatch.lock import CrawlLocked
        from storage.db import StoreError, database_error_cause

        if isinstance(exc, CrawlLocked):  # not a failure: the running crawl does the work (README, "Scheduling")
            fail(str(exc), 0)
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


def _progress(enabled: bool) -> tuple[Callable[[int], Callable[[Any], None]] | None, Callable[[], None]]:
    """A rich progress bar on a terminal; nothing under cron."""
    if not enabled:
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("抓取 / crawling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        transient=True,
    )

    def start(total: int) -> Callable[[Any], None]:
        bar.start()
        task = bar.add_task("crawl", total=total, last="")

        def advance(outcome: Any) -> None:
            bar.update(task, advance=1, last=f"{outcome.account_id}: {outcome.outcome}")

        return advance

    return start, bar.stop


def do_crawl(state: State, account_ids: list[str] | None, platforms: list[str] | None, trigger: str):  # noqa: ANN201
    from govwatch.jobs import crawl_job

    start, stop = _progress(sys.stderr.isatty() and trigger != "rescan")
    try:
        return crawl_job(state.config, account_ids, platforms, trigger=trigger, progress=start)
    finally:
        stop()


@cli.command()
@click.option(
    "--account", "accounts", multiple=True, metavar="ID", help="Crawl only this account (repeatable)."
)
@click.option(
    "--platform", "platforms", multiple=True, type=click.Choice(monitored_codes()), help="Crawl only this platform."
)
@pass_state
def crawl(state: State, accounts: tuple[str, ...], platforms: tuple[str, ...]) -> None:
    """Crawl now (all accounts, or those named), then analyse."""
    from reporting.labels import status_label

    with guarded():
        result = do_crawl(state, list(accounts) or None, list(platforms) or None, "cli")
        summary, analysis = result.crawl, result.analysis
        click.echo(summary.line())
        for line in result.health.lines():
            click.echo(line)
        statuses = "，".join(f"{status_label(k)} {v}" for k, v in sorted(analysis.statuses.items()))
        click.echo(
            f"分析完成：{statuses}；新问题 {len(analysis.findings.opened)} 个，"
            f"已整改 {len(analysis.findings.rectified)} 个"
        )
        for message in result.messages:
            click.echo(message)
    if result.failed:  # the accounts' outcomes are recorded; the crawl itself failed
        sys.exit(1)


@cli.command()
@click.argument("account_id")
@pass_state
def rescan(state: State, account_id: str) -> None:
    """Crawl and analyse one account now; print its status and open findings."""
    from govwatch.lock import CrawlLocked
    from reporting.account import account_card

    with guarded():
        try:
            result = do_crawl(state, [account_id], None, "rescan")
        except CrawlLocked as exc:  # a rescan that did not run gave no answer: exit 1
            fail(str(exc), EXIT_FAILURE)
        findings = result.analysis.findings
        with result.store.session() as session:
            click.echo(
                account_card(
                    session, state.config, account_id, findings.rectified, opened_ids=findings.opened
                )
            )
        for message in result.messages:
            click.echo(message)


@cli.command()
@click.option(
    "--week",
    metavar="YYYY-Www",
    help="ISO week (default: the last complete week; without --send, the current one when only it has crawl data).",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the HTML reports.")
@click.option("--send", is_flag=True, help="Also mail each supervisor their report (once per week).")
@click.option("--resend", is_flag=True, help="With --send: mail again even if already sent this week.")
@pass_state
def report(state: State, week: str | None, out_dir: str | None, send: bool, resend: bool) -> None:
    """Write the weekly report(s): one per supervisor and one overall; print their paths."""
    from govwatch.jobs import default_report_week, report_job, send_job
    from reporting.mail import MailConfigError
    from reporting.weeks import WeekError, parse_week

    with guarded():
        config = state.config
        try:
            iso_week = parse_week(week) if week is not None else None
        except WeekError as exc:
            fail(f"--week: {exc}", EXIT_USAGE)
        if resend and not send:
            fail("--resend needs --send / --resend 需与 --send 一起使用", EXIT_USAGE)
        if iso_week is None:
            # Mail goes out for the last complete week (the scheduled --send relies on it).
            iso_week, note = default_report_week(config, prefer_data=not send)
            if note:
                click.echo(note, err=True)
        try:
            paths = report_job(config, iso_week, Path(out_dir) if out_dir else None)
        except OSError as exc:
            fail(write_failure("报告", "the report", exc, out_dir))
        for path in paths:
            click.echo(str(path))
        if send:
            try:
                sent = send_job(config, iso_week, resend=resend)
            except MailConfigError as exc:
                fail(f"配置错误 / config error: {config.source}: {exc}", EXIT_USAGE)
            for line in sent.lines():
                click.echo(line, err=True)
            if sent.failed:
                fail("发送失败 / failed: " + "、".join(sent.failed))


@cli.command()
@click.argument("what", type=click.Choice(["accounts", "posts", "findings"]))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True
)
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False), help="File to write (default: standard output)."
)
@pass_state
def export(state: State, what: str, fmt: str, out_file: str | None) -> None:
    """Export accounts, posts or findings as JSON Lines, CSV or xlsx (Chinese headers; findings as 通报)."""
    from govwatch.app import open_app
    from reporting.export import export_rows, export_xlsx

    if fmt == "xlsx" and not out_file:
        fail("--format xlsx needs --out FILE / xlsx 格式须用 --out 指定文件", EXIT_USAGE)
    with guarded():
        config = state.config
        store = open_app(config)
        with store.session() as session:
            try:
                if fmt == "xlsx":
                    count = export_xlsx(session, config, what, out_file)
                elif out_file:
                    # A CSV file carries a BOM so Excel on Chinese Windows reads it as UTF-8.
                    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
                    with open_private(out_file, "w", encoding=encoding, newline="") as handle:
                        count = export_rows(session, config, what, fmt, handle)
                else:
                    export_rows(session, config, what, fmt, sys.stdout)
            except OSError as exc:
                fail(write_failure("导出文件", "the export", exc, out_file))
            if out_file:
                click.echo(f"{count} rows → {out_file}", err=True)


def _checker(state: State):  # noqa: ANN202
    """The content checker with the config's lexicons and allow-list; defaults without a config."""
    from analysis.text import Checker

    explicit = state.config_path is not None or Path("config.yaml").exists()
    if not explicit:
        return Checker.load()
    checks = state.config.checks
    return Checker.load(
        extra=[state.config.resolve(p) for p in checks.lexicons], allow=checks.allow, typos=checks.typos
    )


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--input",
    "mode",
    type=click.Choice(["auto", "jsonl", "text"]),
    default="auto",
    show_default=True,
    help="JSON Lines ({id, text, title}) or a plain-text draft; auto looks at the first line.",
)
@click.option("--color/--no-color", default=None, help="Highlight evidence (default: on a terminal).")
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in reversed(Severity)]),  # least severe first
    default=None,
    help="Exit 1 when a finding of this severity or worse is found (for scripts and CI).",
)
@click.option(
    "--unit",
    default=None,
    help="The responsible unit (责任主体, e.g. 旗体育局): its own field is not off-topic. "
    "A JSON Lines post's own `unit` field wins.",
)
@pass_state
def check(
    state: State, file: str | None, mode: str, color: bool | None, fail_on: str | None, unit: str | None
) -> None:
    """Check texts before publication (先审后发): JSON Lines in and out, or a plain draft."""
    import itertools

    from analysis.text.runner import input_problem, looks_like_jsonl, run_jsonl, run_plain

    with guarded():
        checker = _checker(state)
        name = "standard input" if file in (None, "-") else file
        try:
            # Undecodable bytes survive as surrogates; the runners name the line (never a traceback).
            if file in (None, "-"):
                sys.stdin.reconfigure(errors="surrogateescape")
                source = sys.stdin
            else:
                source = open(file, encoding="utf-8-sig", errors="surrogateescape")  # noqa: SIM115
        except OSError as exc:
            fail(f"{file}: {exc.strerror}", EXIT_USAGE)
        with source:
            lines = iter(source)
            head: list[str] = []
            for line in lines:  # peek at the first non-blank line
                head.append(line)
                if line.strip():
                    break
            if mode == "auto":
                mode = "jsonl" if head and looks_like_jsonl(head[-1]) else "text"
            stream = itertools.chain(head, lines)
            if mode == "jsonl":
                code = run_jsonl(stream, sys.stdout, checker, sys.stderr, fail_on, unit=unit)
            else:
                draft = "".join(stream)
                problem = input_problem(draft)
                if problem:
                    fail(f"govwatch check: {name}: {problem}", EXIT_USAGE)
                use_color = sys.stdout.isatty() if color is None else color
                code = run_plain(draft, sys.stdout, checker, use_color, fail_on, unit=unit)
        sys.exit(code)


def main() -> None:
    cli(prog_name="govwatch")


if __name__ == "__main__":
    main()

from govwatch import cli_access, cli_ops  # noqa: E402,F401
