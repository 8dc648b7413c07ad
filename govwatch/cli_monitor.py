"""The monitoring commands: `crawl`, `rescan`, `report`, `export`.

Entry points only: they parse arguments and call one job (govwatch.jobs) or one export.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from core.files import open_private
from core.platforms import monitored_codes
from govwatch.cli_group import EXIT_FAILURE, EXIT_USAGE, State, cli, fail, guarded, pass_state, write_failure


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
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(monitored_codes()),
    help="Crawl only this platform.",
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
@click.argument("what", type=click.Choice(["accounts", "posts", "findings", "tasks"]))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True
)
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False), help="File to write (default: standard output)."
)
@pass_state
def export(state: State, what: str, fmt: str, out_file: str | None) -> None:
    """Export accounts, posts, findings or reposting tasks as JSON Lines, CSV or xlsx (Chinese headers; findings as 通报)."""
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
