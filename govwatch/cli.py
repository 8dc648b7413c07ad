"""The `govwatch` command: the entry point (console script and `python -m govwatch.cli`).

The group and what commands share live in govwatch/cli_group.py; each command module
registers its commands on that group when imported here. Commands parse arguments, load
the config and call one function below them.
"""

from __future__ import annotations

from govwatch import (  # noqa: F401 - they register their commands
    cli_access,
    cli_check,
    cli_monitor,
    cli_ops,
    cli_scorecard,
    cli_tasks,
    cli_web,
)
from govwatch.cli_group import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="govwatch")


if __name__ == "__main__":
    main()
