"""Shared fixtures: the sandbox on loopback, a config pointing at it, the real `govwatch` command.

One sandbox server serves the whole session (``sandbox_hub``, a free loopback port); each test
that takes ``sandbox`` gets a world of its own mounted under its own path prefix on it
(sandbox/hub.py), so hooks, posts added and counters never reach another test. A test that
needs a second world at once mounts one: ``sandbox_hub.mount(Sandbox(...))``. Tests that only
read what one crawl of an unchanged world stored share that crawl per module: ``first_crawl``.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from sandbox.configgen import config_dict
from sandbox.hub import SandboxHub
from sandbox.server import Sandbox
from storage.db import Store, open_store
from storage.models import CrawlOutcome, CrawlRun

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


@pytest.fixture(scope="session")
def sandbox_hub() -> Iterator[SandboxHub]:
    """The session's one sandbox server, on a free loopback port."""
    with SandboxHub(port=0) as hub:
        yield hub


@pytest.fixture
def sandbox(sandbox_hub: SandboxHub) -> Iterator[Sandbox]:
    """A fresh default world of this test's own, served by the session's server under its own prefix."""
    mounted = sandbox_hub.mount(Sandbox())
    yield mounted
    sandbox_hub.unmount(mounted)


def free_port() -> int:
    """A loopback port nothing listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test: bound, never listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


class MailSink:
    """Accepts every mail the suite's govwatch runs send, so none leaves for a real server."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        raw = envelope.original_content or envelope.content
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=email.policy.default))
        )
        return "250 Message accepted"


_mail_sink: tuple[MailSink, object, int] | None = None


def suite_mail_sink() -> tuple[MailSink, int]:
    """The suite's own SMTP server on a free loopback port (started on first use)."""
    global _mail_sink
    if _mail_sink is None:
        from aiosmtpd.controller import Controller

        for _ in range(5):  # another process may take the port between picking and binding it
            sink, port = MailSink(), free_port()
            controller = Controller(sink, hostname="127.0.0.1", port=port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            _mail_sink = (sink, controller, port)
            break
        else:
            raise RuntimeError("no free loopback port for the suite's SMTP server")
    return _mail_sink[0], _mail_sink[2]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _mail_sink is not None:
        _mail_sink[1].stop()


def write_sandbox_config(directory: Path, base_url: str, **overrides) -> Path:
    config = config_dict(base_url)
    # Mail goes to the suite's own server, never to whatever listens on the sandbox config's port.
    _, smtp_port = suite_mail_sink()
    config["smtp"] = {**config["smtp"], "port": smtp_port}
    config["database"] = f"sqlite:///{directory / 'govwatch.db'}"
    config.setdefault("report", {})["out_dir"] = str(directory / "reports")
    if "crawl" in overrides:  # merged: the sandbox's own crawl settings (back-off) stay
        overrides = {**overrides, "crawl": {**config.get("crawl", {}), **overrides["crawl"]}}
    config.update(overrides)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def sandbox_config(tmp_path: Path, sandbox: Sandbox, database_url: str) -> Path:
    return write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)


def last_outcomes(database_url: str) -> dict[str, CrawlOutcome]:
    """Each account's outcome in the store's latest crawl run."""
    store = open_store(database_url)
    with store.session() as s:
        run_id = s.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1))
        found = {
            o.account_id: o for o in s.scalars(select(CrawlOutcome).where(CrawlOutcome.run_id == run_id))
        }
    store.dispose()
    return found


@dataclass
class FirstCrawl:
    """One `govwatch crawl` of a fresh world, shared by a module's tests that only read its result."""

    sandbox: Sandbox
    config: Path
    output: str  # what the crawl printed


@pytest.fixture(scope="module")
def first_crawl(
    sandbox_hub: SandboxHub, databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FirstCrawl]:
    """A fresh world crawled once into a fresh store, for tests that neither crawl again nor change
    the world or the store (those take ``sandbox`` and ``sandbox_config``)."""
    directory = tmp_path_factory.mktemp("first_crawl")
    sandbox = sandbox_hub.mount(Sandbox())
    url = databases.new(directory)
    try:
        config = write_sandbox_config(directory, sandbox.base_url, database=url)
        result = run_govwatch(config, "crawl")
        assert result.returncode == 0, result.stderr
        yield FirstCrawl(sandbox, config, result.stdout)
    finally:
        sandbox_hub.unmount(sandbox)
        databases.drop(url)


POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"

# Which database the tests' stores live on: sqlite (default, a file per test) or postgresql
# (a fresh database per test on this machine's server, dropped afterwards). `make test` runs the
# suite once each way; the PostgreSQL pass selects the tests marked `db` (see below).
TEST_DATABASE = os.environ.get("GOVWATCH_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if TEST_DATABASE not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"GOVWATCH_TEST_DATABASE must be sqlite or postgresql, not {TEST_DATABASE!r}")

# Fixtures that make a database; a test using any of them is marked `db` automatically.
DB_FIXTURES = {"database_url", "store_url", "store", "databases", "sandbox_config", "first_crawl"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: touches a database; runs again on PostgreSQL in `make test`")
    config.addinivalue_line("markers", "sqlite_only: checks something only SQLite has (says why)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def pytest_report_header(config: pytest.Config) -> str:
    return f"govwatch test database: {TEST_DATABASE}"


class Databases:
    """Makes fresh databases of the run's kind: SQLite files, or PostgreSQL databases.

    PostgreSQL is this machine's own server (127.0.0.1:5432, trust auth). If it is not
    running the test fails and says so: a silently skipped database is not a passed one.
    """

    def __init__(self, kind: str = TEST_DATABASE) -> None:
        self.kind = kind
        self.made: list[str] = []
        self._admin = None

    def admin(self):  # noqa: ANN201
        if self._admin is None:
            from sqlalchemy import create_engine

            self._admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        return self._admin

    def new(self, directory: Path, name: str = "govwatch.db") -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{directory / name}"
        from sqlalchemy import text

        database = f"govwatch_test_{uuid.uuid4().hex[:12]}"
        try:
            with self.admin().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
        except Exception as exc:  # noqa: BLE001
            pytest.fail(
                f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(exc).__name__}: {exc}); "
                "start it (see .ci/run) or run without GOVWATCH_TEST_DATABASE=postgresql",
                pytrace=False,
            )
        self.made.append(database)
        return f"{POSTGRES_SERVER}/{database}"

    def drop(self, url: str) -> None:
        if self.kind == "sqlite" or "/" not in url:
            return
        from sqlalchemy import text

        database = url.rsplit("/", 1)[1]
        if database in self.made:
            self.made.remove(database)
            with self.admin().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

    def close(self) -> None:
        for database in list(self.made):
            self.drop(f"{POSTGRES_SERVER}/{database}")
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    """Factory for module- or session-scoped stores: ``databases.new(directory)``; all dropped at the end."""
    made = Databases()
    yield made
    made.close()


@pytest.fixture
def database_url(tmp_path: Path, databases: Databases) -> Iterator[str]:
    """A fresh, empty database of the run's kind (SQLite file, or a PostgreSQL database), dropped after."""
    url = databases.new(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture(params=[TEST_DATABASE])
def store_url(request, database_url: str) -> str:
    """A fresh, empty database: a SQLite file on the SQLite pass, a PostgreSQL database made for
    this test on the PostgreSQL pass (``GOVWATCH_TEST_DATABASE=postgresql``)."""
    return database_url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh store on ``store_url`` (the run's kind of database), migrated as ``open_store``
    leaves it, and disposed after the test."""
    opened = open_store(store_url)
    yield opened
    opened.dispose()
