"""The bot database's schema: every table, and the UTC timestamp type they use.

- `bot_state`: botbuilder Storage items (dialog and conversation state), see `bot.storage.sql_storage`;
- `processed_activity`: idempotency keys of handled incoming activities and card submissions,
  see `bot.storage.idempotency`;
- `status_update_audit`: who posted or undid which status update, and where, see `bot.storage.audit`;
- `conversation_reference`, `outbox`, `channel_thread`: proactive notifications, see
  `bot.notifications.references`, `bot.notifications.outbox` and `bot.notifications.threads`;
- `subscription`: what each conversation subscribes to, see `bot.notifications.subscriptions`;
- `unanswered_question`: questions answered with NotFound/NotUnderstood (text, language,
  time; never who asked or where), see `bot.observability.unanswered_store`.

How long each table keeps its rows is `bot.storage.retention`'s (one setting per table).

A change to a table here needs a new revision in `bot/storage/migrations/versions`.

Every timestamp is a timezone-aware UTC datetime on both dialects: PostgreSQL stores
TIMESTAMPTZ, SQLite fixed-width ISO text (so it sorts and compares like the instant it names).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

Clock = Callable[[], datetime]
STATE_KEY_LENGTH = 512


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

# Questions the bot could not answer (see `bot.observability.unanswered_store`): deliberately no user or
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

# What the bot last answered one person in one conversation (see
# `bot.storage.conversation_memory`): the subject follow-up questions resolve to. The key is
# the conversation (a channel thread's own id) and the person; the document is
# `knowledge.answers.conversation.Memory` as JSON; rows older than a day are purged.
conversation_memory = Table(
    "conversation_memory",
    metadata,
    Column("conversation_id", Text, nullable=False),
    Column("person_key", Text, nullable=False),
    Column("document", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("conversation_id", "person_key"),
    Index("ix_conversation_memory_updated_at", "updated_at"),
)
