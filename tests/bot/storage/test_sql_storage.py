"""SqlStorage on SQLite and PostgreSQL: botbuilder's Storage contract, e-tags, expiry, and a
waterfall dialog that carries on after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogInstance,
    DialogSet,
    DialogState,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ActivityTypes
from sqlalchemy import select

from bot.storage.bot_database import BotDatabase, open_bot_database
from bot.storage.schema import bot_state
from bot.storage.sql_storage import SqlStorage, StorageConflictError, storage_key

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def bot_db(database_url: str) -> AsyncIterator[BotDatabase]:
    database = await open_bot_database(database_url)
    yield database
    await database.close()


@pytest.fixture
def storage(bot_db: BotDatabase) -> SqlStorage:
    return SqlStorage(bot_db)


async def _stored_keys(database: BotDatabase) -> list[str]:
    async with database.engine.connect() as connection:
        return list((await connection.execute(select(bot_state.c.key).order_by(bot_state.c.key))).scalars())


# ------------------------------------------------------------------ the Storage contract
async def test_reading_missing_keys_gives_nothing(storage: SqlStorage) -> None:
    assert await storage.read(["nobody/conversations/1"]) == {}
    assert await storage.read([]) == {}


async def test_a_dict_round_trips_with_an_etag(storage: SqlStorage) -> None:
    item: dict[str, Any] = {"name": "Ola Hansen", "count": 2, "nested": {"ids": [1, 2]}, "ø": "å"}
    await storage.write({"user/1": item})
    read = await storage.read(["user/1", "user/2"])
    assert set(read) == {"user/1"}
    stored = read["user/1"]
    assert isinstance(stored, dict)
    etag = stored.pop("e_tag")
    assert isinstance(etag, str) and len(etag) == 32
    assert stored == {"name": "Ola Hansen", "count": 2, "nested": {"ids": [1, 2]}, "ø": "å"}
    assert item["e_tag"] == etag, "the written object is told its new e-tag"


async def test_a_store_item_round_trips_as_a_store_item(storage: SqlStorage) -> None:
    await storage.write({"item": StoreItem(name="Kari", projects=["RP-003"])})
    stored = (await storage.read(["item"]))["item"]
    assert isinstance(stored, StoreItem)
    assert stored.name == "Kari"
    assert stored.projects == ["RP-003"]
    assert stored.e_tag


async def test_every_write_gets_a_new_etag(storage: SqlStorage) -> None:
    await storage.write({"k": {"n": 1}})
    first = (await storage.read(["k"]))["k"]
    await storage.write({"k": {"n": 2}})
    second = (await storage.read(["k"]))["k"]
    assert isinstance(first, dict) and isinstance(second, dict)
    assert first["e_tag"] != second["e_tag"]
    assert second["n"] == 2


async def test_delete_removes_only_the_given_keys(storage: SqlStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 2}})
    await storage.delete({"a", "missing"})  # BotState.delete passes a set
    assert set(await storage.read(["a", "b"])) == {"b"}
    await storage.delete([])
    await storage.delete(["b"])
    assert await storage.read(["a", "b"]) == {}


async def test_writing_nothing_is_fine_and_none_is_refused(storage: SqlStorage) -> None:
    await storage.write({})
    with pytest.raises(ValueError, match="required"):
        await storage.write(None)  # type: ignore[arg-type]


async def test_dialog_state_objects_round_trip(storage: SqlStorage) -> None:
    state = DialogState()
    state.dialog_stack.append(DialogInstance(id="greet", state={"stepIndex": 0, "values": {"a": 1}}))
    await storage.write({"conv": {"DialogState": state}})
    stored = (await storage.read(["conv"]))["conv"]
    assert isinstance(stored, dict)
    restored = stored["DialogState"]
    assert isinstance(restored, DialogState)
    assert restored.dialog_stack[0].id == "greet"
    assert restored.dialog_stack[0].state == {"stepIndex": 0, "values": {"a": 1}}


# ------------------------------------------------------------------ optimistic concurrency
async def test_a_stale_etag_raises_and_changes_nothing(storage: SqlStorage) -> None:
    await storage.write({"k": {"v": "first"}})
    read = (await storage.read(["k"]))["k"]
    assert isinstance(read, dict)
    stale = read["e_tag"]
    await storage.write({"k": {"v": "second", "e_tag": stale}})  # the matching e-tag: fine

    with pytest.raises(StorageConflictError, match="'k'") as raised:
        await storage.write({"k": {"v": "third", "e_tag": stale}})
    assert raised.value.key == "k"
    current = (await storage.read(["k"]))["k"]
    assert isinstance(current, dict) and current["v"] == "second"


async def test_a_conflict_stores_nothing_of_the_whole_write(storage: SqlStorage) -> None:
    await storage.write({"k": {"v": 1}})
    with pytest.raises(StorageConflictError):
        await storage.write({"other": {"v": "new"}, "k": {"v": 2, "e_tag": "not-the-etag"}})
    assert set(await storage.read(["k", "other"])) == {"k"}


async def test_star_and_empty_etags_overwrite(storage: SqlStorage) -> None:
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2, "e_tag": "*"}})
    await storage.write({"k": StoreItem(v=3, e_tag="")})
    current = (await storage.read(["k"]))["k"]
    assert isinstance(current, StoreItem) and current.v == 3


async def test_an_etag_on_a_new_key_is_written_as_memory_storage_does(storage: SqlStorage) -> None:
    await storage.write({"fresh": {"v": 1, "e_tag": "from-a-deleted-item"}})
    assert "fresh" in await storage.read(["fresh"])


async def test_of_two_writers_with_the_same_etag_exactly_one_wins(bot_db: BotDatabase, database_url: str) -> None:
    other_db = await open_bot_database(database_url)  # a second replica
    try:
        mine, theirs = SqlStorage(bot_db), SqlStorage(other_db)
        await mine.write({"k": {"v": "start"}})
        for round_ in range(4):
            a = (await mine.read(["k"]))["k"]
            b = (await theirs.read(["k"]))["k"]
            assert isinstance(a, dict) and isinstance(b, dict) and a["e_tag"] == b["e_tag"]
            a["v"], b["v"] = f"mine {round_}", f"theirs {round_}"
            results = await asyncio.gather(mine.write({"k": a}), theirs.write({"k": b}),
                                           return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            assert len(errors) == 1 and isinstance(errors[0], StorageConflictError), results
            winner = "theirs" if results[0] is errors[0] else "mine"
            current = (await mine.read(["k"]))["k"]
            assert isinstance(current, dict) and current["v"] == f"{winner} {round_}"
    finally:
        await other_db.close()


async def test_two_writers_inserting_one_new_key_with_an_etag_cannot_both_win(
        bot_db: BotDatabase, database_url: str) -> None:
    other_db = await open_bot_database(database_url)
    try:
        mine, theirs = SqlStorage(bot_db), SqlStorage(other_db)
        for n in range(4):
            key = f"new-{n}"
            results = await asyncio.gather(
                mine.write({key: {"v": "mine", "e_tag": "seen-before-delete"}}),
                theirs.write({key: {"v": "theirs", "e_tag": "seen-before-delete"}}),
                return_exceptions=True)
            assert sum(isinstance(r, StorageConflictError) for r in results) == 1, results
    finally:
        await other_db.close()


# ------------------------------------------------------------------ expiry and long keys
async def test_items_expire_after_the_ttl(bot_db: BotDatabase) -> None:
    clock = Clock()
    storage = SqlStorage(bot_db, ttl=timedelta(hours=1), clock=clock)
    await storage.write({"old": {"v": 1}})
    clock.now = T0 + timedelta(minutes=30)
    await storage.write({"young": {"v": 2}})
    clock.now = T0 + timedelta(minutes=59)
    assert set(await storage.read(["old", "young"])) == {"old", "young"}
    clock.now = T0 + timedelta(minutes=61)
    assert set(await storage.read(["old", "young"])) == {"young"}

    assert await storage.purge_expired() == 1
    assert await _stored_keys(bot_db) == ["young"]
    assert await storage.purge_expired() == 0


async def test_an_expired_item_counts_as_absent_when_written(bot_db: BotDatabase) -> None:
    clock = Clock()
    storage = SqlStorage(bot_db, ttl=timedelta(hours=1), clock=clock)
    await storage.write({"k": {"v": 1}})
    clock.now = T0 + timedelta(hours=2)
    await storage.write({"k": {"v": 2, "e_tag": "from-long-ago"}})
    current = (await storage.read(["k"]))["k"]
    assert isinstance(current, dict) and current["v"] == 2


async def test_no_ttl_means_never_expiring(bot_db: BotDatabase) -> None:
    clock = Clock()
    storage = SqlStorage(bot_db, ttl=None, clock=clock)
    await storage.write({"k": {"v": 1}})
    clock.now = T0 + timedelta(days=3650)
    assert "k" in await storage.read(["k"])
    assert await storage.purge_expired() == 0
    with pytest.raises(ValueError, match="ttl"):
        SqlStorage(bot_db, ttl=timedelta(0))


async def test_long_keys_are_stored_under_their_hash(storage: SqlStorage, bot_db: BotDatabase) -> None:
    long_a, long_b = "msteams/conversations/" + "a" * 600, "msteams/conversations/" + "a" * 599 + "b"
    await storage.write({long_a: {"v": "a"}, long_b: {"v": "b"}, "short": {"v": "s"}})
    read = await storage.read([long_a, long_b, "short"])
    assert {key: value["v"] for key, value in read.items()} == {  # type: ignore[index]
        long_a: "a", long_b: "b", "short": "s"}
    stored = await _stored_keys(bot_db)
    assert storage_key(long_a) in stored and storage_key(long_b) in stored
    assert all(len(key) <= 512 for key in stored)
    assert storage_key(long_a) == storage_key(long_a) != storage_key(long_b)
    assert storage_key("x" * 512) == "x" * 512
    await storage.delete([long_a])
    assert set(await storage.read([long_a, long_b])) == {long_b}


# ------------------------------------------------------------------ the point: a restart
def _greeting_dialogs(conversation_state: ConversationState) -> DialogSet:
    dialogs = DialogSet(conversation_state.create_property("DialogState"))
    dialogs.add(TextPrompt("name"))

    async def ask_name(step: WaterfallStepContext) -> DialogTurnResult:
        step.values["asked_in"] = step.context.activity.text
        return await step.prompt("name", PromptOptions(prompt=MessageFactory.text("Hva heter du?")))

    async def greet(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"Hei {step.result}! (spurt etter «{step.values['asked_in']}»)")
        return await step.end_dialog()

    dialogs.add(WaterfallDialog("greet", [ask_name, greet]))
    return dialogs


async def _turn_in_a_fresh_process(database_url: str, text: str) -> list[str]:
    """One turn with everything built anew on the same database, as after a restart."""
    database = await open_bot_database(database_url)
    try:
        conversation_state = ConversationState(SqlStorage(database))
        dialogs = _greeting_dialogs(conversation_state)

        async def logic(turn_context: TurnContext) -> None:
            dialog_context = await dialogs.create_context(turn_context)
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dialog_context.begin_dialog("greet")
            await conversation_state.save_changes(turn_context)

        adapter = TestAdapter(logic)
        await adapter.receive_activity(Activity(type=ActivityTypes.message, text=text))
        replies = []
        while (reply := adapter.get_next_activity()) is not None:
            replies.append(reply.text)
        return replies
    finally:
        await database.close()


async def test_a_waterfall_dialog_continues_after_a_restart(database_url: str) -> None:
    assert await _turn_in_a_fresh_process(database_url, "hei") == ["Hva heter du?"]
    assert await _turn_in_a_fresh_process(database_url, "Kari Nordmann") == [
        "Hei Kari Nordmann! (spurt etter «hei»)"]
    # The dialog ended and that was saved too: the next turn starts it again.
    assert await _turn_in_a_fresh_process(database_url, "igjen") == ["Hva heter du?"]


async def test_text_no_database_column_holds_raw_is_kept_exactly(storage: SqlStorage) -> None:
    """A user's half-typed dialog answer may hold NUL or an unpaired surrogate."""
    odd = "NUL\x00 surrogate \udc00 RTL \u202e æøå 🚀"
    await storage.write({"dialog": {"answer": odd}})
    read = await storage.read(["dialog"])
    assert read["dialog"]["answer"] == odd
