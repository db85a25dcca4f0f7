"""Channel threads: how a conversation id names a thread, and which thread a project's notices use.

A Teams channel message's conversation id is the channel's id with the thread it belongs to
appended: `19:…@thread.tacv2;messageid=<root message id>`. `base_conversation_id` cuts the
suffix off (the channel itself: what references, subscriptions and outbox rows are keyed
by); `thread_conversation_id` puts one on (to post into a thread).

`ChannelThreads` keeps the table `channel_thread`: per channel and project, the root message
of the thread that project's notifications continue (see `bot.notifications.delivery`).
A channel's threads are forgotten once its conversation reference is gone (removed, or purged
after it was disabled: `purge_orphaned_threads`, run by `bot.storage.retention`).
"""

from __future__ import annotations

from sqlalchemy import delete, exists, select

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.schema import channel_thread, conversation_reference
from bot.storage.table_store import TableStore

THREAD_MARKER = ";messageid="


def base_conversation_id(conversation_id: str) -> str:
    """A channel conversation id without its `;messageid=<thread root>` suffix."""
    return conversation_id.split(THREAD_MARKER, 1)[0]


def thread_conversation_id(conversation_id: str, root_activity_id: str) -> str:
    """The conversation id of the thread under `root_activity_id` in the channel of
    `conversation_id` (which may itself name a thread)."""
    return f"{base_conversation_id(conversation_id)}{THREAD_MARKER}{root_activity_id}"


class ChannelThreads(TableStore):
    """The `channel_thread` table: each project's notification thread in each channel."""

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

    async def purge_orphaned_threads(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the threads of channels that have no conversation reference any more, in
        batches; returns how many."""
        referenced = exists().where(
            conversation_reference.c.conversation_id == channel_thread.c.conversation_id)
        return await delete_in_batches(self.engine, channel_thread, ~referenced,
                                       batch_size=batch_size)
