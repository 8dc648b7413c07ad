"""Operations commands: `serve`, `accounts import|list|export`, `findings list|dismiss|history`.

Entry points only: they parse arguments and call one function below
(govwatch.daemon, storage.registry, analysis.lifecycle).
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from pathlib import Path

import click

from core.vocabulary import FindingState
from govwatch.cli_group import EXIT_FAILURE, EXIT_USAGE, State, cli, fail, guarded, pass_state, write_failure

# --------------------------------------------------------------------------- serve


def _report_has_send() -> bool:
    command = cli.commands.get("report")
    return command is not None and any(p.name == "send" for p in command.params)


@cli.command()
@pass_state
def serve(state: State) -> None:
    """Run the scheduler: crawl and weekly report on config.schedule's cron lines (until SIGTERM)."""
    from govwatch.daemon import serve as run

    with guarded():
        config = state.config
        root = logging.getLogger()
        for handler in root.handlers:
            handler.setLevel(min(handler.level, logging.INFO))
        logging.getLogger("govwatch.scheduler").setLevel(logging.INFO)
        send = config.schedule.send_report and _report_has_send()
        if config.schedule.send_report and not send:
            logging.getLogger("govwatch.scheduler").warning(
                "`govwatch report --send` is not available: the weekly report is written, not mailed"
            )
        path = state.config_path or os.environ.get("GOVWATCH_CONFIG") or "config.yaml"
        run(config, path, report_send=send)


# --------------------------------------------------------------------------- accounts


@cli.group()
def accounts() -> None:
    """The account registry (帐号台账): import the office's list, show it, export it."""


@accounts.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_state
def accounts_import(state: State, file: str) -> None:
    """Import the official account list (.xlsx or .csv, Chinese headers; a title row is fine).

    Exit 0 when every row was imported, 1 when some rows were rejected (the good rows
    are imported all the same), 2 when the file cannot be read at all.
    """
    from govwatch.app import open_app
    from storage.registry import RegistryError, import_registry

    with guarded():
        try:
            store = open_app(state.config)
            with store.session() as session:
                result = import_registry(session, Path(file))
        except RegistryError as exc:
            fail(f"{file}: {exc}", EXIT_USAGE)
        for line in result.lines():
            click.echo(line)
        if result.rejected:
            sys.exit(EXIT_FAILURE)


@accounts.command("list")
@click.option("--unit", help="Only this unit (责任主体).")
@click.option("--platform", help="Only this platform.")
@pass_state
def accounts_list(state: State, unit: str | None, platform: str | None) -> None:
    """Show the registry: id, unit, platform, name, operator, status, 业务领域 (the registry's
    column, else config `units`, else the unit's name)."""
    from govwatch.app import open_app
    from reporting.labels import status_label
    from storage.registry import registry_rows

    with guarded():
        store = open_app(state.config)
        with store.session() as session:
            rows = registry_rows(session, unit=unit, platform=platform)
        _table(
            ["标识 id", "责任主体", "平台", "账号名称", "运维", "状态", "业务领域"],
            [
                [
                    r["id"],
                    r["unit"],
                    r["platform_label"],
                    r["name"],
                    r["operator_label"],
                    status_label(r["status"]) + ("（已关停）" if r["closed"] else ""),
                    state.config.unit_field(r["unit"], r["unit_field"]).label,
                ]
                for r in rows
            ],
        )
        click.echo(f"共 {len(rows)} 个帐号 / {len(rows)} accounts")


@accounts.command("export")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help=".xlsx or .csv (default: CSV to standard output).",
)
@pass_state
def accounts_export(state: State, out_file: str | None) -> None:
    """Write the registry back as .xlsx or .csv, with the headers `accounts import` reads."""
    from govwatch.app import open_app
    from storage.registry import RegistryError, export_registry

    with guarded():
        store = open_app(state.config)
        with store.session() as session:
            try:
                count = export_registry(session, Path(out_file) if out_file else None, sys.stdout)
            except RegistryError as exc:
                fail(f"--out: {exc}", EXIT_USAGE)
            except OSError as exc:
                fail(write_failure("帐号表", "the registry", exc, out_file))
        if out_file:
            click.echo(f"{count} 个帐号 → {out_file}", err=True)


# --------------------------------------------------------------------------- findings


@cli.group()
def findings() -> None:
    """Findings and their lifecycle: list, dismiss with a reason, show the history."""


@findings.command("list")
@click.option(
    "--status",
    type=click.Choice([*(s.value for s in FindingState), "all"]),
    default=FindingState.OPEN.value,
    show_default=True,
)
@click.option("--account", "account_ids", multiple=True, metavar="ID", help="Only this account (repeatable).")
@pass_state
def findings_list(state: State, status: str, account_ids: tuple[str, ...]) -> None:
    """List findings; repeat offenders (屡查屡犯) are marked and listed first."""
    from analysis.lifecycle import list_findings
    from govwatch.app import check_account_ids, open_app

    with guarded():
        store = open_app(state.config)
        check_account_ids(store, list(account_ids))
        with store.session() as session:
            rows = list_findings(session, state.config, status=status, account_ids=list(account_ids))
        _table(
            ["#", "帐号", "类别", "规则", "严重", "状态", "首次发现", "依据"],
            [
                [
                    str(r.id),
                    r.account_id + (" ⚑屡犯" if r.repeat else ""),
                    r.category_label,
                    r.rule,
                    r.severity_label,
                    r.status_label,
                    r.first_seen,
                    r.evidence,
                ]
                for r in rows
            ],
        )
        click.echo(f"共 {len(rows)} 条 / {len(rows)} findings")


@findings.command("dismiss")
@click.argument("finding_id", type=int)
@click.option("--reason", required=True, help="Why this is not a problem (kept in the history).")
@pass_state
def findings_dismiss(state: State, finding_id: int, reason: str) -> None:
    """Dismiss a finding by hand (a false alarm, an approved exception); it stays dismissed."""
    from analysis.lifecycle import dismiss_finding

    _finding_action(state, dismiss_finding, finding_id, reason)


@findings.command("reopen")
@click.argument("finding_id", type=int)
@click.option("--reason", required=True, help="Why the dismissal is undone (kept in the history).")
@pass_state
def findings_reopen(state: State, finding_id: int, reason: str) -> None:
    """Reopen a dismissed finding (a dismissal made in error); the next analysis judges it again."""
    from analysis.lifecycle import reopen_finding

    _finding_action(state, reopen_finding, finding_id, reason)


def _finding_action(state: State, action, finding_id: int, reason: str) -> None:  # noqa: ANN001
    """A finding's status changed by hand with a reason, recorded with `$USER`; prints the result."""
    from analysis.lifecycle import LifecycleError
    from govwatch.app import open_app

    with guarded():
        if not reason.strip():
            fail("--reason: 请写明理由 / a reason is required", EXIT_USAGE)
        store = open_app(state.config)
        actor = os.environ.get("USER") or getpass.getuser()
        try:
            with store.session() as session:
                message = action(session, finding_id, reason.strip(), actor)
        except LifecycleError as exc:
            fail(str(exc), EXIT_USAGE)
        click.echo(message)


@findings.command("history")
@click.argument("finding_id", type=int)
@pass_state
def findings_history(state: State, finding_id: int) -> None:
    """Show a finding's history: opened, rectified, reopened, dismissed; when, why, by whom."""
    from analysis.lifecycle import LifecycleError, finding_history
    from govwatch.app import open_app

    with guarded():
        store = open_app(state.config)
        try:
            with store.session() as session:
                lines = finding_history(session, state.config, finding_id)
        except LifecycleError as exc:
            fail(str(exc), EXIT_USAGE)
        for line in lines:
            click.echo(line)


def _table(headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal; tab-separated columns otherwise (for grep and scripts)."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, show_lines=False)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    click.echo("\t".join(headers))
    for row in rows:
        click.echo("\t".join(" ".join(str(c).split()) for c in row))


# --------------------------------------------------------------------------- alerts


@cli.group()
def alerts() -> None:
    """Immediate alerts (告警): send what quiet hours held or a failed channel left."""


@alerts.command("send")
@pass_state
def alerts_send(state: State) -> None:
    """Queue alerts for open severe findings not yet sent, and deliver what is pending."""
    from govwatch.jobs import alerts_job

    with guarded():
        result = alerts_job(state.config)
        for line in result.lines() or ["没有待发送的告警 / nothing to send"]:
            click.echo(line)
        if result.failed:
            sys.exit(EXIT_FAILURE)


# --------------------------------------------------------------------------- links


@cli.group()
def links() -> None:
    """Links published in posts and articles (外链检测): the weekly check."""


@links.command("check")
@pass_state
def links_check(state: State) -> None:
    """Check the links of the last links.window_days days' posts (each link at most once per
    links.recheck_days), confirm problems failing twice a day apart, send the alerts."""
    from govwatch.jobs import links_job

    with guarded():
        result = links_job(state.config)
        s = result.summary
        if s is not None:
            click.echo(
                f"链接检测：{s.links} 个链接，本次检测 {s.checked} 个，沿用本周结果 {s.reused} 个，请求 {s.requests} 次"
            )
        if result.findings is not None:
            click.echo(f"新问题 {len(result.findings.opened)} 个，已整改 {len(result.findings.rectified)} 个")
        for message in result.messages:
            click.echo(message)
    if result.outage:
        sys.exit(EXIT_FAILURE)
