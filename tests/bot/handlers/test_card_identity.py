"""Issue 12, items 1, 4 and 5, through HTTP on SQLite and PostgreSQL: a card submission is
identified by what was submitted and by whom, not by the card; odd input gets a clear answer
(never a 500, never an invisible report); status is taken only from Teams (or the Emulator
in local mode), while questions are answered on every channel."""

from __future__ import annotations

import json
from typing import Any

from bot.cards.payloads import StatusFormPayload
from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.answers.answers import Language
from knowledge.portfolio.model import Health
from tests.bot.conftest import post
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports, say

CONFIRMED = "er lagret:"   # the confirmation; "Ingenting er lagret" is a refusal
ERIK = "ccde2f7a-5e39-530c-93c9-9b38afbd2c6c"   # owner of ST-007 and ST-008 (person 15)
GROUP_CHAT = "19:leads-group-chat@thread.v2"


def form(summary: str, project: int = 17, health: Health = Health.GREEN) -> dict[str, Any]:
    return StatusFormPayload(Language.NB, project, health, summary).to_value()


def stored(reports: list[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    return [(r["project_id"], r["author_id"], r["health"], r["summary"]) for r in reports]


async def test_a_corrected_form_is_stored_and_a_double_click_is_not(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    first = await say(bot_url, connector, lead, lead.card_submit(form("første"), reply_to_id="f1"))
    double = await say(bot_url, connector, lead, lead.card_submit(form("første"),
                                                                  reply_to_id="f1"))
    corrected = await say(bot_url, connector, lead, lead.card_submit(
        form("rettet tekst", health=Health.YELLOW), reply_to_id="f1"))
    assert "lagret" in first and "første" in first
    assert "lagret" in double and "første" in double, "a double click confirms the same report"
    assert "lagret" in corrected and "rettet tekst" in corrected and "første" not in corrected
    assert stored(await chat_reports(demo_url)) == [
        (17, 17, "green", "første"), (17, 17, "yellow", "rettet tekst")]


async def test_two_leads_submitting_one_form_in_a_group_chat_each_store_their_own(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    magnus = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, scope="group",
                        conversation_id=GROUP_CHAT)
    erik = magnus.with_options(aad_object_id=ERIK, user_name="Erik Solberg")
    assert "lagret" in await say(bot_url, connector, magnus,
                                 magnus.card_submit(form("nettet er oppe"), reply_to_id="g1"))
    assert "lagret" in await say(bot_url, connector, erik,
                                 erik.card_submit(form("nettet er oppe"), reply_to_id="g1"))
    assert stored(await chat_reports(demo_url)) == [
        (17, 17, "green", "nettet er oppe"), (17, 15, "green", "nettet er oppe")]


async def clarification(bot_url: str, connector: LocalConnector, scene: TeamsScene,
                        text: str) -> tuple[str, dict[int, Any]]:
    seen = len(connector.activities)
    await post(bot_url, scene.message(text))
    [question] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    buttons = {a["data"]["id"]: a["data"] for a in question.adaptive_cards[0]["actions"]
               if isinstance(a.get("data"), dict) and a["data"].get("portfoliobot") == "status_post"}
    return question.activity_id or "card", buttons


async def test_the_second_button_of_a_clarification_stores_what_it_says(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    erik = TeamsScene(service_url=connector.url, aad_object_id=ERIK)
    card, buttons = await clarification(bot_url, connector, erik,
                                        "status trådløst nett: gul – leveransen er forsinket")
    assert set(buttons) == {17, 18}
    phase_two = await say(bot_url, connector, erik, erik.card_submit(buttons[17],
                                                                     reply_to_id=card))
    phase_one = await say(bot_url, connector, erik, erik.card_submit(buttons[18],
                                                                     reply_to_id=card))
    assert "lagret" in phase_two and "fase II" in phase_two
    assert "lagret" in phase_one and "fase I " in phase_one + " "
    reports = await chat_reports(demo_url)
    assert [(r["project_id"], r["summary"]) for r in reports] == [
        (17, "leveransen er forsinket"), (18, "leveransen er forsinket")]


async def test_a_leads_clarification_button_pressed_by_someone_else_stores_nothing(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    erik = TeamsScene(service_url=connector.url, aad_object_id=ERIK, scope="group",
                      conversation_id=GROUP_CHAT)
    magnus = erik.with_options(aad_object_id=MAGNUS, user_name="Magnus Eriksen")
    card, buttons = await clarification(bot_url, connector, erik,
                                        "status trådløst nett: rød – Eriks tekst")
    answer = await say(bot_url, connector, magnus, magnus.card_submit(buttons[17],
                                                                      reply_to_id=card))
    assert CONFIRMED not in answer and "noen andre" in answer
    assert await chat_reports(demo_url) == []
    mine = await say(bot_url, connector, erik, erik.card_submit(buttons[17], reply_to_id=card))
    assert "lagret" in mine
    assert stored(await chat_reports(demo_url)) == [(17, 15, "red", "Eriks tekst")]


async def test_odd_form_values_get_a_clear_answer_and_store_nothing(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    huge = form("ok") | {"project": "7" * 5000}
    assert "Velg et prosjekt" in await say(bot_url, connector, lead,
                                           lead.card_submit(huge, reply_to_id="h1"))
    recursion = await say(bot_url, connector, lead,
                          lead.card_submit({"subscription_command": ""}, reply_to_id="r1"))
    assert "knappen" in recursion
    for invisible in ("\u200b", "\u200c\u200d", "\u2060 \ufeff", "\u200e\u200f\u202a\u202c",
                      "\u2066\u2069\u061c"):
        answer = await say(bot_url, connector, lead,
                           lead.card_submit(form(invisible), reply_to_id="z1"))
        assert CONFIRMED not in answer and "oppsummering" in answer, repr(invisible)
        typed = await say(bot_url, connector, lead, lead.message(
            f"status Trådløst nett fase II: grønn – {invisible}"))
        assert CONFIRMED not in typed and "oppsummering" in typed, repr(invisible)
    assert await chat_reports(demo_url) == []


async def test_odd_adaptive_card_invokes_get_an_invoke_response(
        bot_url: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    values: list[Any] = [None, "x", [1], 5, {}, {"trigger": "manual"}, {"action": None},
                         {"action": []}, {"action": "x"}, {"action": {"type": "Action.Submit"}},
                         {"action": {"type": "Action.Execute", "verb": "x", "data": [1, 2]}},
                         {"action": {"type": "Action.Execute", "verb": 5, "data": None}},
                         {"action": {"type": "Action.Execute", "verb": "x", "data": form("hei")}}]
    wrong = []
    for value in values:
        invoke = scene.card_action("refresh", {}, reply_to_id="1")
        invoke["value"] = value
        status, text = await post(bot_url, invoke)
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if status not in (200, 400) or not isinstance(body, dict) \
                or body.get("statusCode") != status or not body.get("type"):
            wrong.append(f"{json.dumps(value)[:60]}: HTTP {status} {text[:120]!r}")
    assert not wrong, "\n".join(wrong)


async def test_status_is_taken_only_from_teams_and_the_local_emulator(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    update = "status Trådløst nett fase II: grønn – fra feil kanal"
    for channel in ("webchat", "directline", "slack"):
        activity = lead.message(update) | {"channelId": channel}
        refused = await say(bot_url, connector, lead, activity)
        assert CONFIRMED not in refused and "Teams" in refused, channel
        form_submit = lead.card_submit(form("fra feil kanal"), reply_to_id="w1")
        refused = await say(bot_url, connector, lead, form_submit | {"channelId": channel})
        assert CONFIRMED not in refused and "Teams" in refused, channel
        question = lead.message("hvem eier trådløst nett fase II?") | {"channelId": channel}
        assert "Erik Solberg" in await say(bot_url, connector, lead, question)
    assert await chat_reports(demo_url) == []
    posted = await say(bot_url, connector, lead, lead.message(update))
    assert "lagret" in posted
    undo = await say(bot_url, connector, lead, lead.message("angre") | {"channelId": "webchat"})
    assert "Teams" in undo and len(await chat_reports(demo_url)) == 1
    # Without an app id the bot runs locally, and the Emulator may post and undo.
    emulator = await say(bot_url, connector, lead,
                         lead.message("angre") | {"channelId": "emulator"})
    assert "trukket tilbake" in emulator and await chat_reports(demo_url) == []
