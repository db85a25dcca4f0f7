"""Reads every contract table from the portfolio database in one read transaction."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledge.contract import TABLES, select_sql
from knowledge.errors import SyncError

RawRows = dict[str, list[dict[str, Any]]]
READ_TIMEOUT_SECONDS = 120


def _cause(error: BaseException) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__


def _is_missing_table(message: str) -> bool:
    lowered = message.lower()
    return "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered)


def _is_missing_column(message: str) -> bool:
    lowered = message.lower()
    return "no such column" in lowered or ("column" in lowered and "does not exist" in lowered)


async def read_tables(engine: AsyncEngine) -> RawRows:
    """Every row of every contract table as dicts; SyncError names the cause of a failure."""
    try:
        return await asyncio.wait_for(_read(engine), READ_TIMEOUT_SECONDS)
    except TimeoutError as error:
        raise SyncError(
            f"portfolio database did not answer within {READ_TIMEOUT_SECONDS} s"
        ) from error


async def _read(engine: AsyncEngine) -> RawRows:
    raw: RawRows = {}
    try:
        connection = await engine.connect()
    except (OperationalError, InterfaceError, DBAPIError, OSError) as error:
        raise SyncError(f"portfolio database unreachable: {_cause(error)}") from error
    try:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            for table, columns in TABLES.items():
                try:
                    result = await connection.execute(text(select_sql(table)))
                except (OperationalError, ProgrammingError, DBAPIError) as error:
                    cause = _cause(error)
                    if _is_missing_table(cause):
                        raise SyncError(f"portfolio table {table!r} is missing ({cause})") from error
                    if _is_missing_column(cause):
                        raise SyncError(
                            f"portfolio table {table!r} lacks a column the bot reads ({cause})"
                        ) from error
                    raise SyncError(f"reading portfolio table {table!r} failed: {cause}") from error
                names = list(columns)
                raw[table] = [dict(zip(names, row, strict=True)) for row in result.all()]
    except (OperationalError, InterfaceError, OSError) as error:
        raise SyncError(f"portfolio database connection lost: {_cause(error)}") from error
    finally:
        await connection.close()
    return raw
