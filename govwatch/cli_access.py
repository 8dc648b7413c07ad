"""Platform access commands: `cookies check`.

Entry points only: they parse arguments and call crawler.cookie_health.
"""

from __future__ import annotations

import click

from core.config import PLATFORM_NAMES_ZH, PLATFORMS
from govwatch.cli_group import EXIT_FAILURE, State, cli, guarded, pass_state

STATE_LABELS = {
    "ok": "有效 / ok",
    "expired": "已失效 / expired",
    "unset": "未设置 / not set",
    "unchecked": "无法检测 / no check",
    "error": "检测失败 / check failed",
}


@cli.group()
def cookies() -> None:
    """Login cookies of the platforms (platforms.<name>.cookie_env): are they still good?"""


@cookies.command("check")
@click.option(
    "--platform", "platforms", multiple=True, type=click.Choice(PLATFORMS), help="Only this platform."
)
@pass_state
def cookies_check(state: State, platforms: tuple[str, ...]) -> None:
    """Test each configured cookie now (one cheap logged-in request per platform): which work,
    which expired and since when. Exit 0 when every configured cookie works, 1 otherwise."""
    from crawler.cookie_health import EXPIRED, OK, check_cookies, record_checks, renew_howto
    from govwatch.app import open_app

    with guarded():
        config = state.config
        checks = check_cookies(config, list(platforms) or None)
        if not checks:
            click.echo("没有配置任何 Cookie（platforms.<name>.cookie_env）/ no cookie configured")
            return
        store = open_app(config)
        try:
            with store.session() as session:
                since = record_checks(session, checks)
        finally:
            store.dispose()
        tz = config.tz
        for check in checks:
            label = PLATFORM_NAMES_ZH.get(check.platform, check.platform)
            line = f"{label} {check.platform} ({check.env})：{STATE_LABELS[check.state]} — {check.detail}"
            if check.state == EXPIRED and check.platform in since:
                line += (
                    f"；自 {since[check.platform].astimezone(tz):%Y-%m-%d %H:%M} 起失效 / failing since then"
                )
            click.echo(line)
            if check.state == EXPIRED:
                click.echo(f"    更新方法 / how to renew：{renew_howto(check.platform, check.env)}")
        if any(c.state != OK for c in checks if c.state != "unchecked"):
            raise SystemExit(EXIT_FAILURE)
