"""The Teams activity handler: each turn's entry, handing messages to the router and replying.

Personal chats, group chats and channels (where the bot is @mentioned) all arrive here. A
message loses the bot's @mention and goes to the router (`bot.handlers.router`), which tries
the running dialog, the commands and the question in one documented order; a card button or
form is read as a typed payload (`bot.cards.payloads`): one that carries text is routed as if
typed, the others (a clarification's candidate, the status form) are answered here; the bot
being added to a conversation gets a welcome card; everything else (reactions, edits, typing,
installation events, a message that only shares a card) is accepted quietly. A message's
text is read without Teams' markup (`bot.handlers.message_text`). While the portfolio
database cannot be read, answers come from the last snapshot with a note saying how old it
is (`bot.handlers.data_age`); while the bot's own database is away, questions are still
answered (the conversation reference is stored on a later turn).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import BotState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ChannelAccount
from botbuilder.schema.teams import (
    AppBasedLinkQuery,
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    TeamInfo,
    TeamsChannelAccount,
)

from bot.auth.tenant_id import tenant_of_activity
from bot.cards.answer_cards import reply_activity, with_note
from bot.cards.payloads import (
    EXECUTE_INVOKE,
    AskPayload,
    CommandPayload,
    FollowupPayload,
    NoneOfThesePayload,
    Payload,
    StatusChoicePayload,
    StatusFormPayload,
    from_value,
    language_hint,
)
from bot.cards.plain import language_of, plain_message
from bot.cards.project_links import ProjectLinks
from bot.handlers.card_refresh import refresh_response
from bot.handlers.data_age import DataAge
from bot.handlers.mentions import strip_bot_mention
from bot.handlers.message_extension import ProjectSearch
from bot.handlers.message_text import only_a_card, typed_text
from bot.handlers.router import Route, RouteName, Router
from bot.handlers.routes import (
    DialogRoute,
    HelpRoute,
    QuestionRoute,
    StatusFormRoute,
    StatusRoute,
    memory_key,
)
from bot.handlers.status_desk import Sender, StatusDesk
from bot.handlers.subscription_chat import SubscriptionRoute
from bot.notifications.outbox import OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.notifications.threads import base_conversation_id
from bot.notifications.trouble import TroubleNotices
from bot.storage.conversation_memory import ConversationMemories
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Answer, Greeting, Language
from knowledge.answers.phrases import say
from knowledge.language.understanding import MAX_QUESTION_CHARACTERS
from knowledge.portfolio.snapshot import Snapshot

log = logging.getLogger("portfoliobot.turn")
QUESTION_KEY = "portfoliobot.question"   # turn_state: the message text, without the @mention
# Called after every answer is sent, with the answer, the question it answers (None for a
# button) and who asked (their Entra object id, else channel id; used only to cap one asker's
# unanswered questions, never stored); see `bot.observability.answer_recorder.AnswerRecorder`.
# A failure is logged, the reply stands.
AnswerCallback = Callable[[Answer, str | None, str | None], Awaitable[None]]


def _bot_removed(activity: Activity) -> bool:
    if activity.type == "installationUpdate":
        return (activity.action or "").startswith("remove")
    bot_id = getattr(activity.recipient, "id", None)
    return activity.type == "conversationUpdate" and any(
        getattr(member, "id", None) == bot_id for member in activity.members_removed or [])


def _bot_added(activity: Activity) -> bool:
    if activity.type == "installationUpdate":
        return (activity.action or "").startswith("add")
    bot_id = getattr(activity.recipient, "id", None)
    return activity.type == "conversationUpdate" and any(
        getattr(member, "id", None) == bot_id for member in activity.members_added or [])


def conversation_key(activity: Activity) -> str:
    """The conversation a subscription or reference belongs to: in a channel the channel
    itself, not the thread (`19:…@thread.tacv2;messageid=…`) the message happened to start."""
    conversation_id = getattr(activity.conversation, "id", "") or ""
    return base_conversation_id(conversation_id)


class PortfolioBot(TeamsActivityHandler):  # type: ignore[misc]
    """Answers portfolio questions in Teams."""

    def __init__(self, answerer: Answerer, snapshot: Callable[[], Snapshot | None],
                 desk: StatusDesk | None = None,
                 conversation_state: BotState | None = None,
                 subscriptions: SubscriptionStore | None = None,
                 outbox: OutboxStore | None = None, *,
                 on_answer: AnswerCallback | None = None,
                 data_age: DataAge | None = None,
                 memories: ConversationMemories | None = None,
                 links: ProjectLinks | None = None) -> None:
        super().__init__()
        self.memories = memories
        self.links = links
        self.search = ProjectSearch(answerer, links)
        # Staleness is read from the syncer the desk writes through, unless given.
        self.data_age = data_age or (DataAge(desk.syncer) if desk is not None else None)
        self.on_answer = on_answer
        self.answerer = answerer
        self.snapshot = snapshot
        self.desk = desk
        self.conversation_state = conversation_state
        self.subscriptions = subscriptions
        self.outbox = outbox
        self.trouble = TroubleNotices(outbox) if outbox is not None else None
        if desk is not None and outbox is not None and desk.withdraw is None:
            desk.withdraw = outbox.withdraw   # an undo withdraws what is queued about it
        self._known_references: set[tuple[str, str]] = set()
        routes: dict[RouteName, Route] = {RouteName.HELP: HelpRoute(answerer, self._reply),
                                          RouteName.QUESTION: QuestionRoute(answerer, self._reply,
                                                                            memories)}
        if desk is not None:
            routes[RouteName.STATUS_FORM] = StatusFormRoute(desk, self._reply)
            routes[RouteName.STATUS] = StatusRoute(desk, self._reply)
            if conversation_state is not None:
                routes[RouteName.DIALOG] = DialogRoute(desk, conversation_state)
        if subscriptions is not None:
            routes[RouteName.SUBSCRIPTION] = SubscriptionRoute(subscriptions, answerer, snapshot,
                                                               self._reply, outbox)
        self.router = Router(routes)

    async def on_turn(self, turn_context: TurnContext) -> None:
        await self._remember_conversation(turn_context)
        await super().on_turn(turn_context)
        if self.conversation_state is not None:
            await self.conversation_state.save_changes(turn_context)

    async def _remember_conversation(self, turn_context: TurnContext) -> None:
        """Keep the conversation reference that notifications need: saved when first seen by
        this process (any message) and whenever the bot is added (the delivery worker may
        have disabled it meanwhile: the app was removed), refreshed when its service URL
        changes, removed when the bot is uninstalled or removed from the team. Saving it also
        queues again the notices that notifications were lost which could not be delivered
        (`bot.notifications.trouble`): the conversation can be reached now."""
        activity = turn_context.activity
        if self.outbox is None or not getattr(activity.conversation, "id", None):
            return
        key = (conversation_key(activity), activity.service_url or "")
        try:
            if _bot_removed(activity):
                self._known_references.discard(key)
                await self.outbox.remove_reference(key[0])
                return
            if key in self._known_references and not _bot_added(activity):
                return
            scope = getattr(activity.conversation, "conversation_type", None) or "personal"
            await self.outbox.save_reference(TurnContext.get_conversation_reference(activity),
                                             scope, tenant_of_activity(activity))
            if self.trouble is not None:
                await self.trouble.revive(key[0])   # the worker picks them up on its next poll
        except Exception:   # the bot database is away: answer anyway, store it next turn
            log.warning("could not update the conversation reference of %s; trying again on "
                        "its next turn", key[0], exc_info=True)
            return
        self._known_references.add(key)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        text = typed_text(strip_bot_mention(activity.text, activity.entities,
                                            getattr(activity.recipient, "id", None),
                                            getattr(activity.recipient, "name", None)))
        if activity.value is None and only_a_card(text, activity.attachments):
            log.info("a shared card without words: nothing to answer")
            return
        if not text and activity.value is not None:
            payload = from_value(activity.value)
            if not isinstance(payload, AskPayload | CommandPayload):
                turn_context.turn_state[QUESTION_KEY] = None
                await self._on_card_submit(turn_context, payload, activity.value)
                return
            text = payload.text   # as Teams' messageBack or imBack would have sent it
        turn_context.turn_state[QUESTION_KEY] = text or None
        await self._on_text(turn_context, text)

    async def _on_text(self, turn_context: TurnContext, text: str) -> None:
        activity = turn_context.activity
        language = language_of(activity)
        if len(text) > MAX_QUESTION_CHARACTERS:
            await turn_context.send_activity(plain_message(
                say("too_long", language, length=len(text), limit=MAX_QUESTION_CHARACTERS),
                language))
            return
        if self.snapshot() is None:
            await turn_context.send_activity(plain_message(say("not_ready", language), language))
            return
        await self.router.route(turn_context, text, conversation_key(activity))

    async def _on_card_submit(self, turn_context: TurnContext, payload: Payload | None,
                              value: object) -> None:
        """A card button or form that is not text, as `bot.cards.payloads` read it."""
        activity = turn_context.activity
        language = language_hint(value) or language_of(activity)
        if isinstance(payload, StatusFormPayload | StatusChoicePayload) and self.desk is not None:
            # Every click on one card carries that card's id; with what was submitted and by
            # whom (`status_desk._idempotency_key`) a double click stores once, a correction
            # or another lead's submission of the same form is a new report.
            card = getattr(activity, "reply_to_id", None)
            who = Sender.of(turn_context, f"{payload.MARKER}:{card}" if card else activity.id)
            answer = await (self.desk.post_form(payload, who)
                            if isinstance(payload, StatusFormPayload)
                            else self.desk.post_choice(payload, who))
            await self._reply(turn_context, answer)
            return
        if isinstance(payload, NoneOfThesePayload):
            code = self.answerer.example_names(language).project_code
            example = say("for_example_code", language, code=code) if code else ""
            await turn_context.send_activity(
                plain_message(say("none_of_these_reply", language, example=example), language))
            return
        if isinstance(payload, FollowupPayload):
            await self._reply(turn_context, self.answerer.answer_followup(payload.followup))
            if self.memories is not None:   # the picked one is what follow-ups are about now
                self.memories.save(*memory_key(turn_context),
                                   self.answerer.remember_pick(payload.followup))
            return
        log.info("unusable card submit (a stale or forged button)")
        await turn_context.send_activity(plain_message(say("stale_button", language), language))

    async def on_teams_messaging_extension_query(
            self, turn_context: TurnContext, query: MessagingExtensionQuery,
    ) -> MessagingExtensionResponse:
        """The compose box's project search (`bot.handlers.message_extension`)."""
        return self.search.answer(query, *_caller(turn_context))

    async def on_teams_app_based_link_query(
            self, turn_context: TurnContext, query: AppBasedLinkQuery,
    ) -> MessagingExtensionResponse:
        """A pasted link to a project's page unfurls into its card."""
        return self.search.unfurl(query, *_caller(turn_context))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """`adaptiveCard/action` (a project card's refresh or "Oppdater") gets the card anew
        (`bot.handlers.card_refresh`); every other invoke is botbuilder's."""
        if turn_context.activity.name == EXECUTE_INVOKE:
            language = language_of(turn_context.activity)
            response = refresh_response(turn_context.activity.value, self.answerer, self.links,
                                        language, say("stale_button", language))
            return InvokeResponse(status=response.status_code, body=response)
        return await super().on_invoke_activity(turn_context)

    async def _reply(self, turn_context: TurnContext, answer: Answer) -> None:
        log.debug("answer %s", type(answer).__name__)
        reply = reply_activity(answer, self.links)
        note = self.data_age.note(answer.language) if self.data_age is not None else None
        await turn_context.send_activity(with_note(reply, note) if note else reply)
        if self.on_answer is not None:
            try:
                sender = turn_context.activity.from_property
                await self.on_answer(answer, turn_context.turn_state.get(QUESTION_KEY),
                                     getattr(sender, "aad_object_id", None)
                                     or getattr(sender, "id", None))
            except Exception:
                log.exception("recording the %s answer failed", type(answer).__name__)

    async def _welcome_if_bot_added(self, members: list[ChannelAccount] | None,
                                    turn_context: TurnContext) -> None:
        bot_id = getattr(turn_context.activity.recipient, "id", None)
        if any(getattr(member, "id", None) == bot_id for member in members or []):
            language = language_of(turn_context.activity)
            await self._reply(turn_context, Greeting(language, self.answerer.examples(language)))

    async def on_teams_members_added(self, teams_members_added: list[TeamsChannelAccount],
                                     team_info: TeamInfo, turn_context: TurnContext) -> None:
        await self._welcome_if_bot_added(teams_members_added, turn_context)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        await self._welcome_if_bot_added(members_added, turn_context)


def _caller(turn_context: TurnContext) -> tuple[str | None, Language]:
    """Who sent an invoke (their Entra object id) and the language to answer in."""
    sender = turn_context.activity.from_property
    return getattr(sender, "aad_object_id", None), language_of(turn_context.activity)
