"""The bot end to end: real HTTP into `create_app`, Teams-shaped activities, replies recorded
by the local connector stand-in. Runs against the demo portfolio on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.cards.answer_cards import CARD_CONTENT_TYPE
from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from bot.settings import Settings
from bot.web.app import create_app
from tests.bot.conftest import post
from tests.bot.observability.exposition import scrape


def card_text(activity: RecordedActivity) -> str:
    cards = [a for a in activity.attachments if a.get("contentType") == CARD_CONTENT_TYPE]
    assert cards, "the reply carries an Adaptive Card"
    return json.dumps(cards[0]["content"], ensure_ascii=False)


async def test_channel_mention_is_answered_with_card_and_text(
        bot_url: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url, scope="channel")
    status, _ = await post(bot_url, scene.message("Hvem eier Regional EPJ-modernisering?"))
    assert status in (200, 201)
    [reply] = await connector.wait_for(lambda a: a.type == "message")
    assert "Hilde Johansen" in reply.shown_text
    assert "Hilde Johansen" in card_text(reply)


async def test_personal_chat_clarification_and_button(bot_url: str,
                                                      connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url, scope="personal", locale="en-US")
    await post(bot_url, scene.message("status trådløst nett"))
    [question] = await connector.wait_for(lambda a: a.type == "message")
    actions = json.loads(card_text(question))["actions"]
    phase_two = next(a for a in actions if "fase II" in a["title"])
    seen = len(connector.activities)
    await post(bot_url, scene.card_submit(phase_two["data"], reply_to_id="1"))
    [answer] = await connector.wait_for(lambda a: a.type == "message", since=seen)
    assert "Trådløst nett fase II" in answer.shown_text
    assert "grønn" in answer.shown_text, "a Norwegian question is answered in Norwegian"


async def test_welcome_card_on_install(bot_url: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [scene.member()]
    connector.teams = {scene.team_id: scene.team_details()}
    await post(bot_url, scene.install())
    [welcome] = await connector.wait_for(lambda a: a.type == "message")
    assert "porteføljeboten" in welcome.shown_text


async def test_reply_survives_429_and_503_from_the_connector(
        bot_url: str, connector: LocalConnector) -> None:
    connector.fail_next(429, retry_after=1)
    connector.fail_next(503)
    scene = TeamsScene(service_url=connector.url, scope="personal")
    status, _ = await post(bot_url, scene.message("status DHO"))
    assert status in (200, 201)
    replies = await connector.wait_for(lambda a: a.type == "message", timeout=10)
    assert len(replies) == 1, "delivered exactly once"
    assert "Prosessplattform" in replies[0].shown_text


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    ("{not json", "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ('{"type": "message"}', "application/json", 400),
    ('{"type": "message", "serviceUrl": "http://127.0.0.1:9", "conversation": {"id": 5}}',
     "application/json", 400),
    ("text=hello", "application/x-www-form-urlencoded", 415),
    ("[" * 5000 + "]" * 5000, "application/json", 400),
    ('{"type": "message", "text": "' + "x" * 300_000 + '"}', "application/json", 413),
])
async def test_malformed_requests_get_4xx(bot_url: str, body: str, content_type: str,
                                          expected: int) -> None:
    status, text = await post(bot_url, body, content_type)
    assert status == expected, text
    assert "Traceback" not in text


async def test_health_and_readiness(bot_url: str) -> None:
    base = bot_url.removesuffix("/api/messages")
    async with ClientSession() as client:
        async with client.get(base + "/healthz") as response:
            assert response.status == 200
        async with client.get(base + "/readyz") as response:
            body = await response.json()
            assert response.status == 200
            assert body["ready"] is True and body["snapshot_age_seconds"] >= 0
        _, page = await scrape(base)
        assert page.get("portfoliobot_sync_leader") == 1.0, "a bot alone on its database leads"
        assert page.get("portfoliobot_sync_failing") == 0.0


async def test_readyz_is_503_when_the_portfolio_cannot_be_read(tmp_path: Path) -> None:
    settings = replace(Settings.from_environment({"PORTFOLIOBOT_DATA_DIR": str(tmp_path)}),
                       portfolio_database_url="postgresql://nobody@127.0.0.1:9/none")
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as client, client.get(server.make_url("/readyz")) as response:
            assert response.status == 503
            assert (await response.json())["ready"] is False
    finally:
        await server.close()


