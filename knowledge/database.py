"""Database URLs and engines: plain URLs as people write them, async drivers chosen for them."""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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


def create_engine(url: str, **options: object) -> AsyncEngine:
    """An async engine for `url`; SQLite files get their folder created and a busy timeout."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # Best effort: a folder that cannot be created is reported when connecting, as
            # SQLite's "unable to open database file" (a SyncError), not raised from here.
            with contextlib.suppress(OSError):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options.setdefault("connect_args", {"timeout": 15})
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("connect_args", {"timeout": 5, "command_timeout": 30})
    return create_async_engine(parsed, **options)


def describe(url: str) -> str:
    """A URL safe to print or log: the password hidden."""
    return _redacted(url)
