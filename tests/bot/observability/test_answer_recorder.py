"""One asker's unanswered questions are capped per day; who asked is never stored.

Over HTTP: two people ask questions the bot cannot answer; the first asks more than the cap.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.observability.answer_recorder import AnswerRecorder
from bot.observability.unanswered_store import UnansweredStore
from bot.storage.bot_database import open_bot_database
from knowledge.answers.answers import Language, NotUnderstood
from tests.bot.conftest import post, running_bot, settings_for
from tests.helpers import fetch

FIRST = "11111111-0000-4000-8000-00000000aaaa"
SECOND = "22222222-0000-4000-8000-00000000bbbb"


async def test_one_askers_flood_is_capped_per_day(demo_url: str, tmp_path: Path,
                                                  connector: LocalConnector) -> None:
    settings = settings_for(demo_url, tmp_path)
    settings = replace(settings, retention=replace(settings.retention,
                                                   unanswered_per_asker_per_day=3))
    flooder = TeamsScene(service_url=connector.url, aad_object_id=FIRST)
    other = TeamsScene(service_url=connector.url, aad_object_id=SECOND)
    async with running_bot(settings) as url:
        for number in range(6):
            await post(url, flooder.message(f"blorp zyx {number}"))
        for number in range(2):
            await post(url, other.message(f"qwerty plonk {number}"))
        await connector.wait_for(8, timeout=15)
    kept = await fetch(settings.bot_database_url, "SELECT text FROM unanswered_question")
    texts = sorted(row[0] for row in kept)
    assert texts == ["blorp zyx 0", "blorp zyx 1", "blorp zyx 2",
                     "qwerty plonk 0", "qwerty plonk 1"]
    columns = await fetch(settings.bot_database_url, "SELECT * FROM unanswered_question")
    assert not any(FIRST in str(row) or SECOND in str(row) for row in columns)


async def test_the_cap_starts_again_the_next_day(tmp_path: Path) -> None:
    database = await open_bot_database(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        day = [date(2026, 12, 1)]
        recorder = AnswerRecorder(None, UnansweredStore(database), per_asker_per_day=1,
                                  today=lambda: day[0])
        answer = NotUnderstood(Language.NB)
        await recorder(answer, "første", FIRST)
        await recorder(answer, "andre", FIRST)
        day[0] = date(2026, 12, 2)
        await recorder(answer, "tredje", FIRST)
        rows = await fetch(f"sqlite:///{tmp_path / 'bot.db'}",
                           "SELECT text FROM unanswered_question ORDER BY id")
        assert rows == [("første",), ("tredje",)]
    finally:
        await database.close()
