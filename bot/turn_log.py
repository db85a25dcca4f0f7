"""One log line per turn: activity type, scope, outcome and duration. Never the message text."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext

log = logging.getLogger("portfoliobot.turn")


class TurnLog(Middleware):  # type: ignore[misc]
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
            log.info("turn type=%s scope=%s outcome=%s duration_ms=%.1f", activity.type, scope,
                     outcome, (time.perf_counter() - started) * 1000)
