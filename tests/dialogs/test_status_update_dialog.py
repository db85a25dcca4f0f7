"""The guided status update and the one-click form, through HTTP on SQLite and PostgreSQL,
including a restart of the bot in the middle of the dialog."""

from __future__ import annotations

from pathlib import Path

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from tests.bot.conftest import post, running_bot, settings_for
from tests.bot.handlers.test_status_updates import LISE, MAGNUS, chat_reports


async def send(url: str, connector: LocalConnector, scene: TeamsScene, text: str) -> str:
    seen = len(connector.activities)
    status, _ = await post(url, scene.message(text))
    assert status in (200, 201)
    replies = await connector.wait_for(lambda a: a.type == "message", since=seen)
    return "\n".join(r.shown_text for r in replies)


async def test_dialog_survives_a_restart_and_stores_once(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    settings = settings_for(demo_url, tmp_path)
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    async with running_bot(settings) as url:
        question = await send(url, connector, lead, "oppdater status")
        assert "Hvilket prosjekt" in question
        buttons = connector.activities[-1].adaptive_cards[0]["actions"]
        assert {b["data"]["msteams"]["text"] for b in buttons} == {"ST-003", "ST-007"}
        assert "grønn, gul eller rød" in await send(url, connector, lead, "ST-007")
    async with running_bot(settings) as url:          # a new process: state from the database
        assert "oppsummering" in await send(url, connector, lead, "GUL")
        confirm = await send(url, connector, lead, "Leverandøren er forsinket; *tiltak* satt inn")
        assert "Lagre status gul" in confirm
        stored = await send(url, connector, lead, "lagre")
        assert "lagret" in stored
    reports = await chat_reports(demo_url)
    assert [(r["project_id"], r["health"], r["summary"]) for r in reports] == [
        (17, "yellow", "Leverandøren er forsinket; *tiltak* satt inn")]


async def test_cancel_leaves_at_any_step_and_nothing_is_stored(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, locale="en-US")
    await send(bot_url, connector, lead, "update status")
    await send(bot_url, connector, lead, "ST-003")
    assert "Cancelled" in await send(bot_url, connector, lead, "cancel")
    answer = await send(bot_url, connector, lead, "who owns the cloud platform?")
    assert "Erik Solberg" in answer, "after cancelling, questions are answered again"
    assert await chat_reports(demo_url) == []


async def test_wrong_answers_are_asked_again(bot_url: str, connector: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await send(bot_url, connector, lead, "oppdater status")
    assert "passet ikke" in await send(bot_url, connector, lead, "RP-001")   # not his project
    await send(bot_url, connector, lead, "ST-007")
    assert "passet ikke" in await send(bot_url, connector, lead, "blå")


async def test_someone_who_leads_nothing_is_told_so(bot_url: str,
                                                    connector: LocalConnector) -> None:
    member = TeamsScene(service_url=connector.url, aad_object_id=LISE)
    assert "ikke prosjekteier eller prosjektleder" in await send(
        bot_url, connector, member, "oppdater status")


async def test_form_submit_stores_once(bot_url: str, connector: LocalConnector,
                                       demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await send(bot_url, connector, lead, "statusskjema")
    form = connector.activities[-1]
    card = form.adaptive_cards[0]
    choices = next(b for b in card["body"] if b.get("id") == "project")["choices"]
    wireless = next(c["value"] for c in choices if "ST-007" in c["title"])
    value = dict(card["actions"][0]["data"], project=wireless, health="red",
                 summary="Nettet er nede på Kalnes")
    for _ in range(2):   # a double click
        seen = len(connector.activities)
        await post(bot_url, lead.card_submit(value, reply_to_id=form.activity_id or "form"))
        [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
        assert "lagret" in reply.shown_text
    reports = await chat_reports(demo_url)
    assert [(r["project_id"], r["health"]) for r in reports] == [(17, "red")]


async def test_in_a_group_chat_others_do_not_answer_a_leads_dialog(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, scope="group", aad_object_id=MAGNUS,
                      user_name="Magnus Eriksen")
    other = lead.with_options(aad_object_id=LISE, user_name="Lise Olsen")
    await send(bot_url, connector, lead, "oppdater status")
    await send(bot_url, connector, lead, "ST-007")
    answer = await send(bot_url, connector, other, "hvem eier DHO?")
    assert "Hilde Johansen" in answer, "the other person's question is answered, not consumed"
    assert "oppsummering" in await send(bot_url, connector, lead, "grønn")
