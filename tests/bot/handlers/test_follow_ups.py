"""Follow-up questions over HTTP (issue 15): the subject per person per conversation.

The real app answers Teams-shaped activities through the connector stand-in; the subject
lives in the bot database, so a second app on the same database (another replica) answers a
follow-up to a question the first one answered. In a channel thread one person's subject is
not another's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.storage.conversation_memory import FLUSH_AFTER
from bot.storage.schema import conversation_memory
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import exchange, running_bot, settings_for

THREAD = "1764000000001"


def async_url(url: str) -> str:
    return url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)


async def memories_held(url: str) -> int:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(
                select(func.count()).select_from(conversation_memory))).scalar_one())
    finally:
        await engine.dispose()


async def test_a_follow_up_resolves_to_the_last_subject_on_either_replica(
        tmp_path: Path, connector: LocalConnector) -> None:
    portfolio = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(portfolio, demo_portfolio())
    bot_db = f"sqlite:///{tmp_path / 'bot.db'}"
    scene = TeamsScene(service_url=connector.url)
    async with running_bot(settings_for(portfolio, tmp_path / "one", bot_db)) as one, \
            running_bot(settings_for(portfolio, tmp_path / "two", bot_db)) as two:
        first = await exchange(one, connector, scene.message("Hvem eier helselogistikk?"))
        assert "Hilde Johansen" in first.shown_text
        # A replica writes the memories of a few milliseconds together (FLUSH_AFTER); a person
        # types the follow-up seconds later, when the other replica reads it from the database.
        await asyncio.sleep(FLUSH_AFTER * 5)
        follow = await exchange(two, connector, scene.message("og hvem er prosjektleder?"))
        assert "Nina Dahl" in follow.shown_text and "(RP-007)" in follow.shown_text
        await asyncio.sleep(FLUSH_AFTER * 5)
        end = await exchange(one, connector, scene.message("når skal det være ferdig?"))
        assert "31.12.2027" in end.shown_text
        thanks = await exchange(two, connector, scene.message("takk!"))
        assert "Nina Dahl" not in thanks.shown_text
    assert await memories_held(bot_db) == 1, "one person, one conversation, one row"


async def test_in_a_channel_thread_each_person_has_their_own_subject(
        tmp_path: Path, connector: LocalConnector) -> None:
    portfolio = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(portfolio, demo_portfolio())
    ann = TeamsScene(service_url=connector.url, scope="channel", user_name="Ann Berg",
                     aad_object_id="6f1c1f70-0000-4000-8000-000000000001")
    bob = ann.with_options(user_name="Bob Dahl", aad_object_id="6f1c1f70-0000-4000-8000-000000000002")
    async with running_bot(settings_for(portfolio, tmp_path)) as url:
        said = await exchange(url, connector, ann.message("Hvem eier helselogistikk?",
                                                          thread_id=THREAD))
        assert "Hilde Johansen" in said.shown_text
        other = await exchange(url, connector, bob.message("og hvem leder det?",
                                                           thread_id=THREAD))
        assert "Nina Dahl" not in other.shown_text and "RP-007" not in other.shown_text
        bobs = await exchange(url, connector, bob.message("Hvem eier DHO?", thread_id=THREAD))
        assert "RP-003" in bobs.shown_text
        anns = await exchange(url, connector, ann.message("og status?", thread_id=THREAD))
        assert "RP-007" in anns.shown_text and "gul" in anns.shown_text
        bob_status = await exchange(url, connector, bob.message("og status?", thread_id=THREAD))
        assert "RP-003" in bob_status.shown_text


async def test_a_clarification_is_answered_by_typing_and_a_list_continues(
        bot_url: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url)
    asked = await exchange(bot_url, connector, scene.message("status trådløst nett"))
    assert "1. Trådløst nett fase II" in asked.shown_text
    picked = await exchange(bot_url, connector, scene.message("nummer to"))
    assert "Trådløst nett fase I (ST-008)" in picked.shown_text
    listed = await exchange(bot_url, connector, scene.message("Hvilke prosjekter er overført?"))
    assert "12 prosjekter" in listed.shown_text and "og 2 til" in listed.shown_text
    more = await exchange(bot_url, connector, scene.message("vis flere"))
    assert "Prosjekt 11–12 av 12" in more.shown_text and "(ST-007)" in more.shown_text
    assert "(RP-001)" not in more.shown_text
