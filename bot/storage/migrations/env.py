"""What Alembic runs for every command: configure the migration context, run the revisions.

Three ways in (see `bot.storage.migrations.alembic_config`): with an open sync connection in
`config.attributes["connection"]` (how the bot upgrades, inside its own locked transaction);
offline with a `url` (`--sql`: the SQL is written out, nothing connects); or online with a
`url` only (a developer's `command.revision(..., autogenerate=True)`), through the bot's
async engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.migrations import is_bot_table
from bot.storage.schema import metadata
from knowledge.portfolio.database import async_url, create_engine

config = context.config
OPTIONS: dict[str, Any] = {
    "target_metadata": metadata,
    "version_table": config.attributes["version_table"],
    "include_name": lambda name, kind, _parents: is_bot_table(name, kind, metadata),
    "compare_type": True,
}


def run_with(connection: Connection) -> None:
    # SQLite cannot ALTER most things: autogenerate writes batch operations for it.
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                      **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_online(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_with)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=async_url(config.attributes["url"]), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()
elif "connection" in config.attributes:
    run_with(config.attributes["connection"])
else:
    asyncio.run(run_online(config.attributes["url"]))
