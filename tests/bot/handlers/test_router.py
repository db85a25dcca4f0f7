"""The router: one order for every message, built from the command table, through HTTP on SQLite
and PostgreSQL."""

from __future__ import annotations

from bot.cards.answer_cards import inert
from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.handlers.router import ORDER, ROUTE_OF, RouteName
from knowledge.answers.answers import Language
from knowledge.commands.command_words import COMMANDS, CommandName
from tests.bot.conftest import post
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports


async def send(url: str, connector: LocalConnector, scene: TeamsScene, text: str) -> str:
    seen = len(connector.activities)
    status, _ = await post(url, scene.message(text))
    assert status in (200, 201)
    replies = await connector.wait_for(lambda a: a.type == "message", since=seen)
    return "\n".join(reply.shown_text for reply in replies)


def test_every_command_of_the_table_has_a_route() -> None:
    assert set(ROUTE_OF) == {command.name for command in COMMANDS} == set(CommandName)


def test_a_running_dialog_is_tried_first_and_questions_last() -> None:
    assert ORDER[0] is RouteName.DIALOG and ORDER[-1] is RouteName.QUESTION
    assert set(ORDER) == set(RouteName)


async def test_avslutt_cancels_a_running_dialog_and_avslutt_abonnement_unsubscribes(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, scope="group",
                      user_name="Magnus Eriksen")
    assert "Regional radiologi 2.0" in await send(bot_url, connector, lead,
                                                  "abonner Regional radiologi 2.0")
    assert "Hvilket prosjekt" in await send(bot_url, connector, lead, "oppdater status")
    assert "grønn, gul eller rød" in await send(bot_url, connector, lead, "ST-007")
    assert "Avbrutt" in await send(bot_url, connector, lead, "avslutt")
    assert await chat_reports(demo_url) == []

    outside = await send(bot_url, connector, lead, "avslutt abonnement Regional radiologi 2.0")
    assert "Abonnementet på Regional radiologi 2.0 (RP-005) er avsluttet" in outside
    assert "ingen abonnementer" in await send(bot_url, connector, lead, "abonnementer")


async def test_inside_a_dialog_a_subscription_command_is_the_dialogs_answer(
        bot_url: str, connector: LocalConnector) -> None:
    """The running dialog comes first: what is typed in it answers its question."""
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await send(bot_url, connector, lead, "abonner STIM")
    await send(bot_url, connector, lead, "oppdater status")
    assert "passet ikke" in await send(bot_url, connector, lead, "avslutt abonnement STIM")
    assert "Avbrutt" in await send(bot_url, connector, lead, "stopp")
    assert "STIM" in await send(bot_url, connector, lead, "abonnementer"), "still subscribed"


async def test_nynorsk_commands_are_understood(bot_url: str, connector: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await send(bot_url, connector, lead, "abonner STIM kun status")
    assert "STIM" in await send(bot_url, connector, lead, "kva abonnement har vi")
    assert "ST-007" in await send(bot_url, connector, lead, "mine prosjekt")
    assert "ingen abonnementer" not in await send(bot_url, connector, lead,
                                                  "sei opp abonnementet på STIM")
    assert "ingen abonnementer" in await send(bot_url, connector, lead, "vis abonnementa")


async def test_help_lists_the_commands_of_the_table(bot_url: str,
                                                    connector: LocalConnector) -> None:
    for word, language in (("hjelp", Language.NB), ("help", Language.EN),
                           ("kommandoar", Language.NB)):
        scene = TeamsScene(service_url=connector.url)
        seen = len(connector.activities)
        await post(bot_url, scene.message(word))
        [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
        facts = {(fact["title"], fact["value"]) for block in reply.adaptive_cards[0]["body"]
                 for fact in block.get("facts", [])}
        for command in COMMANDS:
            if command.menu is not None:
                title, description = command.menu.title[language], command.menu.description[language]
                assert f"- {title} – {description}" in reply.shown_text, (word, command.name)
                assert (inert(title), inert(description)) in facts, (word, command.name)
