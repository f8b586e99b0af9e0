"""Database connection: one URL for SQLite (the embedded default) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError


class DatabaseURLError(ValueError):
    """A --database / DATABASE_URL the receiver cannot use; the message says what is accepted."""


def normalise_url(url: str) -> URL:
    """`sqlite:///path` or `postgresql://...` (any driver spelling) -> the URL with the driver the receiver ships."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError as exc:
        raise DatabaseURLError(f"not a database URL: {url!r} (use sqlite:///path/file.sqlite3 or postgresql://...)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseURLError("SQLite needs a file: sqlite:///path/file.sqlite3 (records must outlive the process)")
        return parsed.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    raise DatabaseURLError(f"unsupported database {backend!r}: use sqlite:///path/file.sqlite3 or postgresql://...")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does: it holds students' names. SQLite gives its -wal
    and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        _create_private_file(Path(parsed.database).expanduser().resolve())
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 15},
                               pool_size=pool_size, max_overflow=pool_size)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; FULL: a committed record survives a crash or power loss.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            # A deleted record (retention, a removed session) is overwritten, not left readable in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    # pre_ping: after the database restarts, dead pooled connections are replaced instead of failing a request.
    # connect_timeout: while it is down, answer 503 within seconds rather than hang the family's browser.
    return create_engine(parsed, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size,
                         pool_timeout=10, connect_args={"connect_timeout": 3})


def database_url(cli_value: str | None) -> str:
    """--database, else DATABASE_URL, else an error that says so."""
    value = cli_value or os.environ.get("DATABASE_URL")
    if not value:
        raise DatabaseURLError("no database: pass --database URL or set DATABASE_URL "
                               "(sqlite:///var/receiver.sqlite3 or postgresql://user@host/dbname)")
    return value
