"""Subscription commands in chat: carry out `abonner …`, `abonnementer`, `avslutt abonnement …`.

`SubscriptionRoute` is the router's route for them (`bot.handlers.router`).
`handle_subscription_command()` carries out a command parsed by
`knowledge.commands.subscription_commands.parse_subscription_command` against the
conversation's subscriptions (`bot.notifications.subscriptions.SubscriptionStore`) and returns
the typed answer to reply with.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.handlers.router import Reply, Turn
from bot.notifications.subscriptions import SubscriptionStore
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Answer,
    Clarification,
    Language,
    NotFound,
    SubscriptionChanged,
    SubscriptionHelp,
    SubscriptionItem,
    SubscriptionList,
)
from knowledge.answers.phrases import SUBSCRIPTION_EXAMPLES, SUBSCRIPTION_TARGET_KIND, say
from knowledge.commands.subscription_commands import (
    EVERYTHING,
    SubscriptionAction,
    SubscriptionCommand,
    Target,
    TargetKind,
    kind_groups,
    parse_subscription_command,
    programme_label,
    project_label,
    resolve_target,
)
from knowledge.portfolio.snapshot import Snapshot


class SubscriptionRoute:
    """Subscribe, list and unsubscribe for the conversation the message came from."""

    def __init__(self, store: SubscriptionStore, answerer: Answerer,
                 snapshot: Callable[[], Snapshot | None], reply: Reply) -> None:
        self.store = store
        self.answerer = answerer
        self.snapshot = snapshot
        self.reply = reply

    async def __call__(self, turn: Turn) -> bool:
        command = parse_subscription_command(turn.text)
        if command is None:
            return False
        await self.reply(turn.context, await handle_subscription_command(
            command, turn.conversation_key, turn.aad_object_id, self.answerer, self.snapshot(),
            self.store, command.language))
        return True


def _label(snapshot: Snapshot | None, kind: TargetKind, target_id: int | None,
           language: Language) -> str | None:
    if kind is TargetKind.ALL or target_id is None:
        return None
    if snapshot is not None:
        if kind is TargetKind.PROJECT and target_id in snapshot.projects:
            return project_label(snapshot, target_id)
        if kind is TargetKind.PROGRAMME and target_id in snapshot.programmes:
            return programme_label(snapshot, target_id)
    return say("subscription_removed_target", language,
               kind=SUBSCRIPTION_TARGET_KIND[kind.value][language], id=target_id)


async def handle_subscription_command(
    command: SubscriptionCommand, conversation_id: str, aad_object_id: str | None,
    answerer: Answerer, snapshot: Snapshot | None, store: SubscriptionStore,
    language: Language,
) -> Answer:
    """Carry out `command` for the conversation and return the answer to reply with.

    Subscribing and unsubscribing one target need the snapshot (to find the target); without
    one the answer is `NotFound`. Listing and unsubscribing everything work without it.
    """
    if command.action is SubscriptionAction.LIST:
        items = tuple(
            SubscriptionItem(_label(snapshot, s.target_kind, s.target_id, language),
                             kind_groups(s.kinds))
            for s in await store.list(conversation_id))
        return SubscriptionList(language, items)
    if command.needs_target or command.unknown_kinds:
        return SubscriptionHelp(language, SUBSCRIPTION_EXAMPLES[language], command.unknown_kinds)
    if command.action is SubscriptionAction.UNSUBSCRIBE and command.everything:
        removed = await store.unsubscribe(conversation_id)
        return SubscriptionChanged(language, "unsubscribed", None, (), removed)
    target: Target | Clarification | NotFound
    if command.everything:
        target = EVERYTHING
    elif snapshot is None:
        return NotFound(language, command.mention)
    else:
        target = resolve_target(answerer, snapshot, command.mention, language=language,
                                kinds=command.kinds, action=command.action)
    if not isinstance(target, Target):
        return target
    target_id = None if target.kind is TargetKind.ALL else target.id
    if command.action is SubscriptionAction.UNSUBSCRIBE:
        removed = await store.unsubscribe(conversation_id, target.kind, target_id)
        return SubscriptionChanged(language, "unsubscribed", target.label, (), removed)
    new = await store.subscribe(conversation_id, target.kind, target_id, command.kinds,
                                aad_object_id)
    return SubscriptionChanged(language, "subscribed" if new else "updated", target.label,
                               kind_groups(command.kinds))
