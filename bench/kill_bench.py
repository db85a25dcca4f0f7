"""The kill benchmark: SIGKILL the bot during status-update writes and outbox delivery, restart
it, and count what was lost, doubled or delivered more than once.

    python -m bench.kill_bench [--rounds 8] [--updates 12] [--notices 12] [--seed 7]
                               [--database sqlite|postgres]

The bot runs as a real subprocess (`python -m bot serve`, emulator mode, on 127.0.0.1 and a
free port) on a temporary data folder: the demo portfolio and the bot database are two
SQLite files, or two fresh databases on the local PostgreSQL server (dropped afterwards).
This process runs the connector stand-in (`bot.cli.local_connector.LocalConnector`) and the
client. Twelve channels each subscribe to one project (so deliveries are not held back by
Teams' 60-messages-per-30-seconds limit of one conversation); then each round

- sends `--updates` status updates by chat (project leads, round robin over the twelve
  projects, a unique summary; each activity keeps its id, so a resend is what Teams' retry
  would be) and `--notices` notices about the same projects to `POST /api/notify`, all at
  once;
- kills the bot with SIGKILL at a random moment: in even rounds while the updates are being
  written (a few to a few hundred milliseconds in), in odd rounds while the outbox is being
  delivered (every update confirmed, the connector slowed to 500 ms an answer);
- restarts the bot on the same data and resends every update that has no confirmation yet,
  and every notice that got no 202 (at most `RESENDS` times each).

A killed delivery worker leaves rows `sending` under a 120-second lease; rather than wait for
it, the benchmark moves those leases into the past while the bot is down, which is what the
clock would do (`expired leases`). After the last round the outbox is drained (bounded) and
the bot stopped with SIGTERM. Then, from the databases and the connector's record:

- every update the client got a confirmation for is in `status_report` exactly once
  (`lost`: confirmed, not stored; `doubled`: stored more than once; `stuck`: never
  confirmed however often it was resent);
- every notice that got a 202, and the notification of every confirmed update, reached its
  channel at least once (`missing`); deliveries beyond the first are counted as duplicates,
  which at-least-once delivery allows in the window between the connector's answer and the
  row being marked delivered.

Every loop is bounded in count and time; nothing leaves 127.0.0.1. Prints the figures and
writes them as JSON to `bench/results/kill_bench.json`; exits 1 when something was lost,
doubled, stuck or missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import text, update

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from bot.storage.schema import outbox
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def write_figures(name: str, figures: Any) -> int:
    """Write a run's figures (a dataclass with a `failed` verdict) to `results/<name>.json`;
    the exit code: 1 when the run failed, else 0."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(
        {**asdict(figures), "failed": figures.failed}, indent=2, ensure_ascii=False), "utf-8")
    return 1 if figures.failed else 0
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = "kill-bench-notify-token"
RESENDS = 6
READY_SECONDS = 60.0
REQUEST_SECONDS = 20.0
DRAIN_SECONDS = 60.0
DELIVERY_DELAY = 0.5    # seconds the connector takes to answer while the outbox delivers
# (project code, its manager's Entra object id) from the demo portfolio: one lead per project.
LEADS = (
    ("RP-001", "dbb75ce3-51b2-5406-8d39-c7aa2081b6cf"),
    ("RP-002", "4cd3dd10-f5f6-55e3-957e-1b396590fd24"),
    ("RP-003", "054abca6-01de-5663-a8d2-fbd4c20ba1ad"),
    ("RP-004", "0ee4c1a6-0858-5692-9a30-4664faa15c3c"),
    ("RP-005", "87ecf2f1-2509-5f2b-983e-03aabc906221"),
    ("RP-006", "6dd2e32f-3d4b-590c-bd44-6ad71bf995d5"),
    ("RP-007", "b0a9ed1d-0e8b-5120-8a87-f727f5b2dbca"),
    ("RP-009", "0cb00851-bde8-5dec-b1c4-ea6cbaf0bc84"),
    ("ST-001", "0818f90f-8eff-5432-a043-3fe01c429d6c"),
    ("ST-002", "ac7d6702-da91-5a1b-aabd-04a5aaf9e121"),
    ("ST-003", "00c96072-3988-5779-ad96-54b2cf043bfb"),
    ("ST-006", "87ecf2f1-2509-5f2b-983e-03aabc906221"),
)
HEALTHS = ("grønn", "gul", "rød")


@dataclass
class Update:
    """One status update by chat and what became of it."""

    summary: str
    body: dict[str, Any]
    confirmed: bool = False
    sends: int = 0
    answers: list[str] = field(default_factory=list)


@dataclass
class Notice:
    project: str
    title: str
    text: str
    accepted: bool = False
    sends: int = 0


@dataclass
class Figures:
    """What the benchmark found; `failed` is true when anything was lost, doubled or missing."""

    database: str
    rounds: int
    kills: int = 0
    kills_during_updates: int = 0
    kills_during_delivery: int = 0
    restarts: int = 0
    expired_leases: int = 0
    updates: int = 0
    confirmed: int = 0
    resends: int = 0
    stored: int = 0
    lost: int = 0
    doubled: int = 0
    stuck: int = 0
    stored_unconfirmed: int = 0
    notices: int = 0
    notices_accepted: int = 0
    notifications_expected: int = 0
    notifications_delivered: int = 0
    missing: int = 0
    duplicates: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stuck_answers: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.doubled or self.stuck or self.missing)

    def lines(self) -> list[str]:
        return [
            f"database: {self.database}; {self.rounds} rounds, {self.kills} SIGKILLs "
            f"({self.kills_during_updates} during status-update writes, "
            f"{self.kills_during_delivery} during outbox delivery), {self.restarts} restarts, "
            f"{self.expired_leases} outbox leases left behind by a killed worker",
            f"status updates: {self.updates} sent, {self.confirmed} confirmed, "
            f"{self.resends} resends, {self.stored} stored; lost {self.lost}, doubled "
            f"{self.doubled}, stuck {self.stuck}, stored but never confirmed "
            f"{self.stored_unconfirmed}",
            f"notifications: {self.notices_accepted}/{self.notices} notices accepted, "
            f"{self.notifications_expected} expected (notices + confirmed updates), "
            f"{self.notifications_delivered} delivered; missing {self.missing}, duplicates "
            f"delivered {self.duplicates}",
            "outbox at the end: " + ", ".join(f"{n} {s}" for s, n in self.outbox.items()),
            f"took {self.seconds:.1f} s",
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """`python -m bot serve` as a subprocess with a fixed port; killed or stopped by its PID."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self.base = f"http://{HOST}:{port}"

    async def start(self, client: ClientSession) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "serve", env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log, cwd=str(ROOT))
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}; see "
                                   f"{self.log_path}")
            with contextlib.suppress(ClientError, OSError):
                async with client.get(f"{self.base}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the bot was not ready within {READY_SECONDS:g} s; see {self.log_path}")

    async def kill(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            os.kill(process.pid, signal.SIGKILL)
            await process.wait()

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            os.kill(process.pid, signal.SIGKILL)
            await process.wait()


@contextlib.asynccontextmanager
async def databases(kind: str, folder: Path) -> AsyncIterator[tuple[str, str]]:
    """(portfolio URL, bot URL): two SQLite files, or two fresh PostgreSQL databases."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'portfolio.db'}", f"sqlite:///{folder / 'bot.db'}"
        return
    names = [f"killbench_{uuid.uuid4().hex[:10]}_{role}" for role in ("portfolio", "bot")]
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        portfolio, bot = (f"postgresql://postgres@{HOST}:5432/{name}" for name in names)
        yield portfolio, bot
    finally:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def fetch(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def expire_leases(bot_url: str) -> int:
    """While the bot is dead: its `sending` rows' leases run out now instead of in 120 s."""
    engine = create_engine(bot_url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                update(outbox).where(outbox.c.status == "sending")
                .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1)))
            return int(result.rowcount)
    finally:
        await engine.dispose()


class Bench:
    def __init__(self, options: argparse.Namespace, connector: LocalConnector, bot: BotProcess,
                 client: ClientSession, portfolio_url: str, bot_url: str) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.connector = connector
        self.bot = bot
        self.client = client
        self.portfolio_url = portfolio_url
        self.bot_url = bot_url
        self.updates: list[Update] = []
        self.notices: list[Notice] = []
        self.channels = [TeamsScene(service_url=connector.url, scope="channel",
                                    channel_id=f"19:killbench{index:02d}@thread.tacv2")
                         for index in range(len(LEADS))]
        self.figures = Figures(options.database, options.rounds)

    # -- the client ----------------------------------------------------------------------
    def new_update(self, round_number: int, index: int) -> Update:
        code, lead = LEADS[index % len(LEADS)]
        summary = f"kill-bench r{round_number} u{index} {uuid.uuid4().hex[:8]}"
        scene = TeamsScene(service_url=self.connector.url, aad_object_id=lead,
                           user_name=f"Lead {code}")
        health = self.rng.choice(HEALTHS)
        update_ = Update(summary, scene.message(f"status {code}: {health} – {summary}"))
        self.updates.append(update_)
        return update_

    def new_notice(self, round_number: int, index: int) -> Notice:
        notice = Notice(LEADS[index % len(LEADS)][0],
                        f"kill-bench notice r{round_number} n{index} {uuid.uuid4().hex[:8]}",
                        f"Varsel {index} i runde {round_number}.")
        self.notices.append(notice)
        return notice

    def answer_to(self, update_: Update) -> str | None:
        activity_id = update_.body["id"]
        replies = [a.shown_text for a in self.connector.activities
                   if a.reply_to_id == activity_id and a.type == "message"]
        return replies[-1] if replies else None

    async def send_update(self, update_: Update) -> None:
        update_.sends += 1
        with contextlib.suppress(ClientError, OSError, TimeoutError):
            async with self.client.post(f"{self.bot.base}/api/messages", json=update_.body,
                                        timeout=ClientTimeout(total=REQUEST_SECONDS)) as response:
                await response.read()
        answer = self.answer_to(update_)
        if answer is not None:
            update_.answers.append(answer[:80])
            update_.confirmed = update_.confirmed or "er lagret" in answer

    async def send_notice(self, notice: Notice) -> None:
        notice.sends += 1
        body = {"project": notice.project, "title": notice.title, "text": notice.text}
        with contextlib.suppress(ClientError, OSError, TimeoutError):
            async with self.client.post(f"{self.bot.base}/api/notify", json=body,
                                        headers={"Authorization": f"Bearer {TOKEN}"},
                                        timeout=ClientTimeout(total=REQUEST_SECONDS)) as response:
                notice.accepted = notice.accepted or response.status == 202

    async def subscribe_channels(self) -> None:
        self.connector.members = [self.channels[0].member()]
        for channel, (code, _) in zip(self.channels, LEADS, strict=True):
            seen = len(self.connector.activities)
            async with self.client.post(f"{self.bot.base}/api/messages",
                                        json=channel.message(f"abonner {code}")) as response:
                await response.read()
            await self.connector.wait_for(lambda a: a.type == "message", since=seen, timeout=10)

    async def resend_pending(self) -> None:
        for _ in range(RESENDS):
            pending = ([self.send_update(u) for u in self.updates
                        if not u.confirmed and u.sends <= RESENDS]
                       + [self.send_notice(n) for n in self.notices
                          if not n.accepted and n.sends <= RESENDS])
            if not pending:
                return
            await asyncio.gather(*pending)

    # -- rounds --------------------------------------------------------------------------
    async def round(self, number: int) -> None:
        options = self.options
        updates = [self.new_update(number, i) for i in range(options.updates)]
        notices = [self.new_notice(number, i) for i in range(options.notices)]
        during_updates = number % 2 == 0
        self.connector.delay = 0.0 if during_updates else DELIVERY_DELAY
        sends = [asyncio.create_task(self.send_update(u)) for u in updates] + [
            asyncio.create_task(self.send_notice(n)) for n in notices]
        if during_updates:
            await asyncio.sleep(self.rng.uniform(0.005, 0.4))
        else:
            await asyncio.gather(*sends)
            per_channel = -(-(options.notices + options.updates) // len(LEADS))
            await asyncio.sleep(self.rng.uniform(0.05, DELIVERY_DELAY * max(per_channel, 1)))
        await self.bot.kill()
        self.figures.kills += 1
        if during_updates:
            self.figures.kills_during_updates += 1
        else:
            self.figures.kills_during_delivery += 1
        await asyncio.gather(*sends, return_exceptions=True)
        self.figures.expired_leases += await expire_leases(self.bot_url)
        self.connector.delay = 0.0
        await self.bot.start(self.client)
        self.figures.restarts += 1
        await self.resend_pending()

    async def drain(self) -> None:
        """Wait (bounded) until nothing is queued or being sent."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            rows = dict(await fetch(self.bot_url, "SELECT status, COUNT(*) FROM outbox "
                                                  "GROUP BY status"))
            if not rows.get("queued") and not rows.get("sending"):
                return
            await asyncio.sleep(0.25)

    # -- checking ------------------------------------------------------------------------
    async def check(self) -> None:
        f = self.figures
        stored = dict(await fetch(self.portfolio_url, "SELECT summary, COUNT(*) FROM "
                                  "status_report WHERE source = 'chat' GROUP BY summary"))
        f.updates = len(self.updates)
        f.confirmed = sum(u.confirmed for u in self.updates)
        f.resends = sum(u.sends - 1 for u in self.updates)
        f.stored = sum(min(int(stored.get(u.summary, 0)), 1) for u in self.updates)
        for update_ in self.updates:
            copies = int(stored.get(update_.summary, 0))
            f.lost += update_.confirmed and copies == 0
            f.doubled += copies > 1
            f.stuck += not update_.confirmed
            f.stored_unconfirmed += not update_.confirmed and copies == 1
            if not update_.confirmed:
                f.stuck_answers.append(f"{update_.summary}: {update_.answers}")
        channels = tuple(channel.base_conversation_id() for channel in self.channels)
        delivered = [a for a in self.connector.activities   # proactive: sent, not replies
                     if a.conversation_id.startswith(channels) and a.operation == "send"]
        f.notices = len(self.notices)
        f.notices_accepted = sum(n.accepted for n in self.notices)
        expected = [n.title for n in self.notices if n.accepted] + [
            u.summary for u in self.updates if u.confirmed]
        f.notifications_expected = len(expected)
        for marker in expected:
            copies = sum(1 for a in delivered if marker in _shown(a))
            f.notifications_delivered += min(copies, 1)
            f.missing += copies == 0
            f.duplicates += max(copies - 1, 0)
        f.outbox = {str(s): int(n) for s, n in await fetch(
            self.bot_url, "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")}


def _shown(activity: RecordedActivity) -> str:
    return activity.shown_text + json.dumps(activity.adaptive_cards, ensure_ascii=False)


async def run(options: argparse.Namespace) -> Figures:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill-bench-") as folder:
        data = Path(folder)
        async with databases(options.database, data) as (portfolio_url, bot_url), \
                LocalConnector(port=free_port()) as connector, ClientSession() as client:
            await load_portfolio(portfolio_url, demo_portfolio())
            port = free_port()
            env = {key: value for key, value in os.environ.items()
                   if not key.startswith("Microsoft")}
            env.update(PORTFOLIO_DATABASE_URL=portfolio_url, BOT_DATABASE_URL=bot_url,
                       PORTFOLIOBOT_DATA_DIR=str(data), HOST=HOST, PORT=str(port),
                       NOTIFY_API_TOKEN=TOKEN, SYNC_INTERVAL_SECONDS="5",
                       ALLOWED_TENANT_IDS="", PYTHONUNBUFFERED="1")
            bot = BotProcess(env, port, data / "bot.log")
            bench = Bench(options, connector, bot, client, portfolio_url, bot_url)
            try:
                await bot.start(client)
                await bench.subscribe_channels()
                for number in range(options.rounds):
                    await bench.round(number)
                await bench.resend_pending()
                await bench.drain()
            finally:
                await bot.stop()
            await bench.check()
            if bench.figures.failed and options.keep_log:
                print((data / "bot.log").read_text("utf-8", errors="replace")[-4000:])
    bench.figures.seconds = time.monotonic() - started
    return bench.figures


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(prog="python -m bench.kill_bench",
                                        description=__doc__.splitlines()[0] if __doc__ else None)
    arguments.add_argument("--rounds", type=int, default=8, help="kill-and-restart rounds (8)")
    arguments.add_argument("--updates", type=int, default=12, help="status updates a round (12)")
    arguments.add_argument("--notices", type=int, default=12, help="notices a round (12)")
    arguments.add_argument("--seed", type=int, default=7, help="random seed for kill moments (7)")
    arguments.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    arguments.add_argument("--keep-log", action="store_true", help="print the bot's log on failure")
    return arguments


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    # A bot killed in the middle of a POST leaves the connector a half-read body: expected.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    if options.rounds < 1 or options.updates < 0 or options.notices < 0:
        raise SystemExit("rounds must be at least 1; updates and notices not negative")
    figures = asyncio.run(run(options))
    for line in figures.lines():
        print(line)
    for answer in figures.stuck_answers[:10]:
        print(f"  stuck: {answer}")
    return write_figures("kill_bench", figures)


if __name__ == "__main__":
    raise SystemExit(main())
