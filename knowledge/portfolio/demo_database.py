"""`demo-db`: create the portfolio schema in any database and load the shipped demo portfolio."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from knowledge.errors import DemoDatabaseError
from knowledge.portfolio.contract import TABLES, schema_statements, to_database
from knowledge.portfolio.database import create_engine, describe

PortfolioData = dict[str, list[dict[str, Any]]]


def demo_portfolio() -> PortfolioData:
    """The shipped demo portfolio (a copy of the portfolio office's demo.json)."""
    raw = resources.files("knowledge").joinpath("data/demo.json").read_text(encoding="utf-8")
    data: PortfolioData = json.loads(raw)
    return data


async def existing_tables(connection: AsyncConnection) -> set[str]:
    """The contract's tables that already exist in the connected database."""
    names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    return names & set(TABLES)


async def drop_tables(connection: AsyncConnection) -> None:
    """Drop the contract's tables, dependants first."""
    for table in reversed(list(TABLES)):
        await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))


async def create_schema(connection: AsyncConnection) -> None:
    """Run the shipped schema.sql, one statement at a time (asyncpg takes one per call)."""
    for statement in schema_statements():
        await connection.execute(text(statement))


async def insert_rows(connection: AsyncConnection, data: PortfolioData) -> dict[str, int]:
    """Insert `data` table by table, values converted to what the dialect expects."""
    dialect = connection.dialect.name
    counts: dict[str, int] = {}
    for table, columns in TABLES.items():
        rows = data.get(table, [])
        counts[table] = len(rows)
        if not rows:
            continue
        names = list(columns)
        statement = text(
            f"INSERT INTO {table} ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + name for name in names)})"
        )
        await connection.execute(
            statement,
            [
                {name: to_database(row.get(name), columns[name], dialect) for name in names}
                for row in rows
            ],
        )
    return counts


async def load_portfolio(url: str, data: PortfolioData, *, force: bool = False) -> dict[str, int]:
    """Create the schema in `url` and load `data`; refuse if the tables exist unless `force`.

    Returns the number of rows loaded per table. Everything runs in one transaction, so a
    failure leaves the database as it was (on PostgreSQL; SQLite's DDL commits as it goes).
    """
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            present = await existing_tables(connection)
            if present and not force:
                raise DemoDatabaseError(
                    f"{describe(url)} already has portfolio tables ({', '.join(sorted(present))});"
                    " use --force to replace them"
                )
            await drop_tables(connection)
            await create_schema(connection)
            return await insert_rows(connection, data)
    except (OperationalError, DBAPIError, OSError) as error:
        raise DemoDatabaseError(f"cannot load {describe(url)}: {_first_line(error)}") from error
    finally:
        await engine.dispose()


def _first_line(error: BaseException) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__
