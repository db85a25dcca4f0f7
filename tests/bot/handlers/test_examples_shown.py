"""What the bot suggests names the connected portfolio, never the demo's (issue 13 item 2).

Through HTTP and the connector stand-in, on SQLite and PostgreSQL: the bot serves a generated
portfolio that shares no name with the demo; every reply that suggests something (the welcome,
the help, "did not understand", not found, "none of these", the subscription help) is read in
full (card and summary) and must name nothing of the demo's; each example button of the welcome
card, pressed, is answered about the project, person or programme it names.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import exchange, running_bot, settings_for
from tests.knowledge.answers.other_portfolio import names_of, other_portfolio

PORTFOLIO = other_portfolio(11, projects=40)


@pytest.fixture
async def other_bot(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    await load_portfolio(database_url, PORTFOLIO)
    async with running_bot(settings_for(database_url, tmp_path)) as url:
        yield url


def shown(message: RecordedActivity) -> str:
    """Everything a person could read of a message: its card(s) and its text or summary."""
    return f"{message.shown_text}\n{message.adaptive_cards}"


def foreign_names(text: str) -> list[str]:
    ours = {name.casefold() for name in names_of(PORTFOLIO)}
    return sorted(name for name in names_of(demo_portfolio())
                  if len(name) > 2 and name.casefold() not in ours
                  and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE))


def buttons(message: RecordedActivity) -> list[dict[str, Any]]:
    return [action for card in message.adaptive_cards for action in card.get("actions", [])]


async def test_suggestions_name_only_the_connected_portfolio(
        other_bot: str, connector: LocalConnector) -> None:
    user = TeamsScene(service_url=connector.url)
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [user.member(), channel.member()]
    english = user.with_options(locale="en-US")
    welcome = await exchange(other_bot, connector, user.install())
    replies = {
        "welcome": welcome,
        "help": await exchange(other_bot, connector, user.message("hjelp")),
        "help in English": await exchange(other_bot, connector, english.message("help")),
        "not understood": await exchange(other_bot, connector,
                                         user.message("blåbærsyltetøy med vafler")),
        "not found": await exchange(other_bot, connector,
                                    user.message("Hvem eier robotkirurgi sengepost?")),
        "subscription help": await exchange(other_bot, connector, channel.message("abonner")),
    }
    clarification = await exchange(other_bot, connector, user.message("status Havørn"))
    [none] = [b["data"] for b in buttons(clarification) if b["title"] == "Ingen av disse"]
    replies["none of these"] = await exchange(other_bot, connector, user.card_submit(
        none, reply_to_id=clarification.activity_id))
    named = {kind: foreign_names(shown(reply)) for kind, reply in replies.items()}
    assert not any(named.values()), named
    assert "NK-" in replies["none of these"].shown_text, "a code of this portfolio to try"
    assert "abonner" in replies["subscription help"].shown_text

    examples = buttons(welcome)
    assert len(examples) == 6, examples
    ours = names_of(PORTFOLIO)
    for button in examples:
        question = button["title"]
        answer = await exchange(other_bot, connector, user.card_submit(
            button["data"], reply_to_id=welcome.activity_id))
        text = answer.shown_text
        assert not re.search(r"forstod jeg ikke|fant ikke|passer til flere", text), (
            question, text)
        mentioned = [name for name in ours if name in question]
        assert all(name in text for name in mentioned), (question, text)
