"""What the handler's `on_answer` calls for every answer it sends (`AnswerRecorder`): count the
answer in the metrics and keep the question when the bot could not answer it."""

from __future__ import annotations

from bot.observability.metrics import UNANSWERED_ANSWERS, BotMetrics
from bot.observability.unanswered_store import UnansweredStore
from knowledge.answers.answers import Answer


class AnswerRecorder:
    """The handler's `on_answer`: counts every answer, stores the unanswered questions."""

    def __init__(self, metrics: BotMetrics | None, store: UnansweredStore | None) -> None:
        self.metrics = metrics
        self.store = store

    async def __call__(self, answer: Answer, question: str | None) -> None:
        if self.metrics is not None:
            self.metrics.count_answer(answer)
        if self.store is not None and question and isinstance(answer, UNANSWERED_ANSWERS):
            await self.store.record(question, answer.language.value)
