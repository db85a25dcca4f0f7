"""Database URLs and engines: plain URLs as people write them, async drivers chosen for them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from knowledge.errors import DatabaseUrlError

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
SCHEME_ALIASES = {"postgres": "postgresql"}


def async_url(url: str) -> URL:
    """`url` with the async driver for its database; `sqlite:///x` and `postgresql://…` work."""
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise DatabaseUrlError(f"not a database URL: {_redacted(url)!r}") from error
    backend = SCHEME_ALIASES.get(parsed.get_backend_name(), parsed.get_backend_name())
    if backend not in ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"unsupported database {backend!r} in {_redacted(url)!r}: use sqlite or postgresql"
        )
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseUrlError(f"not a database URL: port {parsed.port} in {_redacted(url)!r}")
    return parsed.set(drivername=ASYNC_DRIVERS[backend])


def _redacted(url: str) -> str:
    try:
        return make_url(url.strip()).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable>"


def sqlite_url(path: Path) -> str:
    """The plain SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite files get their folder created and a busy timeout."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # Best effort: a folder that cannot be created is reported when connecting, as
            # SQLite's "unable to open database file" (a SyncError), not raised from here.
            with contextlib.suppress(OSError):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(parsed, options)
    options.setdefault("pool_pre_ping", True)
    options.setdefault("connect_args", {"timeout": 5, "command_timeout": 30})
    return create_async_engine(parsed, **options)


@contextlib.asynccontextmanager
async def write_transaction(engine: AsyncEngine,
                            postgres_lock: str | None = None) -> AsyncIterator[AsyncConnection]:
    """One write transaction in which what it reads stays true until it commits.

    SQLite: an immediate transaction (pysqlite would begin a deferred one; this takes the
    file's write lock up front, so another writer waits). PostgreSQL: an ordinary transaction,
    first running `postgres_lock` (e.g. a `pg_advisory_xact_lock`) when given.
    Commits when the block ends, rolls back when it raises.
    """
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            await connection.begin()
            if postgres_lock is not None:
                await connection.execute(text(postgres_lock))
        try:
            yield connection
        except BaseException:
            await connection.rollback()
            raise
        await connection.commit()


def _sqlite_engine(parsed: URL, options: dict[str, Any]) -> AsyncEngine:
    """A SQLite engine whose connections are opened by `_open_sqlite` (see there)."""
    connect_args = {"timeout": 15, **options.pop("connect_args", {})}
    target: dict[str, Any] = {}
    engine = create_async_engine(parsed, async_creator=lambda: _open_sqlite(**target), **options)
    args, params = engine.dialect.create_connect_args(engine.url)
    target.update(args=args, params={**params, **connect_args})
    return engine


async def _open_sqlite(args: list[Any], params: dict[str, Any]) -> aiosqlite.Connection:
    """aiosqlite.connect, but a failed open waits for aiosqlite's worker thread to stop.

    aiosqlite 0.22 queues the stop of its thread without waiting for it; if the event loop
    closes first (a command line that reports the failure and exits), the thread prints an
    "Event loop is closed" traceback. Joining it while the loop runs avoids that.
    """
    connection = aiosqlite.connect(*args, **params)
    connection._thread.daemon = True  # as SQLAlchemy does: it never keeps the process alive
    try:
        return await connection
    except BaseException:
        await asyncio.to_thread(connection._thread.join, 5)
        raise


def describe(url: str) -> str:
    """A URL safe to print or log: the password hidden."""
    return _redacted(url)
