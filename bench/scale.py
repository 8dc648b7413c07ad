"""Shared by the scale benchmarks (bench_scorecard, scale_storage, bench_web): the two sizes one
run measures, a fresh database of each kind, the bulk load of generated rows, and the command
line and loop that go through them."""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text

from bench.common import machine

if TYPE_CHECKING:
    from storage.db import Store

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def baseline_and_full(accounts: int, posts: int) -> tuple[tuple[str, int, int], ...]:
    """The sizes one run measures, as (label, accounts, posts): the baseline, 1/10 of the accounts
    and posts (same script, same machine, same run), then the full size."""
    return (("baseline", accounts // 10, posts // 10), ("full", accounts, posts))


def database(kind: str, directory: Path, name: str):  # noqa: ANN201
    """A fresh database of the kind (sqlite: a file in directory; postgresql: one made on this
    machine's server) and the function that drops it."""
    if kind == "sqlite":
        return f"sqlite:///{directory / name}.db", lambda: None
    db = f"govwatch_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}", drop


def bulk_insert(store: Store, tables: Iterable[tuple[str, str, Iterable[tuple]]]) -> None:
    """Generated rows straight into tables, past the ORM, in one transaction: executemany in
    batches of 100,000 on SQLite, COPY on PostgreSQL. ``tables``: (table, "col, col, ...", rows)."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, columns, rows in tables:
            if store.dialect == "sqlite":
                marks = ", ".join("?" * len(columns.split(",")))
                batches = iter(rows)
                while batch := [row for _, row in zip(range(100_000), batches, strict=False)]:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
            else:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def run_scales(measure: Callable[[str, int, int, Path], str]) -> None:
    """The command line ``[--accounts 10000] [--posts 2000000] [--db sqlite,postgresql]`` and the
    loop: for each kind of database, the baseline and the full size, each in a fresh database
    (dropped after): ``measure(url, accounts, posts, out_dir)`` gives the figures, printed as
    ``KIND LABEL: N accounts, M posts`` followed by them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=2_000_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for kind in args.db.split(","):
            for label, accounts, posts in baseline_and_full(args.accounts, args.posts):
                url, drop = database(kind, directory, f"{kind}-{label}")
                try:
                    figures = measure(url, accounts, posts, directory / f"out-{kind}-{label}")
                finally:
                    drop()
                print(f"{kind} {label}: {accounts} accounts, {posts} posts{figures}", flush=True)
