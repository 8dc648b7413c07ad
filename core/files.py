"""The one permission rule for what govwatch writes: files 0600, folders it creates 0700.

The database, its -wal/-shm files, every export, the reports, the scheduler's state, the
crawl lock and the demo's files hold the same information (accounts, findings, the units'
names, sometimes a webhook's reach): only the user govwatch runs as may read them, whatever
the umask. Every writer goes through these helpers; a file that a library writes by name
(SQLite) is created here first, with the right mode, so the library never creates it.
A folder that already exists keeps its mode: it is the operator's.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and its missing parents as 0700 folders (existing ones are left alone)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs
        os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask
    return path


def make_private(path: str | os.PathLike[str]) -> None:
    """Take group and other permissions off an existing file (one an older version or another
    tool left readable). Owner bits stay as they are: a read-only file stays read-only. A file
    this user cannot change (another owner's) is left alone."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except OSError:
        pass


def create_private(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` exists as a private file: created empty and 0600 when new, made
    private when it exists (make_private). For a library that then opens the file by name:
    SQLite gives its -wal and -shm files the database file's mode."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    except FileExistsError:
        make_private(path)
        return path
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def open_private(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing (w, a, with + or b), the file 0600 from its first byte."""
    if not any(m in mode for m in "wa"):
        raise ValueError(f"open_private is for writing, not mode {mode!r}")
    path = Path(path)
    private_dir(path.parent)
    flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_RDWR if "+" in mode else os.O_WRONLY
    flags |= os.O_APPEND if "a" in mode else os.O_TRUNC
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file, or an umask that took more than group/other
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def replace_private(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Write a new version of ``path`` atomically (a reader never sees half a file), 0600."""
    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp: 0600
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``text`` atomically, 0600."""
    with replace_private(path, "w", encoding=encoding) as handle:
        handle.write(text)
    return Path(path)
