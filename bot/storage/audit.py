"""The status-update audit trail (table `status_update_audit`): who posted or undid which status
update, in which conversation, from which activity. Rows are only ever appended, and purged
when older than the trail's retention (`forget_audit_before`, `bot.storage.retention`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.handle import DatabaseHandle
from bot.storage.schema import status_update_audit

AUDIT_ACTIONS = ("post", "undo")
_AUDIT_FIELDS = frozenset(column.name for column in status_update_audit.columns) - {"id"}


class AuditTrail(DatabaseHandle):
    """Appending to and reading back the audit trail."""

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

    async def forget_audit_before(self, moment: datetime, *,
                                  batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the audit rows written before `moment`, in batches; returns how many."""
        return await delete_in_batches(self.engine, status_update_audit,
                                       status_update_audit.c.created_at < moment,
                                       batch_size=batch_size)

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
