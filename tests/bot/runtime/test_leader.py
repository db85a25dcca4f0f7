"""The sync leader in one process: the advisory lock on PostgreSQL, always leading on SQLite,
duties started and stopped with the lead, a lost connection, an unreachable server, and
what the sync loop publishes as a follower and as the leader."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import pytest

from bot.observability.metrics import BotMetrics
from bot.runtime.leader import LEADER_LOCK_KEY, SyncLeader
from bot.runtime.sync_loop import sync_forever
from bot.storage.bot_database import BotDatabase, open_bot_database
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.events import EventKind, PortfolioEvent
from tests.bot.observability.exposition import parse


@pytest.fixture
async def bot_db(database_url: str) -> AsyncIterator[BotDatabase]:
    database = await open_bot_database(database_url)
    yield database
    await database.close()


class Beats:
    """A duty that counts how often it has run, and whether it is running now."""

    def __init__(self) -> None:
        self.started = 0
        self.running = False

    async def __call__(self) -> None:
        self.started += 1
        self.running = True
        try:
            await asyncio.Event().wait()
        finally:
            self.running = False


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_sqlite_always_leads(tmp_path: Path) -> None:
    database = await open_bot_database(f"sqlite:///{tmp_path}/bot.db")
    leader = SyncLeader(database.engine)
    beats = Beats()
    try:
        leader.duty("beats", beats)
        await settle()
        assert not leader.is_leader and not beats.running, "nothing leads before the first try"
        assert await leader.try_lead() and await leader.try_lead()
        await settle()
        assert leader.is_leader and beats.running and beats.started == 1
    finally:
        await leader.close()
        await database.close()
    assert not beats.running and not leader.is_leader


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_one_of_two_leads_until_it_closes(bot_db: BotDatabase) -> None:
    first, second = SyncLeader(bot_db.engine), SyncLeader(bot_db.engine)
    first_beats, second_beats = Beats(), Beats()
    first.duty("beats", first_beats)
    second.duty("beats", second_beats)
    try:
        assert await first.try_lead() is True
        assert await second.try_lead() is False
        assert await first.try_lead() is True, "the leader keeps the lead"
        assert await second.try_lead() is False
        await settle()
        assert first_beats.running and not second_beats.running
        await first.close()
        assert not first_beats.running
        assert await second.try_lead() is True
        await settle()
        assert second_beats.running and second_beats.started == 1
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_leader_whose_session_dies_stops_leading(bot_db: BotDatabase,
                                                         database_url: str) -> None:
    first, second = SyncLeader(bot_db.engine), SyncLeader(bot_db.engine)
    beats = Beats()
    first.duty("beats", beats)
    try:
        assert await first.try_lead()
        await settle()
        assert beats.running
        # What a dead process or a cut network amounts to: its session ends, the lock goes.
        connection = await asyncpg.connect(database_url)
        try:
            ended = await connection.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = $1", LEADER_LOCK_KEY)
        finally:
            await connection.close()
        assert ended == 1
        assert await second.try_lead() is True, "the lock was released with the session"
        assert await first.try_lead() is False, "the old leader notices and steps down"
        assert not first.is_leader and not beats.running
        assert await first.try_lead() is False, "and does not take it back"
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_an_unreachable_server_means_not_leading() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:9/none")
    leader = SyncLeader(engine)
    try:
        assert await leader.try_lead() is False
        assert not leader.is_leader
    finally:
        await leader.close()
        await engine.dispose()


async def test_the_leader_metric(tmp_path: Path) -> None:
    metrics = BotMetrics()
    assert not parse(await metrics.render()).named("portfoliobot_sync_leader"), "none before bound"
    database = await open_bot_database(f"sqlite:///{tmp_path}/bot.db")
    leader = SyncLeader(database.engine)
    try:
        metrics.bind(leader=leader)
        assert parse(await metrics.render()).get("portfoliobot_sync_leader") == 0
        await leader.try_lead()
        assert parse(await metrics.render()).get("portfoliobot_sync_leader") == 1
    finally:
        await leader.close()
        await database.close()


def change(project_id: int) -> PortfolioEvent:
    return PortfolioEvent(EventKind.PHASE_CHANGED, project_id, f"P-{project_id}", "Project",
                          "execution", "closed")


async def test_only_the_leader_publishes_and_a_new_leader_publishes_what_it_held() -> None:
    # Pass by pass: what the sync finds, and whether this replica leads on that pass.
    passes = [([change(1)], False), ([change(2)], False), ([change(3)], True),
              ([change(4)], True), ([change(5)], False), ([], False), ([change(6)], True)]
    found = iter([SimpleNamespace(events=events, seconds=0.0) for events, _ in passes])
    leading = iter([lead for _, lead in passes])
    published: list[list[int]] = []
    done = asyncio.Event()

    class Syncer:
        async def sync(self) -> SimpleNamespace:
            try:
                return next(found)
            except StopIteration:
                done.set()
                await asyncio.Event().wait()
                raise

    async def leads() -> bool:
        return next(leading, False)

    async def publish(events: list[PortfolioEvent]) -> int:
        published.append([event.project_id for event in events])
        return len(events)

    task = asyncio.create_task(sync_forever(Syncer(), 0.001, publish, leads=leads))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(5):
            await done.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    # 1 was the old leader's to queue; 2, held by the follower, goes out when it takes over.
    # 5 is found while following and dropped: the pass after (nothing found) still follows.
    assert published == [[2, 3], [4], [6]]
