"""The outbox store on SQLite and PostgreSQL: references, dedupe, claims, leases, threads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import text

from bot.notifications.outbox import Notification, OutboxStore
from bot.storage.bot_database import BotDatabase, open_bot_database


class FakeClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(database_url: str, clock: FakeClock) -> AsyncIterator[BotDatabase]:
    opened = await open_bot_database(database_url, clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
def store(database: BotDatabase) -> OutboxStore:
    return OutboxStore(database)


NOTICE = Notification(title="Trådløst nett fase II er rød", text="Leveransen er forsinket.",
                      facts=(("Prosjekt", "RP-003"), ("Status", "rød")), project_id=3)


def reference(conversation_id: str = "a:personal-1", conversation_type: str = "personal",
              service_url: str = "http://127.0.0.1:9/") -> ConversationReference:
    return ConversationReference(
        activity_id="1700000000001", channel_id="msteams", service_url=service_url,
        conversation=ConversationAccount(id=conversation_id, conversation_type=conversation_type,
                                         tenant_id="tenant-1"),
        bot=ChannelAccount(id="28:bot"), user=ChannelAccount(id="29:user"))


def test_notification_round_trips_through_json() -> None:
    assert Notification.from_json(NOTICE.to_json()) == NOTICE
    assert "Prosjekt: RP-003" in NOTICE.plain_text()


async def test_references_are_saved_disabled_reenabled_and_removed(store: OutboxStore) -> None:
    key = await store.save_reference(reference("19:chan@thread.tacv2;messageid=17", "channel"),
                                     "channel")
    assert key == "19:chan@thread.tacv2"
    loaded = await store.reference(key)
    assert loaded is not None
    assert loaded.conversation.id == "19:chan@thread.tacv2"
    assert loaded.activity_id is None and loaded.service_url == "http://127.0.0.1:9/"
    assert await store.disable_reference(key, "HTTP 403")
    assert await store.reference(key) is None
    stored = await store.stored_reference(key)
    assert stored is not None and not stored.enabled and stored.disabled_reason == "HTTP 403"
    await store.save_reference(reference("19:chan@thread.tacv2", "channel"), "channel")
    assert await store.reference(key) is not None
    assert await store.remove_reference(key)
    assert await store.stored_reference(key) is None


async def test_the_same_event_is_queued_once_per_conversation(store: OutboxStore) -> None:
    assert await store.enqueue_now(["a:1", "a:2", "a:1"], "status:42", NOTICE) == 2
    assert await store.enqueue_now(["a:1", "a:2"], "status:42", NOTICE) == 0  # a re-run
    assert await store.enqueue_now(["a:2", "a:3"], "status:42", NOTICE) == 1
    rows = await store.rows()
    assert sorted(row.conversation_id for row in rows) == ["a:1", "a:2", "a:3"]
    assert all(row.notification == NOTICE and row.project_id == 3 for row in rows)
    counts = await store.counts()
    assert counts["queued"] == 3 and counts["delivered"] == 0


async def test_enqueue_is_part_of_the_callers_transaction(store: OutboxStore,
                                                          database: BotDatabase) -> None:
    class Rollback(Exception):
        pass

    async def record_then_fail() -> None:
        async with database.engine.begin() as connection:
            assert await store.enqueue(connection, ["a:1"], "event:1", NOTICE) == 1
            raise Rollback

    with pytest.raises(Rollback):
        await record_then_fail()
    assert await store.rows() == []
    async with database.engine.begin() as connection:
        await connection.execute(text("SELECT 1"))  # the caller's own work would go here
        assert await store.enqueue(connection, ["a:1"], "event:1", NOTICE) == 1
    assert len(await store.rows("queued")) == 1


async def test_claims_leases_and_states(store: OutboxStore, clock: FakeClock) -> None:
    await store.enqueue_now(["a:1", "a:2", "a:3"], "event:1", NOTICE)
    first = await store.claim(2, lease_seconds=30)
    assert [row.conversation_id for row in first] == ["a:1", "a:2"]
    assert all(row.status == "sending" and row.attempts == 1 for row in first)
    second = await store.claim(10, lease_seconds=30)
    assert [row.conversation_id for row in second] == ["a:3"]
    assert await store.claim(10, lease_seconds=30) == []

    await store.mark_delivered(first[0].id)
    await store.mark_retry(first[1].id, "HTTP 503", clock() + timedelta(seconds=60))
    await store.mark_dead(second[0].id, "HTTP 403")
    assert await store.claim(10, lease_seconds=30) == []  # the retry is not due yet
    counts = await store.counts()
    assert counts == {"queued": 1, "sending": 0, "delivered": 1, "dead": 1, "withdrawn": 0,
                      "failed": 1}
    assert [row.id for row in await store.rows("failed")] == [first[1].id]

    clock.advance(61)
    [retry] = await store.claim(10, lease_seconds=30)
    assert retry.id == first[1].id and retry.attempts == 2 and retry.last_error == "HTTP 503"

    # the worker holding `retry` dies: once its lease is over the row is claimable again
    clock.advance(31)
    [again] = await store.claim(10, lease_seconds=30)
    assert again.id == retry.id and again.attempts == 3

    assert not await store.requeue(first[0].id)  # delivered rows stay delivered
    assert await store.requeue(second[0].id)
    [requeued] = await store.claim(10, lease_seconds=30)
    assert requeued.id == second[0].id and requeued.attempts == 1


async def test_withdrawn_rows_are_never_claimed(store: OutboxStore, clock: FakeClock) -> None:
    await store.enqueue_now(["a:1", "a:2"], "report:7", NOTICE)
    await store.enqueue_now(["a:1"], "report:8", NOTICE)
    await store.enqueue_now(["a:2"], "reminder:3:8:2026-W01", NOTICE)
    [held] = await store.claim(1, lease_seconds=30)          # a:1 report:7, now `sending`
    [delivered] = await store.claim(1, lease_seconds=30)     # a:2 report:7
    assert await store.mark_delivered(delivered.id, claim=delivered.attempts)

    assert await store.withdraw(["report:7", "no-such-key"]) == 1   # the held row only
    assert await store.withdraw([]) == 0
    assert (await store.row(held.id)).status == "withdrawn"          # type: ignore[union-attr]
    assert (await store.row(delivered.id)).status == "delivered"     # type: ignore[union-attr]
    # the worker that held it cannot bring it back
    assert not await store.mark_retry(held.id, "HTTP 503", clock(), claim=held.attempts)
    assert await store.hold({held.id: held.attempts}, 30) == set()

    assert await store.withdraw_for("a:2", project_ids=[3]) == 0     # only a reminder waits
    assert await store.withdraw_for("a:1;messageid=99", project_ids=[3]) == 1   # report:8
    assert await store.withdraw_for("a:2") == 1                       # everything: the reminder
    assert await store.claim(10, lease_seconds=30) == []
    assert (await store.counts())["withdrawn"] == 3


async def test_a_claim_run_out_and_taken_over_is_fenced(store: OutboxStore,
                                                        clock: FakeClock) -> None:
    await store.enqueue_now(["a:1"], "event:1", NOTICE)
    [first] = await store.claim(1, lease_seconds=30)
    assert await store.hold({first.id: first.attempts}, 30) == {first.id}
    clock.advance(31)
    [second] = await store.claim(1, lease_seconds=30)       # the first worker's lease ran out
    assert await store.hold({first.id: first.attempts}, 30) == set()
    assert not await store.mark_delivered(first.id, claim=first.attempts)
    assert await store.mark_delivered(second.id, claim=second.attempts)
    clock.advance(3)
    assert [c for c, _ in await store.recent_deliveries(clock() - timedelta(seconds=10))] \
        == ["a:1"]


async def test_channel_threads_are_remembered_per_project(store: OutboxStore) -> None:
    assert await store.thread_root("19:chan", 3) is None
    await store.remember_thread("19:chan", 3, "1700000000100")
    await store.remember_thread("19:chan", 4, "1700000000200")
    assert await store.thread_root("19:chan", 3) == "1700000000100"
    await store.remember_thread("19:chan", 3, "1700000000300")
    assert await store.thread_root("19:chan", 3) == "1700000000300"
    assert await store.forget_thread("19:chan", 3)
    assert await store.thread_root("19:chan", 3) is None
    assert await store.thread_root("19:chan", 4) == "1700000000200"
