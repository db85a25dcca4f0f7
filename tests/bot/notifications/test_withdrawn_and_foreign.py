"""Issue 12, items 3 and 6, through HTTP: a notification that waits for a retry is not sent
once its conversation unsubscribed, and nothing is delivered to a conversation whose tenant is
no longer allowed. On SQLite and PostgreSQL (the bot database is the demo database)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import select

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.storage.schema import conversation_reference, outbox
from knowledge.portfolio.database import create_engine
from tests.bot.conftest import post, running_bot, settings_for

TOKEN = "a-long-enough-notify-token"
OTHER_TENANT = "00000000-0000-4000-8000-00000000beef"


async def subscribe(url: str, connector: LocalConnector, scene: TeamsScene, command: str) -> None:
    seen = len(connector.activities)
    await post(url, scene.message(command))
    await connector.wait_for(lambda a: a.type == "message", since=seen)


async def notify(url: str, title: str) -> None:
    async with ClientSession() as client, client.post(
            url.replace("/api/messages", "/api/notify"),
            json={"project": "RP-001", "title": title, "text": "DIPS er nede 22–23."},
            headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status == 202, await response.text()


async def outbox_rows(url: str, title: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(outbox.c.status, outbox.c.last_error,
                                                    outbox.c.payload))).all()
    finally:
        await engine.dispose()
    return [(status, error) for status, error, payload in rows if title in payload]


async def settled(url: str, title: str, seconds: float = 15.0) -> list[tuple[str, str | None]]:
    """The rows of the notice once none is queued or sending any more."""
    for _ in range(int(seconds / 0.2)):
        rows = await outbox_rows(url, title)
        if rows and all(status not in ("queued", "sending") for status, _ in rows):
            return rows
        await asyncio.sleep(0.2)
    raise AssertionError(f"the notice's rows never settled: {await outbox_rows(url, title)}")


async def test_a_notice_waiting_for_a_retry_is_not_sent_after_an_unsubscribe(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    settings = replace(settings_for(demo_url, tmp_path), notify_api_token=TOKEN)
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    title = "Nedetid som ble avlyst"
    async with running_bot(settings) as url:
        await subscribe(url, connector, channel, "abonner RP-001")
        failed = len(connector.requests)
        connector.fail_next(400)   # not retried by the outbound layer: the row waits for a retry
        await notify(url, title)
        for _ in range(100):
            if any(r.status == 400 for r in connector.requests[failed:]):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the notice was never attempted")
        await subscribe(url, connector, channel, "avslutt abonnement RP-001")
        [(status, _)] = await settled(demo_url, title)
    assert status == "withdrawn"
    assert not [a for a in connector.activities if title in a.shown_text]


async def test_no_notice_reaches_a_tenant_that_is_no_longer_allowed(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    settings = replace(settings_for(demo_url, tmp_path), notify_api_token=TOKEN)
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    async with running_bot(settings) as url:
        await subscribe(url, connector, channel, "abonner RP-001")
    engine = create_engine(demo_url)
    try:
        async with engine.connect() as connection:
            tenant = (await connection.execute(select(conversation_reference.c.tenant_id).where(
                conversation_reference.c.conversation_id == channel.base_conversation_id()))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert tenant == channel.tenant_id.lower()   # the tenant is stored with the reference

    title = "Nedetid for en annen kunde"
    async with running_bot(replace(settings, allowed_tenant_ids=(OTHER_TENANT,))) as url:
        await notify(url, title)
        [(status, error)] = await settled(demo_url, title)
        async with ClientSession() as client, client.get(
                url.replace("/api/messages", "/metrics")) as response:
            metrics = await response.text()
    assert status == "dead" and "ALLOWED_TENANT_IDS" in (error or "")
    assert "portfoliobot_notifications_refused_tenant_total 1.0" in metrics
    assert not [a for a in connector.activities if title in a.shown_text]
