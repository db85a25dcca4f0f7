"""The one turn-error handler: log with the traceback, tell the user, keep the conversation usable."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext

from bot.handler import language_of, plain_message
from knowledge.phrases import say

log = logging.getLogger("portfoliobot.turn")


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log `error` with its traceback and send a short apology in the user's language."""
    activity = context.activity
    log.error("turn failed (%s in conversation %s): %s", getattr(activity, "type", "?"),
              getattr(getattr(activity, "conversation", None), "id", "?"), error,
              exc_info=error)
    language = language_of(activity)
    try:
        await context.send_activity(plain_message(say("turn_error", language), language))
    except Exception as send_error:  # the connector itself may be what failed
        log.error("could not tell the user about the failed turn: %s", send_error)
