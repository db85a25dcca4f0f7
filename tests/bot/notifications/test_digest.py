"""Weekly digest and reminders: what they say, to whom, and once per week (both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.notifications.digest import Digests, Schedule, week_of
from bot.notifications.notifier import Notifier
from bot.notifications.outbox import OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.storage.bot_database import BotDatabase, open_bot_database
from knowledge.commands.subscription_commands import TargetKind
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.sync import Syncer
from tests.bot.handlers.test_status_updates import MAGNUS
from tests.conftest import TODAY


@pytest.fixture
async def parts(demo_url: str) -> AsyncIterator[tuple[BotDatabase, Snapshot]]:
    syncer = Syncer(demo_url)
    await syncer.sync()
    database = await open_bot_database(demo_url)
    assert syncer.snapshot is not None
    try:
        yield database, syncer.snapshot
    finally:
        await database.close()
        await syncer.close()


async def test_digest_lists_red_and_old_reports_once_a_week(
        parts: tuple[BotDatabase, Snapshot]) -> None:
    database, snapshot = parts
    subscriptions, outbox = SubscriptionStore(database), OutboxStore(database)
    await subscriptions.subscribe("19:stim@thread.tacv2", TargetKind.PROGRAMME, 1, frozenset(),
                                  None)
    digests = Digests(Notifier(database, subscriptions, outbox, lambda: snapshot))
    assert await digests.send_digests(TODAY) == 1
    assert await digests.send_digests(TODAY + timedelta(hours=1)) == 0, "once per week"
    [row] = await outbox.rows()
    facts = dict(row.notification.facts)
    assert row.conversation_id == "19:stim@thread.tacv2"
    assert facts["Røde prosjekter"] == "Regional telekomplattform (ST-005)"
    assert "Felles plattform på allmenn og privat sky (ST-003)" in facts[
        "Rapporter eldre enn 14 dager"]
    assert "Regional EPJ-modernisering" not in str(facts), "not a STIM project"
    assert await digests.send_digests(TODAY + timedelta(days=7)) == 1, "next week again"


async def test_reminder_goes_to_a_lead_with_a_personal_chat(
        parts: tuple[BotDatabase, Snapshot]) -> None:
    database, snapshot = parts
    outbox = OutboxStore(database)
    await outbox.save_reference(ConversationReference(
        conversation=ConversationAccount(id="a:magnus", conversation_type="personal"),
        user=ChannelAccount(id="29:magnus", aad_object_id=MAGNUS.upper()),
        bot=ChannelAccount(id="28:bot"), channel_id="msteams",
        service_url="http://127.0.0.1:1/"), "personal")
    digests = Digests(Notifier(database, SubscriptionStore(database), outbox, lambda: snapshot))
    assert await digests.send_reminders(TODAY) == 1
    assert await digests.send_reminders(TODAY) == 0
    [row] = await outbox.rows()
    assert row.conversation_id == "a:magnus"
    assert "Felles plattform på allmenn og privat sky (ST-003)" in row.notification.text
    assert "15 dager" in row.notification.text


def test_schedule_is_oslo_time_and_off_without_a_weekday() -> None:
    monday_8_oslo = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)   # 08:30 in Oslo (CET)
    assert Schedule(0, 8).due(monday_8_oslo)
    assert not Schedule(0, 9).due(monday_8_oslo)
    assert not Schedule(None, 8).due(monday_8_oslo)
    assert week_of(monday_8_oslo) == "2026-W49"
