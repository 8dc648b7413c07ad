"""Platform access commands: `cookies check`.

Entry points only: they parse arguments, call crawler.cookie_health to check the cookies and
analysis.crawl_health to keep what the checks found.
"""

from __future__ import annotations

import click

from core.items import CookieState
from core.platforms import monitored_codes, name_zh
from govwatch.cli_group import EXIT_FAILURE, State, cli, guarded, pass_state

STATE_LABELS = {
    CookieState.OK: "有效 / ok",
    CookieState.EXPIRED: "已失效 / expired",
    CookieState.UNSET: "未设置 / not set",
    CookieState.UNCHECKED: "无法检测 / no check",
    CookieState.ERROR: "检测失败 / check failed",
}


@cli.group()
def cookies() -> None:
    """Login cookies of the platforms (platforms.<name>.cookie_env): are they still good?"""


@cookies.command("check")
@click.option(
    "--platform", "platforms", multiple=True, type=click.Choice(monitored_codes()), help="Only this platform."
)
@pass_state
def cookies_check(state: State, platforms: tuple[str, ...]) -> None:
    """Test each configured cookie now (one cheap logged-in request per platform): which work,
    which expired and since when. Exit 0 when every configured cookie works, 1 otherwise."""
    from analysis.crawl_health import record_cookie_checks, renew_howto
    from crawler.cookie_health import check_cookies
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
                since = record_cookie_checks(session, checks)
        finally:
            store.dispose()
        tz = config.tz
        for check in checks:
            label = name_zh(check.platform)
            line = f"{label} {check.platform} ({check.env})：{STATE_LABELS[check.state]} — {check.detail}"
            if check.state == CookieState.EXPIRED and check.platform in since:
                line += (
                    f"；自 {since[check.platform].astimezone(tz):%Y-%m-%d %H:%M} 起失效 / failing since then"
                )
            click.echo(line)
            if check.state == CookieState.EXPIRED:
                click.echo(f"    更新方法 / how to renew：{renew_howto(check.platform, check.env)}")
        if any(c.state != CookieState.OK for c in checks if c.state != CookieState.UNCHECKED):
            raise SystemExit(EXIT_FAILURE)
