"""Issue 12, items 2 and 3 (the status desk's side), through HTTP on SQLite and PostgreSQL: a
report is known by its fingerprint, not by an id the portfolio database may give again, and
what an undo or an unsubscribe takes back is not delivered afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.database import create_engine
from tests.bot.conftest import post
from tests.bot.handlers.test_card_identity import ERIK
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports, say
from tests.helpers import fetch

WIRELESS = "status Trådløst nett fase II: {health} – {summary}"


@pytest.fixture
async def teams() -> AsyncIterator[LocalConnector]:
    """The connector of the channels: a fault injected here hits notifications only, not the
    replies to the lead (who is served by `connector`)."""
    async with LocalConnector() as stand_in:
        yield stand_in


@pytest.fixture
async def channel(bot_url: str, teams: LocalConnector) -> TeamsScene:
    """A channel subscribed to Trådløst nett fase II."""
    scene = TeamsScene(service_url=teams.url, scope="channel")
    teams.members = [scene.member()]
    await say(bot_url, teams, scene, scene.message("abonner trådløst nett fase II"))
    return scene


def posts(connector: LocalConnector, scene: TeamsScene, words: str) -> list[RecordedActivity]:
    return [a for a in connector.activities if a.type == "message"
            and a.conversation_id.startswith(scene.base_conversation_id())
            and a.operation in ("send", "create_conversation")
            and words in str(a.adaptive_cards) + a.shown_text]


async def announced(connector: LocalConnector, scene: TeamsScene, words: str) -> None:
    await connector.wait_for(lambda a: a in posts(connector, scene, words), timeout=10)


async def test_post_undo_and_a_corrected_post_is_announced_and_undoable(
        bot_url: str, connector: LocalConnector, demo_url: str, channel: TeamsScene,
        teams: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await say(bot_url, connector, lead, lead.message(WIRELESS.format(health="rød",
                                                                     summary="feil tekst")))
    await announced(teams, channel, "feil tekst")
    assert "trukket tilbake" in await say(bot_url, connector, lead, lead.message("angre"))
    await say(bot_url, connector, lead, lead.message(WIRELESS.format(health="rød",
                                                                     summary="rettet tekst")))
    await announced(teams, channel, "rettet tekst")
    assert "trukket tilbake" in await say(bot_url, connector, lead, lead.message("angre"))
    assert await chat_reports(demo_url) == []


async def test_undo_then_the_same_text_again_is_stored_announced_and_undoable_again(
        bot_url: str, connector: LocalConnector, demo_url: str, channel: TeamsScene,
        teams: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    update = WIRELESS.format(health="gul", summary="samme tekst")
    for _ in range(2):
        assert "lagret" in await say(bot_url, connector, lead, lead.message(update))
        assert "trukket tilbake" in await say(bot_url, connector, lead, lead.message("angre"))
    assert "lagret" in await say(bot_url, connector, lead, lead.message(update))
    for _ in range(100):
        if len(posts(teams, channel, "samme tekst")) >= 1:
            break
        await asyncio.sleep(0.1)
    assert len(await chat_reports(demo_url)) == 1
    [row] = await fetch(demo_url, "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%samme tekst%'")
    assert row[0] == 3, "each of the three posts was queued for the channel"
    assert "trukket tilbake" in await say(bot_url, connector, lead, lead.message("angre"))
    assert await chat_reports(demo_url) == []


async def test_an_undo_after_an_outside_delete_leaves_another_leads_report_alone(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    magnus = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    erik = TeamsScene(service_url=connector.url, aad_object_id=ERIK)
    await say(bot_url, connector, magnus, magnus.message(
        WIRELESS.format(health="grønn", summary="Magnus' rapport")))
    [(report_id,)] = await fetch(demo_url, "SELECT MAX(id) FROM status_report")
    engine = create_engine(demo_url)
    try:
        async with engine.begin() as connection:   # the portfolio office deletes it
            await connection.execute(text("DELETE FROM status_report WHERE id = :id"),
                                     {"id": report_id})
    finally:
        await engine.dispose()
    assert "lagret" in await say(bot_url, connector, erik, erik.message(
        "status Trådløst nett fase I: gul – Eriks rapport"))
    [(erik_id, project)] = await fetch(demo_url, "SELECT id, project_id FROM status_report "
                                                 "WHERE summary = 'Eriks rapport'")
    assert (erik_id, project) == (report_id, 18), "the database gave Erik's report the same id"
    nothing = await say(bot_url, connector, magnus, magnus.message("angre"))
    assert "ingen statusoppdatering" in nothing
    assert [r["summary"] for r in await chat_reports(demo_url)] == ["Eriks rapport"]


async def test_a_report_undone_while_its_notice_waits_for_a_retry_is_never_delivered(
        bot_url: str, connector: LocalConnector, demo_url: str, channel: TeamsScene,
        teams: LocalConnector) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    failed = len(teams.requests)
    teams.fail_next(400)   # the notice's first attempt; it waits for a retry
    await post(bot_url, lead.message(WIRELESS.format(health="rød", summary="trekkes tilbake")))
    for _ in range(100):
        if any(r.status == 400 for r in teams.requests[failed:]):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the notice was never attempted")
    assert "trukket tilbake" in await say(bot_url, connector, lead, lead.message("angre"))
    rows = await fetch(demo_url, "SELECT status FROM outbox WHERE payload LIKE '%trekkes%'")
    assert rows == [("withdrawn",)], "withdrawn by the undo, at once"
    await asyncio.sleep(6)   # past any retry the first failure could have been given
    assert not posts(teams, channel, "trekkes tilbake")


async def test_an_unsubscribe_withdraws_what_only_that_subscription_wanted(
        bot_url: str, connector: LocalConnector, demo_url: str, channel: TeamsScene,
        teams: LocalConnector) -> None:
    other = channel.with_options(channel_id="19:other@thread.tacv2")
    teams.members = [channel.member(), other.member()]
    await say(bot_url, teams, other, other.message("abonner trådløst nett fase II"))
    await say(bot_url, teams, other, other.message("abonner alle kun status"))
    failed = len(teams.requests)
    teams.fail_next(400, times=2)   # both channels' first attempts
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    await post(bot_url, lead.message(WIRELESS.format(health="gul", summary="venter i kø")))
    for _ in range(100):
        if sum(r.status == 400 for r in teams.requests[failed:]) >= 2:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the notices were never attempted")
    for scene in (channel, other):
        await say(bot_url, teams, scene, scene.message("avslutt abonnement trådløst nett fase II"))
    rows = dict(await fetch(demo_url, "SELECT conversation_id, status FROM outbox "
                                      "WHERE payload LIKE '%venter i kø%'"))
    assert rows[channel.base_conversation_id()] == "withdrawn"
    assert rows[other.base_conversation_id()] != "withdrawn", "'alle' still wants it"
    await announced(teams, other, "venter i kø")
    assert not posts(teams, channel, "venter i kø")
