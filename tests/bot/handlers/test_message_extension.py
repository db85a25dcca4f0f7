"""The compose box's project search over HTTP (issue 16, item 1): `composeExtension/query`
invokes answered with the result list Teams shows, from the same matcher as questions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.demo_database import demo_portfolio
from tests.bot.conftest import post

TEAMS_RESULT_BYTES = 28 * 1024


async def search(url: str, body: dict[str, Any]) -> dict[str, Any]:
    status, text = await post(url, body)
    assert status == 200, (status, text)
    result = json.loads(text)["composeExtension"]
    assert isinstance(result, dict)
    return result


def titles(result: dict[str, Any]) -> list[str]:
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    return [item["preview"]["content"]["title"] for item in result["attachments"]]


@pytest.mark.parametrize(("typed", "first"), [
    ("Digital patologi", "Digital patologi (RP-002)"),
    ("digtal patologi", "Digital patologi (RP-002)"),      # a typo
    ("RP-007", "Regional løsning for helselogistikk (RP-007)"),
    ("Nina Dahl", "Regional løsning for helselogistikk (RP-007)"),   # a person's project
    ("skannere", "Digital patologi (RP-002)"),             # a topic
])
async def test_typing_lists_matching_projects_best_first(
        bot_url: str, connector: LocalConnector, typed: str,
                                                         first: str) -> None:
    result = await search(bot_url, TeamsScene(service_url=connector.url).search_query(typed))
    assert titles(result)[0] == first
    item = result["attachments"][0]
    card = item["content"]
    assert item["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard" and first in json.dumps(card, ensure_ascii=False)
    assert item["preview"]["contentType"] == "application/vnd.microsoft.card.hero"
    for each in result["attachments"]:
        assert len(json.dumps(each, ensure_ascii=False).encode()) < TEAMS_RESULT_BYTES


async def test_the_preview_shows_health_and_manager(
        bot_url: str, connector: LocalConnector) -> None:
    result = await search(bot_url, TeamsScene(service_url=connector.url).search_query("helselogistikk"))
    preview = result["attachments"][0]["preview"]["content"]
    assert preview["title"] == "Regional løsning for helselogistikk (RP-007)"
    assert preview["subtitle"] == "gul · Nina Dahl"


async def test_the_opening_search_lists_the_callers_own_projects_first(
        bot_url: str, connector: LocalConnector) -> None:
    mine = TeamsScene(service_url=connector.url,
                      aad_object_id="00c96072-3988-5779-ad96-54b2cf043bfb")   # Magnus Eriksen
    listed = titles(await search(bot_url, mine.search_query(None, initial_run=True)))
    demo = demo_portfolio()
    [magnus] = [p["id"] for p in demo["person"] if p["full_name"] == "Magnus Eriksen"]
    his = {f"{p['name']} ({p['code']})" for p in demo["project"]
           if magnus in (p["owner_id"], p["manager_id"])}
    assert his and set(listed[:len(his)]) == his, listed
    stranger = TeamsScene(service_url=connector.url, aad_object_id="00000000-0000-4000-8000-00000000abcd")
    assert titles(await search(bot_url, stranger.search_query("", initial_run=True)))


@pytest.mark.parametrize("typed", ["qqqzzzxx", "x" * 200, "'; DROP TABLE project;--"])
async def test_nothing_found_says_so(
        bot_url: str, connector: LocalConnector, typed: str) -> None:
    result = await search(bot_url, TeamsScene(service_url=connector.url).search_query(typed))
    assert result["type"] == "message" and "Ingen prosjekter passer" in result["text"]


async def test_an_unknown_command_is_answered_not_failed(
        bot_url: str, connector: LocalConnector) -> None:
    result = await search(bot_url, TeamsScene(service_url=connector.url).search_query("DHO", command_id="fetchStuff"))
    assert result["type"] == "message"
