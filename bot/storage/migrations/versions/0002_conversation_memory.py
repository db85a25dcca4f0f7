"""The table `conversation_memory`: each person's conversation subject, for follow-ups (issue 15).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def utc_datetime() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def upgrade() -> None:
    if not context.is_offline_mode() and "conversation_memory" in sa.inspect(
            op.get_bind()).get_table_names():
        return   # made by create_all of this release before it was migrated
    op.create_table(
        "conversation_memory",
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("person_key", sa.Text, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "person_key"),
    )
    op.create_index("ix_conversation_memory_updated_at", "conversation_memory", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_memory_updated_at", "conversation_memory")
    op.drop_table("conversation_memory")
