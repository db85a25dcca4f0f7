"""Managing a channel's subscriptions by chat, through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from tests.bot.conftest import post


async def send(url: str, connector: LocalConnector, scene: TeamsScene, text: str) -> str:
    seen = len(connector.activities)
    status, _ = await post(url, scene.message(text))
    assert status in (200, 201)
    [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    return reply.text or ""


async def test_subscribe_list_and_unsubscribe_in_a_channel(
        bot_url: str, connector: LocalConnector) -> None:
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    assert "Regional radiologi 2.0" in await send(bot_url, connector, channel,
                                                  "abonner Regional radiologi 2.0")
    assert "STIM" in await send(bot_url, connector, channel, "abonner STIM kun status")
    listing = await send(bot_url, connector, channel, "abonnementer")
    assert "Regional radiologi 2.0" in listing and "STIM" in listing
    await send(bot_url, connector, channel, "avslutt abonnement Regional radiologi 2.0")
    listing = await send(bot_url, connector, channel, "abonnementer")
    assert "Regional radiologi 2.0" not in listing and "STIM" in listing


async def test_ambiguous_target_is_chosen_by_button(bot_url: str,
                                                   connector: LocalConnector) -> None:
    personal = TeamsScene(service_url=connector.url, locale="en-US")
    seen = len(connector.activities)
    await post(bot_url, personal.message("subscribe wireless network"))
    [question] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    button = next(a for a in question.adaptive_cards[0]["actions"] if "fase II" in a["title"])
    seen = len(connector.activities)
    await post(bot_url, personal.card_submit(button["data"], reply_to_id="1"))
    [done] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    assert "Trådløst nett fase II" in (done.text or "")
    assert "Trådløst nett fase II" in await send(bot_url, connector, personal, "subscriptions")
