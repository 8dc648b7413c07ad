"""The web console's commands: `govwatch web` (serve it) and `govwatch users add|list|token|unlock`.

Entry points only: they parse arguments and call govwatch.web (the app) or storage.web.
"""

from __future__ import annotations

import getpass
import os
import sys

import click

from core.vocabulary import Role
from govwatch.cli_group import EXIT_USAGE, State, cli, fail, guarded, pass_state


@cli.command()
@click.option("--listen", default=None, metavar="HOST:PORT", help="Override config web.listen.")
@pass_state
def web(state: State, listen: str | None) -> None:
    """Serve the web console (config web.listen, default 127.0.0.1:8080) until Ctrl-C or SIGTERM."""
    import uvicorn

    from govwatch.web.app import create_app

    with guarded():
        config = state.config
        settings = config.web
        if listen:
            settings = settings.model_validate({**settings.model_dump(), "listen": listen})
        app = create_app(config)
        click.echo(f"govwatch web: http://{settings.listen}/ (Ctrl-C 停止 / to stop)", err=True)
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            proxy_headers=True,
            forwarded_allow_ips=",".join(settings.trusted_proxies),
            log_level="warning",
            access_log=False,
            server_header=False,
        )


@cli.group()
def users() -> None:
    """The web console's users: add one, list them, give one an API token, unlock one."""


def _password(from_env: str | None) -> str:
    from govwatch.web.security import password_problem

    if from_env:
        password = os.environ.get(from_env) or ""
        if not password:
            fail(f"--password-env: 环境变量 {from_env} 未设置 / {from_env} is not set", EXIT_USAGE)
    elif sys.stdin.isatty():
        password = getpass.getpass("密码 / password: ")
        if getpass.getpass("再次输入 / again: ") != password:
            fail("两次输入的密码不一致 / the passwords differ", EXIT_USAGE)
    else:
        password = sys.stdin.readline().rstrip("\n")
    problem = password_problem(password)
    if problem:
        fail(problem, EXIT_USAGE)
    return password


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--unit",
    default=None,
    help="editor/viewer: the unit (责任主体); supervisor: its name in config supervisors.",
)
@click.option(
    "--password-env",
    default=None,
    metavar="VAR",
    help="Read the password from this environment variable (else asked, or one line of standard input).",
)
@pass_state
def users_add(state: State, name: str, role: str, unit: str | None, password_env: str | None) -> None:
    """Add a user of the web console (the password is stored as an argon2id hash)."""
    from govwatch.app import open_app
    from govwatch.web.security import hash_password
    from storage import web as db

    with guarded():
        config = state.config
        name = name.strip()
        if not name or len(name) > 100:
            fail("NAME: 1 到 100 个字符 / 1 to 100 characters", EXIT_USAGE)
        if role == Role.EDITOR and not unit:
            fail("--unit: 单位编辑须指定其责任主体 / an editor needs --unit", EXIT_USAGE)
        if role == Role.SUPERVISOR:
            names = [s.name for s in config.supervisors]
            if unit not in names:
                fail(
                    f"--unit: 主管单位须是配置 supervisors 中的名称之一 / a supervisor's --unit must be one of: {', '.join(names) or '(none configured)'}",
                    EXIT_USAGE,
                )
        if role == Role.OFFICE and unit:
            fail("--unit: 网信办管理员不属于某个单位 / the office role takes no --unit", EXIT_USAGE)
        store = open_app(config)
        with store.session() as session:
            if db.user_by_name(session, name) is not None:
                fail(f"{name}: 用户已存在 / the user exists", EXIT_USAGE)
            if role in (Role.EDITOR, Role.VIEWER) and unit and unit not in db.unit_names(session):
                click.echo(f"注意：尚无帐号属于“{unit}” / note: no account belongs to {unit!r} yet", err=True)
        password = _password(password_env)
        with store.session() as session:
            db.add_user(session, name, role, unit, hash_password(password))
        click.echo(f"已添加用户 {name}（{Role.label_of(role)}{'：' + unit if unit else ''}）/ user added")


@users.command("list")
@pass_state
def users_list(state: State) -> None:
    """List the web console's users."""
    from govwatch.app import open_app
    from storage import web as db

    with guarded():
        store = open_app(state.config)
        with store.session() as session:
            for user in db.list_users(session):
                locked = "（已锁定）" if user.locked_until else ""
                click.echo(f"{user.name}\t{user.role}\t{user.unit or '—'}{locked}")


@users.command("token")
@click.argument("name")
@pass_state
def users_token(state: State, name: str) -> None:
    """Make a new API bearer token for NAME and print it once (only its hash is kept)."""
    from govwatch.app import open_app
    from govwatch.web.security import new_token
    from storage import web as db

    with guarded():
        store = open_app(state.config)
        token = "gw_" + new_token()
        with store.session() as session:
            user = db.user_by_name(session, name)
            if user is None:
                fail(f"{name}: 没有该用户 / no such user", EXIT_USAGE)
            db.add_api_token(session, user, token)
        click.echo(token)


@users.command("unlock")
@click.argument("name")
@pass_state
def users_unlock(state: State, name: str) -> None:
    """Unlock a user locked after too many failed sign-ins."""
    from govwatch.app import open_app
    from storage import web as db

    with guarded():
        store = open_app(state.config)
        with store.session() as session:
            user = db.user_by_name(session, name)
            if user is None:
                fail(f"{name}: 没有该用户 / no such user", EXIT_USAGE)
            user.locked_until = None
            user.failed_logins = 0
        click.echo(f"{name} 已解锁 / unlocked")
