"""A typing indicator for turns that take longer than a moment.

botbuilder's own ShowTypingMiddleware leaves its timers running when the turn raises and
schedules fire-and-forget tasks; this one keeps its task, and cancels it when the turn ends
however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

log = logging.getLogger("portfoliobot.turn")


class TypingIndicator(Middleware):  # type: ignore[misc]
    """Sends `typing` after `delay` seconds of a message turn, then every `period` seconds."""

    def __init__(self, delay: float = 0.7, period: float = 3.0) -> None:
        self.delay = delay
        self.period = period

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        if context.activity.type != ActivityTypes.message:
            await logic()
            return
        task = asyncio.create_task(self._keep_typing(context))
        try:
            await logic()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _keep_typing(self, context: TurnContext) -> None:
        await asyncio.sleep(self.delay)
        while True:
            typing = TurnContext.apply_conversation_reference(
                Activity(type=ActivityTypes.typing),
                TurnContext.get_conversation_reference(context.activity),
            )
            try:
                await context.adapter.send_activities(context, [typing])
            except Exception as error:  # a lost typing indicator must never fail the turn
                log.debug("typing indicator not sent: %s", error)
            await asyncio.sleep(self.period)
