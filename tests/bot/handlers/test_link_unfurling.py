"""Links to projects (issue 16, item 2): with PORTFOLIO_PROJECT_URL set, a pasted link to a
project's page unfurls into its card over HTTP (`composeExtension/queryLink`, card 1.3), any
other link does not, and every project card has a button to the page."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.cards.project_links import LinkTemplateError, ProjectLinks
from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import exchange, post, running_bot, settings_for

TEMPLATE = "https://portefolje.example.no/prosjekt/{code}"


def link_query(scene: TeamsScene, url: Any) -> dict[str, Any]:
    body = scene.search_query("x")
    body["name"] = "composeExtension/queryLink"
    body["value"] = {"url": url}
    return body


@pytest.fixture
async def linked_bot(tmp_path: Path) -> Any:
    portfolio = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(portfolio, demo_portfolio())
    settings = replace(settings_for(portfolio, tmp_path), portfolio_project_url=TEMPLATE)
    async with running_bot(settings) as url:
        yield url


async def unfurl(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    status, text = await post(url, body)
    assert status == 200, (status, text)
    result = json.loads(text)["composeExtension"]
    assert result["type"] == "result"
    attachments: list[dict[str, Any]] = result["attachments"]
    return attachments


async def test_a_link_to_a_project_unfurls_into_its_card(linked_bot: str,
                                                         connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url)
    for link in ("https://portefolje.example.no/prosjekt/RP-007",
                 "https://PORTEFOLJE.example.no/prosjekt/rp-007/"):
        [item] = await unfurl(linked_bot, link_query(scene, link))
        card = item["content"]
        assert card["version"] == "1.3" and "(RP-007)" in json.dumps(card, ensure_ascii=False)
        assert {"type": "Action.OpenUrl", "title": "Åpne i porteføljen",
                "url": "https://portefolje.example.no/prosjekt/RP-007"} in card["actions"]
        assert item["preview"]["content"]["title"].endswith("(RP-007)")


@pytest.mark.parametrize("link", [
    "https://portefolje.example.no/prosjekt/XX-999",          # no such project
    "https://evil.example/prosjekt/RP-007",                   # another site
    "https://portefolje.example.no/annet/RP-007",             # another page
    "http://portefolje.example.no/prosjekt/RP-007",           # not https
    5, None, "x" * 3000,
])
async def test_any_other_link_is_left_as_it_is(linked_bot: str, connector: LocalConnector,
                                               link: Any) -> None:
    scene = TeamsScene(service_url=connector.url)
    assert await unfurl(linked_bot, link_query(scene, link)) == []


async def test_project_answers_have_a_button_to_the_project_page(
        linked_bot: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url)
    reply = await exchange(linked_bot, connector, scene.message("Hvem eier DHO?"))
    [card] = reply.adaptive_cards
    assert {"type": "Action.OpenUrl", "title": "Åpne i porteføljen",
            "url": "https://portefolje.example.no/prosjekt/RP-003"} in card["actions"]
    listed = await exchange(linked_bot, connector, scene.message("Hvilke prosjekter er røde?"))
    assert not any(a.get("type") == "Action.OpenUrl"
                   for c in listed.adaptive_cards for a in c.get("actions", []))


async def test_without_the_setting_links_are_not_unfurled(bot_url: str,
                                                          connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url)
    assert await unfurl(bot_url, link_query(
        scene, "https://portefolje.example.no/prosjekt/RP-007")) == []


@pytest.mark.parametrize("template", [
    "http://portefolje.example.no/prosjekt/{code}", "https://portefolje.example.no/prosjekt",
    "https://{code}.example.no/", "https://x.no/{code}/{code}", "portefolje/{code}"])
def test_a_template_that_cannot_make_links_is_refused(template: str) -> None:
    with pytest.raises(LinkTemplateError):
        ProjectLinks(template)


def test_a_code_round_trips_through_its_link() -> None:
    links = ProjectLinks("https://p.example.no/vis?prosjekt={code}&fane=status")
    assert links.url_for("RP 7/x") == "https://p.example.no/vis?prosjekt=RP%207%2Fx&fane=status"
    assert links.code_in(links.url_for("RP-007")) == "RP-007"
    assert links.domain == "p.example.no"
