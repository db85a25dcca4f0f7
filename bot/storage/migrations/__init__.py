"""The bot database's schema migrations (Alembic): the revisions, and upgrading to the newest.

The revisions are in `versions/` (`0001` is the schema the bot made with `create_all` before
it had migrations); `env.py` is what Alembic runs for them. Nothing reads an `alembic.ini`:
`alembic_config()` builds the configuration in code, and the revision files ship in the
package. Only the bot's own database is migrated; the portfolio database is the customer's.

`upgrade_to_head(engine)` is run by `open_bot_database` at every start and by
`portfoliobot migrate`. It is safe when several replicas start at once: on PostgreSQL the
whole upgrade is one transaction under a transaction-level advisory lock (the others wait,
then find the schema at head); on SQLite an immediate transaction holds the file's write
lock. A database made before migrations (the bot's tables, no version row) is adopted:
revision 0001 creates only the tables it lacks, then the later revisions run as usual.

The applied revision is kept in `bot_alembic_version`, not Alembic's default name, so the
bot's tables can share a database with a portfolio schema that has its own `alembic_version`.

A new revision, after changing `bot.storage.schema.metadata` (on SQLite, alter tables inside
`op.batch_alter_table`)::

    python - <<'EOF'
    from alembic import command
    from bot.storage.migrations import alembic_config
    command.revision(alembic_config("sqlite:///data/bot.db"), "what changed",
                     autogenerate=True, rev_id="0002")
    EOF

(the database must be at the newest revision first), then read and correct the generated file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("portfoliobot.migrations")

SCRIPT_LOCATION = Path(__file__).resolve().parent
VERSION_TABLE = "bot_alembic_version"
# pg_advisory_xact_lock key held while upgrading: any fixed number no other lock uses.
MIGRATION_LOCK_KEY = 0x706F7274_6D696772   # "portmigr"
# The tables of revision 0001: a database with some of them and no version row was made by
# the bot's `create_all` before it had migrations, and is adopted.
BASELINE_TABLES = frozenset({
    "bot_state", "processed_activity", "status_update_audit", "conversation_reference",
    "outbox", "channel_thread", "subscription", "unanswered_question",
})


class MigrationError(Exception):
    """The bot database cannot be brought to this release's schema (the message says why)."""


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_to_head` did: the revision before (None: no schema yet) and after."""

    before: str | None
    after: str
    adopted: bool   # the database was made before migrations (tables but no version row)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(url: str | None = None, *, connection: Connection | None = None,
                   output: TextIO | None = None) -> Config:
    """Alembic's configuration, built in code: the packaged scripts, the bot's version table,
    and either an open (sync) `connection` or a `url` for `env.py` to connect to."""
    config = Config(output_buffer=output) if output is not None else Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["version_table"] = VERSION_TABLE
    if url is not None:
        config.attributes["url"] = url    # not a main option: ConfigParser would read % signs
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of the bot."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "bot/migrations/versions has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database on `connection` is at; None when it has none."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


async def upgrade_to_head(engine: AsyncEngine) -> Upgrade:
    """Upgrade the bot database to the newest revision, one process at a time."""
    async with engine.connect() as connection:
        await _serialize(connection)
        upgrade = await connection.run_sync(_upgrade)
        await connection.commit()
    if upgrade.adopted:
        log.info("bot database made before migrations: adopted at revision %s", upgrade.after)
    elif upgrade.changed:
        log.info("bot database upgraded from %s to %s", upgrade.before or "nothing",
                 upgrade.after)
    return upgrade


async def _serialize(connection: AsyncConnection) -> None:
    """Begin the upgrade's transaction so that no other process upgrades at the same time."""
    if connection.dialect.name == "postgresql":
        # Released by the commit (or the rollback); a second replica waits here, then finds
        # the version table at head and has nothing to do.
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": MIGRATION_LOCK_KEY})
    else:
        # The sqlite3 driver would run DDL outside any transaction; an immediate one takes
        # the file's write lock now, so a second process waits (busy timeout) for the first.
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


def _upgrade(connection: Connection) -> Upgrade:
    before = current_revision(connection)
    config = alembic_config(connection=connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if before is not None and before not in known:
        raise MigrationError(f"the bot database is at schema revision {before}, which this "
                             "release does not know (a newer release migrated it)")
    adopted = before is None and bool(BASELINE_TABLES & set(inspect(connection).get_table_names()))
    command.upgrade(config, "head")
    after = current_revision(connection)
    assert after is not None
    return Upgrade(before, after, adopted)


def upgrade_sql(url: str, output: TextIO) -> None:
    """Write the SQL that takes an empty database at `url` (its dialect) to the newest
    revision, without connecting: for a DBA who applies schema changes by hand."""
    command.upgrade(alembic_config(url, output=output), "head", sql=True)


def is_bot_table(name: str | None, kind: str, metadata: MetaData) -> bool:
    """Whether autogenerate and comparison should look at this object: the bot's tables
    only, so portfolio tables in the same database are never seen as 'to be dropped'."""
    return kind != "table" or name in metadata.tables


def differences(connection: Connection, metadata: MetaData) -> list[Any]:
    """What differs between the database's bot tables and `metadata` (empty: nothing)."""
    context = MigrationContext.configure(connection, opts={
        "version_table": VERSION_TABLE,
        "compare_type": True,
        "include_name": lambda name, kind, _parents: is_bot_table(name, kind, metadata),
    })
    return list(compare_metadata(context, metadata))
