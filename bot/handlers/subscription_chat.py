"""Subscription commands in chat: carry out `abonner …`, `abonnementer`, `avslutt abonnement …`.

`SubscriptionRoute` is the router's route for them (`bot.handlers.router`).
`handle_subscription_command()` carries out a command parsed by
`knowledge.commands.subscription_commands.parse_subscription_command` against the
conversation's subscriptions (`bot.notifications.subscriptions.SubscriptionStore`) and returns
the typed answer to reply with.

An unsubscribe withdraws what is queued for the conversation because of that subscription
(`withdraw_unwanted`, through `OutboxStore.withdraw_for`): the notifications about the projects
it covered that no subscription left in the conversation covers. A row another subscription
still covers stays; personal reminders are not about a subscription and stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.handlers.router import Reply, Turn
from bot.notifications.outbox import OutboxStore
from bot.notifications.subscriptions import Subscription, SubscriptionStore
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
from knowledge.answers.phrases import SUBSCRIPTION_TARGET_KIND, say, subscription_examples
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

log = logging.getLogger("portfoliobot.subscriptions")
UNSUBSCRIBED = "unsubscribed in chat"   # why a withdrawn outbox row was withdrawn


class SubscriptionRoute:
    """Subscribe, list and unsubscribe for the conversation the message came from."""

    def __init__(self, store: SubscriptionStore, answerer: Answerer,
                 snapshot: Callable[[], Snapshot | None], reply: Reply,
                 outbox: OutboxStore | None = None) -> None:
        self.store = store
        self.answerer = answerer
        self.snapshot = snapshot
        self.reply = reply
        self.outbox = outbox

    async def __call__(self, turn: Turn) -> bool:
        command = parse_subscription_command(turn.text)
        if command is None:
            return False
        await self.reply(turn.context, await handle_subscription_command(
            command, turn.conversation_key, turn.aad_object_id, self.answerer, self.snapshot(),
            self.store, command.language, self.outbox))
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
    language: Language, outbox: OutboxStore | None = None,
) -> Answer:
    """Carry out `command` for the conversation and return the answer to reply with.

    Subscribing and unsubscribing one target need the snapshot (to find the target); without
    one the answer is `NotFound`. Listing and unsubscribing everything work without it. With
    `outbox`, an unsubscribe withdraws what it no longer wants (`withdraw_unwanted`).
    """
    if command.action is SubscriptionAction.LIST:
        health = await outbox.delivery_health(conversation_id) if outbox else None
        stored = await outbox.stored_reference(conversation_id) if outbox else None
        items = []
        for s in await store.list(conversation_id):
            project = s.target_id if s.target_kind is TargetKind.PROJECT else None
            items.append(SubscriptionItem(
                _label(snapshot, s.target_kind, s.target_id, language), kind_groups(s.kinds),
                health.last_delivered.get(project) if health else None,
                health.failing.get(project) if health else None))
        stopped = (stored.disabled_reason or "disabled") if stored and not stored.enabled \
            else None
        return SubscriptionList(language, tuple(items), stopped)
    if command.needs_target or command.unknown_kinds:
        names = answerer.example_names(language)
        return SubscriptionHelp(language, subscription_examples(language, names.project,
                                                                names.programme),
                                command.unknown_kinds)
    if command.action is SubscriptionAction.UNSUBSCRIBE and command.everything:
        removed = await store.unsubscribe(conversation_id)
        if removed and outbox is not None:
            await withdraw_unwanted(outbox, store, conversation_id, snapshot,
                                    None if snapshot is None else set(snapshot.projects))
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
        if removed and outbox is not None:
            await withdraw_unwanted(outbox, store, conversation_id, snapshot,
                                    _covered(snapshot, target.kind, target_id))
        return SubscriptionChanged(language, "unsubscribed", target.label, (), removed)
    new = await store.subscribe(conversation_id, target.kind, target_id, command.kinds,
                                aad_object_id)
    return SubscriptionChanged(language, "subscribed" if new else "updated", target.label,
                               kind_groups(command.kinds))


def _covered(snapshot: Snapshot | None, kind: TargetKind, target_id: int | None) -> set[int] | None:
    """The ids of the projects a subscription to (kind, target_id) covers; None: all of them,
    and which they are is not known (no snapshot)."""
    if kind is TargetKind.PROJECT and target_id is not None:
        return {target_id}
    if snapshot is None:
        return None
    if kind is TargetKind.PROGRAMME:
        return {p.id for p in snapshot.projects.values() if p.programme_id == target_id}
    return set(snapshot.projects)


def _still_covered(left: list[Subscription], snapshot: Snapshot | None, project_id: int) -> bool:
    for subscription in left:
        if subscription.target_kind is TargetKind.ALL:
            return True
        if subscription.target_kind is TargetKind.PROJECT and subscription.target_id == project_id:
            return True
        if subscription.target_kind is TargetKind.PROGRAMME and snapshot is not None:
            project = snapshot.projects.get(project_id)
            if project is not None and project.programme_id == subscription.target_id:
                return True
    return False


async def withdraw_unwanted(outbox: OutboxStore, store: SubscriptionStore, conversation_id: str,
                            snapshot: Snapshot | None, projects: set[int] | None) -> int:
    """After an unsubscribe that covered `projects` (None: every project, unknown which),
    withdraw the conversation's queued notifications about those the subscriptions left do
    not cover; how many. Notices about no one project, and everything while there is no
    snapshot, are left to the delivery worker's check right before sending
    (`bot.notifications.wanted`), as is anything when this fails (it is logged)."""
    try:
        left = await store.list(conversation_id)
        if any(s.target_kind is TargetKind.ALL for s in left):
            return 0
        if projects is None:   # no snapshot: the delivery worker's check is what stops them
            return 0
        unwanted = [p for p in sorted(projects) if not _still_covered(left, snapshot, p)]
        if not unwanted:
            return 0
        withdrawn = await outbox.withdraw_for(conversation_id, unwanted, reason=UNSUBSCRIBED)
    except Exception:
        log.exception("unsubscribed, but what was queued for %s could not be withdrawn",
                      conversation_id)
        return 0
    if withdrawn:
        log.info("withdrew %d queued notification(s) of %s after an unsubscribe", withdrawn,
                 conversation_id)
    return withdrawn
