"""Subscription commands in chat on SQLite and PostgreSQL: carried out against the store, and
through HTTP as Teams sends them."""

from __future__ import annotations

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.handlers.subscription_chat import handle_subscription_command
from bot.notifications.subscriptions import SubscriptionStore
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Clarification,
    Language,
    SubscriptionChanged,
    SubscriptionHelp,
    SubscriptionItem,
    SubscriptionList,
)
from knowledge.answers.plain_text import render
from knowledge.commands.subscription_commands import TargetKind, parse_subscription_command
from knowledge.portfolio.events import EventKind
from knowledge.portfolio.snapshot import Snapshot
from tests.bot.conftest import post
from tests.bot.notifications.test_subscriptions import CHANNEL, store

__all__ = ["store"]


async def _run(text: str, store: SubscriptionStore, answerer: Answerer, snapshot: Snapshot,
               conversation: str = CHANNEL) -> object:
    command = parse_subscription_command(text)
    assert command is not None, text
    return await handle_subscription_command(command, conversation, "aad-1", answerer, snapshot,
                                             store, command.language)


async def test_chat_commands_end_to_end(store: SubscriptionStore, demo_answerer: Answerer,
                                        sqlite_demo_snapshot: Snapshot) -> None:
    def run(text: str) -> object:
        return _run(text, store, demo_answerer, sqlite_demo_snapshot)

    answer = await run("abonner Regional radiologi 2.0 kun status")
    assert answer == SubscriptionChanged(Language.NB, "subscribed",
                                         "Regional radiologi 2.0 (RP-005)", ("status",))
    assert isinstance(answer, SubscriptionChanged)
    assert render(answer) == ("Denne samtalen abonnerer nå på endringer i "
                              "Regional radiologi 2.0 (RP-005) (kun status).")
    answer = await run("subscribe radiology 2.0")
    assert isinstance(answer, SubscriptionChanged) and answer.action == "updated"
    assert render(answer) == "The subscription to Regional radiologi 2.0 (RP-005) is changed."
    assert await store.matching(5, None, EventKind.PHASE_CHANGED) == [CHANNEL]

    answer = await run("abonner STIM")
    assert isinstance(answer, SubscriptionChanged) and answer.target is not None
    assert answer.target.startswith("STIM")
    await run("abonner alle kun overføring")

    listed = await run("abonnementer")
    assert isinstance(listed, SubscriptionList)
    assert listed.items[0] == SubscriptionItem(None, ("transfer",))
    assert render(listed).splitlines() == [
        "Denne samtalen abonnerer på:",
        "- hele porteføljen (kun overføring) – ingen varsler ennå",
        "- Regional radiologi 2.0 (RP-005) (alle endringer) – ingen varsler ennå",
        "- STIM (Program for standardisering og IKT-infrastrukturmodernisering) (alle endringer)"
        " – ingen varsler ennå",
    ]

    ambiguous = await run("abonner trådløst nett")
    assert isinstance(ambiguous, Clarification)
    assert len(await store.list(CHANNEL)) == 3, "nothing stored while it is unclear"

    removed = await run("unsubscribe radiology 2.0")
    assert removed == SubscriptionChanged(Language.EN, "unsubscribed",
                                          "Regional radiologi 2.0 (RP-005)", (), 1)
    again = await run("avslutt abonnement Regional radiologi 2.0")
    assert isinstance(again, SubscriptionChanged) and again.count == 0
    assert render(again) == "Denne samtalen abonnerer ikke på Regional radiologi 2.0 (RP-005)."

    everything = await run("avslutt alle abonnementer")
    assert everything == SubscriptionChanged(Language.NB, "unsubscribed", None, (), 2)
    assert render(everything) == "Alle abonnementer i denne samtalen er avsluttet (2)."
    empty = await run("subscriptions")
    assert isinstance(empty, SubscriptionList) and not empty.items
    assert render(empty) == "This conversation has no subscriptions."


async def test_chat_commands_that_need_more(store: SubscriptionStore, demo_answerer: Answerer,
                                            sqlite_demo_snapshot: Snapshot) -> None:
    answer = await _run("abonner DHO kun budsjett", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(answer, SubscriptionHelp) and answer.unknown_kinds == ("budsjett",)
    assert "budsjett" in render(answer)
    answer = await _run("subscribe", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(answer, SubscriptionHelp) and answer.examples
    assert render(answer).startswith("Say what this conversation should subscribe to")
    assert await store.list(CHANNEL) == []


async def test_list_names_a_target_that_left_the_portfolio(
        store: SubscriptionStore, demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    await store.subscribe(CHANNEL, TargetKind.PROJECT, 999_999, frozenset(), None)
    listed = await _run("subscriptions", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(listed, SubscriptionList)
    assert listed.items == (SubscriptionItem("project 999999 (no longer in the portfolio)", ()),)


# ----------------------------------------------------------------- through HTTP
async def send(url: str, connector: LocalConnector, scene: TeamsScene, text: str) -> str:
    seen = len(connector.activities)
    status, _ = await post(url, scene.message(text))
    assert status in (200, 201)
    [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    return reply.shown_text


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
    assert "Trådløst nett fase II" in done.shown_text
    assert "Trådløst nett fase II" in await send(bot_url, connector, personal, "subscriptions")


async def test_a_command_button_without_a_command_is_stale_not_a_loop(
        bot_url: str, connector: LocalConnector) -> None:
    """An empty command once sent the turn back to itself until the stack ran out."""
    personal = TeamsScene(service_url=connector.url)
    for value in ({"subscription_command": ""}, {"subscription_command": "<at>portfoliobot</at>"}):
        seen = len(connector.activities)
        await post(bot_url, personal.card_submit(value, reply_to_id="1"))
        [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
        assert "noe gikk galt" not in reply.shown_text, value
    assert "eldre svar" in reply.shown_text or "forstod" in reply.shown_text
