"""Shared fixtures: the sandbox on loopback, a config pointing at it, the real `govwatch` command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sandbox.configgen import config_dict
from sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[1]
GOVWATCH = Path(sys.executable).with_name("govwatch")


def run_govwatch(config: Path | None, *args: str, input: str | None = None, timeout: float = 300):
    """Run the installed `govwatch` command as a user would; returns the CompletedProcess."""
    command = [str(GOVWATCH)] + (["--config", str(config)] if config else []) + list(args)
    return subprocess.run(command, capture_output=True, text=True, input=input, timeout=timeout, cwd=ROOT)


def export_jsonl(config: Path, what: str) -> list[dict]:
    result = run_govwatch(config, "export", what, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as running:
        yield running


def write_sandbox_config(directory: Path, base_url: str, **overrides) -> Path:
    config = config_dict(base_url)
    config["database"] = f"sqlite:///{directory / 'govwatch.db'}"
    config.setdefault("report", {})["out_dir"] = str(directory / "reports")
    config.update(overrides)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def sandbox_config(tmp_path: Path, sandbox: Sandbox) -> Path:
    return write_sandbox_config(tmp_path, sandbox.base_url)


POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and a PostgreSQL database made for this test.

    PostgreSQL is this machine's own server (127.0.0.1:5432, trust auth). If it is not
    running the test fails and says so: a silently skipped database is not a passed one.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    import uuid

    from sqlalchemy import create_engine, text

    name = f"govwatch_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({exc}); start it (see .ci/run)")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
