"""Small helpers for tests that change a real portfolio database behind the syncer's back.

They go through the project's own engine factory and insert code, so SQLite files and the
PostgreSQL server are written exactly as `demo-db` writes them.
"""

from __future__ import annotations

import copy
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from knowledge.portfolio.database import create_engine
from knowledge.portfolio.demo_database import PortfolioData, demo_portfolio, insert_rows

Statement = str | tuple[str, dict[str, Any]]
CHECKED_COLUMNS = (("programme", "status"), ("project", "phase"),
                   ("project_transfer", "status"), ("status_report", "health"))


def demo_copy() -> PortfolioData:
    """A private, mutable copy of the shipped demo portfolio."""
    return copy.deepcopy(demo_portfolio())


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


async def _loosen(connection: AsyncConnection) -> None:
    """Let this transaction write rows the schema's CHECK and FOREIGN KEY constraints refuse.

    The portfolio office's database is not guaranteed to enforce them; this is how a bad row
    gets into a test database. SQLite: CHECKs off for the connection (it does not enforce
    foreign keys by default). PostgreSQL: the CHECKs are dropped and foreign-key triggers
    are off for the transaction.
    """
    if connection.dialect.name == "sqlite":
        await connection.execute(text("PRAGMA ignore_check_constraints = ON"))
        return
    await connection.execute(text("SET LOCAL session_replication_role = replica"))
    for table, column in CHECKED_COLUMNS:
        await connection.execute(
            text(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check")
        )


async def execute(url: str, *statements: Statement, unchecked: bool = False) -> None:
    """Run `statements` (SQL, or SQL with bound parameters) in one committed transaction."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if unchecked:
                await _loosen(connection)
            for statement in statements:
                sql, params = (statement, {}) if isinstance(statement, str) else statement
                await connection.execute(text(sql), params)
    finally:
        await engine.dispose()


async def insert(url: str, data: PortfolioData, *, unchecked: bool = False) -> None:
    """Insert rows with JSON-style values (as in demo.json), converted as `demo-db` does."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if unchecked:
                await _loosen(connection)
            await insert_rows(connection, data)
    finally:
        await engine.dispose()


async def fetch(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one query, as plain tuples."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(sql))
            return [tuple(row) for row in result.all()]
    finally:
        await engine.dispose()


async def drop_postgres_database(url: str) -> None:
    """Take a test database off the local PostgreSQL server, as if it went away."""
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await connection.close()
