"""Every file govwatch writes is 0600 and every folder it creates 0700, whatever the umask:
the database with its -wal and -shm, the exports, the reports, the scheduler's state, the
crawl lock and the demo's files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config import load_config
from govwatch.daemon import Daemon
from storage.db import make_engine
from tests.conftest import run_govwatch, write_sandbox_config

pytestmark = pytest.mark.slow  # crawls and the demo through the govwatch command


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: whatever is not 0600/0700 shows."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_everything_written_is_private_whatever_the_umask(tmp_path: Path, sandbox, open_umask) -> None:
    state = tmp_path / "state"  # does not exist yet: govwatch creates it
    database = state / "db" / "govwatch.db"
    config = write_sandbox_config(
        tmp_path,
        sandbox.base_url,
        database=f"sqlite:///{database}",
        report={"out_dir": str(state / "reports")},
    )
    crawl = run_govwatch(config, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    report = run_govwatch(config, "report")
    assert report.returncode == 0, report.stderr
    written = [Path(p) for p in report.stdout.split()]
    assert written

    exports = state / "exports"
    for what, fmt in [("posts", "jsonl"), ("accounts", "csv"), ("findings", "xlsx"), ("posts", "xlsx")]:
        result = run_govwatch(
            config, "export", what, "--format", fmt, "--out", str(exports / f"{what}.{fmt}")
        )
        assert result.returncode == 0, result.stderr
    for name in ("registry.xlsx", "registry.csv"):
        result = run_govwatch(config, "accounts", "export", "--out", str(exports / name))
        assert result.returncode == 0, result.stderr

    # The scheduler's state file, as the daemon writes it.
    loaded = load_config(config)
    Daemon(loaded, str(config), report_send=False)._write_state(
        "crawl", last_fire="2026-12-01T02:00:00+08:00"
    )

    # The database's -wal and -shm exist while a connection is open: take one.
    engine = make_engine(loaded.database_url())
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM accounts")).scalar()
        files = [
            database,
            Path(f"{database}-wal"),
            Path(f"{database}-shm"),
            database.with_name(database.name + ".crawl.lock"),
            database.parent / "govwatch-scheduler.json",
            *written,
            *(exports / n for n in ("posts.jsonl", "accounts.csv", "findings.xlsx", "posts.xlsx")),
            exports / "registry.xlsx",
            exports / "registry.csv",
        ]
        modes = {str(f.relative_to(tmp_path)): oct(mode(f)) for f in files}
    engine.dispose()
    assert modes == {name: "0o600" for name in modes}
    folders = {state, state / "db", state / "reports", state / "exports", *(p.parent for p in written)}
    assert {str(f.relative_to(tmp_path)): oct(mode(f)) for f in folders} == {
        str(f.relative_to(tmp_path)): "0o700" for f in folders
    }
    # Nothing else in the folders govwatch made is readable by others.
    loose = [p for p in state.rglob("*") if p.is_file() and mode(p) & 0o077]
    assert loose == []


def test_an_existing_readable_database_is_made_private(tmp_path: Path, sandbox, open_umask) -> None:
    """A database an older version left 0644 (with its -wal and -shm) is 0600 after the next run;
    an export written over an existing readable file too."""
    database = tmp_path / "govwatch.db"
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=f"sqlite:///{database}")
    for name in ("govwatch.db", "govwatch.db-wal", "govwatch.db-shm"):
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, 0o644)
    out = tmp_path / "old-export.csv"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o644)
    result = run_govwatch(config, "export", "accounts", "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert oct(mode(database)) == "0o600" and oct(mode(out)) == "0o600"
    for extra in ("govwatch.db-wal", "govwatch.db-shm"):
        if (tmp_path / extra).exists():
            assert oct(mode(tmp_path / extra)) == "0o600"


def test_the_demo_writes_private_files(tmp_path: Path, open_umask) -> None:
    from sandbox import demo

    assert demo.main(tmp_path) == 0
    made = [p for p in (tmp_path / "data").rglob("*")] + [p for p in (tmp_path / "reports").rglob("*")]
    assert any(p.name == "config.yaml" for p in made) and any(p.suffix == ".html" for p in made)
    wrong = {
        str(p.relative_to(tmp_path)): oct(mode(p))
        for p in made
        if mode(p) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {}
    for folder in (tmp_path / "data", tmp_path / "data" / "demo", tmp_path / "reports"):
        assert oct(mode(folder)) == "0o700"
