"""Each person's conversation subject, kept in the bot database so every replica sees it.

`ConversationMemories` keeps the table `conversation_memory`: per conversation (a channel
thread is its own conversation) and person, the `knowledge.answers.conversation.Memory` of
what the bot last answered them, as JSON. `load` gives None for nothing, a malformed
document or one older than the memory's expiry (30 minutes); `save` writes one row (an
upsert); `purge` deletes rows not written for a day (the retention run's).
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.schema import conversation_memory
from bot.storage.table_store import TableStore
from knowledge.answers.conversation import Memory

KEEP_ROWS = timedelta(days=1)


class ConversationMemories(TableStore):
    """The `conversation_memory` table."""

    async def load(self, conversation_id: str, person_key: str) -> Memory | None:
        """The person's memory in the conversation; None if none, malformed or expired."""
        async with self.engine.connect() as connection:
            document = (await connection.execute(select(conversation_memory.c.document).where(
                conversation_memory.c.conversation_id == conversation_id,
                conversation_memory.c.person_key == person_key))).scalar_one_or_none()
        if document is None:
            return None
        try:
            memory = Memory.from_json(json.loads(document))
        except ValueError:
            return None
        return None if memory is None or memory.expired(self.now()) else memory

    async def save(self, conversation_id: str, person_key: str, memory: Memory) -> None:
        document = json.dumps(memory.to_json(), ensure_ascii=False, separators=(",", ":"))
        now = self.now()
        statement = (self.database.insert(conversation_memory)
                     .values(conversation_id=conversation_id, person_key=person_key,
                             document=document, updated_at=now)
                     .on_conflict_do_update(index_elements=["conversation_id", "person_key"],
                                            set_={"document": document, "updated_at": now}))
        async with self.engine.begin() as connection:
            await connection.execute(statement)

    async def purge(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the memories not written for a day; returns how many."""
        return await delete_in_batches(
            self.engine, conversation_memory,
            conversation_memory.c.updated_at < self.now() - KEEP_ROWS, batch_size=batch_size)
