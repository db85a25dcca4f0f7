"""Each person's conversation subject, kept in the bot database so every replica sees it.

`ConversationMemories` keeps the table `conversation_memory`: per conversation (a channel
thread is its own conversation) and person, the `knowledge.answers.conversation.Memory` of
what the bot last answered them, as JSON. `load` gives None for nothing, a malformed
document or one older than the memory's expiry (30 minutes); `purge` deletes rows not
written for a day (the retention run's).

`save` does not write at once: the memories saved within `FLUSH_AFTER` (20 ms) are written
together, one transaction for all of them, so a busy replica commits tens of memories at a
time instead of one per turn (SQLite's single writer made a commit per turn the round trip's
limit). `load` reads a memory still waiting from the waiting ones. A replica killed in that
window loses those few memories: the people concerned have to name their project again,
nothing else. `flush` writes what waits (at shut-down, and before a purge).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from sqlalchemy import select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.bot_database import BotDatabase
from bot.storage.schema import conversation_memory
from bot.storage.table_store import TableStore
from bot.tasks import stop_task
from knowledge.answers.conversation import Memory

KEEP_ROWS = timedelta(days=1)
FLUSH_AFTER = 0.02   # seconds

log = logging.getLogger("portfoliobot.memory")
Key = tuple[str, str]


class ConversationMemories(TableStore):
    """The `conversation_memory` table, with writes batched (see the module docstring)."""

    def __init__(self, database: BotDatabase) -> None:
        super().__init__(database)
        self._waiting: dict[Key, Memory] = {}
        self._writing: dict[Key, Memory] = {}   # taken from `_waiting`, not yet committed
        self._flushing: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def load(self, conversation_id: str, person_key: str) -> Memory | None:
        """The person's memory in the conversation; None if none, malformed or expired."""
        key = (conversation_id, person_key)
        memory = self._waiting.get(key) or self._writing.get(key)
        if memory is None:
            async with self.engine.connect() as connection:
                document = (await connection.execute(
                    select(conversation_memory.c.document).where(
                        conversation_memory.c.conversation_id == conversation_id,
                        conversation_memory.c.person_key == person_key))).scalar_one_or_none()
            if document is None:
                return None
            try:
                memory = Memory.from_json(json.loads(document))
            except ValueError:
                return None
        return None if memory is None or memory.expired(self.now()) else memory

    def save(self, conversation_id: str, person_key: str, memory: Memory) -> None:
        """Write the memory with the others saved within `FLUSH_AFTER`."""
        self._waiting[(conversation_id, person_key)] = memory
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        while True:   # until nothing waits: memories saved during a write go in the next
            await asyncio.sleep(FLUSH_AFTER)
            try:
                await self.flush()
            except Exception:   # the database is away: these memories are lost, turns go on
                log.exception("writing conversation memories failed")
            if not self._waiting:
                return

    async def flush(self) -> None:
        """Write every waiting memory now, in one transaction."""
        async with self._lock:
            self._writing, self._waiting = self._waiting, {}
            try:
                await self._write(self._writing)
            finally:
                self._writing = {}

    async def _write(self, waiting: dict[Key, Memory]) -> None:
        if waiting:
            now = self.now()
            async with self.engine.begin() as connection:
                for (conversation_id, person_key), memory in waiting.items():
                    document = json.dumps(memory.to_json(), ensure_ascii=False,
                                          separators=(",", ":"))
                    await connection.execute(
                        self.database.insert(conversation_memory)
                        .values(conversation_id=conversation_id, person_key=person_key,
                                document=document, updated_at=now)
                        .on_conflict_do_update(
                            index_elements=["conversation_id", "person_key"],
                            set_={"document": document, "updated_at": now}))

    async def close(self) -> None:
        """Write what waits (at shut-down)."""
        await stop_task(self._flushing)
        await self.flush()

    async def purge(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the memories not written for a day; returns how many."""
        await self.flush()
        return await delete_in_batches(
            self.engine, conversation_memory,
            conversation_memory.c.updated_at < self.now() - KEEP_ROWS, batch_size=batch_size)
