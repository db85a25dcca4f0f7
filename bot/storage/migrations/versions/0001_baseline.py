"""The baseline: the bot database as `create_all` made it before the bot had migrations.

Written out here rather than taken from `bot.storage.schema.metadata`, so that later changes
to the metadata come as new revisions and never change this one. Timestamps are
TIMESTAMPTZ on PostgreSQL and fixed-width ISO text (VARCHAR(32)) on SQLite, as
`bot.storage.schema.UtcDateTime` maps them.

Adopting a database made before migrations: online, a table that already exists is left as it
is, and only the missing ones (tables added by a later release than the one that made the
database) are created. Offline (`--sql`) every table is written out.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from alembic import context, op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def utc_datetime() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def bot_state() -> None:
    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("etag", sa.Text, nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
    )
    op.create_index("ix_bot_state_updated_at", "bot_state", ["updated_at"])


def processed_activity() -> None:
    op.create_table(
        "processed_activity",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
    )
    op.create_index("ix_processed_activity_created_at", "processed_activity", ["created_at"])


def status_update_audit() -> None:
    op.create_table(
        "status_update_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor_aad_object_id", sa.Text, nullable=False),
        sa.Column("actor_person_id", sa.Integer, nullable=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("report_id", sa.Integer, nullable=True),
        sa.Column("health", sa.Text, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("activity_id", sa.Text, nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
    )
    op.create_index("ix_status_update_audit_actor", "status_update_audit",
                    ["actor_aad_object_id", "action", "created_at"])
    op.create_index("ix_status_update_audit_activity", "status_update_audit", ["activity_id"])


def conversation_reference() -> None:
    op.create_table(
        "conversation_reference",
        sa.Column("conversation_id", sa.Text, primary_key=True),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("service_url", sa.Text, nullable=False),
        sa.Column("tenant_id", sa.Text, nullable=True),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text, nullable=True),
        sa.Column("updated_at", utc_datetime(), nullable=False),
    )


def outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("dedupe_key", sa.Text, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", utc_datetime(), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("delivered_at", utc_datetime(), nullable=True),
        sa.Column("claimed_until", utc_datetime(), nullable=True),
        sa.UniqueConstraint("conversation_id", "dedupe_key", name="uq_outbox_conversation_dedupe"),
    )
    op.create_index("ix_outbox_status_next_attempt", "outbox", ["status", "next_attempt_at"])


def channel_thread() -> None:
    op.create_table(
        "channel_thread",
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("root_activity_id", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "project_id"),
    )


def subscription() -> None:
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("target_kind", sa.Text, nullable=False),
        sa.Column("target_id", sa.Integer, nullable=False),
        sa.Column("event_kinds", sa.Text, nullable=False),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("created_by", sa.Text, nullable=True),
    )
    op.create_index("uq_subscription_target", "subscription",
                    ["conversation_id", "target_kind", "target_id"], unique=True)
    op.create_index("ix_subscription_target", "subscription", ["target_kind", "target_id"])


def unanswered_question() -> None:
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("asked_at", utc_datetime(), nullable=False),
    )
    op.create_index("ix_unanswered_question_asked_at", "unanswered_question", ["asked_at"])


TABLES: dict[str, Callable[[], None]] = {
    "bot_state": bot_state,
    "processed_activity": processed_activity,
    "status_update_audit": status_update_audit,
    "conversation_reference": conversation_reference,
    "outbox": outbox,
    "channel_thread": channel_thread,
    "subscription": subscription,
    "unanswered_question": unanswered_question,
}


def upgrade() -> None:
    existing = set() if context.is_offline_mode() else set(
        sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
