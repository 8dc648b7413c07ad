"""Engines, sessions and migrations.

`open_store(url)` is the one way in: it makes the engine (SQLite: WAL and a
busy timeout; PostgreSQL: a pool with pre-ping), applies the Alembic
migrations up to head, and returns a Store with a session factory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from govwatch.files import create_private, make_private

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be opened or migrated."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # Created 0600 before SQLite opens it: SQLite gives -wal and -shm the same mode.
            create_private(database)
            for extra in (Path(database + "-wal"), Path(database + "-shm")):
                if extra.exists():
                    make_private(extra)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migrations (no-op when already there).

    "heads": features add their own revision branches off the initial schema;
    a merge revision may join them later without changing this.
    """
    command.upgrade(alembic_config(engine), "heads")


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, upgrade: bool = True) -> Store:
    try:
        engine = make_engine(url)
        if upgrade:
            migrate(engine)
    except Exception as exc:  # the message names the database; the CLI exits 1
        safe = make_url(url).render_as_string(hide_password=True)
        raise StoreError(f"cannot open database {safe}: {exc}") from exc
    return Store(engine, sessionmaker(engine, expire_on_commit=False))
