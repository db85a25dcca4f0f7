"""The conversation memories' table on SQLite and PostgreSQL: batched writes, read-through,
expiry, malformed rows, and a second store (another replica) reading what the first wrote."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.storage.bot_database import BotDatabase, open_bot_database
from bot.storage.conversation_memory import FLUSH_AFTER, ConversationMemories
from bot.storage.schema import conversation_memory
from knowledge.answers.answers import Intent, Language
from knowledge.answers.conversation import EXPIRES_AFTER, Memory
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, Query

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MEMORY = Memory(Query(Ask.FACT, Intent.OWNER, EntityKind.PROJECT, 7), Language.NB, NOW)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[tuple[BotDatabase, Clock]]:
    clock = Clock()
    opened = await open_bot_database(database_url, clock=clock)
    try:
        yield opened, clock
    finally:
        await opened.close()


async def rows(database: BotDatabase) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(
            select(func.count()).select_from(conversation_memory))).scalar_one())


async def test_saved_memories_are_written_together_and_read_through_before(
        database: tuple[BotDatabase, Clock]) -> None:
    db, _ = database
    memories = ConversationMemories(db)
    for person in ("a", "b", "c"):
        memories.save("19:chat", person, MEMORY)
    assert await memories.load("19:chat", "a") == MEMORY, "read from what waits"
    assert await rows(db) == 0
    await asyncio.sleep(FLUSH_AFTER * 10)
    assert await rows(db) == 3
    other = ConversationMemories(db)          # another replica
    assert await other.load("19:chat", "b") == MEMORY
    assert await other.load("19:chat", "nobody") is None
    assert await other.load("19:other-chat", "a") is None


async def test_a_later_memory_replaces_the_earlier_one(database: tuple[BotDatabase, Clock]) -> None:
    db, _ = database
    memories = ConversationMemories(db)
    memories.save("19:chat", "a", MEMORY)
    await memories.flush()
    later = Memory(None, Language.EN, NOW)
    memories.save("19:chat", "a", later)
    await memories.close()
    assert await rows(db) == 1
    assert await ConversationMemories(db).load("19:chat", "a") == later


async def test_an_expired_or_malformed_memory_is_none(database: tuple[BotDatabase, Clock]) -> None:
    db, clock = database
    memories = ConversationMemories(db)
    memories.save("19:chat", "a", MEMORY)
    memories.save("19:chat", "b", MEMORY)
    await memories.flush()
    async with db.engine.begin() as connection:
        await connection.execute(update(conversation_memory).where(
            conversation_memory.c.person_key == "b").values(document="{not json"))
    assert await memories.load("19:chat", "b") is None
    clock.now = NOW + EXPIRES_AFTER + timedelta(seconds=1)
    assert await memories.load("19:chat", "a") is None
