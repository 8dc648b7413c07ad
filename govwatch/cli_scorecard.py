"""The spot-check commands: `scorecard` (the period's four dimensions per account, ranked) and
`spotcheck` (a reproducible stratified sample and its 通报 draft; `spotcheck import` reads a
person's 制作水准 notes back from the edited draft).

Entry points only: they parse arguments and call one function in reporting/scorecard.py.
"""

from __future__ import annotations

import click

from govwatch.cli_group import EXIT_USAGE, State, cli, fail, guarded, pass_state, write_failure


def _period(text: str):  # noqa: ANN202
    from analysis.scorecard import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as exc:
        fail(f"--period: {exc}", EXIT_USAGE)


PERIOD_HELP = "A quarter (2026-Q4) or a month (2026-11), in the configured time zone."


@cli.command()
@click.option("--period", required=True, metavar="YYYY-Qn|YYYY-MM", help=PERIOD_HELP)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the .xlsx and .html.")
@pass_state
def scorecard(state: State, period: str, out_dir: str | None) -> None:
    """Score every account for a period (职能契合, 制作水准, 传播效果, 互动回应), ranked per 业务领域
    and platform against the period before; write .xlsx and .html and print their paths."""
    from govwatch.app import open_app
    from reporting.scorecard import scorecard_files

    chosen = _period(period)
    with guarded():
        store = open_app(state.config)
        try:
            paths = scorecard_files(store, state.config, chosen, out_dir)
        except OSError as exc:
            fail(write_failure("积分卡", "the scorecard", exc, out_dir))
        for path in paths:
            click.echo(str(path))


@cli.group(invoke_without_command=True)
@click.option("--period", metavar="YYYY-Qn|YYYY-MM", help=PERIOD_HELP)
@click.option("--share", default="20%", show_default=True, help="Share of each stratum to draw, e.g. 20%.")
@click.option("--seed", type=int, default=None, help="Random seed: the same seed draws the same sample.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the .xlsx and .html.")
@click.pass_context
def spotcheck(
    ctx: click.Context, period: str | None, share: str, seed: int | None, out_dir: str | None
) -> None:
    """Draw a stratified sample (by platform and 业务领域; every account with a finding in the
    period included) and write the 通报 draft (.xlsx and .html); print their paths and the seed."""
    if ctx.invoked_subcommand is not None:
        return
    import secrets

    from analysis.spotcheck import parse_share
    from govwatch.app import open_app
    from reporting.scorecard import spotcheck_files

    state = ctx.find_object(State)
    if period is None:
        fail("--period is required / 须用 --period 指定期间（如 2026-Q4）", EXIT_USAGE)
    chosen = _period(period)
    try:
        fraction = parse_share(share)
    except ValueError as exc:
        fail(f"--share: {exc}", EXIT_USAGE)
    if seed is None:
        seed = secrets.randbelow(1_000_000)
        click.echo(
            f"随机种子 / seed: {seed}（用 --seed {seed} 可重现本次抽样 / repeat with --seed {seed}）",
            err=True,
        )
    with guarded():
        store = open_app(state.config)
        try:
            paths, check = spotcheck_files(store, state.config, chosen, fraction, seed, out_dir)
        except OSError as exc:
            fail(write_failure("抽查通报", "the spot-check draft", exc, out_dir))
        click.echo(f"抽查 {len(check.sampled)} / {check.population} 个帐号 / sampled", err=True)
        for path in paths:
            click.echo(str(path))


@spotcheck.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_state
def spotcheck_import(state: State, file: str) -> None:
    """Read the 制作水准备注 column of an edited 通报 draft back into the store (all rows or none)."""
    from govwatch.app import open_app
    from reporting.scorecard import NotesError, import_notes

    with guarded():
        store = open_app(state.config)
        try:
            with store.session() as session:
                period, count = import_notes(session, file)
        except NotesError as exc:
            fail(str(exc), EXIT_USAGE)
        click.echo(f"已导入 {count} 条制作水准备注（{period}）/ imported {count} note(s) for {period}")
