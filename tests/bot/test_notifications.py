"""Notifications end to end: subscribe by chat, a change happens, the channel hears about it.
Through HTTP and the connector stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import text

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.database import create_engine
from tests.bot.conftest import post, running_bot, settings_for
from tests.bot.handlers.test_status_updates import MAGNUS

TOKEN = "a-long-enough-notify-token"


def channel_posts(connector: LocalConnector, scene: TeamsScene) -> list[RecordedActivity]:
    return [a for a in connector.activities if a.type == "message"
            and a.conversation_id.startswith(scene.base_conversation_id())
            and a.operation in ("send", "create_conversation")]


async def subscribe(url: str, connector: LocalConnector, scene: TeamsScene, command: str) -> None:
    seen = len(connector.activities)
    await post(url, scene.message(command))
    await connector.wait_for(lambda a: a.type == "message", since=seen)


async def test_a_chat_status_update_reaches_the_subscribed_channel(
        bot_url: str, connector: LocalConnector) -> None:
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    await subscribe(bot_url, connector, channel, "abonner trådløst nett fase II")
    before = len(channel_posts(connector, channel))
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await post(bot_url, lead.message("status Trådløst nett fase II: rød – strømbrudd i Tønsberg"))
    [notice] = await connector.wait_for(
        lambda a: a in channel_posts(connector, channel)[before:], timeout=10)
    assert "Ny status for Trådløst nett fase II (ST-007): rød" in notice.shown_text
    assert "strømbrudd i Tønsberg" in str(notice.adaptive_cards)


async def test_the_threads_first_card_shows_the_projects_current_status(
        bot_url: str, connector: LocalConnector) -> None:
    """Issue 16, item 4: a second change is posted in the project's thread, and the thread's
    first message is updated to the project's status card as it is now."""
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    await subscribe(bot_url, connector, channel, "abonner trådløst nett fase II")
    before = len(channel_posts(connector, channel))
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await post(bot_url, lead.message("status Trådløst nett fase II: gul – kabling forsinket"))
    [root] = await connector.wait_for(
        lambda a: a in channel_posts(connector, channel)[before:], timeout=10)
    await asyncio.sleep(1.1)   # the same report twice within a second would be one notice
    await post(bot_url, lead.message("status Trådløst nett fase II: rød – strømbrudd i Tønsberg"))
    [update] = await connector.wait_for(
        lambda a: a.operation == "update" and a.activity_id == root.activity_id, timeout=10)
    card = str(update.adaptive_cards)
    assert "Trådløst nett fase II (ST-007)" in card and "rød" in card
    assert "strømbrudd i Tønsberg" in card
    replies = [a for a in channel_posts(connector, channel)
               if a.conversation_id.endswith(f";messageid={root.activity_id}")]
    assert any("strømbrudd i Tønsberg" in str(a.adaptive_cards) for a in replies)


async def test_a_channel_that_lost_notices_is_told_once_when_the_app_is_back(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    """Issue 16, item 5: the app is removed from the team (the delivery worker got a 403 and
    disabled the channel) while this replica knows the channel; a change cannot reach it.
    Adding the app again re-enables the channel, and the channel is told, once, that a
    notification was lost and why."""
    from bot.notifications.outbox import OutboxStore
    from bot.storage.bot_database import open_bot_database

    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    connector.teams = {channel.team_id: channel.team_details()}
    lost = "kunne ikke leveres"
    async with running_bot(settings_for(demo_url, tmp_path)) as url:
        await subscribe(url, connector, channel, "abonner trådløst nett fase II")
        database = await open_bot_database(demo_url)
        try:
            store = OutboxStore(database)
            await store.disable_reference(channel.base_conversation_id(),
                                          "HTTP 403 from the connector: BotNotInConversation")
            lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
            await post(url, lead.message("status Trådløst nett fase II: rød – strømbrudd"))
            for _ in range(100):   # the change dies, and so does the notice about it
                statuses = {row.dedupe_key.split(":")[0]: row.status
                            for row in await store.rows()}
                if statuses.get("delivery-trouble") == "dead":
                    break
                await asyncio.sleep(0.1)
            assert set(statuses.values()) == {"dead"}, statuses
            assert not any(lost in a.shown_text for a in channel_posts(connector, channel))

            await post(url, channel.install())   # the app is added to the team again
            [told] = await connector.wait_for(
                lambda a: a in channel_posts(connector, channel) and lost in a.shown_text,
                timeout=10)
            assert told.shown_text.startswith("Varsler kom ikke fram")
            assert "Ett varsel til denne samtalen kunne ikke leveres" in told.shown_text
            assert "appen er fjernet fra samtalen" in told.shown_text
            stored = await store.stored_reference(channel.base_conversation_id())
            assert stored is not None and stored.enabled
            await asyncio.sleep(1.5)   # a few more polls of the delivery worker
            assert sum(lost in a.shown_text for a in channel_posts(connector, channel)) == 1
        finally:
            await database.close()


async def test_a_change_found_by_sync_is_notified_once(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    settings = replace(settings_for(demo_url, tmp_path), sync_interval_seconds=1.0)
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    async with running_bot(settings) as url:
        await subscribe(url, connector, channel, "abonner alle kun fase")
        engine = create_engine(demo_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE project SET phase = 'closed' WHERE id = 17"))
        finally:
            await engine.dispose()
        [notice] = await connector.wait_for(
            lambda a: "har gått fra" in a.shown_text, timeout=15)
        assert "Trådløst nett fase II (ST-007) har gått fra gjennomføring til avsluttet" in (
            notice.shown_text)
        await asyncio.sleep(2.5)   # two more sync passes find the same state: nothing new
    assert len([a for a in connector.activities if "har gått fra" in a.shown_text]) == 1


@dataclass(frozen=True)
class NotifyClient:
    """A running bot with /api/notify on, its messages URL, and a channel subscribed to RP-001."""

    url: str
    channel: TeamsScene
    client: ClientSession

    async def call(self, body: object, token: str | None = TOKEN
                   ) -> tuple[int, dict[str, object]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.post(self.url.replace("/api/messages", "/api/notify"), json=body,
                                    headers=headers) as response:
            return response.status, await response.json()


@contextlib.asynccontextmanager
async def notify_bot(portfolio_url: str, tmp_path: Path, connector: LocalConnector
                     ) -> AsyncIterator[NotifyClient]:
    settings = replace(settings_for(portfolio_url, tmp_path), notify_api_token=TOKEN)
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    async with running_bot(settings) as url, ClientSession() as client:
        await subscribe(url, connector, channel, "abonner RP-001")
        yield NotifyClient(url, channel, client)


async def test_notify_endpoint(demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    async with notify_bot(demo_url, tmp_path, connector) as bot:
        call = bot.call
        good = {"project": "RP-001", "title": "Nedetid i kveld", "text": "DIPS er nede 22–23."}
        assert (await call(good, None))[0] == 401
        assert (await call(good, "wrong-token-of-some-length"))[0] == 401
        status, problem = await call({"project": "RP-001", "title": ""})
        assert status == 400 and "title" in str(problem["error"])
        assert (await call(dict(good, project="RP-999")))[0] == 404
        status, body = await call(good)
        assert (status, body) == (202, {"queued": 1})
        [notice] = await connector.wait_for(lambda a: "Nedetid i kveld" in a.shown_text,
                                            timeout=10)
        assert "DIPS er nede" in notice.shown_text


async def test_notify_is_off_without_a_token(bot_url: str) -> None:
    status, _ = await post(bot_url.replace("/api/messages", "/api/notify"),
                           {"project": "all", "title": "x", "text": "y"})
    assert status == 404


async def test_references_are_kept_on_install_and_dropped_on_uninstall(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    from bot.notifications.outbox import OutboxStore
    from bot.storage.bot_database import open_bot_database

    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    connector.teams = {channel.team_id: channel.team_details()}
    async with running_bot(settings_for(demo_url, tmp_path)) as url:
        await post(url, channel.install())
        database = await open_bot_database(demo_url)
        try:
            store = OutboxStore(database)
            assert await store.reference(channel.base_conversation_id()) is not None
            await post(url, channel.uninstall())
            assert await store.reference(channel.base_conversation_id()) is None
        finally:
            await database.close()


async def test_a_notice_repeated_is_a_retry_until_the_window_passes(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    """`rp-001` and `RP-001` are one project; the same notice again within ten minutes is the
    client's retry (queued once); after that it is news again (queued again)."""
    async with notify_bot(demo_url, tmp_path, connector) as bot:
        notice = {"project": "RP-001", "title": "Planlagt nedetid", "text": "DIPS 22–23."}

        async def call(project: str) -> dict[str, object]:
            status, body = await bot.call(dict(notice, project=project))
            assert status == 202
            return body

        assert await call("RP-001") == {"queued": 1}
        assert await call("rp-001") == {"queued": 0}, "the same project, spelt in lower case"
        assert await call(" Rp-001 ") == {"queued": 0}
        assert (await call("RP-001")) == {"queued": 0}
        await connector.wait_for(lambda a: "Planlagt nedetid" in a.shown_text, timeout=10)
        engine = create_engine(settings_for(demo_url, tmp_path).bot_database_url)
        try:   # eleven minutes pass
            async with engine.begin() as connection:
                await connection.execute(text(
                    "UPDATE outbox SET created_at = :moment WHERE dedupe_key LIKE 'notice:%'"),
                    {"moment": datetime.now(UTC) - timedelta(minutes=11)})
        finally:
            await engine.dispose()
        seen = len(connector.activities)
        assert await call("rp-001") == {"queued": 1}, "after the window it is news again"
        await connector.wait_for(
            lambda a: "Planlagt nedetid" in a.shown_text, timeout=10, since=seen)
    sent = [a for a in channel_posts(connector, bot.channel) if "Planlagt nedetid" in a.shown_text]
    assert len(sent) == 2
