"""The base of a store that owns some tables of the bot database: the database, its engine, its clock.

The notification stores (`bot.notifications.references`, `bot.notifications.outbox`,
`bot.notifications.threads`) build on it, so that they read the time the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.bot_database import BotDatabase


class TableStore:
    """Some tables of one `BotDatabase`; times come from `database.clock`."""

    def __init__(self, database: BotDatabase) -> None:
        self.database = database

    @property
    def engine(self) -> AsyncEngine:
        return self.database.engine

    def now(self) -> datetime:
        return self.database.clock()
