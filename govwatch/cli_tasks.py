"""Reposting tasks (转载任务): `tasks add|list|show|remove`.

Entry points only: they parse arguments and call storage/tasks.py (the rows),
analysis/reposts.py (who reposted, when) and reporting/tasks.py (the lines printed).
Tasks may also be declared in config.yaml under ``repost_tasks:`` (merged on every run).
"""

from __future__ import annotations

import getpass
import os

import click

from govwatch.cli_group import EXIT_USAGE, State, cli, fail, guarded, pass_state


def _split(values: tuple[str, ...]) -> list[str]:
    """--units A,B --units C -> [A, B, C] (、 and ， separate too)."""
    out: list[str] = []
    for value in values:
        for part in value.replace("、", ",").replace("，", ",").split(","):
            if part.strip() and part.strip() not in out:
                out.append(part.strip())
    return out


@cli.group()
def tasks() -> None:
    """Reposting tasks (转载任务): declare a key post to repost, see who did and when."""


@tasks.command("add")
@click.option("--id", "task_id", metavar="ID", help="Task id (default: t<date>-<n>).")
@click.option("--title", help="The key post's title (or its first words).")
@click.option("--url", help="The key post's address (a Weibo post: its repost is recognised).")
@click.option("--text", help="The key post's text, when neither title nor a stored post gives it.")
@click.option("--source", metavar="ACCOUNT", help="Account id of the key post's publisher, when monitored.")
@click.option(
    "--units", "units", multiple=True, metavar="A,B", help="Units expected to repost (comma-separated)."
)
@click.option("--accounts", "accounts", multiple=True, metavar="a,b", help="Account ids expected to repost.")
@click.option(
    "--published",
    metavar="TIME",
    help="When the key post was published (default: its stored time, else now).",
)
@click.option(
    "--deadline",
    required=True,
    metavar="TIME|SPAN",
    help='"2026-11-20 18:00" (local) or "24h", "2d" after publication.',
)
@pass_state
def tasks_add(
    state: State,
    task_id: str | None,
    title: str | None,
    url: str | None,
    text: str | None,
    source: str | None,
    units: tuple[str, ...],
    accounts: tuple[str, ...],
    published: str | None,
    deadline: str,
) -> None:
    """Declare a reposting task (stored in the database; config.yaml's repost_tasks: works too)."""
    from pydantic import ValidationError

    from core.config import RepostTaskConfig
    from govwatch.app import check_account_ids, open_app
    from storage.models import utcnow
    from storage.tasks import TaskError, add_task, next_task_id, registered_units, task_values

    with guarded():
        config = state.config
        store = open_app(config)
        now = utcnow()
        with store.session() as session:
            data = {
                "id": task_id or next_task_id(session, now.astimezone(config.tz)),
                "title": title,
                "url": url,
                "text": text,
                "source": source,
                "published_at": published,
                "deadline": deadline,
                "units": _split(units),
                "accounts": _split(accounts),
            }
            try:
                task = RepostTaskConfig.model_validate({k: v for k, v in data.items() if v is not None})
            except ValidationError as exc:
                error = exc.errors()[0]
                where = ".".join(str(x) for x in error["loc"]) or "task"
                option = {"published_at": "published", "source": "source"}.get(where, where)
                reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
                fail(f"--{option}: {reason}" if where != "task" else reason, EXIT_USAGE)
            check_account_ids(store, task.accounts + ([task.source] if task.source else []))
            try:
                add_task(session, task.id, task_values(task, config.tz), now)
            except TaskError as exc:
                fail(str(exc), EXIT_USAGE)
            known = registered_units(session, task.units)
            strangers = [u for u in task.units if u not in known]
        click.echo(f"已登记转载任务 {task.id} / task added")
        if strangers:
            click.echo(
                "注意：以下单位没有登记的帐号 / no registered account: " + "、".join(strangers), err=True
            )


@tasks.command("list")
@pass_state
def tasks_list(state: State) -> None:
    """Every task with its completion so far."""
    from analysis.reposts import evaluate_tasks
    from govwatch.app import open_app
    from reporting.tasks import list_lines
    from storage.models import utcnow

    with guarded():
        config = state.config
        store = open_app(config)
        with store.session() as session:
            for line in list_lines(evaluate_tasks(session, config.tz, utcnow()), config.tz):
                click.echo(line)


@tasks.command("show")
@click.argument("task_id")
@pass_state
def tasks_show(state: State, task_id: str) -> None:
    """One task: completion per unit and per account, each repost's time and time taken."""
    from analysis.reposts import evaluate_task
    from govwatch.app import open_app
    from reporting.tasks import show_lines
    from storage.models import utcnow
    from storage.tasks import TaskError, get_task

    with guarded():
        config = state.config
        store = open_app(config)
        with store.session() as session:
            try:
                task = get_task(session, task_id)
            except TaskError as exc:
                fail(str(exc), EXIT_USAGE)
            for line in show_lines(evaluate_task(session, task, utcnow(), config.tz), config.tz):
                click.echo(line)


@tasks.command("remove")
@click.argument("task_id")
@click.option("--reason", default="转载任务已撤销", show_default=True, help="Recorded on its open findings.")
@pass_state
def tasks_remove(state: State, task_id: str, reason: str) -> None:
    """Withdraw a task declared by command; its open findings are dismissed with the reason."""
    from analysis.reposts import remove_task
    from govwatch.app import open_app
    from storage.tasks import TaskError

    with guarded():
        config = state.config
        store = open_app(config)
        with store.session() as session:
            try:
                dismissed = remove_task(session, task_id, reason, os.environ.get("USER") or getpass.getuser())
            except TaskError as exc:
                fail(str(exc), EXIT_USAGE)
        click.echo(f"已撤销转载任务 {task_id}，排除问题 {dismissed} 个 / task removed")
