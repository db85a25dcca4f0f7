"""Project leads post status by chat: through HTTP, as Teams sends it, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.database import create_engine
from tests.bot.conftest import post

MAGNUS = "00c96072-3988-5779-ad96-54b2cf043bfb"     # manager of Trådløst nett fase II (ST-007)
LISE = "20e0217b-2db5-5af1-b775-56d82f6f84f8"       # architect, leads nothing
STRANGER = "99999999-8888-7777-6666-555555555555"   # not in the portfolio
UPDATE = "status Trådløst nett fase II: grønn – akuttmottakene har full dekning **nå**"


async def chat_reports(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text(
                "SELECT project_id, author_id, health, summary, source FROM status_report "
                "WHERE source = 'chat' ORDER BY id"))
            return [dict(row._mapping) for row in rows]
    finally:
        await engine.dispose()


async def say(bot_url: str, connector: LocalConnector, scene: TeamsScene,
              body: dict[str, Any]) -> str:
    seen = len(connector.activities)
    status, _ = await post(bot_url, body)
    assert status in (200, 201)
    [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    return reply.shown_text


async def test_lead_posts_and_everyone_sees_it_at_once(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, user_name="Magnus Eriksen")
    confirmation = await say(bot_url, connector, lead, lead.message(UPDATE))
    assert "lagret" in confirmation and "grønn" in confirmation
    assert "akuttmottakene har full dekning **nå**" in confirmation
    assert await chat_reports(demo_url) == [{
        "project_id": 17, "author_id": 17, "health": "green",
        "summary": "akuttmottakene har full dekning **nå**", "source": "chat"}]
    asker = TeamsScene(service_url=connector.url, scope="channel")
    answer = await say(bot_url, connector, asker,
                       asker.message("hva er status på trådløst nett fase 2?"))
    assert "akuttmottakene har full dekning **nå**" in answer and "0 dager" not in answer


async def test_non_lead_and_stranger_are_refused_and_nothing_is_written(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    member = TeamsScene(service_url=connector.url, aad_object_id=LISE)
    refusal = await say(bot_url, connector, member, member.message(UPDATE))
    assert "kan ikke" in refusal and "Magnus Eriksen" in refusal and "Erik Solberg" in refusal
    stranger = TeamsScene(service_url=connector.url, aad_object_id=STRANGER, locale="en-US")
    refusal = await say(bot_url, connector, stranger, stranger.message(
        "status update wireless phase 2: green - emergency rooms covered"))
    assert "cannot find you" in refusal
    assert await chat_reports(demo_url) == []


async def test_a_retried_request_stores_one_report(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    activity = lead.message(UPDATE)
    first = await say(bot_url, connector, lead, activity)
    again = await say(bot_url, connector, lead, activity)
    assert "lagret" in first and "lagret" in again
    assert len(await chat_reports(demo_url)) == 1


async def test_invalid_updates_get_a_reason(bot_url: str, connector: LocalConnector,
                                            demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    empty = await say(bot_url, connector, lead, lead.message("status Trådløst nett fase II: grønn"))
    assert "oppsummering" in empty
    too_long = await say(bot_url, connector, lead, lead.message(
        "status Trådløst nett fase II: rød – " + "x" * 1001))
    assert "1000" in too_long
    assert await chat_reports(demo_url) == []


async def test_ambiguous_project_is_chosen_by_button_once(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    seen = len(connector.activities)
    await post(bot_url, lead.message("status trådløst nett: gul – leveransen er forsinket"))
    [question] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    actions = question.adaptive_cards[0]["actions"]
    phase_two = next(a for a in actions if "fase II" in a["title"])
    submit = lead.card_submit(phase_two["data"], reply_to_id=question.activity_id or "card")
    stored = await say(bot_url, connector, lead, submit)
    twice = await say(bot_url, connector, lead, lead.card_submit(
        phase_two["data"], reply_to_id=question.activity_id or "card"))
    assert "lagret" in stored and "lagret" in twice
    reports = await chat_reports(demo_url)
    assert [(r["project_id"], r["health"], r["summary"]) for r in reports] == [
        (17, "yellow", "leveransen er forsinket")]


async def test_undo_withdraws_the_last_own_update(bot_url: str, connector: LocalConnector,
                                                  demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await say(bot_url, connector, lead, lead.message(UPDATE))
    withdrawn = await say(bot_url, connector, lead, lead.message("angre"))
    assert "trukket tilbake" in withdrawn
    assert await chat_reports(demo_url) == []
    nothing = await say(bot_url, connector, lead, lead.message("undo"))
    assert "no status update" in nothing
    status = await say(bot_url, connector, lead, lead.message("status trådløst nett fase II"))
    assert "Akuttmottakene ved OUS og Ahus" in status, "the previous report is current again"


async def test_my_projects_flags_old_reports(bot_url: str, connector: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, locale="en-US")
    mine = await say(bot_url, connector, lead, lead.message("my projects"))
    lines = mine.splitlines()
    assert any("ST-007" in line for line in lines)
    assert any("ST-003" in line and "older than 14 days" in line for line in lines)
    stranger = TeamsScene(service_url=connector.url, aad_object_id=STRANGER)
    assert "finner deg ikke" in await say(bot_url, connector, stranger,
                                          stranger.message("mine prosjekter"))

