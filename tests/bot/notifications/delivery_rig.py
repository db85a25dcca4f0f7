"""The delivery rig: the bot database, an OutboxStore with a personal chat and a channel, a
LocalConnector on 127.0.0.1, the real outbound adapter (emulator mode) and a DeliveryWorker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.cli.local_connector import LocalConnector
from bot.connector.outbound import OutboundCloudAdapter, RetryPolicy, create_adapter
from bot.notifications.delivery import DeliveryWorker
from bot.notifications.outbox import Notification, OutboxRow, OutboxStore
from bot.notifications.rate_limit import RateLimiter
from bot.storage.bot_database import BotDatabase, open_bot_database
from tests.bot.notifications.test_outbox import FakeClock

# Two quick attempts per send, so a fault the outbound layer cannot retry away reaches the
# worker within a fraction of a second.
FAST = RetryPolicy(deadline=0.6, turn_deadline=None, attempt_timeout=0.2,
                   min_attempt_timeout=0.05, base_backoff=0.01, max_backoff=0.02, max_attempts=2)
PERSONAL = "a:personal-conversation"
CHANNEL = "19:general@thread.tacv2"


def notice(project_id: int | None = 3, title: str = "RP-003 er rød") -> Notification:
    return Notification(title=title, text="Leveransen er forsinket.",
                        facts=(("Prosjekt", "RP-003"), ("Status", "rød")), project_id=project_id)


def reference_for(connector: LocalConnector, conversation_id: str = PERSONAL,
                  conversation_type: str = "personal") -> ConversationReference:
    return ConversationReference(
        activity_id="1700000000001", channel_id="msteams", service_url=connector.url,
        conversation=ConversationAccount(id=conversation_id, conversation_type=conversation_type,
                                         tenant_id="tenant-1"),
        bot=ChannelAccount(id="28:bot"), user=ChannelAccount(id="29:user"))


@dataclass
class Rig:
    database: BotDatabase
    store: OutboxStore
    connector: LocalConnector
    adapter: OutboundCloudAdapter
    worker: DeliveryWorker
    clock: FakeClock

    def make_worker(self, store: OutboxStore | None = None, **options: object) -> DeliveryWorker:
        settings: dict[str, object] = {"max_attempts": 3, "base_backoff": 1.0,
                                       "max_backoff": 1.0, "poll_seconds": 0.05}
        settings.update(options)
        return DeliveryWorker(store or self.store, self.adapter, "", RateLimiter(),
                              **settings)  # type: ignore[arg-type]


@asynccontextmanager
async def delivery_rig(database_url: str) -> AsyncIterator[Rig]:
    clock = FakeClock()
    database = await open_bot_database(database_url, clock=clock)
    adapter = create_adapter(policy=FAST)
    rig: Rig | None = None
    try:
        async with LocalConnector() as connector:
            store = OutboxStore(database)
            await store.save_reference(reference_for(connector), "personal")
            await store.save_reference(reference_for(connector, CHANNEL, "channel"), "channel")
            rig = Rig(database, store, connector, adapter, None, clock)  # type: ignore[arg-type]
            rig.worker = rig.make_worker()
            yield rig
    finally:
        await adapter.close()
        await database.close()
        if rig is not None:
            await rig.database.close()  # a test may have reopened it


async def status_of(store: OutboxStore, row_id: int) -> str:
    row = await store.row(row_id)
    assert row is not None
    return row.status


async def only_row_id(store: OutboxStore) -> int:
    [row] = await store.rows()
    return row.id


async def row_for(store: OutboxStore, dedupe_key: str) -> OutboxRow:
    """The one row queued under `dedupe_key`."""
    [row] = [row for row in await store.rows() if row.dedupe_key == dedupe_key]
    return row
