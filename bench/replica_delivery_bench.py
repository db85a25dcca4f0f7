"""The replica delivery benchmark: two bot replicas on one PostgreSQL deliver a queue of
notifications, one of them is killed with SIGKILL mid-delivery, and the connector stand-in
measures what Teams would see.

    python -m bench.replica_delivery_bench [--one 1000] [--spread 1000] [--conversations 100]
                                           [--no-kill]

Two `python -m bot serve` processes (emulator mode, 127.0.0.1, free ports) share a fresh bot
database on the local PostgreSQL server (and a fresh demo portfolio). Before they start, this
process stores `--conversations + 1` personal conversation references, each subscribed to
everything; once both are ready it queues `--one` notifications into the first conversation
and `--spread` more round robin over the others, in one transaction (ids in queue order).
Unless `--no-kill`, the replica that is delivering is killed with SIGKILL once a third of the
first conversation's notifications have arrived; the other takes over (`bot.runtime.leader`'s
delivery lock) and finishes. Then, from the stand-in's record of every POST (its arrival time
and conversation):

- `missing`: queued notifications never posted (must be 0);
- `duplicates`: posts beyond the first of one notification (0 without a kill; a kill may
  repeat the one send whose acknowledgement it cut off);
- `order violations`: a conversation's notifications whose first post came before an earlier
  queued one's (must be 0);
- the most posts seen in any window of Teams' limits: per conversation 1 s, 2 s and 30 s
  (limits 7, 8, 60), and for all conversations 1 s (limit 50); `over limits` counts windows
  beyond them (must be 0).

Prints the figures and writes them as JSON to `bench/results/replica_delivery_bench.json`;
exits 1 when something is missing, out of order or over a limit. `make replica-delivery` runs
the full size (about eight minutes: 1,000 notifications into one conversation at 60 per
30 s); `tests/bot/test_replica_delivery.py` runs a small size of the same code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from aiohttp import ClientError, ClientSession
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bench.kill_bench import HOST, BotProcess, databases, free_port, write_figures
from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.notifications.outbox import Notification, OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.storage.bot_database import open_bot_database
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio

#: (limit, seconds) per conversation and for all of them: Teams' limits the run must keep.
CONVERSATION_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0))
GLOBAL_LIMITS = ((50, 1.0),)
TENANT = "4b1d9a57-2c8e-4f6a-b3d0-7e5c9f1a2b64"
PREFIX = "rdb-"


@dataclass
class Figures:
    one: int
    spread: int
    conversations: int
    killed: str | None = None
    seconds: float = 0.0
    posted: int = 0
    missing: int = 0
    duplicates: int = 0
    order_violations: int = 0
    max_per_window: dict[str, int] = field(default_factory=dict)
    over_limits: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.missing or self.order_violations or self.over_limits)

    def lines(self) -> list[str]:
        windows = ", ".join(f"{name}: {number}" for name, number in self.max_per_window.items())
        return [f"replica delivery: {self.one} into one conversation, {self.spread} over "
                f"{self.conversations}; killed: {self.killed or 'none'}",
                f"  {self.seconds:.1f} s, {self.posted} posts, missing {self.missing}, "
                f"duplicates {self.duplicates}, order violations {self.order_violations}",
                f"  most posts per window: {windows}; over limits {self.over_limits}"]


def conversation_ids(conversations: int) -> list[str]:
    return [f"a:{PREFIX}conversation-{index:03d}" for index in range(conversations + 1)]


async def prepare(bot_url: str, connector_url: str, conversations: list[str]) -> None:
    """References and an everything-subscription for each conversation (migrates the DB)."""
    database = await open_bot_database(bot_url)
    try:
        store, subscriptions = OutboxStore(database), SubscriptionStore(database)
        for conversation_id in conversations:
            await store.save_reference(ConversationReference(
                channel_id="msteams", service_url=connector_url,
                conversation=ConversationAccount(id=conversation_id,
                                                 conversation_type="personal"),
                bot=ChannelAccount(id="28:bot"), user=ChannelAccount(id="29:bench")),
                "personal", tenant_id=TENANT)
            await subscriptions.subscribe(conversation_id, "all", None, frozenset(), "bench")
    finally:
        await database.close()


def planned(one: int, spread: int, conversations: list[str]) -> list[tuple[str, str]]:
    """(conversation, title) in queue order: `one` into the first, `spread` over the rest."""
    first, rest = conversations[0], conversations[1:] or conversations[:1]
    rows = [(first, f"{PREFIX}{first}-{index:05d}") for index in range(one)]
    for index in range(spread):
        target = rest[index % len(rest)]
        rows.append((target, f"{PREFIX}{target}-{index // len(rest):05d}"))
    # interleave the two streams, so both are under way from the start
    rows.sort(key=lambda row: (int(row[1].rsplit("-", 1)[1]), row[0]))
    return rows


async def enqueue(bot_url: str, rows: list[tuple[str, str]]) -> None:
    database = await open_bot_database(bot_url)
    try:
        store = OutboxStore(database)
        async with database.engine.begin() as connection:
            for conversation_id, title in rows:
                await store.enqueue(connection, [conversation_id], title,
                                    Notification(title, title))
    finally:
        await database.close()


def posts(connector: LocalConnector) -> list[RecordedActivity]:
    return [a for a in connector.activities if a.type == "message"
            and a.shown_text.startswith(PREFIX)]


def title_of(post: RecordedActivity) -> str:
    """The notification a post carries: the first line of its text (the title)."""
    return post.shown_text.split("\n", 1)[0]


def most_in_window(times: list[float], span: float) -> int:
    """The most of `times` (sorted) inside any half-open window of `span` seconds."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= span:
            start += 1
        most = max(most, end - start + 1)
    return most


def measure(figures: Figures, rows: list[tuple[str, str]], seen: list[RecordedActivity]) -> None:
    figures.posted = len(seen)
    counts: dict[str, int] = defaultdict(int)
    for post in seen:
        counts[title_of(post)] += 1
    titles = [title for _, title in rows]
    figures.missing = sum(1 for title in titles if counts[title] == 0)
    figures.duplicates = sum(number - 1 for number in counts.values() if number > 1)
    by_conversation: dict[str, list[RecordedActivity]] = defaultdict(list)
    for post in seen:
        by_conversation[post.conversation_id].append(post)
    for conversation_posts in by_conversation.values():
        firsts: list[str] = []
        for post in conversation_posts:
            if title_of(post) not in firsts:
                firsts.append(title_of(post))
        figures.order_violations += sum(1 for a, b in pairwise(firsts) if a > b)
    start = min((p.received_at for p in seen), default=None)

    def seconds(post: RecordedActivity) -> float:
        assert start is not None
        return (post.received_at - start).total_seconds()

    for limit, span in CONVERSATION_LIMITS:
        most = max((most_in_window(sorted(map(seconds, group)), span)
                    for group in by_conversation.values()), default=0)
        figures.max_per_window[f"conversation {limit}/{span:g}s"] = most
        figures.over_limits += most > limit
    for limit, span in GLOBAL_LIMITS:
        most = most_in_window(sorted(map(seconds, seen)), span)
        figures.max_per_window[f"all {limit}/{span:g}s"] = most
        figures.over_limits += most > limit


async def delivered_by(bot: BotProcess, client: ClientSession) -> float:
    with contextlib.suppress(ClientError, OSError, ValueError):
        async with client.get(f"{bot.base}/metrics") as response:
            for line in (await response.text()).splitlines():
                if line.startswith("portfoliobot_notifications_delivered_total "):
                    return float(line.split()[1])
    return 0.0


async def run(one: int, spread: int, conversations: int, kill: bool = True,
              deadline: float = 900.0, folder: Path | None = None) -> Figures:
    figures = Figures(one, spread, conversations)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="replica-delivery-") as temporary:
        data = folder or Path(temporary)
        async with databases("postgres", data) as (portfolio_url, bot_url), \
                LocalConnector(port=free_port()) as connector, ClientSession() as client:
            await load_portfolio(portfolio_url, demo_portfolio())
            targets = conversation_ids(conversations)
            await prepare(bot_url, connector.url, targets)
            bots: list[BotProcess] = []
            for name in ("a", "b"):
                port = free_port()
                env = {key: value for key, value in os.environ.items()
                       if not key.startswith(("Microsoft", "PORTFOLIO", "BOT_", "NOTIFY_",
                                              "DIGEST_", "REMINDER_", "ALLOWED_TENANT"))}
                env.update(PORTFOLIO_DATABASE_URL=portfolio_url, BOT_DATABASE_URL=bot_url,
                           PORTFOLIOBOT_DATA_DIR=str(data / name), HOST=HOST, PORT=str(port),
                           SYNC_INTERVAL_SECONDS="5", PYTHONUNBUFFERED="1")
                bots.append(BotProcess(env, port, data / f"{name}.log"))
            try:
                await asyncio.gather(*(bot.start(client) for bot in bots))
                rows = planned(one, spread, targets)
                await enqueue(bot_url, rows)
                first_titles = {title for conversation, title in rows
                                if conversation == targets[0]}
                end = time.monotonic() + deadline
                while time.monotonic() < end:
                    seen = posts(connector)
                    if kill and figures.killed is None and sum(
                            1 for p in seen if title_of(p) in first_titles) >= max(1, one // 3):
                        numbers = [await delivered_by(bot, client) for bot in bots]
                        victim = bots[numbers.index(max(numbers))]
                        figures.killed = f"replica {'ab'[bots.index(victim)]} after " \
                                         f"{len(seen)} posts"
                        await victim.kill()
                    if len({title_of(p) for p in seen}) >= len(rows):
                        break
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.0)   # a late duplicate would show here
            finally:
                await asyncio.gather(*(bot.stop() for bot in bots))
            figures.seconds = time.monotonic() - started
            measure(figures, rows, posts(connector))
            if figures.failed:
                for bot in bots:
                    print(bot.log_path.read_text("utf-8", errors="replace")[-3000:],
                          file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(prog="python -m bench.replica_delivery_bench",
                                        description=__doc__.splitlines()[0] if __doc__ else None)
    arguments.add_argument("--one", type=int, default=1000,
                           help="notifications into one conversation (1000)")
    arguments.add_argument("--spread", type=int, default=1000,
                           help="notifications spread over the other conversations (1000)")
    arguments.add_argument("--conversations", type=int, default=100,
                           help="conversations the spread ones go to (100)")
    arguments.add_argument("--no-kill", action="store_true", help="kill no replica")
    options = arguments.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    figures = asyncio.run(run(options.one, options.spread, options.conversations,
                              kill=not options.no_kill))
    for line in figures.lines():
        print(line)
    return write_figures("replica_delivery_bench", figures)


if __name__ == "__main__":
    raise SystemExit(main())
