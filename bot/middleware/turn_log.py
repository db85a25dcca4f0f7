"""One log line per turn: activity type, scope, outcome and duration. Never the message text.

Given a `BotMetrics`, each turn is also counted (`portfoliobot_turns_total`) and timed
(`portfoliobot_turn_seconds`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext

from bot.observability.metrics import BotMetrics

log = logging.getLogger("portfoliobot.turn")


class TurnLog(Middleware):  # type: ignore[misc]
    def __init__(self, metrics: BotMetrics | None = None) -> None:
        self.metrics = metrics

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            await logic()
        except BaseException:
            outcome = "error"
            raise
        finally:
            activity = context.activity
            scope = getattr(activity.conversation, "conversation_type", None) or "personal"
            seconds = time.perf_counter() - started
            duration_ms = round(seconds * 1000, 1)
            log.info("turn type=%s scope=%s outcome=%s duration_ms=%.1f", activity.type, scope,
                     outcome, duration_ms, extra={"turn": {
                         "type": activity.type, "scope": scope, "outcome": outcome,
                         "duration_ms": duration_ms}})
            if self.metrics is not None:
                self.metrics.observe_turn(activity.type, outcome, seconds)
