"""Conversation references (table `conversation_reference`): where the bot can message a
conversation proactively.

A reference is what botbuilder needs to reach a conversation (`ConversationReference`, stored
as its serialized JSON). `save_reference` stores or refreshes one (and re-enables it); the
delivery worker disables it when the connector answers 403/404. Channel references are stored
under the channel's id (any thread suffix is cut off, `bot.notifications.threads`), so a
notification to a channel starts or continues a thread of its own.

Each reference keeps the conversation's tenant (`tenant_id`, lower case), so the delivery
worker can refuse a conversation whose tenant is no longer in `ALLOWED_TENANT_IDS`. Teams
names it in `channelData.tenant.id` (pass it as `tenant_id`) and in `conversation.tenantId`,
which botbuilder's `ConversationAccount` does not read (it expects `tenantID`) but keeps in its
`additional_properties`: both are looked at.

A reference disabled longer than its retention is deleted (`purge_disabled`, run by
`bot.storage.retention`); an enabled one is kept however old.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from botbuilder.schema import ConversationReference
from sqlalchemy import delete, select, update

from bot.auth.tenant_id import tenant_of_conversation
from bot.notifications.threads import base_conversation_id
from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.schema import conversation_reference
from bot.storage.table_store import TableStore

ERROR_LENGTH = 1000   # a stored reason or error is cut to this many characters


@dataclass(frozen=True)
class StoredReference:
    """A stored conversation reference with its bookkeeping."""

    conversation_id: str
    reference: ConversationReference
    scope: str
    enabled: bool
    disabled_reason: str | None
    updated_at: datetime
    tenant_id: str | None = None


class ConversationReferences(TableStore):
    """Storing, reading, disabling and removing conversation references."""

    async def save_reference(self, reference: ConversationReference, scope: str,
                             tenant_id: str | None = None) -> str:
        """Store (or refresh) the reference of a conversation and enable it; returns its key.

        Channel references are keyed and stored by the channel id, without a thread suffix.
        `tenant_id` (from `channelData.tenant.id`) wins over what the conversation names.
        """
        conversation = reference.conversation
        if conversation is None or not conversation.id or not reference.service_url:
            raise ValueError("a conversation reference needs a conversation id and service URL")
        conversation_id = base_conversation_id(conversation.id)
        document = reference.serialize()
        document.pop("activityId", None)  # proactive messages are not replies to anything
        document.setdefault("conversation", {})["id"] = conversation_id
        values = {"reference": json.dumps(document, sort_keys=True), "service_url":
                  reference.service_url, "tenant_id": (tenant_id or "").strip().lower()
                  or tenant_of_conversation(conversation),
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

    async def disable_reference(self, conversation_id: str, reason: str) -> bool:
        """Stop delivering to a conversation (the bot was removed, it is gone); True if known."""
        statement = (update(conversation_reference)
                     .where(conversation_reference.c.conversation_id == conversation_id)
                     .values(enabled=False, disabled_reason=reason[:ERROR_LENGTH],
                             updated_at=self.now()))
        async with self.engine.begin() as connection:
            return bool((await connection.execute(statement)).rowcount)

    async def purge_disabled(self, before: datetime, *,
                             batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the references disabled before `before` (and not enabled again since), in
        batches; returns how many."""
        return await delete_in_batches(
            self.engine, conversation_reference, conversation_reference.c.enabled.is_(False),
            conversation_reference.c.updated_at < before, batch_size=batch_size)

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
                               updated_at=row["updated_at"], tenant_id=row["tenant_id"])

    async def reference(self, conversation_id: str) -> ConversationReference | None:
        """The enabled reference of a conversation, or None (unknown or disabled)."""
        stored = await self.stored_reference(conversation_id)
        return stored.reference if stored is not None and stored.enabled else None
