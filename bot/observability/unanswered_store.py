"""Questions the bot could not answer, kept to improve it: the `unanswered_question` table.

When a question gets a NotFound or NotUnderstood answer (`bot.observability.answer_recorder`),
its text (at most `MAX_TEXT_CHARACTERS`, the bot's @mention already removed), the reply
language and the time are stored; never a user id, a name or a conversation id. Rows older
than their retention (`RETENTION_DAYS` unless set) are purged, and only the newest
`MAX_QUESTIONS` kept (`purge_unanswered`, `cap_unanswered`, run by `bot.storage.retention`).
With nothing stored about who asked, the cap is on the table, not per user: one user asking
thousands of questions pushes out the oldest of everyone's.
`portfoliobot unanswered [--days 90] [--top 20]` lists the most frequent ones, grouped by their
folded text (`knowledge.language.text.fold`, whitespace collapsed), so `Hvem eier Marsferd?` and
`hvem  eier marsferd?` count as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.bot_database import BotDatabase
from bot.storage.schema import unanswered_question
from knowledge.language.text import fold, storable

MAX_TEXT_CHARACTERS = 500
RETENTION_DAYS = 90
MAX_QUESTIONS = 10_000


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

    async def purge_unanswered(self, older_than_days: int = RETENTION_DAYS, *,
                               batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the questions asked more than `older_than_days` days ago, in batches; how
        many."""
        cutoff = self.database.clock() - timedelta(days=older_than_days)
        return await delete_in_batches(self.database.engine, unanswered_question,
                                       unanswered_question.c.asked_at < cutoff,
                                       batch_size=batch_size)

    async def cap_unanswered(self, keep: int = MAX_QUESTIONS, *,
                             batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete all but the `keep` newest questions, in batches; how many."""
        if keep < 0:
            raise ValueError(f"keep must not be negative, not {keep}")
        asked_at, row_id = unanswered_question.c.asked_at, unanswered_question.c.id
        async with self.database.engine.connect() as connection:
            newest_dropped = (await connection.execute(
                select(asked_at, row_id).order_by(asked_at.desc(), row_id.desc())
                .offset(keep).limit(1))).first()
        if newest_dropped is None:
            return 0
        moment, last_id = newest_dropped
        return await delete_in_batches(
            self.database.engine, unanswered_question,
            or_(asked_at < moment, and_(asked_at == moment, row_id <= last_id)),
            batch_size=batch_size)

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
