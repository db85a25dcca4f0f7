"""The delivery worker over real HTTP: a LocalConnector on 127.0.0.1, the real outbound adapter
(emulator mode), the bot database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from botbuilder.schema import Activity

from bot.cards.answer_cards import CARD_CONTENT_TYPE
from bot.handlers.subscription_chat import handle_subscription_command
from bot.notifications.delivery import DeliveryWorker
from bot.notifications.outbox import OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.storage.bot_database import open_bot_database
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Language
from knowledge.answers.plain_text import render
from knowledge.commands.subscription_commands import TargetKind, parse_subscription_command
from knowledge.portfolio.snapshot import Snapshot
from tests.bot.notifications.delivery_rig import (
    CHANNEL,
    FAST,
    PERSONAL,
    Rig,
    notice,
    only_row_id,
    reference_for,
    row_for,
    status_of,
)


async def test_a_notification_is_posted_as_a_card_with_its_text_as_summary(rig: Rig) -> None:
    assert await rig.store.enqueue_now([PERSONAL], "event:1", notice()) == 1
    assert await rig.worker.deliver_once() == 1
    [posted] = rig.connector.activities
    assert posted.operation == "send" and posted.conversation_id == PERSONAL
    assert posted.text is None, "the card is the one message; no text above it"
    assert "RP-003 er rød" in posted.shown_text
    assert "Prosjekt: RP-003" in posted.shown_text
    [card] = posted.adaptive_cards
    assert card["fallbackText"] == posted.activity["summary"] == posted.shown_text
    assert card["version"] == "1.4" and posted.attachments[0]["contentType"] == CARD_CONTENT_TYPE
    assert card["body"][0]["text"] == "RP\\-003 er rød"
    assert await status_of(rig.store, await only_row_id(rig.store)) == "delivered"
    # a re-run of the same event queues nothing and posts nothing more
    assert await rig.store.enqueue_now([PERSONAL], "event:1", notice()) == 0
    assert await rig.worker.deliver_once() == 0
    assert len(rig.connector.activities) == 1


async def test_429_with_retry_after_is_delivered_later_exactly_once(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.fail_next(429, times=FAST.max_attempts, retry_after=7)
    assert await rig.worker.deliver_once() == 1
    [row] = await rig.store.rows()
    assert row.status == "queued" and row.last_error and "429" in row.last_error
    wait = (row.next_attempt_at - rig.clock()).total_seconds()
    assert 6.0 < wait <= 7.0  # Retry-After honoured, not the 1 s backoff
    assert await rig.worker.deliver_once() == 0  # not due yet
    rig.clock.advance(7)
    assert await rig.worker.deliver_once() == 1
    assert len(rig.connector.activities) == 1
    assert await status_of(rig.store, row.id) == "delivered"
    assert rig.worker.redelivered == 1 and rig.worker.retried == 1


async def test_429_with_a_retry_after_date_is_honoured_through_the_error(rig: Rig) -> None:
    """The outbound layer gives up (the date is beyond its budget) and hands the parsed
    Retry-After to the worker on `OutboundDeliveryError.retry_after`."""
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    later = datetime.now(UTC) + timedelta(seconds=31)
    rig.connector.fail_next(429, times=FAST.max_attempts,
                            retry_after=format_datetime(later, usegmt=True))
    assert await rig.worker.deliver_once() == 1
    [row] = await rig.store.rows()
    assert row.status == "queued" and row.last_error and "429" in row.last_error
    wait = (row.next_attempt_at - rig.clock()).total_seconds()
    assert 25.0 < wait <= 31.0  # the date, not the 1 s backoff
    rig.clock.advance(31)
    assert await rig.worker.deliver_once() == 1
    assert await status_of(rig.store, row.id) == "delivered"


async def test_503_is_retried(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.fail_next(503, times=FAST.max_attempts)
    await rig.worker.deliver_once()
    [row] = await rig.store.rows()
    assert row.status == "queued" and "503" in (row.last_error or "")
    assert 0 <= (row.next_attempt_at - rig.clock()).total_seconds() <= 1.0  # jittered backoff
    rig.clock.advance(1)
    await rig.worker.deliver_once()
    assert await status_of(rig.store, row.id) == "delivered"
    assert len(rig.connector.activities) == 1


async def test_403_disables_the_conversation_and_the_row_is_dead(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.fail_next(403)
    await rig.worker.deliver_once()
    row = await row_for(rig.store, "event:1")
    assert row.status == "dead" and "403" in (row.last_error or "")
    assert (await row_for(rig.store, "delivery-trouble:0")).status == "queued"  # told when it can
    stored = await rig.store.stored_reference(PERSONAL)
    assert stored is not None and not stored.enabled and "403" in (stored.disabled_reason or "")
    # later notifications to it are dead at once, without a request
    await rig.store.enqueue_now([PERSONAL], "event:2", notice())
    requests = len(rig.connector.requests)
    await rig.worker.deliver_once()
    assert len(rig.connector.requests) == requests
    assert [row.status for row in await rig.store.rows() if row.dedupe_key.startswith("event:")
            ] == ["dead", "dead"]


async def test_a_timeout_is_retried(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.delay = 0.4  # beyond the 0.2 s attempt timeout
    await rig.worker.deliver_once()
    [row] = await rig.store.rows()
    assert row.status == "queued" and "no answer" in (row.last_error or "")
    rig.connector.delay = 0.0
    rig.clock.advance(1)
    await rig.worker.deliver_once()
    assert await status_of(rig.store, row.id) == "delivered"
    # at least once: a timed-out POST may still have been recorded by the connector
    assert len(rig.connector.activities) >= 1


async def test_max_attempts_then_dead_and_requeue_delivers(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.fail_next(502, times=3 * FAST.max_attempts)
    for _ in range(3):
        assert await rig.worker.deliver_once() == 1
        rig.clock.advance(1)
    row = await row_for(rig.store, "event:1")
    assert row.status == "dead" and row.attempts == 3 and "gave up" in (row.last_error or "")
    assert rig.connector.activities == []
    assert await rig.store.requeue(row.id)
    await rig.worker.deliver_once()
    assert await status_of(rig.store, row.id) == "delivered"
    assert len(rig.connector.activities) == 1


async def test_unknown_conversation_is_dead(rig: Rig) -> None:
    await rig.store.enqueue_now(["a:nobody"], "event:1", notice())
    await rig.worker.deliver_once()
    row = await row_for(rig.store, "event:1")
    assert row.status == "dead" and row.last_error == "no conversation"


async def test_pending_rows_survive_a_restart(rig: Rig, database_url: str) -> None:
    await rig.store.enqueue_now([PERSONAL, CHANNEL], "event:1", notice())
    # a worker claimed one row and died mid-send (its lease will run out)
    claimed = await rig.store.claim(1, lease_seconds=30)
    assert len(claimed) == 1
    await rig.database.close()

    database = await open_bot_database(database_url, clock=rig.clock)
    try:
        store = OutboxStore(database)
        worker = rig.make_worker(store)
        assert await worker.deliver_once() == 1  # the unclaimed one
        rig.clock.advance(31)
        assert await worker.deliver_once() == 1  # the orphaned one, after its lease
        counts = await store.counts()
        assert counts["delivered"] == 2 and counts["queued"] == counts["sending"] == 0
        assert {a.conversation_id for a in rig.connector.activities} == {PERSONAL, CHANNEL}
        assert worker.redelivered == 1
    finally:
        await database.close()


async def test_run_delivers_until_stopped(rig: Rig) -> None:
    rig.worker.start()
    try:
        await rig.store.enqueue_now([PERSONAL], "event:1", notice())
        rig.worker.wake()
        await rig.connector.wait_for(1, timeout=5)
    finally:
        await rig.worker.stop()  # lets the pass in progress mark the row delivered
    assert (await rig.store.counts())["delivered"] == 1
    await rig.store.enqueue_now([PERSONAL], "event:2", notice())
    await asyncio.sleep(0.2)  # stopped: nothing more goes out
    assert len(rig.connector.activities) == 1


async def test_channel_notifications_about_a_project_share_a_thread(rig: Rig) -> None:
    await rig.store.enqueue_now([CHANNEL], "event:1", notice(3, "first"))
    await rig.worker.deliver_once()
    [first] = rig.connector.activities
    assert first.conversation_id == CHANNEL and first.operation == "send"
    assert await rig.store.thread_root(CHANNEL, 3) == first.activity_id

    await rig.store.enqueue_now([CHANNEL], "event:2", notice(3, "second"))
    await rig.store.enqueue_now([CHANNEL], "event:3", notice(4, "other project"))
    await rig.worker.deliver_once()
    second, other = rig.connector.activities[1:]
    assert second.conversation_id == f"{CHANNEL};messageid={first.activity_id}"
    assert "second" in second.shown_text
    assert other.conversation_id == CHANNEL  # a new thread for project 4
    assert await rig.store.thread_root(CHANNEL, 4) == other.activity_id

    # the thread was deleted: 404 for it, so the notification starts a new thread
    await rig.store.enqueue_now([CHANNEL], "event:4", notice(3, "third"))
    rig.connector.fail_next(404)
    await rig.worker.deliver_once()
    third = rig.connector.activities[-1]
    assert third.conversation_id == CHANNEL and "third" in third.shown_text
    assert await rig.store.thread_root(CHANNEL, 3) == third.activity_id
    assert (await rig.store.counts())["delivered"] == 4
    assert await rig.store.reference(CHANNEL) is not None  # the channel itself is fine


async def test_a_change_in_a_thread_updates_the_threads_first_card(rig: Rig) -> None:
    """The top of a project's thread shows the project as it is now (issue 16, item 4)."""
    now: dict[int, str] = {3: "status: gul"}

    def current_card(project_id: int) -> Activity | None:
        text = now.get(project_id)
        return None if text is None else Activity(
            type="message", attachments=[{"contentType": CARD_CONTENT_TYPE, "content": {
                "type": "AdaptiveCard", "version": "1.5", "body": [
                    {"type": "TextBlock", "text": f"Prosjekt {project_id}, {text}"}]}}])

    worker = rig.make_worker(current_card=current_card)
    await rig.store.enqueue_now([CHANNEL], "event:1", notice(3, "first"))
    await worker.deliver_once()
    [first] = rig.connector.activities
    assert not [a for a in rig.connector.activities if a.operation == "update"], \
        "the first notice is the thread's first card: nothing to update yet"
    now[3] = "status: rød"
    await rig.store.enqueue_now([CHANNEL], "event:2", notice(3, "second"))
    await worker.deliver_once()
    reply, update = rig.connector.activities[1:]
    assert reply.operation == "send" and "second" in reply.shown_text
    assert update.operation == "update" and update.activity_id == first.activity_id
    assert "Prosjekt 3, status: rød" in json.dumps(update.adaptive_cards, ensure_ascii=False)
    assert worker.roots_updated == 1

    del now[3]   # the project left the portfolio: its thread is left as it is
    await rig.store.enqueue_now([CHANNEL], "event:3", notice(3, "third"))
    await worker.deliver_once()
    assert [a.operation for a in rig.connector.activities[3:]] == ["send"]
    rig.connector.fail_next(500, methods=["PUT"])
    now[3] = "status: grønn"
    await rig.store.enqueue_now([CHANNEL], "event:4", notice(3, "fourth"))
    await worker.deliver_once()
    assert (await rig.store.counts())["delivered"] == 4, "a failed update loses no notice"


@pytest.mark.postgres
async def test_two_workers_never_deliver_the_same_row(rig: Rig, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent claims need PostgreSQL (FOR UPDATE SKIP LOCKED)")
    conversations = [f"a:conversation-{n}" for n in range(20)]
    for conversation_id in conversations:
        await rig.store.save_reference(reference_for(rig.connector, conversation_id), "personal")
    for event in range(3):
        await rig.store.enqueue_now(conversations, f"event:{event}", notice(title=f"e{event}"))
    other_database = await open_bot_database(database_url, clock=rig.clock)
    try:
        workers = [rig.make_worker(batch_size=4),
                   rig.make_worker(OutboxStore(other_database), batch_size=4)]

        async def drain(worker: DeliveryWorker) -> None:
            while await worker.deliver_once():
                pass

        await asyncio.wait_for(asyncio.gather(*(drain(w) for w in workers)), 30)
        delivered = [(a.conversation_id, a.shown_text) for a in rig.connector.activities]
        assert len(delivered) == 60 and len(set(delivered)) == 60
        assert all(w.delivered > 0 for w in workers)
        assert sum(w.delivered for w in workers) == 60
        assert (await rig.store.counts())["delivered"] == 60
    finally:
        await other_database.close()


async def test_backoff_is_jittered_and_capped(rig: Rig) -> None:
    worker = rig.make_worker(base_backoff=2.0, max_backoff=10.0)
    delays = [worker.retry_delay(attempt) for attempt in range(1, 12) for _ in range(20)]
    assert all(0 <= d <= 10.0 for d in delays)
    assert max(worker.retry_delay(1) for _ in range(50)) <= 2.0
    assert len(set(delays)) > 100
    assert timedelta(seconds=max(delays)) <= timedelta(seconds=10)


async def test_the_subscription_list_says_when_notices_arrived_and_why_they_stopped(
        rig: Rig, demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    """Issue 16, item 5: `abonnementer` shows the last delivery per subscription and why
    delivery fails, in words people understand."""
    subscriptions = SubscriptionStore(rig.database)
    for project_id in (3, 4):
        await subscriptions.subscribe(CHANNEL, TargetKind.PROJECT, project_id, frozenset(), None)

    async def listed() -> str:
        answer = await handle_subscription_command(
            parse_subscription_command("abonnementer"), CHANNEL, None, demo_answerer,  # type: ignore[arg-type]
            sqlite_demo_snapshot, subscriptions, Language.NB, rig.store)
        return render(answer)

    await rig.store.enqueue_now([CHANNEL], "event:1", notice(3, "first"))
    await rig.worker.deliver_once()
    health = await rig.store.delivery_health(CHANNEL)
    assert abs(health.last_delivered[3] - rig.clock()).total_seconds() < 60
    assert not health.failing
    text = await listed()
    assert f"(RP-003) (alle endringer) – sist varslet {rig.clock():%d.%m.%Y}" in text
    assert "(RP-004) (alle endringer) – ingen varsler ennå" in text

    rig.connector.fail_next(403)   # the app was removed from the channel
    await rig.store.enqueue_now([CHANNEL], "event:2", notice(4, "second"))
    await rig.worker.deliver_once()
    health = await rig.store.delivery_health(CHANNEL)
    assert health.failing[4].startswith("dead") and 3 not in health.failing
    text = await listed()
    assert "(RP-004) (alle endringer) – ingen varsler ennå; ⚠ leveringen feiler: appen er " \
           "fjernet fra samtalen" in text
    assert "⚠ Varsler når ikke fram hit: appen er fjernet fra samtalen." in text
