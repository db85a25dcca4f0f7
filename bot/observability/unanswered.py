"""Questions the bot could not answer, kept to improve it: `unanswered_question`.

When a question gets a NotFound or NotUnderstood answer, its text (at most
`MAX_TEXT_CHARACTERS`, the bot's @mention already removed), the reply language and the time
are stored; never a user id, a name or a conversation id. Rows older than `RETENTION_DAYS`
are purged: once when the bot starts and then once a day by a kept task (`purge_forever`,
started and cancelled by `bot.web.app`). `portfoliobot unanswered [--days 90] [--top 20]` lists
the most frequent ones, grouped by their folded text (`knowledge.language.text.fold`, whitespace
collapsed), so `Hvem eier Marsferd?` and `hvem  eier marsferd?` count as one.

`AnswerRecorder` is what the handler's `on_answer` calls for every answer it sends: it
counts the answer in the metrics and stores the unanswered ones.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from bot.observability.metrics import UNANSWERED_ANSWERS, BotMetrics
from bot.storage.bot_database import BotDatabase
from bot.storage.schema import unanswered_question
from knowledge.answers.answers import Answer
from knowledge.language.text import fold, storable

log = logging.getLogger("portfoliobot.unanswered")

MAX_TEXT_CHARACTERS = 500
RETENTION_DAYS = 90
PURGE_INTERVAL_SECONDS = 24 * 60 * 60.0


def group_key(text: str) -> str:
    """The text questions are grouped by: folded, whitespace collapsed."""
    return " ".join(fold(text).split())


@dataclass(frozen=True)
class FrequentQuestion:
    text: str        # the most common way it was written (the earliest of equals)
    count: int
    language: str


class UnansweredStore:
    """The `unanswered_question` table."""

    def __init__(self, database: BotDatabase) -> None:
        self.database = database

    async def record(self, text: str, language: str) -> bool:
        """Store one unanswered question verbatim (NUL and unpaired surrogates, which no
        database holds, as U+FFFD); False (nothing stored) for blank text."""
        text = storable(text.strip()[:MAX_TEXT_CHARACTERS])
        if not text:
            return False
        async with self.database.engine.begin() as connection:
            await connection.execute(unanswered_question.insert().values(
                text=text, language=language, asked_at=self.database.clock()))
        return True

    async def purge_unanswered(self, older_than_days: int = RETENTION_DAYS) -> int:
        """Delete the questions asked more than `older_than_days` days ago; how many."""
        cutoff = self.database.clock() - timedelta(days=older_than_days)
        async with self.database.engine.begin() as connection:
            result = await connection.execute(
                delete(unanswered_question).where(unanswered_question.c.asked_at < cutoff))
        return int(result.rowcount)

    async def frequent(self, days: int = RETENTION_DAYS, top: int = 20) -> list[FrequentQuestion]:
        """The `top` most frequent questions of the last `days` days, most frequent first."""
        cutoff = self.database.clock() - timedelta(days=days)
        statement = (select(unanswered_question.c.text, unanswered_question.c.language)
                     .where(unanswered_question.c.asked_at >= cutoff)
                     .order_by(unanswered_question.c.asked_at, unanswered_question.c.id))
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        groups: dict[str, dict[tuple[str, str], int]] = {}
        for text, language in rows:
            spellings = groups.setdefault(group_key(str(text)), {})
            spellings[(str(text), str(language))] = spellings.get((str(text), str(language)), 0) + 1
        found: list[FrequentQuestion] = []
        for spellings in groups.values():
            # dicts keep insertion order, so among equally common spellings the first wins
            (text, language), _ = max(spellings.items(), key=lambda item: item[1])
            found.append(FrequentQuestion(text, sum(spellings.values()), language))
        found.sort(key=lambda question: (-question.count, group_key(question.text)))
        return found[:max(top, 0)]


async def purge_forever(store: UnansweredStore, interval: float = PURGE_INTERVAL_SECONDS,
                        older_than_days: int = RETENTION_DAYS) -> None:
    """Purge every `interval` seconds (the first after one interval: start-up has purged
    already); a failure is logged, never ends the loop."""
    while True:
        await asyncio.sleep(interval)
        try:
            purged = await store.purge_unanswered(older_than_days)
            if purged:
                log.info("purged %d unanswered question(s) older than %d days", purged,
                         older_than_days)
        except Exception:
            log.exception("purging unanswered questions failed")


class AnswerRecorder:
    """The handler's `on_answer`: counts every answer, stores the unanswered questions."""

    def __init__(self, metrics: BotMetrics | None, store: UnansweredStore | None) -> None:
        self.metrics = metrics
        self.store = store

    async def __call__(self, answer: Answer, question: str | None) -> None:
        intent = type(answer).__name__
        if self.metrics is not None:
            self.metrics.count_answer(intent)
        if self.store is not None and question and intent in UNANSWERED_ANSWERS:
            await self.store.record(question, answer.language.value)
