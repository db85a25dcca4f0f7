"""The routes a message can take (see `bot.handlers.router` for their order): the guided status
dialog, help, the status form, status updates by chat, and questions. Subscription commands
have their own module, `bot.handlers.subscription_chat`.

Each route is called with a `Turn` and returns True when it took it.
"""

from __future__ import annotations

from botbuilder.core import BotState, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards.answer_cards import CardPresenter, status_form
from bot.cards.plain import plain_message
from bot.handlers.router import Reply, Turn
from bot.handlers.status_desk import DialogPoster, StatusDesk
from bot.storage.conversation_memory import ConversationMemories
from dialogs.status_update_dialog import DIALOG_ID, StatusUpdateDialog
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Help
from knowledge.answers.phrases import say
from knowledge.commands.command_words import CommandName


class DialogRoute:
    """The guided status update: a running one is continued or cancelled; one is started."""

    def __init__(self, desk: StatusDesk, conversation_state: BotState) -> None:
        self.desk = desk
        self.dialogs = DialogSet(conversation_state.create_property("DialogState"))
        self.dialogs.add(StatusUpdateDialog(DialogPoster(desk), CardPresenter()))

    async def __call__(self, turn: Turn) -> bool:
        starting = turn.name is CommandName.START_STATUS_DIALOG
        if not starting and not self.desk.own_projects_of(turn.aad_object_id):
            # Only a project's owner or manager can be inside the status dialog (it ends at
            # once for anyone else), so nobody else's turn needs to read dialog state.
            return False
        dialog_context = await self.dialogs.create_context(turn.context)
        if dialog_context.active_dialog is not None:
            if turn.name is CommandName.CANCEL:
                await dialog_context.cancel_all_dialogs()
                await turn.context.send_activity(
                    plain_message(say("dialog_cancelled", turn.language), turn.language))
                return True
            turn.context.activity.text = turn.text   # the prompts read the text without the mention
            await dialog_context.continue_dialog()
            return True
        if starting:
            await dialog_context.begin_dialog(DIALOG_ID, {"lang": turn.language.value})
            return True
        return False


class HelpRoute:
    """`hjelp`: what the bot answers, with example questions and its commands."""

    def __init__(self, answerer: Answerer, reply: Reply) -> None:
        self.answerer = answerer
        self.reply = reply

    async def __call__(self, turn: Turn) -> bool:
        language = (turn.command.language if turn.command else None) or turn.language
        await self.reply(turn.context, Help(language, self.answerer.examples(language)))
        return True


class StatusFormRoute:
    """`statusskjema`: the form for the sender's projects, or why there is none."""

    def __init__(self, desk: StatusDesk, reply: Reply) -> None:
        self.desk = desk
        self.reply = reply

    async def __call__(self, turn: Turn) -> bool:
        projects = self.desk.own_projects_of(turn.aad_object_id)
        if projects:
            await turn.context.send_activity(status_form(projects, turn.language))
        else:
            await self.reply(turn.context, self.desk.mine(turn.sender(None), turn.language))
        return True


class StatusRoute:
    """Undo, "my projects", and the one-message status update (which may be a question)."""

    def __init__(self, desk: StatusDesk, reply: Reply) -> None:
        self.desk = desk
        self.reply = reply

    async def __call__(self, turn: Turn) -> bool:
        who = turn.sender(turn.context.activity.id)
        if turn.name is CommandName.UNDO:
            await self.reply(turn.context, await self.desk.undo(who, turn.language))
        elif turn.name is CommandName.MY_PROJECTS:
            await self.reply(turn.context, self.desk.mine(who, turn.language))
        else:
            draft = self.desk.draft(turn.text)
            if draft is None:
                return False
            await self.reply(turn.context, await self.desk.post_message(draft, who))
        return True


class QuestionRoute:
    """Everything else: the answerer's answer, read against what the bot last answered the
    same person in this conversation (`ConversationMemories`; without one, each question
    stands alone).

    The memory is looked up only for a question that could be a follow-up (the answerer
    says so) and written only when the answer changes the subject, after the reply is sent:
    a question that names its own project costs one write, "takk" nothing.
    """

    def __init__(self, answerer: Answerer, reply: Reply,
                 memories: ConversationMemories | None = None) -> None:
        self.answerer = answerer
        self.reply = reply
        self.memories = memories

    async def __call__(self, turn: Turn) -> bool:
        exchange = self.answerer.answer_with(turn.text, None)
        if self.memories is None:
            await self.reply(turn.context, exchange.answer)
            return True
        conversation, person = memory_key(turn.context)
        before = None
        if exchange.could_follow_up:
            before = await self.memories.load(conversation, person)
            if before is not None:
                exchange = self.answerer.answer_with(turn.text, before)
        await self.reply(turn.context, exchange.answer)
        if exchange.memory is not None and exchange.changed(before):
            self.memories.save(conversation, person, exchange.memory)
        return True


def memory_key(context: TurnContext) -> tuple[str, str]:
    """Whose memory a turn reads: the conversation as Teams names it (a channel thread is its
    own) and the person (their Entra object id, else their channel account id)."""
    activity = context.activity
    sender = activity.from_property
    person = getattr(sender, "aad_object_id", None) or getattr(sender, "id", None) or ""
    return str(getattr(activity.conversation, "id", "") or ""), str(person)
