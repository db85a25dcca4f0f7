"""Which purge keeps each table of the bot database within its retention: `retention_run`
builds the sync leader's `RetentionRun` (`bot.storage.retention`) from the stores start-up
opened (`bot.web.lifecycle`) and the `Retention` of the settings."""

from __future__ import annotations

from bot.notifications.outbox import OutboxStore
from bot.observability.metrics import BotMetrics
from bot.observability.unanswered_store import UnansweredStore
from bot.storage.batched_delete import DEFAULT_BATCH_SIZE
from bot.storage.bot_database import BotDatabase
from bot.storage.conversation_memory import ConversationMemories
from bot.storage.retention import Purge, Retention, RetentionRun
from bot.storage.sql_storage import SqlStorage


def table_purges(database: BotDatabase, dialog_state: SqlStorage, outbox: OutboxStore,
                 unanswered: UnansweredStore, retention: Retention, *,
                 memories: ConversationMemories | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> dict[str, Purge]:
    """Table name → its purge; each reads the database's clock when it runs. `dialog_state`
    must have been built with `ttl=retention.dialog_state`."""
    now = database.clock

    async def unanswered_questions() -> int:
        return (await unanswered.purge_unanswered(retention.unanswered.days,
                                                  batch_size=batch_size)
                + await unanswered.cap_unanswered(retention.unanswered_max,
                                                  batch_size=batch_size))

    memory = memories or ConversationMemories(database)
    return {
        "bot_state": lambda: dialog_state.purge_expired(batch_size=batch_size),
        "processed_activity": lambda: database.forget_processed_before(
            now() - retention.processed_activity, batch_size=batch_size),
        "status_update_audit": lambda: database.forget_audit_before(
            now() - retention.audit, batch_size=batch_size),
        "outbox": lambda: outbox.purge_finished(now() - retention.outbox, batch_size=batch_size),
        "conversation_reference": lambda: outbox.purge_disabled(
            now() - retention.disabled_reference, batch_size=batch_size),
        "channel_thread": lambda: outbox.purge_orphaned_threads(batch_size=batch_size),
        "unanswered_question": unanswered_questions,
        "conversation_memory": lambda: memory.purge(batch_size=batch_size),
    }


def retention_run(database: BotDatabase, dialog_state: SqlStorage, outbox: OutboxStore,
                  unanswered: UnansweredStore, retention: Retention,
                  metrics: BotMetrics | None = None, *,
                  memories: ConversationMemories | None = None,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> RetentionRun:
    """The retention run over every table, reporting to `metrics` if given."""
    return RetentionRun(
        table_purges(database, dialog_state, outbox, unanswered, retention,
                     memories=memories, batch_size=batch_size),
        interval_seconds=retention.interval_seconds,
        on_run=metrics.observe_retention if metrics is not None else None,
        clock=database.clock)
