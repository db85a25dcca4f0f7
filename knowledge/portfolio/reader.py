"""Reads every contract table from the portfolio database in one read transaction.

Rows come back as tuples in the contract's column order (`read_rows`), or as dicts
(`read_tables`). `read_rows` streams each table and cuts its rows into chunks where the
content says so (after a row whose hash ends in ten zero bits: about 1,000 rows), so one
changed, added or removed row changes one chunk and the cuts around it stay where they
were. A chunk whose key the caller already knows comes back without its rows, which are
dropped as soon as they are read: an unchanged table costs its read and no memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from knowledge.errors import SyncError
from knowledge.portfolio.contract import TABLES, select_sql

RawRows = dict[str, list[dict[str, Any]]]
Row = tuple[Any, ...]
READ_TIMEOUT_SECONDS = 120
FETCH_ROWS = 2000
CHUNK_MASK = 0x3FF        # a chunk ends after a row whose hash has these bits all zero …
CHUNK_MAX_ROWS = 8192     # … or at this many rows
HASH_MASK = (1 << 64) - 1
SHARE_RATIO = 4   # a text column with at most a quarter distinct values in a table's first
                  # chunk keeps one string object per distinct value


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive rows of one table; `rows` is None when the caller knew the `key`."""

    key: int          # hash of the rows' hashes, in order
    count: int
    rows: list[Row] | None


@dataclass(frozen=True, slots=True)
class TableRead:
    """One table as read, in chunks, with its fingerprint (`rows_print`)."""

    chunks: tuple[Chunk, ...]
    count: int
    fingerprint: int


def rows_print(row_hashes: Iterable[int]) -> int:
    """A table's fingerprint from its rows' hashes: the same rows in any order, the same print."""
    total = count = 0
    for row_hash in row_hashes:
        total = (total + row_hash) & HASH_MASK
        count += 1
    return total ^ count


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
    reads = await read_rows(engine)
    return as_dicts({
        table: [row for chunk in read.chunks for row in chunk.rows or ()]
        for table, read in reads.items()
    })


async def read_rows(engine: AsyncEngine,
                    known: Mapping[str, Container[int]] | None = None) -> dict[str, TableRead]:
    """Every contract table's rows as tuples, in chunks; SyncError names the cause of a failure.

    `known` maps a table to chunk keys the caller holds the rows of: those chunks come back
    with `rows` None.
    """
    try:
        return await asyncio.wait_for(_read(engine, known or {}), READ_TIMEOUT_SECONDS)
    except TimeoutError as error:
        raise SyncError(
            f"portfolio database did not answer within {READ_TIMEOUT_SECONDS} s"
        ) from error


def as_dicts(rows: Mapping[str, Sequence[Row]]) -> RawRows:
    """Tuple rows as dicts keyed by column, the form `read_tables` returns."""
    return {
        table: [dict(zip(TABLES[table], row, strict=True)) for row in table_rows]
        for table, table_rows in rows.items()
    }


async def _read(engine: AsyncEngine, known: Mapping[str, Container[int]]) -> dict[str, TableRead]:
    raw: dict[str, TableRead] = {}
    try:
        connection = await engine.connect()
    except (OperationalError, InterfaceError, DBAPIError, OSError) as error:
        raise SyncError(f"portfolio database unreachable: {_cause(error)}") from error
    try:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            for table in TABLES:
                raw[table] = await _read_table(connection, table, known.get(table, ()))
    except (OperationalError, InterfaceError, OSError) as error:
        raise SyncError(f"portfolio database connection lost: {_cause(error)}") from error
    finally:
        await connection.close()
    return raw


async def _read_table(connection: AsyncConnection, table: str,
                      known: Container[int]) -> TableRead:
    chunker = _Chunker(known)
    try:
        result = await connection.stream(text(select_sql(table)))
        async for part in result.partitions(FETCH_ROWS):
            chunker.add(part)
    except (OperationalError, ProgrammingError, DBAPIError) as error:
        cause = _cause(error)
        if _is_missing_table(cause):
            raise SyncError(f"portfolio table {table!r} is missing ({cause})") from error
        if _is_missing_column(cause):
            raise SyncError(
                f"portfolio table {table!r} lacks a column the bot reads ({cause})"
            ) from error
        raise SyncError(f"reading portfolio table {table!r} failed: {cause}") from error
    return chunker.finish()


class _Chunker:
    """Cuts a table's rows into chunks as they stream in, keeping only unknown chunks."""

    def __init__(self, known: Container[int]) -> None:
        self._known = known
        self._chunks: list[Chunk] = []
        self._rows: list[Row] = []
        self._hashes: list[int] = []
        self._total = 0
        self._count = 0
        self._shared: list[dict[str, str] | None] | None = None

    def add(self, part: Iterable[Any]) -> None:
        rows, hashes = self._rows, self._hashes
        for fetched in part:
            row = tuple(fetched)
            row_hash = hash(row)
            rows.append(row)
            hashes.append(row_hash)
            if not row_hash & CHUNK_MASK or len(rows) >= CHUNK_MAX_ROWS:
                self._cut()
                rows, hashes = self._rows, self._hashes

    def _cut(self) -> None:
        key = hash(tuple(self._hashes))
        self._total = (self._total + sum(self._hashes)) & HASH_MASK
        self._count += len(self._rows)
        if key in self._known:
            self._chunks.append(Chunk(key, len(self._rows), None))
        else:
            self._chunks.append(Chunk(key, len(self._rows), self._share(self._rows)))
        self._rows, self._hashes = [], []

    def finish(self) -> TableRead:
        if self._rows:
            self._cut()
        return TableRead(tuple(self._chunks), self._count, self._total ^ self._count)

    def _share(self, rows: list[Row]) -> list[Row]:
        """`rows` with equal texts of low-variety columns as one string object each."""
        if self._shared is None:   # decided once per table, on its first kept chunk
            self._shared = []
            for column in zip(*rows, strict=True):
                texts = [value for value in column if type(value) is str]
                low = bool(texts) and len(set(texts)) * SHARE_RATIO <= len(column)
                self._shared.append({} if low else None)
        if not any(one is not None for one in self._shared):
            return rows
        columns: list[Sequence[Any]] = [*zip(*rows, strict=True)]
        for index, one in enumerate(self._shared):
            if one is not None:
                columns[index] = [one.setdefault(value, value) if type(value) is str else value
                                  for value in columns[index]]
        return list(zip(*columns, strict=True))
