"""`govwatch check`: content checks of texts before publication (先审后发).

The checker is imported when the command runs, as every command defers its imports: a cold
`govwatch check draft.txt` loads no database, crawler or report code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.vocabulary import Severity
from govwatch.cli_group import EXIT_USAGE, State, cli, fail, guarded, pass_state


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
@click.option(
    "--published",
    default=None,
    metavar="DATE",
    help="When the texts were published (ISO 8601, e.g. 2020-02-18): an institution's name that "
    "was right then is no error. Default: now (a draft). A JSON Lines post's own `published` wins.",
)
@pass_state
def check(
    state: State,
    file: str | None,
    mode: str,
    color: bool | None,
    fail_on: str | None,
    unit: str | None,
    published: str | None,
) -> None:
    """Check texts before publication (先审后发): JSON Lines in and out, or a plain draft."""
    import itertools

    from analysis.text.runner import input_problem, looks_like_jsonl, published_date, run_jsonl, run_plain

    with guarded():
        when = None
        if published is not None:
            try:
                when = published_date(published)
            except ValueError as exc:
                fail(f"--published: {exc}", EXIT_USAGE)
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
                code = run_jsonl(stream, sys.stdout, checker, sys.stderr, fail_on, unit=unit, published=when)
            else:
                draft = "".join(stream)
                problem = input_problem(draft)
                if problem:
                    fail(f"govwatch check: {name}: {problem}", EXIT_USAGE)
                use_color = sys.stdout.isatty() if color is None else color
                code = run_plain(draft, sys.stdout, checker, use_color, fail_on, unit=unit, published=when)
        sys.exit(code)
