"""The fan-out benchmark: one change notified to many subscribed channels, within Teams' limit.

    python -m bench.fanout_bench [--channels 1000] [--timeout 120]

A fresh SQLite bot database gets `--channels` channel conversations (their references, as the
bot keeps them), and one notification is queued for every one of them, as the notifier does
for a status change to a project they all subscribe to. The bot's `DeliveryWorker`, with its
real rate limiter and outbound adapter, delivers them to the connector stand-in
(`bot.cli.local_connector.LocalConnector`), which enforces Teams' 50 messages per second for
a bot over all conversations by answering 429 with Retry-After above it.

Measured: the time until every channel has its message, that each got exactly one, and how
many requests the stand-in throttled. At 50/s the floor for 1,000 channels is 20 s; the
target is 22 s. Bounded in time (`--timeout`); nothing leaves 127.0.0.1. Prints the figures
and writes them as JSON to `bench/results/`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.cli.local_connector import LocalConnector
from bot.connector.outbound import create_adapter
from bot.notifications.delivery import DeliveryWorker
from bot.notifications.outbox import Notification, OutboxStore
from bot.notifications.rate_limit import RateLimiter
from bot.storage.bot_database import open_bot_database

RESULTS = Path(__file__).resolve().parent / "results"
TEAMS_PER_SECOND = 50
TARGET_SECONDS = 22.0   # for 1,000 channels: the limit makes 20 s the floor


def channel(connector: LocalConnector, number: int) -> ConversationReference:
    return ConversationReference(
        activity_id="1700000000001", channel_id="msteams", service_url=connector.url,
        conversation=ConversationAccount(id=f"19:fanout-{number:05d}@thread.tacv2",
                                         conversation_type="channel", tenant_id="tenant-1"),
        bot=ChannelAccount(id="28:bot"), user=ChannelAccount(id="29:user"))


async def run(channels: int, budget: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fanout-bench-") as folder:
        database = await open_bot_database(f"sqlite:///{Path(folder) / 'bot.db'}")
        try:
            async with LocalConnector(limit_per_second=TEAMS_PER_SECOND) as connector:
                store = OutboxStore(database)
                conversations = []
                for number in range(channels):
                    conversations.append(await store.save_reference(channel(connector, number),
                                                                    "channel"))
                adapter = create_adapter()
                worker = DeliveryWorker(store, adapter, "", RateLimiter(),
                                        poll_seconds=0.05, batch_size=200, concurrency=16)
                started = time.perf_counter()
                await store.enqueue_now(conversations, "status:fanout",
                                        Notification(title="Ny status for Fanout (FO-001): rød",
                                                     text="Leverandøren er forsinket."))
                deadline = started + budget
                while time.perf_counter() < deadline:
                    await worker.deliver_once()
                    if (await store.counts()).get("delivered", 0) >= channels:
                        break
                    await asyncio.sleep(0.01)
                seconds = time.perf_counter() - started
                counts = await store.counts()
                per_channel = Counter(a.conversation_id for a in connector.activities
                                      if a.type == "message")
                await adapter.close()
        finally:
            await database.close()
    return {
        "channels": channels, "seconds": round(seconds, 2),
        "delivered": counts.get("delivered", 0), "dead": counts.get("dead", 0),
        "channels_with_one_message": sum(1 for n in per_channel.values() if n == 1),
        "channels_with_more": sum(1 for n in per_channel.values() if n > 1),
        "throttled_by_stand_in": connector.throttled,
        "limit_per_second": TEAMS_PER_SECOND,
        "target_seconds": TARGET_SECONDS if channels == 1000 else None,
        "python": platform.python_version(), "machine": platform.machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    if args.channels < 1 or args.timeout <= 0:
        parser.error("--channels and --timeout must be positive")
    figures = asyncio.run(run(args.channels, args.timeout))
    all_once = (figures["delivered"] == figures["channels"] == figures["channels_with_one_message"]
                and not figures["channels_with_more"])
    met = all_once and (figures["target_seconds"] is None
                        or figures["seconds"] <= figures["target_seconds"])
    print(f"{figures['channels']:,} channels: {figures['seconds']:.1f} s, "
          f"{figures['delivered']:,} delivered, {figures['channels_with_one_message']:,} "
          f"with exactly one message, {figures['channels_with_more']} with more, "
          f"{figures['throttled_by_stand_in']} requests throttled by the stand-in "
          f"(limit {TEAMS_PER_SECOND}/s)" + (f"; target ≤ {TARGET_SECONDS:g} s "
                                             f"{'met' if met else 'MISSED'}"
                                             if figures["target_seconds"] else ""))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"fanout-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {path}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
