"""Channel subscriptions: the `subscription` table of the bot database.

A conversation (a Teams channel, group chat or personal chat) subscribes to everything, to one
project or to one programme, optionally limited to kinds of change (`knowledge.portfolio.events.
EventKind`). `SubscriptionStore` keeps the `subscription` table (see `bot.storage.schema`);
`matching()` tells the notifier which conversations want an event. The conversation reference
used to reach a conversation proactively is stored separately (`conversation_reference`).
The chat commands that change subscriptions are carried out in `bot.handlers.subscription_chat`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update

from bot.storage.bot_database import BotDatabase
from bot.storage.schema import subscription
from knowledge.commands.subscription_commands import TargetKind
from knowledge.portfolio.events import EventKind

ALL_KINDS = "*"


def encode_kinds(kinds: frozenset[EventKind]) -> str:
    """`*` for every kind (an empty set or all of them), else the sorted values, comma-separated."""
    if not kinds or kinds >= frozenset(EventKind):
        return ALL_KINDS
    return ",".join(sorted(kind.value for kind in kinds))


def decode_kinds(text: str) -> frozenset[EventKind]:
    """The kinds `encode_kinds` wrote; empty means every kind. Unknown values are ignored."""
    if text == ALL_KINDS:
        return frozenset()
    known = {kind.value for kind in EventKind}
    return frozenset(EventKind(part) for part in text.split(",") if part in known)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One stored subscription; `target_id` is None for 'all', `kinds` empty for every kind."""

    id: int
    conversation_id: str
    target_kind: TargetKind
    target_id: int | None
    kinds: frozenset[EventKind]
    created_at: datetime
    created_by: str | None

    def wants(self, kind: EventKind) -> bool:
        return not self.kinds or kind in self.kinds


def _stored_id(target_kind: TargetKind, target_id: int | None) -> int:
    if target_kind is TargetKind.ALL:
        return 0
    if target_id is None:
        raise ValueError(f"a {target_kind.value} subscription needs a target id")
    return target_id


class SubscriptionStore:
    """The `subscription` table of an open bot database."""

    def __init__(self, database: BotDatabase) -> None:
        self.database = database

    async def subscribe(self, conversation_id: str, target_kind: TargetKind | str,
                        target_id: int | None, kinds: frozenset[EventKind],
                        created_by: str | None) -> bool:
        """Subscribe the conversation; True if new, False if it existed (its kinds are updated).

        Atomic on both dialects: of two concurrent identical subscribes exactly one is new.
        """
        kind = TargetKind(target_kind)
        stored_id = _stored_id(kind, target_id)
        encoded = encode_kinds(kinds)
        table = subscription
        insert = (
            self.database.insert(table)
            .values(conversation_id=conversation_id, target_kind=kind.value, target_id=stored_id,
                    event_kinds=encoded, created_at=self.database.clock(), created_by=created_by)
            .on_conflict_do_nothing(index_elements=["conversation_id", "target_kind", "target_id"])
            .returning(table.c.id)
        )
        async with self.database.engine.begin() as connection:
            if (await connection.execute(insert)).first() is not None:
                return True
            await connection.execute(
                update(table)
                .where(table.c.conversation_id == conversation_id,
                       table.c.target_kind == kind.value, table.c.target_id == stored_id)
                .values(event_kinds=encoded))
        return False

    async def unsubscribe(self, conversation_id: str, target_kind: TargetKind | str | None = None,
                          target_id: int | None = None) -> int:
        """Remove one subscription, or every one of the conversation (no target); how many."""
        table = subscription
        statement = delete(table).where(table.c.conversation_id == conversation_id)
        if target_kind is not None:
            kind = TargetKind(target_kind)
            statement = statement.where(table.c.target_kind == kind.value,
                                        table.c.target_id == _stored_id(kind, target_id))
        async with self.database.engine.begin() as connection:
            return int((await connection.execute(statement)).rowcount)

    async def list(self, conversation_id: str) -> list[Subscription]:
        """The conversation's subscriptions: everything first, then projects, then programmes."""
        table = subscription
        statement = select(table).where(table.c.conversation_id == conversation_id).order_by(
            table.c.target_kind, table.c.target_id)
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        order = {TargetKind.ALL: 0, TargetKind.PROJECT: 1, TargetKind.PROGRAMME: 2}
        found = [
            Subscription(row["id"], row["conversation_id"], TargetKind(row["target_kind"]),
                         None if row["target_kind"] == TargetKind.ALL.value else row["target_id"],
                         decode_kinds(row["event_kinds"]), row["created_at"], row["created_by"])
            for row in rows
        ]
        found.sort(key=lambda s: (order[s.target_kind], s.target_id or 0))
        return found

    async def matching(self, project_id: int, programme_id: int | None,
                       kind: EventKind | str) -> builtins.list[str]:
        """The conversations (distinct, sorted) whose subscriptions want this project's event."""
        event_kind = EventKind(kind)
        table = subscription
        targets = [
            table.c.target_kind == TargetKind.ALL.value,
            and_(table.c.target_kind == TargetKind.PROJECT.value, table.c.target_id == project_id),
        ]
        if programme_id is not None:
            targets.append(and_(table.c.target_kind == TargetKind.PROGRAMME.value,
                                table.c.target_id == programme_id))
        wanted = or_(
            table.c.event_kinds == ALL_KINDS,
            ("," + table.c.event_kinds + ",").contains(f",{event_kind.value},", autoescape=True),
        )
        statement = (select(table.c.conversation_id).where(or_(*targets), wanted).distinct()
                     .order_by(table.c.conversation_id))
        async with self.database.engine.connect() as connection:
            return [row[0] for row in await connection.execute(statement)]

    async def covers(self, conversation_id: str, project_id: int | None,
                     programme_id: int | None) -> bool:
        """Whether the conversation still subscribes to notices about this project (`None`:
        about no one project, so any subscription will do). With the programme unknown
        (`None`, e.g. the project left the portfolio), a programme subscription counts."""
        table = subscription
        statement = select(table.c.id).where(table.c.conversation_id == conversation_id)
        if project_id is not None:
            targets = [table.c.target_kind == TargetKind.ALL.value,
                       and_(table.c.target_kind == TargetKind.PROJECT.value,
                            table.c.target_id == project_id)]
            programme = table.c.target_kind == TargetKind.PROGRAMME.value
            targets.append(programme if programme_id is None
                           else and_(programme, table.c.target_id == programme_id))
            statement = statement.where(or_(*targets))
        async with self.database.engine.connect() as connection:
            return (await connection.execute(statement.limit(1))).first() is not None

    async def conversations(self) -> builtins.list[str]:
        """Every conversation with at least one subscription (distinct, sorted)."""
        statement = (select(subscription.c.conversation_id).distinct()
                     .order_by(subscription.c.conversation_id))
        async with self.database.engine.connect() as connection:
            return [row[0] for row in await connection.execute(statement)]
