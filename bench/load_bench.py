"""The load and soak benchmark: a fixed arrival rate of real questions, held for a fixed time.

    python -m bench.load_bench find  [--seconds 60]               # highest rate held
    python -m bench.load_bench hold  --rate 200 [--seconds 60]     # one rate, one run
    python -m bench.load_bench soak  --rate 100 [--seconds 600]    # half that rate, RSS watched

Unlike `bench.bot_bench` (closed loop: each conversation waits for its reply before the next
question), this is an open loop: questions arrive at `--rate` per second on a fixed schedule,
whether or not earlier ones were answered, spread over `--conversations` Teams personal
conversations (each sent one unmeasured question first: a conversation's first message costs
a one-off write). A rate is *held* when every question got its HTTP answer and its reply at the
connector stand-in (zero errors), the reply latency's p99 is at most `--p99-ms` (100 ms), and
the sender kept to the schedule (it never fell more than a second behind).

`find` steps the rate up in short trials (`--trial-seconds`), bisects between the last rate
held and the first one missed, then confirms the result for `--seconds`; if the confirmation
misses, it steps down by 10 % and confirms again (bounded). `soak` runs one rate for
`--seconds` and samples the bot process's resident memory (`/proc/PID/status`, VmRSS) every
`--rss-every` seconds; "start" is the sample after the first minute (warm-up: caches, the
snapshot and the interpreter's own arenas fill), "end" the last one. Memory is flat when the
growth from start to end is under 5 %.

The bot runs as a subprocess (`bench.bot_bench --serve portfoliobot`) on the demo portfolio in a
temporary SQLite file; this process runs the connector stand-in and the load. Every loop is
bounded in time and count; everything stays on 127.0.0.1. Prints a summary and writes JSON to
`bench/results/load_bench_<mode>.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from bench.bot_bench import (
    HOST,
    QUESTIONS,
    REQUEST_TIMEOUT_SECONDS,
    RESULTS,
    Measurement,
    Replies,
    demo_folder,
    one_round_trip,
    percentile,
    quiet_logging,
    start_target,
    stop_target,
    wait_ready,
)

P99_LIMIT_MS = 100.0
MAX_LAG_SECONDS = 1.0          # a sender further behind its schedule than this has not held
MAX_IN_FLIGHT = 2_000          # bound on questions awaiting their answer at once
RSS_GROWTH_LIMIT = 0.05
SOAK_WARMUP_SECONDS = 60.0
FIND_MAX_TRIALS = 14
CONFIRM_ATTEMPTS = 4


@dataclass
class Trial:
    """One rate held (or not) for some seconds: the load's figures and the process's RSS."""

    rate: float
    seconds: float
    measurement: Measurement
    sent: int = 0
    max_lag_seconds: float = 0.0
    in_flight_refused: int = 0
    rss_kb: list[tuple[float, int]] = field(default_factory=list)

    @property
    def p99_ms(self) -> float:
        return percentile(self.measurement.reply_ms, 0.99)

    def held(self, p99_limit_ms: float) -> bool:
        m = self.measurement
        return (m.errors == 0 and self.in_flight_refused == 0 and m.round_trips == self.sent
                and self.sent > 0 and self.max_lag_seconds <= MAX_LAG_SECONDS
                and self.p99_ms <= p99_limit_ms)

    def summary(self, p99_limit_ms: float) -> dict[str, Any]:
        row = self.measurement.summary()
        row.pop("sample_replies", None)
        row.update({"rate_asked": self.rate, "sent": self.sent, "held": self.held(p99_limit_ms),
                    "max_lag_seconds": round(self.max_lag_seconds, 3),
                    "in_flight_refused": self.in_flight_refused})
        if self.rss_kb:
            start = rss_at(self.rss_kb, SOAK_WARMUP_SECONDS)
            end = self.rss_kb[-1][1]
            row["rss_mb"] = {"first": round(self.rss_kb[0][1] / 1024, 1),
                             "start_after_warmup": round(start / 1024, 1),
                             "end": round(end / 1024, 1),
                             "max": round(max(kb for _, kb in self.rss_kb) / 1024, 1),
                             "growth": round((end - start) / start, 4) if start else None,
                             "samples": len(self.rss_kb)}
        return row


def rss_at(samples: list[tuple[float, int]], after_seconds: float) -> int:
    """The first RSS sample taken at or after `after_seconds` (the last one if none is)."""
    for at, kb in samples:
        if at >= after_seconds:
            return kb
    return samples[-1][1]


def read_rss_kb(pid: int) -> int | None:
    """Resident memory of process `pid` in KiB, from /proc; None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


async def hold_rate(url: str, connector_url: str, replies: Replies, *, rate: float,
                    seconds: float, conversations: int, pid: int | None = None,
                    rss_every: float = 5.0, forget: Callable[[], None] | None = None) -> Trial:
    """Send questions at `rate`/s for `seconds` on a fixed schedule; wait for every answer.

    The load itself must not be what stalls: `forget` (the connector stand-in's `clear`) is
    called every second so this process does not hoard every reply it was sent, and its heap
    is frozen for the trial so its own garbage collector does not walk the setup each pass
    (its pauses would show as the bot's latency and as sender lag).
    """
    from bot.cli.teams_activities import TeamsScene

    trial = Trial(rate, seconds, Measurement("portfoliobot"))
    scenes = [TeamsScene(service_url=connector_url, scope="personal",
                         conversation_id=conversation_id(n))
              for n in range(conversations)]
    interval = 1.0 / rate
    total = max(1, int(rate * seconds))
    pending: set[asyncio.Task[None]] = set()
    timeout = ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    gc.collect()
    gc.freeze()
    async with ClientSession(connector=TCPConnector(limit=MAX_IN_FLIGHT),
                             timeout=timeout) as client:
        began = time.perf_counter()
        sampler = asyncio.create_task(sample_rss(pid, began, seconds, rss_every, trial.rss_kb))
        try:
            for n in range(total):
                due = began + n * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    trial.max_lag_seconds = max(trial.max_lag_seconds, -delay)
                if forget is not None and n % max(1, int(rate)) == 0:
                    forget()
                if len(pending) >= MAX_IN_FLIGHT:
                    trial.in_flight_refused += 1
                    continue
                text = QUESTIONS[n % len(QUESTIONS)]
                activity = scenes[n % conversations].message(text)
                task = asyncio.create_task(
                    one_round_trip(client, url, activity, replies, trial.measurement))
                pending.add(task)
                task.add_done_callback(pending.discard)
                trial.sent += 1
            if pending:
                await asyncio.wait(pending, timeout=REQUEST_TIMEOUT_SECONDS * 2)
        finally:
            for task in pending:
                task.cancel()
            sampler.cancel()
            gc.unfreeze()
        trial.measurement.seconds = time.perf_counter() - began
    return trial


def conversation_id(n: int) -> str:
    """The n-th load conversation: the same ones in every trial, so only `warm_up` is first."""
    return f"a:load-{n:04d}"


async def warm_up(url: str, connector_url: str, replies: Replies, conversations: int) -> None:
    """One unmeasured question in each conversation, ten at a time.

    A conversation's first message costs the bot a write (its conversation reference, kept for
    notifications); a trial that began with fifty of them measured that one-off, not the
    load it holds.
    """
    from bot.cli.teams_activities import TeamsScene

    gate = asyncio.Semaphore(10)
    timeout = ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with ClientSession(timeout=timeout) as client:
        async def first(n: int) -> None:
            scene = TeamsScene(service_url=connector_url, scope="personal",
                               conversation_id=conversation_id(n))
            async with gate:
                await one_round_trip(client, url, scene.message(QUESTIONS[0]), replies, None)

        await asyncio.gather(*(first(n) for n in range(conversations)))


async def sample_rss(pid: int | None, began: float, seconds: float, every: float,
                     into: list[tuple[float, int]]) -> None:
    """Append (seconds since `began`, RSS KiB) every `every` seconds until `seconds` have gone."""
    if pid is None:
        return
    while True:
        kb = read_rss_kb(pid)
        at = time.perf_counter() - began
        if kb is not None:
            into.append((at, kb))
        if at >= seconds:
            return
        await asyncio.sleep(every)


@dataclass
class Target:
    """The running bot and what the load needs to reach it."""

    url: str
    connector_url: str
    replies: Replies
    pid: int
    forget: Callable[[], None]


async def find_rate(target: Target, args: argparse.Namespace, log: list[dict[str, Any]]) -> Trial:
    """The highest rate held in short trials, then confirmed for `args.seconds`."""
    async def trial(rate: float, seconds: float) -> Trial:
        result = await hold_rate(target.url, target.connector_url, target.replies, rate=rate,
                                 seconds=seconds, conversations=args.conversations,
                                 pid=target.pid, rss_every=args.rss_every,
                                 forget=target.forget)
        log.append(result.summary(args.p99_ms))
        print(f"  {rate:7.1f}/s for {seconds:g} s: p99 {result.p99_ms:7.1f} ms, errors "
              f"{result.measurement.errors}, lag {result.max_lag_seconds:.2f} s → "
              f"{'held' if result.held(args.p99_ms) else 'missed'}", file=sys.stderr)
        await asyncio.sleep(1.0)   # let the bot settle between trials
        return result

    held, missed = 0.0, None
    rate = args.start_rate
    for _ in range(FIND_MAX_TRIALS):
        if missed is None:
            if (await trial(rate, args.trial_seconds)).held(args.p99_ms):
                held, rate = rate, rate * 1.5
                continue
            missed = rate
        else:
            if missed - held <= max(10.0, held * 0.05):
                break
            middle = (held + missed) / 2
            if (await trial(middle, args.trial_seconds)).held(args.p99_ms):
                held = middle
            else:
                missed = middle
    rate = round(held) if held else args.start_rate / 2
    result: Trial | None = None
    for _ in range(CONFIRM_ATTEMPTS):
        result = await trial(rate, args.seconds)
        if result.held(args.p99_ms):
            return result
        rate = max(1.0, round(rate * 0.9))
    assert result is not None
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from bot.cli.local_connector import LocalConnector

    quiet_logging()
    replies = Replies()
    trials: list[dict[str, Any]] = []
    async with (demo_folder("load-bench-") as (folder, data_dir, database_url),
                LocalConnector(on_activity=replies.on_activity) as connector):
        process, port = await start_target("portfoliobot", data_dir, database_url,
                                           folder / "portfoliobot.log")
        try:
            base = f"http://{HOST}:{port}"
            await wait_ready(base)
            target = Target(f"{base}/api/messages", connector.url, replies, process.pid,
                            connector.clear)
            await warm_up(target.url, connector.url, replies, args.conversations)
            connector.clear()
            print(f"{args.mode}: bot pid {process.pid} ready, {args.conversations} "
                  "conversations warmed up", file=sys.stderr)
            if args.mode == "find":
                final = await find_rate(target, args, trials)
            else:
                final = await hold_rate(target.url, connector.url, replies, rate=args.rate,
                                        seconds=args.seconds,
                                        conversations=args.conversations, pid=process.pid,
                                        rss_every=args.rss_every, forget=connector.clear)
                trials.append(final.summary(args.p99_ms))
            connector.clear()
        finally:
            await stop_target(process)
    result = final.summary(args.p99_ms)
    if args.mode == "soak":
        growth = result.get("rss_mb", {}).get("growth")
        result["memory_flat"] = growth is not None and growth < RSS_GROWTH_LIMIT
    return {
        "benchmark": "load_bench",
        "mode": args.mode,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "settings": {"seconds": args.seconds, "conversations": args.conversations,
                     "p99_limit_ms": args.p99_ms, "trial_seconds": args.trial_seconds,
                     "questions": list(QUESTIONS),
                     "latency": "POST start → reply arrival at the connector stand-in"},
        "result": result,
        "trials": trials,
    }


def describe(report: dict[str, Any]) -> str:
    row = report["result"]
    latency = row["reply_latency_ms"]
    lines = [f"{report['mode']}: {row['rate_asked']:g}/s for {row['seconds']:.0f} s — "
             f"{'HELD' if row['held'] else 'NOT HELD'}",
             f"  round trips {row['round_trips']} of {row['sent']} sent, errors {row['errors']} "
             f"{row['error_kinds'] or ''}",
             f"  reply latency ms: p50 {latency['p50']}, p99 {latency['p99']}, "
             f"max {latency['max']}; sender lag max {row['max_lag_seconds']} s"]
    if "rss_mb" in row:
        rss = row["rss_mb"]
        lines.append(f"  RSS MB: first {rss['first']}, after warm-up {rss['start_after_warmup']}, "
                     f"end {rss['end']}, max {rss['max']}, growth {rss['growth']:.2%}"
                     + (f" — memory flat: {row['memory_flat']}" if "memory_flat" in row else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mode", choices=("find", "hold", "soak"))
    parser.add_argument("--rate", type=float, default=0.0, help="questions per second (hold, soak)")
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="how long to hold the rate (default: 60; soak 600)")
    parser.add_argument("--conversations", type=int, default=50,
                        help="Teams conversations the questions are spread over (default 50)")
    parser.add_argument("--p99-ms", type=float, default=P99_LIMIT_MS)
    parser.add_argument("--start-rate", type=float, default=50.0, help="find: first trial rate")
    parser.add_argument("--trial-seconds", type=float, default=10.0, help="find: trial length")
    parser.add_argument("--rss-every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if not args.seconds:
        args.seconds = 600.0 if args.mode == "soak" else 60.0
    if args.mode != "find" and not 0 < args.rate <= 10_000:
        parser.error("hold and soak need --rate in (0, 10000]")
    if not 0 < args.seconds <= 3600 or not 1 <= args.conversations <= 10_000:
        parser.error("--seconds must be in (0, 3600] and --conversations in [1, 10000]")
    if not 0 < args.start_rate <= 10_000 or not 1 <= args.trial_seconds <= 120:
        parser.error("--start-rate must be in (0, 10000] and --trial-seconds in [1, 120]")
    report = asyncio.run(run(args))
    print(describe(report))
    output = args.output or RESULTS / f"load_bench_{args.mode}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
