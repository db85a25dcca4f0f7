"""A typing indicator for turns that take longer than a moment.

botbuilder's own ShowTypingMiddleware leaves its timers running when the turn raises and
schedules fire-and-forget tasks; this one keeps its task and stops it when the turn ends
however it ends: it sets the task's stop flag and cancels it, so a cancellation that a send
in flight turns into an ordinary error (aiohttp can, when its timeout fires at the same
moment) still ends the loop instead of leaving the turn waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.tasks import stop_task

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
        stop = asyncio.Event()
        task = asyncio.create_task(self._keep_typing(context, stop))
        try:
            await logic()
        finally:
            stop.set()
            await stop_task(task)

    async def _keep_typing(self, context: TurnContext, stop: asyncio.Event) -> None:
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
            if stop.is_set():   # the turn ended while this send was in flight
                return
            await asyncio.sleep(self.period)
