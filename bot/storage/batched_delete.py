"""Deleting many rows without holding the database for long: `delete_in_batches`.

Every retention purge (`bot.storage.retention`) deletes through it: at most `batch_size` rows
per transaction, so a large backlog (a year of rows on the first run) becomes many short
transactions instead of one that locks the table (SQLite: the whole database) for minutes.
Other writers get the database between two batches.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import ColumnElement, Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

DEFAULT_BATCH_SIZE = 1000


async def delete_in_batches(engine: AsyncEngine, table: Table, *conditions: ColumnElement[bool],
                            batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Delete the rows of `table` that meet every condition, `batch_size` rows per transaction;
    returns how many were deleted. Each batch picks rows by primary key and deletes those that
    still meet the conditions (a row changed in between, e.g. a reference enabled again, stays)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    key = list(table.primary_key.columns)
    deleted = 0
    while True:
        async with engine.begin() as connection:
            chosen = (await connection.execute(
                select(*key).where(*conditions).limit(batch_size))).all()
            if chosen:
                if len(key) == 1:
                    which = key[0].in_([row[0] for row in chosen])
                else:
                    which = tuple_(*key).in_([tuple(row) for row in chosen])
                deleted += int((await connection.execute(delete(table).where(which, *conditions))).rowcount)
        if len(chosen) < batch_size:
            return deleted
        await asyncio.sleep(0)   # let this process's other tasks at the database in between
