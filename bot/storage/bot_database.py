"""The bot's own database: its schema, opening it, and the small operations on its tables.

The bot database (`BOT_DATABASE_URL`; SQLite by default, PostgreSQL in production) holds what
must survive a restart and be shared by every replica:

- `bot_state`: botbuilder Storage items (dialog and conversation state), see `bot.storage.sql_storage`;
- `processed_activity`: idempotency keys of handled incoming activities and card submissions;
- `status_update_audit`: who posted or undid which status update, and where;
- `conversation_reference`, `outbox`, `channel_thread`: proactive notifications, see `bot.notifications.outbox`.
- `subscription`: what each conversation subscribes to, see `bot.notifications.subscriptions`.
- `unanswered_question`: questions answered with NotFound/NotUnderstood (text, language,
  time; never who asked or where), kept 90 days, see `bot.observability.unanswered`.

`open_bot_database(url)` upgrades the schema to the newest migration (`bot.storage.migrations`; safe
when several replicas start at once, and a database made before migrations is adopted).
A change to a table here needs a new revision in `bot/migrations/versions`.

Every timestamp is a timezone-aware UTC datetime on both dialects: PostgreSQL stores
TIMESTAMPTZ, SQLite fixed-width ISO text (so it sorts and compares like the instant it names).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

from bot.storage.migrations import Upgrade, upgrade_to_head
from knowledge.portfolio.database import create_engine, describe

log = logging.getLogger("portfoliobot.bot_database")

Clock = Callable[[], datetime]
STATE_KEY_LENGTH = 512
AUDIT_ACTIONS = ("post", "undo")


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime: TIMESTAMPTZ on PostgreSQL, ISO text on SQLite.

    Naive datetimes are refused. SQLite text is fixed width (microseconds, `+00:00`), so
    comparisons in SQL (`updated_at < :cutoff`) order the same way as the instants.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is required, not {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.isoformat(timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:  # not written by us; SQLAlchemy's own format is UTC by convention
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(STATE_KEY_LENGTH), primary_key=True),
    Column("document", Text, nullable=False),
    Column("etag", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_bot_state_updated_at", "updated_at"),
)

processed_activity = Table(
    "processed_activity",
    metadata,
    Column("key", Text, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_processed_activity_created_at", "created_at"),
)

status_update_audit = Table(
    "status_update_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", Text, nullable=False),
    Column("actor_aad_object_id", Text, nullable=False),
    Column("actor_person_id", Integer, nullable=True),
    Column("project_id", Integer, nullable=False),
    Column("report_id", Integer, nullable=True),
    Column("health", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("conversation_id", Text, nullable=False),
    Column("activity_id", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_status_update_audit_actor", "actor_aad_object_id", "action", "created_at"),
    Index("ix_status_update_audit_activity", "activity_id"),
)

# The notification outbox (see `bot.notifications.outbox`): where to reach a conversation proactively, one
# row per notification and conversation, and the channel thread each project's notices go to.
conversation_reference = Table(
    "conversation_reference",
    metadata,
    Column("conversation_id", Text, primary_key=True),
    Column("reference", Text, nullable=False),
    Column("service_url", Text, nullable=False),
    Column("tenant_id", Text, nullable=True),
    Column("scope", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("disabled_reason", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", Text, nullable=False),
    Column("dedupe_key", Text, nullable=False),
    Column("project_id", Integer, nullable=True),
    Column("payload", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    UniqueConstraint("conversation_id", "dedupe_key", name="uq_outbox_conversation_dedupe"),
    Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
)

channel_thread = Table(
    "channel_thread",
    metadata,
    Column("conversation_id", Text, nullable=False),
    Column("project_id", Integer, nullable=False),
    Column("root_activity_id", Text, nullable=False),
    PrimaryKeyConstraint("conversation_id", "project_id"),
)

# Channel subscriptions by chat (see `bot.notifications.subscriptions`): what a conversation is notified
# about. `target_id` is 0 for 'all', so the unique index holds for it too (NULLs are distinct).
subscription = Table(
    "subscription",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", Text, nullable=False),
    Column("target_kind", Text, nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("event_kinds", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=True),
    Index("uq_subscription_target", "conversation_id", "target_kind", "target_id", unique=True),
    Index("ix_subscription_target", "target_kind", "target_id"),
)

# Questions the bot could not answer (see `bot.observability.unanswered`): deliberately no user or
# conversation id, only what was asked, in which language, and when.
unanswered_question = Table(
    "unanswered_question",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("asked_at", UtcDateTime, nullable=False),
    Index("ix_unanswered_question_asked_at", "asked_at"),
)

_AUDIT_FIELDS = frozenset(column.name for column in status_update_audit.columns) - {"id"}


class BotDatabase:
    """The open bot database: its engine plus the operations on the small tables.

    Build it with `open_bot_database(url)`; `close()` disposes of the engine.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self) -> Upgrade:
        """Upgrade the schema to the newest revision (see `bot.storage.migrations`)."""
        return await upgrade_to_head(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    def insert(self, table: Table) -> Any:
        """The dialect's INSERT for `table`, with `on_conflict_do_nothing/update`."""
        if self.dialect_name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def claim_once(self, key: str) -> bool:
        """Record `key` as processed: True if this call recorded it, False if it already was.

        Atomic on both dialects (INSERT … ON CONFLICT DO NOTHING), so of several replicas or
        tasks claiming the same key exactly one gets True.
        """
        statement = (
            self.insert(processed_activity)
            .values(key=key, created_at=self.clock())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(processed_activity.c.key)
        )
        async with self.engine.begin() as connection:
            inserted = (await connection.execute(statement)).first()
        return inserted is not None

    async def claimed_at(self, key: str) -> datetime | None:
        """When `claim_once(key)` recorded `key`, or None if it is not claimed."""
        async with self.engine.connect() as connection:
            moment = (await connection.execute(select(processed_activity.c.created_at).where(
                processed_activity.c.key == key))).scalar_one_or_none()
        return moment if isinstance(moment, datetime) else None

    async def release(self, key: str) -> bool:
        """Undo `claim_once(key)` (the work it guarded failed); True if the key was claimed."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(processed_activity).where(processed_activity.c.key == key)
            )
        return bool(result.rowcount)

    async def forget_processed_before(self, moment: datetime) -> int:
        """Delete the idempotency keys claimed before `moment`; returns how many."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(processed_activity).where(processed_activity.c.created_at < moment)
            )
        return int(result.rowcount)

    async def record_audit(self, **fields: Any) -> int:
        """Append one row to `status_update_audit`; returns its id.

        Fields are the table's columns (`action`, `actor_aad_object_id`, `project_id`,
        `conversation_id`, optional others); `created_at` defaults to now.
        """
        unknown = set(fields) - _AUDIT_FIELDS
        if unknown:
            raise TypeError(f"record_audit(): unknown fields {', '.join(sorted(unknown))}")
        if fields.get("action") not in AUDIT_ACTIONS:
            raise ValueError(f"record_audit(): action must be one of {AUDIT_ACTIONS}, "
                             f"not {fields.get('action')!r}")
        fields.setdefault("created_at", self.clock())
        statement = status_update_audit.insert().values(**fields).returning(status_update_audit.c.id)
        async with self.engine.begin() as connection:
            return int((await connection.execute(statement)).scalar_one())

    async def audit_for_activity(self, activity_id: str, action: str = "post") -> dict[str, Any] | None:
        """The latest audit row with `action` recorded for `activity_id`, or None."""
        return await self._latest_audit(status_update_audit.c.activity_id == activity_id, action)

    async def last_audit(self, actor_aad_object_id: str, action: str = "post") -> dict[str, Any] | None:
        """The actor's most recent audit row with `action`, as a dict of columns, or None."""
        return await self._latest_audit(
            status_update_audit.c.actor_aad_object_id == actor_aad_object_id, action
        )

    async def _latest_audit(self, condition: ColumnElement[bool], action: str) -> dict[str, Any] | None:
        statement = (
            select(status_update_audit)
            .where(condition)
            .where(status_update_audit.c.action == action)
            .order_by(status_update_audit.c.created_at.desc(), status_update_audit.c.id.desc())
            .limit(1)
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(statement)).mappings().first()
        return dict(row) if row is not None else None


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

