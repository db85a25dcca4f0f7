"""Cards that stay current (issue 16, item 3) over HTTP: a status card posted before a lead's
new status shows the new one when Teams refreshes it (`adaptiveCard/action`, verb
refreshProject), and anything else gets a card or error body, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from tests.bot.conftest import exchange, post

MAGNUS = "00c96072-3988-5779-ad96-54b2cf043bfb"   # manager of ST-007 in the demo


async def refreshed(url: str, scene: TeamsScene, data: Any, verb: str = "refreshProject"
                    ) -> tuple[int, dict[str, Any]]:
    status, text = await post(url, scene.card_action(verb, data, reply_to_id="1764000000009"))
    return status, json.loads(text)


async def test_a_posted_status_card_shows_the_new_status_when_refreshed(
        bot_url: str, connector: LocalConnector) -> None:
    reader = TeamsScene(service_url=connector.url)
    card = (await exchange(bot_url, connector,
                           reader.message("Hva er status på trådløst nett fase II?"))
            ).adaptive_cards[0]
    assert card["version"] == "1.5" and "grønn" in json.dumps(card, ensure_ascii=False)
    refresh = card["refresh"]["action"]
    assert refresh["type"] == "Action.Execute" and refresh["verb"] == "refreshProject"
    [button] = [a for a in card["actions"] if a["type"] == "Action.Execute"]
    assert button["title"] == "Oppdater" and button["fallback"]["type"] == "Action.Submit"
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    stored = await exchange(bot_url, connector, lead.message(
        "status ST-007: rød – leverandøren har stanset arbeidet"))
    assert "lagret" in stored.shown_text.lower()
    status, body = await refreshed(bot_url, reader, refresh["data"])
    assert status == 200 and body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    shown = json.dumps(body["value"], ensure_ascii=False)
    assert "rød" in shown and "leverandøren har stanset arbeidet" in shown
    assert body["value"]["refresh"]["action"]["data"] == refresh["data"]


@pytest.mark.parametrize(("verb", "data", "says"), [
    ("refreshProject", {"project": "XX-999", "view": "status", "lang": "nb"},
     "finnes ikke lenger"),
    ("refreshProject", {"project": "ST-007", "view": "everything", "lang": "nb"},
     "kan ikke oppdateres"),
    ("deleteProject", {"project": "ST-007", "view": "status"}, "kan ikke oppdateres"),
    ("refreshProject", "not an object", "kan ikke oppdateres"),
])
async def test_what_cannot_be_refreshed_gets_a_card_saying_so(
        bot_url: str, connector: LocalConnector, verb: str, data: Any, says: str) -> None:
    status, body = await refreshed(bot_url, TeamsScene(service_url=connector.url), data, verb)
    assert status == 200 and body["statusCode"] == 200
    assert says in json.dumps(body["value"], ensure_ascii=False)
