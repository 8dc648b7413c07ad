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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from core.files import create_private, make_private

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be opened, migrated or written."""


# The driver's words for a database that cannot be written, in Chinese and English.
_WRITE_CAUSES = (
    ("readonly database", "数据库文件只读 / the database file is read-only"),
    ("read-only transaction", "数据库只读 / the database is read-only"),
    ("unable to open database file", "无法打开数据库文件 / cannot open the database file"),
    ("database or disk is full", "磁盘已满 / the disk is full"),
    ("disk i/o error", "磁盘读写错误 / disk I/O error"),
)


def database_location(url: str) -> str:
    """What names the database for a person: the SQLite file's path, else the URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def database_error_cause(exc: BaseException) -> str:
    """The cause of a database error in one line: known causes in Chinese and English."""
    original = getattr(exc, "orig", None) or exc
    text = " ".join(str(original).split()) or type(original).__name__
    lowered = text.lower()
    for marker, words in _WRITE_CAUSES:
        if marker in lowered:
            return f"{words} ({text})"
    return text


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
    url: str = ""

    @property
    def location(self) -> str:
        return database_location(self.url) if self.url else str(self.engine.url)

    def check_writable(self) -> None:
        """Raise StoreError naming the database when it cannot be written (a read-only file or
        folder, a read-only replica) before any work is done that would then be lost."""
        try:
            with self.engine.connect() as conn:
                # A write that changes nothing, rolled back: refused by a read-only file or server.
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
                conn.rollback()
        except DBAPIError as exc:
            raise StoreError(f"{self.location}: {database_error_cause(exc)}") from exc

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
    return Store(engine, sessionmaker(engine, expire_on_commit=False), url)
