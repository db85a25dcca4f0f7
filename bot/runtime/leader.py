"""The sync leader: of several replicas on one PostgreSQL bot database, the one that publishes.

Every replica syncs its own in-memory snapshot (it answers from it), but the work that must
happen once for all of them is done by the leader only: queuing the notifications for the
changes a sync finds, the weekly digest and reminder schedule, the daily purge of
unanswered questions (`duty`).

On PostgreSQL the leader is the process holding a session-level advisory lock
(`pg_try_advisory_lock`) on a connection of its own, kept open while it leads. If the
process dies, or its connection does, PostgreSQL ends the session and releases the lock;
another replica takes it on its next try. Every sync pass calls `try_lead()`: the leader
checks that its connection is still alive (if not, it stops leading at once), a follower
tries to take the lock. On SQLite there is one process by design, and it always leads.

The same class, built with `lock_key=DELIVERY_LOCK_KEY`, elects the one replica that delivers
notifications (its `try_lead` is the delivery worker's `leads`): one sender at a time keeps
Teams' rate limits and each conversation's order across replicas, and when it dies another
takes over within a poll.

Nothing here raises to the caller: a database that cannot be reached means "not leading".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger("portfoliobot.leader")

# pg_try_advisory_lock key of the sync leader: any fixed number no other lock uses.
LEADER_LOCK_KEY = 0x706F7274_6C656164   # "portlead"
# The delivery lock: the one replica that sends notifications (`bot.notifications.delivery`).
DELIVERY_LOCK_KEY = 0x706F7274_73656E64   # "portsend"
CONNECT_TIMEOUT_SECONDS = 5.0
CHECK_TIMEOUT_SECONDS = 10.0

Duty = Callable[[], Coroutine[Any, Any, None]]


class SyncLeader:
    """Whether this process is the sync leader, and the tasks it runs while it is.

    `engine` is the bot database's; on PostgreSQL the lock is held on a connection outside
    its pool (closing it must really end the session). `close()` stops the duties and
    releases the lock, so another replica takes over at once on a clean shutdown.
    """

    def __init__(self, engine: AsyncEngine, *, lock_key: int = LEADER_LOCK_KEY,
                 role: str = "sync leader") -> None:
        self.lock_key = lock_key
        self.role = role
        self._shared = engine.dialect.name == "postgresql"
        self._engine: AsyncEngine | None = None
        if self._shared:
            self._engine = create_async_engine(
                engine.url, poolclass=NullPool,
                connect_args={"timeout": CONNECT_TIMEOUT_SECONDS,
                              "command_timeout": CHECK_TIMEOUT_SECONDS})
        self._connection: AsyncConnection | None = None
        self._leading = False
        self._duties: dict[str, Duty] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def is_leader(self) -> bool:
        return self._leading

    def duty(self, name: str, work: Duty) -> None:
        """Run `work()` as a task named `name` while this process leads: started when it
        becomes the leader (now, if it is), cancelled when it stops leading."""
        self._duties[name] = work
        if self._leading:
            self._start(name)

    async def try_lead(self) -> bool:
        """Lead if possible: keep the lock if it is still held, take it if it is free."""
        leading = await self._hold() if self._shared else True
        if leading and not self._leading:
            log.info("this replica is now the %s", self.role)
            self._leading = True
            for name in self._duties:
                self._start(name)
        elif not leading and self._leading:
            log.warning("this replica is no longer the %s", self.role)
            self._leading = False
            await self._stop_duties()
        return leading

    async def close(self) -> None:
        """Stop the duties and give up the lead (another replica takes over)."""
        self._leading = False
        await self._stop_duties()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                               {"key": self.lock_key})
            await self._drop_connection()
        if self._engine is not None:
            await self._engine.dispose()

    async def _hold(self) -> bool:
        assert self._engine is not None
        if self._connection is not None:
            try:
                await self._connection.exec_driver_sql("SELECT 1")
                return True
            except Exception as error:
                # The session (and with it the lock) is gone, or about to be: stop leading
                # now rather than risk two leaders; the next pass tries to take it again.
                log.warning("the connection holding the %s lock failed: %s", self.role, error)
                await self._drop_connection()
                return False
        connection: AsyncConnection | None = None
        try:
            connection = await self._engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                             {"key": self.lock_key})).scalar_one()
        except Exception as error:
            log.warning("cannot try for the %s lock: %s", self.role, error)
            got = False
        if got:
            self._connection = connection
            return True
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        return False

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()   # really close it: nothing returns to a pool
            with contextlib.suppress(Exception):
                await connection.close()

    def _start(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is None or task.done():
            task = asyncio.create_task(self._duties[name](), name=name)
            task.add_done_callback(_report_failure)
            self._tasks[name] = task

    async def _stop_duties(self) -> None:
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("leader duty %s failed", task.get_name(), exc_info=task.exception())
