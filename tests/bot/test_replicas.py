"""Two real bot processes on one PostgreSQL: one sync leader at a time (and a takeover when it
dies), a dialog that moves between them, a change found by sync notified once.

Each test starts `python -m bot serve` twice, on free 127.0.0.1 ports, against a fresh
portfolio database (the demo data) and a fresh, separate bot database; the connector
stand-in runs in the test process. Every wait is bounded, and every process started here is
stopped by its PID when the test ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import text

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports
from tests.bot.test_notifications import channel_posts, subscribe
from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.dialogs.test_status_update_dialog import send

pytestmark = pytest.mark.postgres

REPOSITORY = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0       # a cold start imports botbuilder; generous on a busy machine
TAKEOVER_SECONDS = 15.0    # the follower's next sync passes (1 s apart) must take the lead
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One `python -m bot serve` process and where it listens."""

    name: str
    process: asyncio.subprocess.Process
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def messages(self) -> str:
        return f"{self.base}/api/messages"

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-4000:]

    async def get(self, path: str) -> tuple[int, str]:
        async with ClientSession(timeout=ClientTimeout(total=5)) as client, \
                client.get(self.base + path) as response:
            return response.status, await response.text()

    async def readyz(self) -> dict[str, Any]:
        async with ClientSession(timeout=ClientTimeout(total=5)) as client, \
                client.get(self.base + "/readyz") as response:
            body: dict[str, Any] = await response.json()
            return body

    async def is_leader(self) -> bool:
        return await self.leader_metric() == 1.0

    async def leader_metric(self) -> float:
        _, metrics = await self.get("/metrics")
        [line] = [line for line in metrics.splitlines()
                  if line.startswith("portfoliobot_sync_leader ")]
        return float(line.split()[1])


async def wait_until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    """Poll `check` until it is true; fail naming `what` after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while True:     # another process's state: polled, there is no event to wait on
                if await check():
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"waited {seconds:g} s for {what}") from None


async def start_replica(name: str, portfolio_url: str, bot_url: str, folder: Path) -> Replica:
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTFOLIO", "BOT_", "Microsoft", "NOTIFY_", "DIGEST_",
                                  "REMINDER_", "ALLOWED_TENANT"))}
    env.update(PORTFOLIO_DATABASE_URL=portfolio_url, BOT_DATABASE_URL=bot_url,
               PORTFOLIOBOT_DATA_DIR=str(folder / name), HOST="127.0.0.1", PORT=str(port),
               SYNC_INTERVAL_SECONDS="1", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", cwd=REPOSITORY, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=asyncio.subprocess.STDOUT)
    return Replica(name, process, f"http://127.0.0.1:{port}", log)


async def wait_ready(replica: Replica) -> None:
    async def ready() -> bool:
        if replica.process.returncode is not None:
            raise AssertionError(f"replica {replica.name} exited with "
                                 f"{replica.process.returncode}:\n{replica.output()}")
        try:
            return bool((await replica.readyz())["ready"])
        except (ClientError, TimeoutError, ValueError):
            return False
    try:
        await wait_until(ready, START_SECONDS, f"replica {replica.name} to be ready")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{replica.output()}") from None


async def stop_replica(replica: Replica) -> None:
    """SIGTERM (a clean stop), then SIGKILL if it does not end in time; by PID only."""
    if replica.process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        replica.process.terminate()
    try:
        await asyncio.wait_for(replica.process.wait(), STOP_SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            replica.process.kill()
        await asyncio.wait_for(replica.process.wait(), STOP_SECONDS)


@dataclass(frozen=True)
class Databases:
    portfolio: str
    bot: str


@pytest.fixture
async def databases() -> AsyncIterator[Databases]:
    """A fresh portfolio database with the demo data and a fresh, empty bot database."""
    names = [await _create_postgres_database(), await _create_postgres_database()]
    urls = [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in names]
    try:
        await load_portfolio(urls[0], demo_portfolio())
        yield Databases(*urls)
    finally:
        for name in names:
            await _drop_postgres_database(name)


@pytest.fixture
async def replicas(databases: Databases, tmp_path: Path) -> AsyncIterator[tuple[Replica, Replica]]:
    """Two bot processes started at the same time (both migrate the empty bot database)."""
    started: list[Replica] = []
    try:
        for name in ("a", "b"):
            started.append(await start_replica(name, databases.portfolio, databases.bot,
                                               tmp_path))
        await asyncio.gather(*(wait_ready(replica) for replica in started))
        yield started[0], started[1]
    finally:
        await asyncio.gather(*(stop_replica(replica) for replica in started))


async def leaders(pair: tuple[Replica, ...]) -> list[bool]:
    return list(await asyncio.gather(*(replica.is_leader() for replica in pair)))


async def test_exactly_one_leads_and_another_takes_over_when_it_dies(
        replicas: tuple[Replica, Replica]) -> None:
    async def one_leader() -> bool:
        return sum(await leaders(replicas)) == 1
    await wait_until(one_leader, TAKEOVER_SECONDS, "exactly one sync leader")
    for _ in range(10):     # over several sync passes, never two and never none
        assert sum(await leaders(replicas)) == 1
        await asyncio.sleep(0.3)
    leader, follower = replicas if (await leaders(replicas))[0] else replicas[::-1]
    assert (await leader.leader_metric(), await follower.leader_metric()) == (1.0, 0.0)

    os.kill(leader.pid, signal.SIGKILL)    # no clean-up: PostgreSQL ends its session
    await asyncio.wait_for(leader.process.wait(), STOP_SECONDS)
    await wait_until(follower.is_leader, TAKEOVER_SECONDS,
                     f"replica {follower.name} to take over the lead")
    assert await follower.leader_metric() == 1.0
    assert "this replica is now the sync leader" in follower.output()


async def test_a_dialog_started_on_one_replica_continues_on_the_other(
        replicas: tuple[Replica, Replica], databases: Databases,
        connector: LocalConnector) -> None:
    a, b = replicas
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    assert "Hvilket prosjekt" in await send(a.messages, connector, lead, "oppdater status")
    assert "grønn, gul eller rød" in await send(b.messages, connector, lead, "ST-007")
    assert "oppsummering" in await send(a.messages, connector, lead, "GUL")
    confirm = await send(b.messages, connector, lead, "Leverandøren er forsinket")
    assert "Lagre status gul" in confirm
    assert "lagret" in await send(a.messages, connector, lead, "lagre")
    reports = await chat_reports(databases.portfolio)
    assert [(r["project_id"], r["health"], r["summary"]) for r in reports] == [
        (17, "yellow", "Leverandøren er forsinket")]


async def test_a_follow_up_is_answered_by_the_other_replica(
        replicas: tuple[Replica, Replica], connector: LocalConnector) -> None:
    a, b = replicas
    asker = TeamsScene(service_url=connector.url)
    assert "Hilde Johansen" in await send(a.messages, connector, asker,
                                          "Hvem eier helselogistikk?")
    await asyncio.sleep(0.2)   # a person types the follow-up later than a's batched write
    follow = await send(b.messages, connector, asker, "og hvem er prosjektleder?")
    assert "Nina Dahl" in follow and "(RP-007)" in follow
    await asyncio.sleep(0.2)
    assert "31.12.2027" in await send(a.messages, connector, asker, "når skal det være ferdig?")


async def test_a_change_found_by_sync_is_queued_and_delivered_once(
        replicas: tuple[Replica, Replica], databases: Databases,
        connector: LocalConnector) -> None:
    a, _ = replicas
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [channel.member()]
    await subscribe(a.messages, connector, channel, "abonner alle kun fase")
    portfolio = create_engine(databases.portfolio)
    try:
        async with portfolio.begin() as connection:
            await connection.execute(text("UPDATE project SET phase = 'closed' WHERE id = 17"))
    finally:
        await portfolio.dispose()
    [notice] = await connector.wait_for(lambda a: "har gått fra" in a.shown_text, timeout=20)
    assert "Trådløst nett fase II (ST-007) har gått fra gjennomføring til avsluttet" in (
        notice.shown_text)
    await asyncio.sleep(3.0)   # several more passes of both replicas: nothing new
    assert len([p for p in channel_posts(connector, channel) if "har gått fra" in p.shown_text]) == 1
    bot_database = create_engine(databases.bot)
    try:
        async with bot_database.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT dedupe_key, status, attempts FROM outbox"))).all()
    finally:
        await bot_database.dispose()
    assert [tuple(row) for row in rows] == [
        ("phase_changed:17:execution:closed:None", "delivered", 1)]
