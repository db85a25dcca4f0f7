"""The one order in which a message is tried, and which route takes each command of the table.

A message (its text without the @mention) is offered to the routes in `ORDER`; the first that
takes it answers it:

    1. DIALOG        the sender's running status dialog: a cancel word (`avbryt`, `avslutt`)
                     ends it, anything else answers its question; `oppdater status` starts one
    2. HELP          `hjelp`: what the bot answers, with its commands
    3. STATUS_FORM   `statusskjema`: the one-click status form
    4. SUBSCRIPTION  `abonner …`, `abonnementer`, `avslutt abonnement …`
    5. STATUS        `angre`, `mine prosjekter`, `status <prosjekt>: <helse> – <oppsummering>`
    6. QUESTION      everything else: the answerer

DIALOG and QUESTION are offered every message. Each route between them is offered only the
messages of its own commands (`ROUTE_OF`, keyed by the command table
`knowledge.commands.command_words`). No message is for two commands, so the order of those
routes among themselves changes nothing; what matters is that a running dialog comes first
(in the middle of one, `avslutt` cancels it and `avslutt abonnement DHO` is the answer to its
question) and questions last. A route may decline a message of its commands (`status
trådløst nett fase 2` is not an update; without a database there is no status desk): the
message then goes on, and ends as a question.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from botbuilder.core import TurnContext

from bot.handlers.status_desk import Sender
from knowledge.answers.answers import Answer, Language
from knowledge.commands.command_words import CommandMatch, CommandName, command_for
from knowledge.language.understanding import understand

log = logging.getLogger("portfoliobot.turn")


class RouteName(enum.StrEnum):
    DIALOG = "dialog"
    HELP = "help"
    STATUS_FORM = "status_form"
    SUBSCRIPTION = "subscription"
    STATUS = "status"
    QUESTION = "question"


ORDER: tuple[RouteName, ...] = tuple(RouteName)
OFFERED_EVERY_MESSAGE = frozenset({RouteName.DIALOG, RouteName.QUESTION})
ROUTE_OF: Mapping[CommandName, RouteName] = {
    CommandName.START_STATUS_DIALOG: RouteName.DIALOG,
    CommandName.CANCEL: RouteName.DIALOG,       # only while a dialog runs; else a question
    CommandName.CONFIRM: RouteName.DIALOG,      # likewise
    CommandName.DECLINE: RouteName.DIALOG,      # likewise
    CommandName.HELP: RouteName.HELP,
    CommandName.STATUS_FORM: RouteName.STATUS_FORM,
    CommandName.SUBSCRIBE: RouteName.SUBSCRIPTION,
    CommandName.LIST_SUBSCRIPTIONS: RouteName.SUBSCRIPTION,
    CommandName.UNSUBSCRIBE: RouteName.SUBSCRIPTION,
    CommandName.UNDO: RouteName.STATUS,
    CommandName.MY_PROJECTS: RouteName.STATUS,
    CommandName.POST_STATUS: RouteName.STATUS,
    CommandName.ASK_OWNER: RouteName.QUESTION,
    CommandName.ASK_MANAGER: RouteName.QUESTION,
    CommandName.ASK_STATUS: RouteName.QUESTION,
    CommandName.ASK_RED: RouteName.QUESTION,
}
# Replies with an answer (its card, the data-age note, the answer callback): the handler's.
Reply = Callable[[TurnContext, Answer], Awaitable[None]]


@dataclass(slots=True)
class Turn:
    """One message on its way through the routes."""

    context: TurnContext
    text: str                       # without the @mention
    conversation_key: str           # the conversation subscriptions belong to
    command: CommandMatch | None    # the command of the table the text is for, if any
    _language: Language | None = field(default=None, repr=False)

    @property
    def name(self) -> CommandName | None:
        return self.command.name if self.command is not None else None

    @property
    def language(self) -> Language:
        """The language the text is written in."""
        if self._language is None:
            self._language = understand(self.text).language
        return self._language

    @property
    def aad_object_id(self) -> str | None:
        return getattr(self.context.activity.from_property, "aad_object_id", None)

    def sender(self, idempotency_id: str | None) -> Sender:
        return Sender.of(self.context, idempotency_id)


Route = Callable[[Turn], Awaitable[bool]]   # True when it took the turn


class Router:
    """Offers each message to the routes in `ORDER`; routes a bot lacks are skipped."""

    def __init__(self, routes: Mapping[RouteName, Route]) -> None:
        if RouteName.QUESTION not in routes:
            raise ValueError("every message must end somewhere: the question route is needed")
        self.routes = dict(routes)

    async def route(self, context: TurnContext, text: str, conversation_key: str) -> RouteName:
        """Send the message to the first route that takes it; which one that was."""
        turn = Turn(context, text, conversation_key, command_for(text))
        wanted = ROUTE_OF.get(turn.name) if turn.name is not None else None
        for name in ORDER:
            route = self.routes.get(name)
            if route is None or (name not in OFFERED_EVERY_MESSAGE and name is not wanted):
                continue
            if await route(turn):
                log.debug("route %s (command %s)", name, turn.name)
                return name
        raise AssertionError("the question route takes every message")   # pragma: no cover
