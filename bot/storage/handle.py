"""What every operation on the bot database builds on: the engine, its clock, its dialect's INSERT.

`BotDatabase` (`bot.storage.bot_database`) is a `DatabaseHandle` with the idempotency keys
(`bot.storage.idempotency`) and the audit trail (`bot.storage.audit`) mixed in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.schema import Clock, utc_now


class DatabaseHandle:
    """An open bot database engine and the clock its timestamps come from."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    def insert(self, table: Table) -> Any:
        """The dialect's INSERT for `table`, with `on_conflict_do_nothing/update`."""
        if self.dialect_name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def close(self) -> None:
        await self.engine.dispose()
