"""Idempotency keys (table `processed_activity`): a retried activity or a double click is handled once.

A key is claimed atomically on both dialects (INSERT … ON CONFLICT DO NOTHING), so of several
replicas or tasks claiming the same key exactly one wins. Keys are purged after a while
(`forget_processed_before`, run by `bot.storage.retention`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.handle import DatabaseHandle
from bot.storage.schema import processed_activity


class IdempotencyKeys(DatabaseHandle):
    """Claiming, reading and releasing the keys of handled activities."""

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

    async def forget_processed_before(self, moment: datetime, *,
                                      batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the idempotency keys claimed before `moment`, in batches; returns how many."""
        return await delete_in_batches(self.engine, processed_activity,
                                       processed_activity.c.created_at < moment,
                                       batch_size=batch_size)
