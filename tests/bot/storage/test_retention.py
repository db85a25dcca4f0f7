"""Retention of the bot database's tables (issue 12 item 9), on SQLite and PostgreSQL.

- A 30-day run with a clock the test controls: twice a day rows are made in every table through
  the stores' own methods, the retention run purges (in batches of 3), and every table is then
  compared with a model of what its retention keeps: nothing older left, nothing younger gone.
  Then the clock jumps five years and a day, for the audit trail.
- A backlog is deleted in short transactions, not one long one.
- Over HTTP: a running bot's leader purges at start and `/metrics` says so; of two replicas
  on one PostgreSQL only the sync leader runs it, and the other takes over when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import event, select

from bot.notifications.outbox import Notification, OutboxStore
from bot.observability.metrics import BotMetrics
from bot.observability.unanswered_store import UnansweredStore
from bot.settings import Settings
from bot.storage.bot_database import BotDatabase, open_bot_database
from bot.storage.conversation_memory import KEEP_ROWS as KEEP_MEMORY
from bot.storage.conversation_memory import ConversationMemories
from bot.storage.retention import TABLES, RetentionRun
from bot.storage.schema import (
    bot_state,
    channel_thread,
    conversation_memory,
    conversation_reference,
    outbox,
    processed_activity,
    status_update_audit,
    unanswered_question,
)
from bot.storage.sql_storage import SqlStorage
from bot.web.retention_duty import retention_run
from knowledge.answers.answers import Language
from knowledge.answers.conversation import Memory
from tests.bot.conftest import running_bot, settings_for
from tests.bot.observability.exposition import Exposition, parse, scrape

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Short retentions (the minimums allow), so that every purge happens within the 30 days.
ENVIRONMENT = {
    "DIALOG_STATE_RETENTION_HOURS": "24",
    "PROCESSED_ACTIVITY_RETENTION_DAYS": "3",
    "OUTBOX_RETENTION_DAYS": "7",
    "DISABLED_REFERENCE_RETENTION_DAYS": "10",
    "UNANSWERED_RETENTION_DAYS": "5",
    "UNANSWERED_MAX_QUESTIONS": "30",
}
CHANNEL = "19:retention@thread.tacv2"


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def reference(conversation_id: str) -> ConversationReference:
    return ConversationReference(
        channel_id="msteams", service_url="http://127.0.0.1:9/",
        conversation=ConversationAccount(id=conversation_id, conversation_type="channel"),
        bot=ChannelAccount(id="28:bot"), user=ChannelAccount(id="29:user"))


@dataclass
class Model:
    """What the test made, and when: what each table must hold after a run at `now`."""

    state_written: dict[str, datetime] = field(default_factory=dict)
    claimed: dict[str, datetime] = field(default_factory=dict)
    audited: dict[str, datetime] = field(default_factory=dict)   # activity id → written
    finished: dict[str, datetime] = field(default_factory=dict)  # dedupe key → done at
    waiting: set[str] = field(default_factory=set)               # dedupe keys never finished
    enabled: set[str] = field(default_factory=set)
    disabled: dict[str, datetime] = field(default_factory=dict)
    asked: list[tuple[datetime, str]] = field(default_factory=list)
    remembered: dict[str, datetime] = field(default_factory=dict)   # conversation → written

    def expected(self, now: datetime, settings: Settings) -> dict[str, set[Any]]:
        kept = settings.retention

        def young(made: dict[str, datetime], period: timedelta) -> set[str]:
            return {key for key, moment in made.items() if moment >= now - period}

        references = self.enabled | young(self.disabled, kept.disabled_reference)
        recent = [(moment, text) for moment, text in self.asked
                  if moment >= now - kept.unanswered]
        return {
            "bot_state": young(self.state_written, kept.dialog_state),
            "processed_activity": young(self.claimed, kept.processed_activity),
            "status_update_audit": young(self.audited, kept.audit),
            "outbox": self.waiting | young(self.finished, kept.outbox),
            "conversation_reference": references,
            "channel_thread": references,
            # in order of asking, so the newest `unanswered_max` are the last ones
            "unanswered_question": {text for _, text in recent[-kept.unanswered_max:]},
            "conversation_memory": young(self.remembered, KEEP_MEMORY),
        }


async def held(database: BotDatabase) -> dict[str, set[Any]]:
    """What each table holds, by the key the model uses."""
    queries = {
        "bot_state": select(bot_state.c.key),
        "processed_activity": select(processed_activity.c.key),
        "status_update_audit": select(status_update_audit.c.activity_id),
        "outbox": select(outbox.c.dedupe_key),
        "conversation_reference": select(conversation_reference.c.conversation_id),
        "channel_thread": select(channel_thread.c.conversation_id),
        "unanswered_question": select(unanswered_question.c.text),
        "conversation_memory": select(conversation_memory.c.conversation_id),
    }
    async with database.engine.connect() as connection:
        return {table: {row[0] for row in await connection.execute(query)}
                for table, query in queries.items()}


@dataclass
class Stores:
    database: BotDatabase
    dialog_state: SqlStorage
    outbox: OutboxStore
    unanswered: UnansweredStore
    clock: Clock
    memories: ConversationMemories
    model: Model = field(default_factory=Model)
    undelivered: dict[str, int] = field(default_factory=dict)   # dedupe key → row id

    async def morning(self, day: int) -> None:
        """Rows of every kind, as the bot makes them over a day."""
        await self.make(day, "am")
        now = self.clock()
        # Queued now, delivered in the evening: its age counts from the delivery.
        key = f"deliver-{day}"
        await self.outbox.enqueue_now([CHANNEL], key, Notification(title=key, text=""))
        [row] = [r for r in await self.outbox.rows("queued", 500) if r.dedupe_key == key]
        self.undelivered[key] = row.id
        for key, finish in ((f"dead-{day}", "dead"), (f"withdrawn-{day}", "withdrawn"),
                            (f"waiting-{day}", None)):
            await self.outbox.enqueue_now([CHANNEL], key, Notification(title=key, text=""))
            if finish == "dead":
                [row] = [r for r in await self.outbox.rows("queued", 500) if r.dedupe_key == key]
                assert await self.outbox.mark_dead(row.id, "403 Forbidden")
            elif finish == "withdrawn":
                assert await self.outbox.withdraw([key], "undone") == 1
            if finish is None:
                self.model.waiting.add(key)
            else:
                self.model.finished[key] = now
        conversation = f"19:day-{day}@thread.tacv2"
        assert await self.outbox.save_reference(reference(conversation), "channel") == conversation
        await self.outbox.remember_thread(conversation, 1, f"root-{day}")
        self.model.enabled.add(conversation)

    async def evening(self, day: int) -> None:
        await self.make(day, "pm")
        now = self.clock()
        key = f"deliver-{day}"
        assert await self.outbox.mark_delivered(self.undelivered.pop(key))
        self.model.finished[key] = now
        if day % 3:   # two days in three the bot is removed from that day's channel
            conversation = f"19:day-{day}@thread.tacv2"
            assert await self.outbox.disable_reference(conversation, "403 Forbidden")
            self.model.enabled.discard(conversation)
            self.model.disabled[conversation] = now

    async def make(self, day: int, part: str) -> None:
        now, tag = self.clock(), f"{day}-{part}"
        await self.dialog_state.write({f"dialog-{tag}": {"step": tag}, "busy-user": {"step": tag}})
        self.model.state_written |= {f"dialog-{tag}": now, "busy-user": now}
        assert await self.database.claim_once(f"activity-{tag}")
        self.model.claimed[f"activity-{tag}"] = now
        await self.database.record_audit(action="post", actor_aad_object_id="aad-lead",
                                         project_id=1, conversation_id=CHANNEL,
                                         activity_id=f"activity-{tag}")
        self.model.audited[f"activity-{tag}"] = now
        conversation = f"a:chat-{tag}"
        self.memories.save(conversation, "aad-asker", Memory(None, Language.NB, now))
        await self.memories.flush()
        self.model.remembered[conversation] = now
        # Days 20-22: one user asks a flood of questions; the cap, not the age, then binds.
        for number in range(20 if 20 <= day <= 22 else 2):
            text = f"question {tag} {number}"
            assert await self.unanswered.record(text, "nb")
            self.model.asked.append((now, text))


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[Stores]:
    clock = Clock()
    settings = Settings.from_environment(ENVIRONMENT)
    database = await open_bot_database(database_url, clock=clock)
    try:
        yield Stores(database, SqlStorage(database, ttl=settings.retention.dialog_state),
                     OutboxStore(database), UnansweredStore(database), clock,
                     ConversationMemories(database))
    finally:
        await database.close()


async def test_thirty_days_leave_every_table_within_its_retention(stores: Stores) -> None:
    settings = Settings.from_environment(ENVIRONMENT)
    metrics = BotMetrics()
    run = retention_run(stores.database, stores.dialog_state, stores.outbox, stores.unanswered,
                        settings.retention, metrics, memories=stores.memories, batch_size=3)
    totals = dict.fromkeys(TABLES, 0)

    async def run_and_check(when: str) -> None:
        before = await held(stores.database)
        purged = await run.run_once()
        after = await held(stores.database)
        assert after == stores.model.expected(stores.clock(), settings), when
        for table in TABLES:
            gone = before[table] - after[table]
            assert purged[table] == len(gone), f"{when}: {table} reported {purged[table]}"
            totals[table] += purged[table]

    for day in range(31):
        stores.clock.now = START + timedelta(days=day)
        await stores.morning(day)
        stores.clock.now += timedelta(hours=12)
        await stores.evening(day)
        await run_and_check(f"day {day}")

    assert all(totals[table] for table in TABLES if table != "status_update_audit"), totals
    assert totals["status_update_audit"] == 0, "five years not reached in thirty days"
    assert stores.model.disabled and stores.model.waiting

    # Five years and a day after the first morning: its audit rows go, the next day's stay.
    stores.clock.now = START + settings.retention.audit + timedelta(days=1)
    await run_and_check("five years and a day later")
    audit = (await held(stores.database))["status_update_audit"]
    assert "activity-0-am" not in audit and "activity-0-pm" not in audit
    assert {"activity-1-am", "activity-30-pm"} <= audit
    assert (await held(stores.database))["outbox"] == stores.model.waiting, \
        "waiting notifications are never purged"

    parsed = parse(await metrics.render())
    for table in TABLES:
        assert parsed.get("portfoliobot_retention_purged_rows_total", table=table) \
            == totals[table]
    assert parsed.get("portfoliobot_retention_last_run_timestamp_seconds") \
        == stores.clock.now.timestamp()


async def test_a_backlog_is_deleted_in_short_transactions(stores: Stores) -> None:
    statements: list[str] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            statements.append(statement)

    async with stores.database.engine.begin() as connection:
        await connection.execute(processed_activity.insert(), [
            {"key": f"old-{number}", "created_at": START} for number in range(2500)])
    stores.clock.now = START + timedelta(days=400)
    assert await stores.database.claim_once("today")
    event.listen(stores.database.engine.sync_engine, "before_cursor_execute", count)
    try:
        forgotten = await stores.database.forget_processed_before(
            stores.clock.now - timedelta(days=30))
    finally:
        event.remove(stores.database.engine.sync_engine, "before_cursor_execute", count)
    assert forgotten == 2500
    assert len(statements) == 3, "batches of 1,000"
    assert (await held(stores.database))["processed_activity"] == {"today"}


async def test_a_failing_purge_is_logged_and_the_others_still_run(
        stores: Stores, caplog: pytest.LogCaptureFixture) -> None:
    assert await stores.database.claim_once("old")
    stores.clock.now += timedelta(days=40)

    async def broken() -> int:
        raise ConnectionError("database gone")

    reports: list[dict[str, int]] = []
    run = RetentionRun({"bot_state": broken, "processed_activity": lambda: (
        stores.database.forget_processed_before(stores.clock.now - timedelta(days=30)))},
        on_run=lambda purged, _: reports.append(dict(purged)), clock=stores.clock)
    assert await run.run_once() == {"bot_state": 0, "processed_activity": 1}
    assert reports == [{"bot_state": 0, "processed_activity": 1}]
    assert "purging bot_state failed" in caplog.text


# -- over HTTP: the running bot ----------------------------------------------------------


async def seed_old_rows(url: str, tag: str = "") -> None:
    """An idempotency key and an unanswered question from long ago, and a fresh key."""
    long_ago = Clock(datetime.now(UTC) - timedelta(days=400))
    database = await open_bot_database(url, clock=long_ago)
    try:
        assert await database.claim_once(f"activity-long-ago{tag}")
        assert await UnansweredStore(database).record(f"hvem eier marsferd{tag}?", "nb")
        long_ago.now = datetime.now(UTC)
        assert await database.claim_once(f"activity-today{tag}")
    finally:
        await database.close()


async def metrics_when(base: str, ready: Callable[[Exposition], bool],
                       seconds: float = 30.0) -> Exposition:
    """The bot's /metrics once `ready` holds (bounded wait)."""
    for _ in range(int(seconds / 0.1)):
        _, parsed = await scrape(base)
        if ready(parsed):
            return parsed
        await asyncio.sleep(0.1)
    raise AssertionError(f"/metrics did not show it within {seconds} s")


def has_run(parsed: Exposition) -> bool:
    return bool(parsed.named("portfoliobot_retention_last_run_timestamp_seconds"))


async def test_the_leader_purges_at_start_and_metrics_say_so(demo_url: str,
                                                              tmp_path: Path) -> None:
    await seed_old_rows(demo_url)
    started = datetime.now(UTC).timestamp()
    async with running_bot(settings_for(demo_url, tmp_path)) as url:
        parsed = await metrics_when(url.removesuffix("/api/messages"), has_run)
    assert parsed.get("portfoliobot_retention_last_run_timestamp_seconds") >= started
    assert parsed.get("portfoliobot_retention_purged_rows_total", table="processed_activity") == 1
    assert parsed.get("portfoliobot_retention_purged_rows_total",
                      table="unanswered_question") == 1
    assert parsed.get("portfoliobot_retention_purged_rows_total", table="outbox") == 0
    database = await open_bot_database(demo_url)
    try:
        left = await held(database)
    finally:
        await database.close()
    assert left["processed_activity"] == {"activity-today"}
    assert left["unanswered_question"] == set()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_only_the_sync_leader_runs_retention(demo_url: str, tmp_path: Path) -> None:
    await seed_old_rows(demo_url)
    # One-second sync passes: the follower asks for the lead every second.
    settings = replace(settings_for(demo_url, tmp_path), sync_interval_seconds=1.0)
    async with contextlib.AsyncExitStack() as replicas:
        first_replica = contextlib.AsyncExitStack()
        await replicas.enter_async_context(first_replica)
        first = (await first_replica.enter_async_context(running_bot(settings))
                 ).removesuffix("/api/messages")
        led = await metrics_when(first, has_run)
        assert led.get("portfoliobot_sync_leader") == 1
        assert led.get("portfoliobot_retention_purged_rows_total",
                       table="processed_activity") == 1
        second = (await replicas.enter_async_context(running_bot(
            replace(settings, data_dir=tmp_path / "second")))).removesuffix("/api/messages")
        await asyncio.sleep(2.5)   # two of its sync passes: it does not get the lead
        _, follower = await scrape(second)
        assert follower.get("portfoliobot_sync_leader") == 0
        assert not has_run(follower), "a follower runs no retention"
        assert not follower.named("portfoliobot_retention_purged_rows_total")

        await seed_old_rows(demo_url, "-again")   # for whoever runs next
        await first_replica.aclose()   # the leader stops; the follower takes over and runs
        took_over = await metrics_when(second, has_run)
        assert took_over.get("portfoliobot_sync_leader") == 1
        assert took_over.get("portfoliobot_retention_purged_rows_total",
                             table="processed_activity") == 1
        assert took_over.get("portfoliobot_retention_purged_rows_total",
                             table="unanswered_question") == 1
