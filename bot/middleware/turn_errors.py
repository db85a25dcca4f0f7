"""The one turn-error handler: log with the traceback, tell the user, keep the conversation usable.

A database that cannot be reached (the bot's own, or the portfolio's when a status update is
written) gets its own apology, so the user knows to try again rather than rephrase.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.cards.plain import language_of, plain_message
from knowledge.answers.phrases import say

log = logging.getLogger("portfoliobot.turn")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it, e.g. behind a `StatusWriteError`) says a database
    could not be reached or read, rather than that a statement was wrong."""
    current: BaseException | None = error
    for _ in range(6):   # a short chain of causes is enough; never loop on a cycle
        if current is None:
            return False
        if isinstance(current, DBAPIError) and not isinstance(
                current, IntegrityError | ProgrammingError | DataError):
            return True   # OperationalError, InterfaceError, a dropped connection …
        if isinstance(current, PoolTimeoutError | ConnectionError):
            return True
        current = current.__cause__ or current.__context__
    return False


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log `error` with its traceback and send a short apology in the user's language."""
    activity = context.activity
    log.error("turn failed (%s in conversation %s): %s", getattr(activity, "type", "?"),
              getattr(getattr(activity, "conversation", None), "id", "?"), error,
              exc_info=error)
    language = language_of(activity)
    key = "database_unavailable" if database_unavailable(error) else "turn_error"
    try:
        await context.send_activity(plain_message(say(key, language), language))
    except Exception as send_error:  # the connector itself may be what failed
        log.error("could not tell the user about the failed turn: %s", send_error)
