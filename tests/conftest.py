"""Shared fixtures: one portfolio database per test, on SQLite and on the real PostgreSQL server.

`database_url` is parametrized over both backends, like aiogram's storage suite: every test
that asks for it runs twice. PostgreSQL tests get a fresh database of their own, dropped after.
Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from knowledge.answers.answering import Answerer
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.sync import Syncer
from knowledge.portfolio.validation import validate

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails loudly instead of leaving the machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")):
            raise RuntimeError(f"test tried to reach {address!r}: tests stay on 127.0.0.1")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


async def _create_postgres_database() -> str:
    name = f"pbtest_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await connection.close()
    return name


async def _drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a SQLite file, or a fresh database on the local PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portfolio.db'}"
        return
    name = await _create_postgres_database()
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        await _drop_postgres_database(name)


@pytest.fixture
async def demo_url(database_url: str) -> str:
    """`database_url` with the demo portfolio loaded."""
    await load_portfolio(database_url, demo_portfolio())
    return database_url


@pytest.fixture
async def demo_syncer(demo_url: str) -> AsyncIterator[Syncer]:
    syncer = Syncer(demo_url)
    await syncer.sync()
    yield syncer
    await syncer.close()


@pytest.fixture
def answerer(demo_syncer: Syncer) -> Answerer:
    return Answerer(lambda: demo_syncer.snapshot, clock=lambda: TODAY)


@pytest.fixture(scope="session")
def sqlite_demo_snapshot() -> Snapshot:
    """The demo portfolio as a snapshot, built once, for tests of understanding and rendering.

    It goes through the same validation and snapshot builder as a sync; the database path
    itself is covered by the tests that use `demo_syncer` on SQLite and PostgreSQL.
    """
    records, skipped = validate(demo_portfolio())
    assert not skipped
    return build_snapshot(records, TODAY)


@pytest.fixture
def demo_answerer(sqlite_demo_snapshot: Snapshot) -> Answerer:
    return Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)
