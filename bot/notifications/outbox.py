"""The notification queue (table `outbox`): one row per notification and conversation, durable.

The queue lives in the bot database (`bot.storage.schema`), so it survives a restart and is
shared by every replica. `OutboxStore` is the queue with the conversation references
(`bot.notifications.references`) and the channel threads (`bot.notifications.threads`) it
delivers to mixed in: the one object the notifier, the delivery worker and the handlers use.

- `enqueue(connection, conversation_ids, dedupe_key, notification)` writes one `outbox` row per
  conversation on the caller's connection, i.e. inside the caller's transaction (the one that
  records the event), with INSERT … ON CONFLICT DO NOTHING on (conversation_id, dedupe_key):
  the same event is never queued twice for a conversation, however often it is recorded.
  A channel thread's id is queued under its channel.
- `claim(limit, lease_seconds)` hands due rows to one worker: status `queued` → `sending` with
  a lease (`claimed_until`). On PostgreSQL the rows are chosen with FOR UPDATE SKIP LOCKED, so
  several processes can claim concurrently and each row goes to one of them; on SQLite the
  claim runs in a BEGIN IMMEDIATE transaction (one writer at a time). A row whose lease ran
  out (its worker died mid-send) is claimable again: that is the at-least-once part.
- `attempts` counts claims: it is incremented by `claim`, so the row a worker holds says
  which attempt this is (1 for the first).

Row states: `queued` (waiting; `last_error` set when an attempt failed and it waits for a
retry: "failed" in `counts()`), `sending` (claimed), `delivered`, `dead` (given up; `requeue`
puts it back), `withdrawn` (no longer wanted: the report it announced was undone, or the
conversation unsubscribed; never sent, see `withdraw` and `withdraw_for`). Finished rows
(delivered, dead, withdrawn) are purged after the outbox's retention (`purge_finished`, run by
`bot.storage.retention`); waiting rows never are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.notifications.references import ERROR_LENGTH, ConversationReferences
from bot.notifications.threads import ChannelThreads, base_conversation_id
from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.schema import outbox
from knowledge.portfolio.database import write_transaction

STATUSES = ("queued", "sending", "delivered", "dead", "withdrawn")
#: The states of a row that may still be sent: `withdraw` stops these.
WAITING = ("queued", "sending")
#: The states of a row that is done with: `purge_finished` deletes these once old.
FINISHED = ("delivered", "dead", "withdrawn")
#: `rows(status="failed")`: queued rows whose last attempt failed (waiting for a retry).
FAILED = "failed"


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
class DeliveryHealth:
    """How delivery to one conversation goes (`OutboxStore.delivery_health`)."""

    last_delivered: Mapping[int | None, datetime]   # project id (None: any) → last arrival
    failing: Mapping[int | None, str]               # project id (None: any) → why


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class OutboxStore(ConversationReferences, ChannelThreads):
    """The outbox of one `BotDatabase`, with the references and threads it delivers to."""

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

    @staticmethod
    async def queued_since(connection: AsyncConnection, key_prefix: str, moment: datetime) -> bool:
        """Whether any row whose dedupe key starts with `key_prefix` was queued at or after
        `moment`, whatever became of it since (read on the caller's transaction)."""
        statement = (select(outbox.c.id).where(
            outbox.c.dedupe_key.startswith(key_prefix, autoescape=True),
            outbox.c.created_at >= moment).limit(1))
        return (await connection.execute(statement)).first() is not None

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

    async def _set(self, row_id: int, claim: int | None, **values: Any) -> bool:
        """Update a row; with `claim` (the `attempts` of the claim the caller holds) only while
        that claim still holds it: `sending`, not claimed again since (fencing)."""
        statement = update(outbox).where(outbox.c.id == row_id)
        if claim is not None:
            statement = statement.where(outbox.c.status == "sending",
                                        outbox.c.attempts == claim)
        async with self.engine.begin() as connection:
            result = await connection.execute(statement.values(**values))
        return bool(result.rowcount)

    async def mark_delivered(self, row_id: int, claim: int | None = None) -> bool:
        """The row was delivered; False (and nothing changed) if `claim` no longer holds it."""
        return await self._set(row_id, claim, status="delivered", delivered_at=self.now(),
                               claimed_until=None, last_error=None)

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime,
                         claim: int | None = None) -> bool:
        return await self._set(row_id, claim, status="queued", last_error=error[:ERROR_LENGTH],
                               next_attempt_at=next_attempt_at, claimed_until=None)

    async def mark_dead(self, row_id: int, error: str, claim: int | None = None) -> bool:
        return await self._set(row_id, claim, status="dead", last_error=error[:ERROR_LENGTH],
                               claimed_until=None)

    async def mark_withdrawn(self, row_id: int, reason: str, claim: int | None = None) -> bool:
        return await self._set(row_id, claim, status="withdrawn",
                               last_error=reason[:ERROR_LENGTH], claimed_until=None)

    async def hold(self, claims: Mapping[int, int], lease_seconds: float) -> set[int]:
        """Renew the lease of rows this worker still holds (row id → its claim's `attempts`)
        to `lease_seconds` from now; returns the ids still held. A row withdrawn, or claimed
        again by another worker after its lease ran out, is not held any more: the caller
        must not send it. The worker calls this right before each send and while rows wait."""
        if not claims:
            return set()
        until = self.now() + timedelta(seconds=lease_seconds)
        held: set[int] = set()
        async with self.engine.begin() as connection:
            for row_id, claim in claims.items():
                result = await connection.execute(
                    update(outbox).where(outbox.c.id == row_id, outbox.c.status == "sending",
                                         outbox.c.attempts == claim)
                    .values(claimed_until=until))
                if result.rowcount:
                    held.add(row_id)
        return held

    async def recent_deliveries(self, since: datetime, lease_seconds: float | None = None
                                ) -> list[tuple[str, datetime]]:
        """(conversation id, sent at) of every row delivered since `since`, oldest first: what
        a worker that takes over seeds its rate limiter with. With `lease_seconds`, rows still
        `sending` count too, as sent when their lease was last renewed (`claimed_until -
        lease_seconds`; a worker renews right before each send): a worker that died between a
        send and its mark must not make the next one overshoot Teams' limits."""
        statement = (select(outbox.c.conversation_id, outbox.c.delivered_at)
                     .where(outbox.c.status == "delivered", outbox.c.delivered_at >= since))
        async with self.engine.connect() as connection:
            found = [(str(c), d) for c, d in await connection.execute(statement)]
            if lease_seconds is not None:
                lease = timedelta(seconds=lease_seconds)
                found += [(str(c), until - lease) for c, until in await connection.execute(
                    select(outbox.c.conversation_id, outbox.c.claimed_until).where(
                        outbox.c.status == "sending", outbox.c.claimed_until >= since + lease))]
        return sorted(found, key=lambda item: item[1])

    async def release_leases(self) -> int:
        """Make every `sending` row claimable now; how many. Only for the one worker that
        takes over the delivery lock: the previous holder is gone (its session ended), and its
        rows must not wait for their leases to run out. Fencing keeps a late write of the old
        holder from counting."""
        moment = self.now() - timedelta(seconds=1)
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(outbox).where(outbox.c.status == "sending").values(claimed_until=moment))
        return int(result.rowcount)

    async def requeue(self, row_id: int) -> bool:
        """Put a dead row back in the queue, due now, with fresh attempts; False if not dead."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(outbox).where(outbox.c.id == row_id, outbox.c.status == "dead")
                .values(status="queued", attempts=0, next_attempt_at=self.now(),
                        claimed_until=None, last_error=None))
        return bool(result.rowcount)

    # -- withdrawing ------------------------------------------------------------------------

    async def withdraw(self, keys: Iterable[str], reason: str = "withdrawn") -> int:
        """Withdraw the waiting rows (`queued`, or `sending` under a lease) with these dedupe
        keys, in every conversation: they become `withdrawn` and are never sent. Returns how
        many rows were withdrawn; delivered, dead and already withdrawn rows are left alone.

        Call it when what a notification announces is no longer true (a status report undone:
        pass the keys its events were queued under). A row a worker holds is checked again
        right before it is sent (`DeliveryWorker`), so a withdrawal that lands while the row
        waits in the rate limiter still stops it; only a send already on the wire goes out.
        """
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        statement = (update(outbox).where(outbox.c.dedupe_key.in_(wanted),
                                          outbox.c.status.in_(WAITING))
                     .values(status="withdrawn", last_error=reason[:ERROR_LENGTH],
                             claimed_until=None))
        async with self.engine.begin() as connection:
            return int((await connection.execute(statement)).rowcount)

    async def withdraw_for(self, conversation_id: str, project_ids: Iterable[int] | None = None,
                           reason: str = "unsubscribed") -> int:
        """Withdraw a conversation's waiting rows: all of them (`project_ids` None: it
        unsubscribed from everything), or only those about these projects (it unsubscribed
        from a project, or from a programme: pass the programme's project ids). A channel
        thread's id counts as its channel. Returns how many rows were withdrawn.

        Personal reminders (dedupe key `reminder:…`) are not about a subscription and are
        left alone unless everything is withdrawn.
        """
        conditions = [outbox.c.conversation_id == base_conversation_id(conversation_id),
                      outbox.c.status.in_(WAITING)]
        if project_ids is not None:
            projects = list(dict.fromkeys(project_ids))
            if not projects:
                return 0
            conditions += [outbox.c.project_id.in_(projects),
                           ~outbox.c.dedupe_key.startswith("reminder:")]
        statement = (update(outbox).where(*conditions)
                     .values(status="withdrawn", last_error=reason[:ERROR_LENGTH],
                             claimed_until=None))
        async with self.engine.begin() as connection:
            return int((await connection.execute(statement)).rowcount)

    # -- retention --------------------------------------------------------------------------

    async def purge_finished(self, before: datetime, *,
                             batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the finished rows older than `before`, in batches; returns how many.

        A delivered row's age counts from its delivery, a dead or withdrawn row's from when it
        was queued. `queued` and `sending` rows are never purged. Keep `before` at least 7 days
        back: the weekly digest reads the last week's deliveries (`delivered_since`), and a
        worker taking over seeds its rate limiter with the last hour's (`recent_deliveries`).
        """
        finished_at = func.coalesce(outbox.c.delivered_at, outbox.c.created_at)
        return await delete_in_batches(self.engine, outbox, outbox.c.status.in_(FINISHED),
                                       finished_at < before, batch_size=batch_size)

    # -- reading ----------------------------------------------------------------------------

    async def delivery_health(self, conversation_id: str) -> DeliveryHealth:
        """How delivery to a conversation goes, per project (None: any project): when a
        notice last arrived, and the newest failure (a dead row, or a waiting one that failed
        before) with its error, unless a later notice arrived since."""
        conversation = base_conversation_id(conversation_id)
        last: dict[int | None, datetime] = {}
        last_id: dict[int | None, int] = {}
        failing: dict[int | None, str] = {}
        async with self.engine.connect() as connection:
            for project_id, delivered, newest in await connection.execute(
                    select(outbox.c.project_id, func.max(outbox.c.delivered_at),
                           func.max(outbox.c.id))
                    .where(outbox.c.conversation_id == conversation,
                           outbox.c.status == "delivered")
                    .group_by(outbox.c.project_id)):
                moment = _utc(delivered)
                last[project_id] = moment
                last[None] = max(last.get(None, moment), moment)
                last_id[project_id] = newest
                last_id[None] = max(last_id.get(None, newest), newest)
            for row_id, project_id, status, error in await connection.execute(
                    select(outbox.c.id, outbox.c.project_id, outbox.c.status,
                           outbox.c.last_error)
                    .where(outbox.c.conversation_id == conversation,
                           or_(outbox.c.status == "dead",
                               and_(outbox.c.status == "queued", outbox.c.attempts > 0)))
                    .order_by(outbox.c.id.desc()).limit(200)):
                why = f"{status}: {error or 'unknown error'}"
                if row_id > last_id.get(project_id, 0):
                    failing.setdefault(project_id, why)
                if row_id > last_id.get(None, 0):
                    failing.setdefault(None, why)
        return DeliveryHealth(last, failing)

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
