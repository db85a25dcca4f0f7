"""The bot database on SQLite and PostgreSQL: opening, idempotency claims, the audit table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from bot.storage.bot_database import BotDatabase, open_bot_database
from bot.storage.schema import UtcDateTime, bot_state, processed_activity

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
async def bot_db(database_url: str) -> AsyncIterator[BotDatabase]:
    database = await open_bot_database(database_url, clock=lambda: NOW)
    yield database
    await database.close()


async def _table_names(database: BotDatabase) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_open_creates_the_tables_and_is_idempotent(database_url: str) -> None:
    first = await open_bot_database(database_url)
    try:
        assert await first.claim_once("activity-1")
        second = await open_bot_database(database_url)
        try:
            assert await _table_names(second) >= {"bot_state", "processed_activity", "status_update_audit"}
            assert not await second.claim_once("activity-1"), "reopening must keep the data"
        finally:
            await second.close()
    finally:
        await first.close()


async def test_two_processes_opening_at_once_both_succeed(database_url: str) -> None:
    databases = await asyncio.gather(*(open_bot_database(database_url) for _ in range(3)))
    try:
        for database in databases:
            assert "status_update_audit" in await _table_names(database)
    finally:
        for database in databases:
            await database.close()


async def test_claim_once_is_true_then_false(bot_db: BotDatabase) -> None:
    assert await bot_db.claim_once("activity-1") is True
    assert await bot_db.claim_once("activity-1") is False
    assert await bot_db.claim_once("activity-2") is True


async def test_concurrent_claims_of_one_key_give_exactly_one_true(database_url: str) -> None:
    # Two engines, as two replicas would have; each claims the same keys at the same time.
    first = await open_bot_database(database_url)
    second = await open_bot_database(database_url)
    try:
        for n in range(5):
            key = f"submission-{n}"
            results = await asyncio.gather(first.claim_once(key), second.claim_once(key),
                                           first.claim_once(key))
            assert sorted(results) == [False, False, True], key
    finally:
        await first.close()
        await second.close()


async def test_release_lets_a_key_be_claimed_again(bot_db: BotDatabase) -> None:
    assert await bot_db.claim_once("activity-1")
    assert await bot_db.release("activity-1") is True
    assert await bot_db.release("activity-1") is False
    assert await bot_db.claim_once("activity-1")


async def test_forget_processed_before_deletes_only_older_keys(database_url: str) -> None:
    now = [NOW - timedelta(days=3)]
    database = await open_bot_database(database_url, clock=lambda: now[0])
    try:
        await database.claim_once("old")
        now[0] = NOW
        await database.claim_once("new")
        assert await database.forget_processed_before(NOW - timedelta(days=1)) == 1
        assert await database.claim_once("old") is True
        assert await database.claim_once("new") is False
    finally:
        await database.close()


async def test_timestamps_are_aware_utc_on_both_dialects(bot_db: BotDatabase) -> None:
    oslo_winter = timezone(timedelta(hours=1))
    await bot_db.record_audit(action="post", actor_aad_object_id="aad-1", project_id=7,
                              conversation_id="c", created_at=datetime(2026, 11, 26, 13, 0, 5,
                                                                       123456, tzinfo=oslo_winter))
    last = await bot_db.last_audit("aad-1")
    assert last is not None
    assert last["created_at"] == datetime(2026, 11, 26, 12, 0, 5, 123456, tzinfo=UTC)
    assert last["created_at"].utcoffset() == timedelta(0)
    await bot_db.claim_once("k")
    async with bot_db.engine.connect() as connection:
        created = (await connection.execute(select(processed_activity.c.created_at))).scalar_one()
    assert created == NOW and created.tzinfo is not None


async def test_naive_datetimes_are_refused(bot_db: BotDatabase) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        UtcDateTime().process_bind_param(datetime(2026, 1, 1), bot_db.engine.dialect)


async def test_times_compare_in_time_order_across_time_zones(bot_db: BotDatabase) -> None:
    # Written in local time their text would sort the wrong way round; stored as UTC it does not.
    a_at = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30 UTC
    b_at = datetime(2026, 1, 2, 5, 0, tzinfo=timezone(timedelta(hours=1)))  # 04:00 UTC
    async with bot_db.engine.begin() as connection:
        await connection.execute(bot_state.insert(), [
            {"key": "a", "document": "{}", "etag": "1", "updated_at": a_at},
            {"key": "b", "document": "{}", "etag": "2", "updated_at": b_at},
        ])
        cutoff = datetime(2026, 1, 2, 4, 15, tzinfo=UTC)
        older = (await connection.execute(
            select(bot_state.c.key).where(bot_state.c.updated_at < cutoff))).scalars().all()
        ordered = (await connection.execute(
            select(bot_state.c.key).order_by(bot_state.c.updated_at))).scalars().all()
    assert older == ["b"]
    assert ordered == ["b", "a"]


async def test_record_audit_and_last_audit(bot_db: BotDatabase) -> None:
    assert await bot_db.last_audit("aad-1") is None
    first = await bot_db.record_audit(
        action="post", actor_aad_object_id="aad-1", actor_person_id=11, project_id=3,
        report_id=100, health="green", summary="Alt går etter planen", conversation_id="conv-1",
        activity_id="act-1", created_at=NOW - timedelta(minutes=5))
    second = await bot_db.record_audit(
        action="post", actor_aad_object_id="aad-1", project_id=4, conversation_id="conv-1",
        created_at=NOW)
    await bot_db.record_audit(action="undo", actor_aad_object_id="aad-1", project_id=3,
                              report_id=100, conversation_id="conv-1")
    await bot_db.record_audit(action="post", actor_aad_object_id="aad-2", project_id=9,
                              conversation_id="conv-2", created_at=NOW + timedelta(hours=1))
    assert second > first

    last = await bot_db.last_audit("aad-1")
    assert last is not None
    assert last["id"] == second
    assert last == {
        "id": second, "action": "post", "actor_aad_object_id": "aad-1", "actor_person_id": None,
        "project_id": 4, "report_id": None, "health": None, "summary": None,
        "conversation_id": "conv-1", "activity_id": None, "created_at": NOW,
    }
    undo = await bot_db.last_audit("aad-1", action="undo")
    assert undo is not None and undo["report_id"] == 100 and undo["created_at"] == NOW

    by_activity = await bot_db.audit_for_activity("act-1")
    assert by_activity is not None
    assert by_activity["id"] == first and by_activity["summary"] == "Alt går etter planen"
    assert await bot_db.audit_for_activity("act-unknown") is None


async def test_record_audit_refuses_unknown_fields_and_actions(bot_db: BotDatabase) -> None:
    with pytest.raises(TypeError, match="colour"):
        await bot_db.record_audit(action="post", actor_aad_object_id="a", project_id=1,
                                  conversation_id="c", colour="red")
    with pytest.raises(ValueError, match="action"):
        await bot_db.record_audit(action="delete", actor_aad_object_id="a", project_id=1,
                                  conversation_id="c")
