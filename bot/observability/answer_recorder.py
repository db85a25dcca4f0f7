"""What the handler's `on_answer` calls for every answer it sends (`AnswerRecorder`): count the
answer in the metrics and keep the question when the bot could not answer it.

Who asked is never stored. To keep one person's flood of questions from crowding out
everyone else's (the table is capped as a whole), each process keeps at most
`per_asker_per_day` unanswered questions of one asker per UTC day, counted in memory under a
digest of the asker's id that is forgotten at the end of the day.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

from bot.observability.metrics import UNANSWERED_ANSWERS, BotMetrics
from bot.observability.unanswered_store import UnansweredStore
from knowledge.answers.answers import Answer


class AnswerRecorder:
    """The handler's `on_answer`: counts every answer, stores the unanswered questions."""

    def __init__(self, metrics: BotMetrics | None, store: UnansweredStore | None, *,
                 per_asker_per_day: int = 50,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self.metrics = metrics
        self.store = store
        self.per_asker_per_day = per_asker_per_day
        self.today = today
        self._day: date | None = None
        self._kept: Counter[str] = Counter()

    async def __call__(self, answer: Answer, question: str | None,
                       asker: str | None = None) -> None:
        if self.metrics is not None:
            self.metrics.count_answer(answer)
        if self.store is not None and question and isinstance(answer, UNANSWERED_ANSWERS) \
                and self._may_keep(asker):
            await self.store.record(question, answer.language.value)

    def _may_keep(self, asker: str | None) -> bool:
        """Whether this asker's question may be kept today (counting it if so)."""
        day = self.today()
        if day != self._day:
            self._day, self._kept = day, Counter()
        key = hashlib.sha256((asker or "").encode("utf-8", "surrogatepass")).hexdigest()
        if self._kept[key] >= self.per_asker_per_day:
            return False
        self._kept[key] += 1
        return True
