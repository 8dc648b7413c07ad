"""The scheduler daemon: `python scheduler.py [--config PATH]`, the same as `govwatch serve`.

Parses arguments and hands over to govwatch.daemon (see there, and the README's "Scheduling").
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from govwatch.cli import cli

    cli.main(args=[*(argv if argv is not None else sys.argv[1:]), "serve"], prog_name="scheduler.py")


if __name__ == "__main__":
    main()
