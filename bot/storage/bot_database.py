"""The bot's own database, opened: `open_bot_database(url)` returns the `BotDatabase`.

The bot database (`BOT_DATABASE_URL`; SQLite by default, PostgreSQL in production) holds what
must survive a restart and be shared by every replica; its tables are in `bot.storage.schema`.
`BotDatabase` is the one object the rest of the bot is given: the engine and clock
(`bot.storage.handle`), the idempotency keys (`bot.storage.idempotency`) and the audit trail
(`bot.storage.audit`). The stores for the other tables (`bot.storage.sql_storage`, the
notification stores, subscriptions, unanswered questions) are built on it.

`open_bot_database(url)` upgrades the schema to the newest migration (`bot.storage.migrations`;
safe when several replicas start at once, and a database made before migrations is adopted).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.storage.audit import AuditTrail
from bot.storage.idempotency import IdempotencyKeys
from bot.storage.migrations import Upgrade, upgrade_to_head
from bot.storage.schema import Clock, utc_now
from knowledge.portfolio.database import create_engine, describe

log = logging.getLogger("portfoliobot.bot_database")


class BotDatabase(IdempotencyKeys, AuditTrail):
    """The open bot database: its engine plus the operations on the small tables.

    Build it with `open_bot_database(url)`; `close()` disposes of the engine.
    """

    async def upgrade(self) -> Upgrade:
        """Upgrade the schema to the newest revision (see `bot.storage.migrations`)."""
        return await upgrade_to_head(self.engine)


async def open_bot_database(url: str, *, clock: Clock = utc_now, **engine_options: Any) -> BotDatabase:
    """Open the bot database at `url` (plain URLs work) and upgrade its schema to the newest."""
    database = BotDatabase(create_engine(url, **engine_options), clock=clock)
    try:
        await database.upgrade()
    except BaseException:
        await database.close()
        raise
    log.debug("bot database open: %s", describe(url))
    return database
