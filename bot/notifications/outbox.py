"""The durable notification outbox: conversation references, queued notifications, threads.

Everything lives in the bot database (`bot.storage.schema`: tables `conversation_reference`,
`outbox`, `channel_thread`), so it survives a restart and is shared by every replica.

- A *conversation reference* is what botbuilder needs to message a conversation proactively
  (`ConversationReference`, stored as its serialized JSON). `save_reference` stores or refreshes
  one (and re-enables it); the delivery worker disables it when the connector answers 403/404.
  Channel references are stored under the channel's id (any `;messageid=…` thread suffix is
  cut off), so a notification to a channel starts or continues a thread of its own.
- `enqueue(connection, conversation_ids, dedupe_key, notification)` writes one `outbox` row per
  conversation on the caller's connection, i.e. inside the caller's transaction (the one that
  records the event), with INSERT … ON CONFLICT DO NOTHING on (conversation_id, dedupe_key):
  the same event is never queued twice for a conversation, however often it is recorded.
- `claim(limit, lease_seconds)` hands due rows to one worker: status `queued` → `sending` with
  a lease (`claimed_until`). On PostgreSQL the rows are chosen with FOR UPDATE SKIP LOCKED, so
  several processes can claim concurrently and each row goes to one of them; on SQLite the
  claim runs in a BEGIN IMMEDIATE transaction (one writer at a time). A row whose lease ran
  out (its worker died mid-send) is claimable again: that is the at-least-once part.
- `attempts` counts claims: it is incremented by `claim`, so the row a worker holds says
  which attempt this is (1 for the first).

Row states: `queued` (waiting; `last_error` set when an attempt failed and it waits for a
retry: "failed" in `counts()`), `sending` (claimed), `delivered`, `dead` (given up; `requeue`
puts it back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.schema import ConversationReference
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.bot_database import BotDatabase
from bot.storage.schema import channel_thread, conversation_reference, outbox
from knowledge.portfolio.database import write_transaction

STATUSES = ("queued", "sending", "delivered", "dead")
#: `rows(status="failed")`: queued rows whose last attempt failed (waiting for a retry).
FAILED = "failed"
THREAD_MARKER = ";messageid="
ERROR_LENGTH = 1000


def base_conversation_id(conversation_id: str) -> str:
    """A channel conversation id without its `;messageid=<thread root>` suffix."""
    return conversation_id.split(THREAD_MARKER, 1)[0]


@dataclass(frozen=True)
class Notification:
    """What a notification says: a card with title, text and facts, and its plain text."""

    title: str
    text: str
    facts: tuple[tuple[str, str], ...] = ()
    language: str = "nb"
    project_id: int | None = None

    def to_json(self) -> str:
        return json.dumps({"title": self.title, "text": self.text,
                           "facts": [list(fact) for fact in self.facts],
                           "language": self.language, "project_id": self.project_id},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Notification:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a notification must be a JSON object")
        facts = tuple((str(key), str(value)) for key, value in data.get("facts") or ())
        project_id = data.get("project_id")
        return cls(title=str(data["title"]), text=str(data["text"]), facts=facts,
                   language=str(data.get("language") or "nb"),
                   project_id=int(project_id) if project_id is not None else None)

    def plain_text(self) -> str:
        """The text fallback: title, text and one line per fact."""
        lines = [self.title, "", self.text] if self.text else [self.title]
        facts = [f"{key}: {value}" for key, value in self.facts if value]
        if facts:
            lines += ["", *facts]
        return "\n".join(lines)


@dataclass(frozen=True)
class OutboxRow:
    """One row of the outbox, as read back."""

    id: int
    conversation_id: str
    dedupe_key: str
    project_id: int | None
    notification: Notification
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    claimed_until: datetime | None

    @classmethod
    def from_mapping(cls, row: Mapping[Any, Any]) -> OutboxRow:
        return cls(id=int(row["id"]), conversation_id=row["conversation_id"],
                   dedupe_key=row["dedupe_key"], project_id=row["project_id"],
                   notification=Notification.from_json(row["payload"]), status=row["status"],
                   attempts=int(row["attempts"]), next_attempt_at=row["next_attempt_at"],
                   last_error=row["last_error"], created_at=row["created_at"],
                   delivered_at=row["delivered_at"], claimed_until=row["claimed_until"])


@dataclass(frozen=True)
class StoredReference:
    """A stored conversation reference with its bookkeeping."""

    conversation_id: str
    reference: ConversationReference
    scope: str
    enabled: bool
    disabled_reason: str | None
    updated_at: datetime


class OutboxStore:
    """The outbox tables of one `BotDatabase`; times come from `database.clock`."""

    def __init__(self, database: BotDatabase) -> None:
        self.database = database

    @property
    def engine(self) -> Any:
        return self.database.engine

    def now(self) -> datetime:
        return self.database.clock()

    # -- conversation references ------------------------------------------------------------

    async def save_reference(self, reference: ConversationReference, scope: str) -> str:
        """Store (or refresh) the reference of a conversation and enable it; returns its key.

        Channel references are keyed and stored by the channel id, without a thread suffix.
        """
        conversation = reference.conversation
        if conversation is None or not conversation.id or not reference.service_url:
            raise ValueError("a conversation reference needs a conversation id and service URL")
        conversation_id = base_conversation_id(conversation.id)
        document = reference.serialize()
        document.pop("activityId", None)  # proactive messages are not replies to anything
        document.setdefault("conversation", {})["id"] = conversation_id
        values = {"reference": json.dumps(document, sort_keys=True), "service_url":
                  reference.service_url, "tenant_id": getattr(conversation, "tenant_id", None),
                  "scope": scope, "enabled": True, "disabled_reason": None,
                  "updated_at": self.now()}
        statement = (self.database.insert(conversation_reference)
                     .values(conversation_id=conversation_id, **values)
                     .on_conflict_do_update(index_elements=["conversation_id"], set_=values))
        async with self.engine.begin() as connection:
            await connection.execute(statement)
        return conversation_id

    async def personal_conversations(self) -> dict[str, str]:
        """Entra object id (lower case) → the enabled personal conversation with that user."""
        statement = select(conversation_reference.c.conversation_id,
                           conversation_reference.c.reference).where(
            conversation_reference.c.scope == "personal",
            conversation_reference.c.enabled.is_(True))
        found: dict[str, str] = {}
        async with self.engine.connect() as connection:
            for conversation_id, document in await connection.execute(statement):
                user = json.loads(document).get("user") or {}
                aad = user.get("aadObjectId") if isinstance(user, dict) else None
                if isinstance(aad, str) and aad:
                    found[aad.lower()] = conversation_id
        return found

    async def delivered_since(self, conversation_id: str, moment: datetime) -> list[str]:
        """Titles of the notifications delivered to a conversation since `moment`."""
        statement = (select(outbox.c.payload).where(
            outbox.c.conversation_id == base_conversation_id(conversation_id),
            outbox.c.status == "delivered", outbox.c.delivered_at >= moment,
            ~outbox.c.dedupe_key.startswith("digest:"), ~outbox.c.dedupe_key.startswith("reminder:"))
            .order_by(outbox.c.id))
        async with self.engine.connect() as connection:
            return [Notification.from_json(row[0]).title
                    for row in await connection.execute(statement)]

    async def disable_reference(self, conversation_id: str, reason: str) -> bool:
        """Stop delivering to a conversation (the bot was removed, it is gone); True if known."""
        statement = (update(conversation_reference)
                     .where(conversation_reference.c.conversation_id == conversation_id)
                     .values(enabled=False, disabled_reason=reason[:ERROR_LENGTH],
                             updated_at=self.now()))
        async with self.engine.begin() as connection:
            return bool((await connection.execute(statement)).rowcount)

    async def remove_reference(self, conversation_id: str) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(delete(conversation_reference).where(
                conversation_reference.c.conversation_id == conversation_id))
        return bool(result.rowcount)

    async def stored_reference(self, conversation_id: str) -> StoredReference | None:
        """The stored reference with its state (enabled or why not), or None."""
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(conversation_reference).where(
                conversation_reference.c.conversation_id == conversation_id))).mappings().first()
        if row is None:
            return None
        return StoredReference(conversation_id=row["conversation_id"],
                               reference=ConversationReference.deserialize(
                                   json.loads(row["reference"])),
                               scope=row["scope"], enabled=bool(row["enabled"]),
                               disabled_reason=row["disabled_reason"],
                               updated_at=row["updated_at"])

    async def reference(self, conversation_id: str) -> ConversationReference | None:
        """The enabled reference of a conversation, or None (unknown or disabled)."""
        stored = await self.stored_reference(conversation_id)
        return stored.reference if stored is not None and stored.enabled else None

    # -- queueing -------------------------------------------------------------------------

    async def enqueue(self, connection: AsyncConnection, conversation_ids: Iterable[str],
                      dedupe_key: str, notification: Notification) -> int:
        """Queue `notification` for each conversation on the caller's connection (and thus in
        its transaction); returns how many rows are new. A (conversation, dedupe_key) pair
        that is already queued, delivered or dead is left alone."""
        now = self.now()
        payload = notification.to_json()
        targets = list(dict.fromkeys(base_conversation_id(c) for c in conversation_ids))
        added = 0
        for conversation_id in targets:
            statement = (self.database.insert(outbox)
                         .values(conversation_id=conversation_id, dedupe_key=dedupe_key,
                                 project_id=notification.project_id, payload=payload,
                                 status="queued", attempts=0, next_attempt_at=now,
                                 created_at=now)
                         .on_conflict_do_nothing(index_elements=["conversation_id",
                                                                 "dedupe_key"])
                         .returning(outbox.c.id))
            if (await connection.execute(statement)).first() is not None:
                added += 1
        return added

    async def enqueue_now(self, conversation_ids: Iterable[str], dedupe_key: str,
                          notification: Notification) -> int:
        """`enqueue` in a transaction of its own."""
        async with self.engine.begin() as connection:
            return await self.enqueue(connection, conversation_ids, dedupe_key, notification)

    # -- the worker's side ----------------------------------------------------------------

    async def claim(self, limit: int, lease_seconds: float) -> list[OutboxRow]:
        """Up to `limit` due rows, now `sending` under a lease of `lease_seconds`, oldest first.

        Due: `queued` with `next_attempt_at` reached, or `sending` with its lease run out.
        """
        if limit < 1:
            return []
        now = self.now()
        due = or_(and_(outbox.c.status == "queued", outbox.c.next_attempt_at <= now),
                  and_(outbox.c.status == "sending", outbox.c.claimed_until < now))
        chosen = select(outbox.c.id).where(due).order_by(outbox.c.id).limit(limit)
        postgres = self.database.dialect_name == "postgresql"
        if postgres:
            chosen = chosen.with_for_update(skip_locked=True)
        statement = (update(outbox).where(outbox.c.id.in_(chosen.scalar_subquery()))
                     .values(status="sending", attempts=outbox.c.attempts + 1,
                             claimed_until=now + timedelta(seconds=lease_seconds))
                     .returning(*outbox.c))
        async with write_transaction(self.engine) as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return sorted((OutboxRow.from_mapping(row) for row in rows), key=lambda row: row.id)

    async def _set(self, row_id: int, **values: Any) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(update(outbox).where(outbox.c.id == row_id)
                                              .values(**values))
        return bool(result.rowcount)

    async def mark_delivered(self, row_id: int) -> bool:
        return await self._set(row_id, status="delivered", delivered_at=self.now(),
                               claimed_until=None, last_error=None)

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> bool:
        return await self._set(row_id, status="queued", last_error=error[:ERROR_LENGTH],
                               next_attempt_at=next_attempt_at, claimed_until=None)

    async def mark_dead(self, row_id: int, error: str) -> bool:
        return await self._set(row_id, status="dead", last_error=error[:ERROR_LENGTH],
                               claimed_until=None)

    async def requeue(self, row_id: int) -> bool:
        """Put a dead row back in the queue, due now, with fresh attempts; False if not dead."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(outbox).where(outbox.c.id == row_id, outbox.c.status == "dead")
                .values(status="queued", attempts=0, next_attempt_at=self.now(),
                        claimed_until=None, last_error=None))
        return bool(result.rowcount)

    # -- reading ----------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        """Rows per status, plus `failed`: the queued rows waiting for a retry."""
        counts = dict.fromkeys((*STATUSES, FAILED), 0)
        async with self.engine.connect() as connection:
            for status, number in await connection.execute(
                    select(outbox.c.status, func.count()).group_by(outbox.c.status)):
                counts[str(status)] = int(number)
            counts[FAILED] = int((await connection.execute(
                select(func.count()).select_from(outbox).where(
                    outbox.c.status == "queued", outbox.c.last_error.is_not(None)))).scalar_one())
        return counts

    async def rows(self, status: str | None = None, limit: int = 50) -> list[OutboxRow]:
        """The newest rows (of `status`, or `failed`), newest first."""
        statement = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        if status == FAILED:
            statement = statement.where(outbox.c.status == "queued",
                                        outbox.c.last_error.is_not(None))
        elif status is not None:
            if status not in STATUSES:
                raise ValueError(f"status must be one of {', '.join((*STATUSES, FAILED))}")
            statement = statement.where(outbox.c.status == status)
        async with self.engine.connect() as connection:
            found = (await connection.execute(statement)).mappings().all()
        return [OutboxRow.from_mapping(row) for row in found]

    async def row(self, row_id: int) -> OutboxRow | None:
        async with self.engine.connect() as connection:
            found = (await connection.execute(select(outbox).where(outbox.c.id == row_id))
                     ).mappings().first()
        return OutboxRow.from_mapping(found) if found is not None else None

    # -- channel threads --------------------------------------------------------------------

    async def thread_root(self, conversation_id: str, project_id: int) -> str | None:
        """The root message id of the project's notification thread in a channel, or None."""
        async with self.engine.connect() as connection:
            root = (await connection.execute(select(channel_thread.c.root_activity_id).where(
                channel_thread.c.conversation_id == conversation_id,
                channel_thread.c.project_id == project_id))).scalar_one_or_none()
        return str(root) if root is not None else None

    async def remember_thread(self, conversation_id: str, project_id: int,
                              root_activity_id: str) -> None:
        statement = (self.database.insert(channel_thread)
                     .values(conversation_id=conversation_id, project_id=project_id,
                             root_activity_id=root_activity_id)
                     .on_conflict_do_update(index_elements=["conversation_id", "project_id"],
                                            set_={"root_activity_id": root_activity_id}))
        async with self.engine.begin() as connection:
            await connection.execute(statement)

    async def forget_thread(self, conversation_id: str, project_id: int) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(delete(channel_thread).where(
                channel_thread.c.conversation_id == conversation_id,
                channel_thread.c.project_id == project_id))
        return bool(result.rowcount)
