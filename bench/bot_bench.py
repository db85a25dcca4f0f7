"""The bot benchmark: round trips per second and latency of `POST /api/messages` → reply.

    python -m bench.bot_bench [--seconds 10] [--concurrency 20]

Three targets are measured in the same run, one after the other, each under the same load:

- ``portfoliobot``: `bot.web.app.create_app(settings)` on a temporary data folder with the demo
  portfolio loaded into a temporary SQLite file, answering a rotating list of real demo
  questions (owner, manager, status, transfer, FAQ, a list) and follow-ups to them ("og hvem
  leder det?", "and its status?", "hva med DHO?", "vis flere"); measuring starts once
  `GET /readyz` answers 200;
- ``echo``: a plain botbuilder bot, `CloudAdapter(ConfigurationBotFrameworkAuthentication)`
  in emulator mode (empty app id and password) with an `ActivityHandler` that replies with
  the text;
- ``bare``: a bare aiohttp handler that makes one outbound POST (the reply) to the
  activity's `serviceUrl` through one shared `ClientSession` per POSTed activity, then
  answers 201 — the floor of what any bot on this stack can do.

Each target runs in its own subprocess (`--serve TARGET`, the machine has few cores), bound to
127.0.0.1 on a free port. This process runs the connector stand-in
(`bot.cli.local_connector.LocalConnector`) and the load client: `--concurrency` workers, each
with its own Teams personal conversation (`bot.cli.teams_activities.TeamsScene`), each sending
one message, waiting for the HTTP answer and for the reply at the connector, then the next.

Latency is measured from the start of the POST to the arrival of the reply (a `message`
activity whose `replyToId` is the POSTed activity's id) at the connector, timestamped by the
connector's `on_activity` hook. The POST's own round trip (start → HTTP answer) is recorded
too: all three targets answer only after the reply was posted (the CloudAdapter runs the
whole turn inside `process`), which the benchmark checks by counting replies that arrived
after their HTTP answer (``late_replies``, expected 0).

A short warm-up precedes each measurement. Every loop is bounded in time (`--seconds`, plus
timeouts on every wait) and in count (`--max-requests`); nothing leaves 127.0.0.1. Prints a
markdown table and writes the figures as JSON to `bench/results/bot_bench.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = ("portfoliobot", "echo", "bare")
HOST = "127.0.0.1"
# Each worker asks these in turn in its own conversation, so the follow-ups (issue 15) read
# the subject the question before them set: a third of the mix looks up the person's memory.
QUESTIONS = (
    "Hvem eier Regional EPJ-modernisering?",
    "og hvem leder det?",
    "status DHO",
    "når skal det være ferdig?",
    "how many projects were transferred?",
    "Hvem er prosjektleder for Digital patologi?",
    "and its status?",
    "who owns Helselogistikk?",
    "status LVMS",
    "Hvem leder KI i bildediagnostikk?",
    "hva med DHO?",
    "Hva skjedde med den regionale IKT-prosjektporteføljen 1. januar 2024?",
    "Hvilke prosjekter er i gjennomføring?",
    "vis flere",
    "who is the project manager of Regional radiologi 2.0?",
    "Hvem eier Windows 10?",
)
REQUEST_TIMEOUT_SECONDS = 30.0
REPLY_TIMEOUT_SECONDS = 15.0
STARTUP_TIMEOUT_SECONDS = 60.0
READY_TIMEOUT_SECONDS = 60.0
SERVER_MAX_LIFETIME_SECONDS = 1800.0
WARMUP_PER_WORKER = 3


# ------------------------------------------------------------------ the targets (subprocess)

def quiet_logging() -> None:
    """Warnings and worse only; botbuilder's own warnings off."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("portfoliobot").setLevel(logging.WARNING)
    for name in ("botbuilder", "botframework", "msrest", "msal", "urllib3", "aiohttp.access"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


async def _ready(request: web.Request) -> web.Response:
    return web.json_response({"ready": True})


def portfoliobot_app(data_dir: str, database_url: str) -> web.Application:
    from bot.settings import Settings
    from bot.web.app import create_app

    settings = Settings.from_environment({"PORTFOLIOBOT_DATA_DIR": data_dir})
    return create_app(replace(settings, portfolio_database_url=database_url))


def echo_app() -> web.Application:
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(turn_context.activity.text))

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant",
                             APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", _ready)
    return app


SESSION = web.AppKey("session", ClientSession)


def bare_app() -> web.Application:
    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        conversation = activity["conversation"]
        reply = {
            "type": "message",
            "text": activity.get("text"),
            "replyToId": activity.get("id"),
            "conversation": conversation,
            "from": activity.get("recipient"),
            "recipient": activity.get("from"),
        }
        url = (f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{conversation['id']}"
               f"/activities/{activity['id']}")
        async with request.app[SESSION].post(url, json=reply) as answer:
            await answer.read()
            if answer.status >= 300:
                return web.Response(status=502)
        return web.Response(status=201)

    async def open_session(app: web.Application) -> None:
        app[SESSION] = ClientSession(timeout=ClientTimeout(total=REQUEST_TIMEOUT_SECONDS))

    async def close_session(app: web.Application) -> None:
        await app[SESSION].close()

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", _ready)
    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    return app


async def serve(target: str, data_dir: str, database_url: str) -> None:
    """Run `target` on 127.0.0.1, print `PORT <n>`, stop on SIGTERM/SIGINT or after a while."""
    quiet_logging()
    if target == "portfoliobot":
        app = portfoliobot_app(data_dir, database_url)
    elif target == "echo":
        app = echo_app()
    else:
        app = bare_app()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SERVER_MAX_LIFETIME_SECONDS)
    finally:
        await runner.cleanup()


# ------------------------------------------------------------------ the load (this process)

@dataclass
class Measurement:
    """One target's figures."""

    target: str
    seconds: float = 0.0
    round_trips: int = 0
    errors: int = 0
    late_replies: int = 0
    reply_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    @property
    def per_second(self) -> float:
        return self.round_trips / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "seconds": round(self.seconds, 3),
            "round_trips": self.round_trips,
            "round_trips_per_second": round(self.per_second, 1),
            "reply_latency_ms": _stats(self.reply_ms),
            "post_latency_ms": _stats(self.post_ms),
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "late_replies": self.late_replies,
            "sample_replies": self.samples,
        }


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None, "mean": None}
    return {"p50": round(percentile(values, 0.50), 2), "p99": round(percentile(values, 0.99), 2),
            "max": round(max(values), 2), "mean": round(sum(values) / len(values), 2)}


class Replies:
    """Futures for awaited replies, keyed by the POSTed activity's id; fed by `on_activity`."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[tuple[float, str]]] = {}

    def expect(self, activity_id: str) -> asyncio.Future[tuple[float, str]]:
        future: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self.waiting[activity_id] = future
        return future

    def forget(self, activity_id: str) -> None:
        self.waiting.pop(activity_id, None)

    async def on_activity(self, record: Any) -> None:
        arrived = time.perf_counter()
        if record.type != "message":
            return   # typing indicators and the like
        reply_to = record.reply_to_id or record.activity.get("replyToId")
        future = self.waiting.get(reply_to) if isinstance(reply_to, str) else None
        if future is not None and not future.done():
            future.set_result((arrived, record.shown_text))


async def one_round_trip(client: ClientSession, url: str, activity: dict[str, Any],
                         replies: Replies, result: Measurement | None) -> None:
    activity_id = activity["id"]
    future = replies.expect(activity_id)
    started = time.perf_counter()
    try:
        async with client.post(url, json=activity) as response:
            await response.read()
            status = response.status
        answered = time.perf_counter()
        if status not in (200, 201, 202):
            if result is not None:
                result.error(f"http_{status}")
            return
        try:
            arrived, text = await asyncio.wait_for(future, REPLY_TIMEOUT_SECONDS)
        except TimeoutError:
            if result is not None:
                result.error("no_reply")
            return
    except (OSError, TimeoutError) as error:
        if result is not None:
            result.error(type(error).__name__)
        return
    finally:
        replies.forget(activity_id)
    if result is None:
        return
    result.round_trips += 1
    result.reply_ms.append((arrived - started) * 1000)
    result.post_ms.append((answered - started) * 1000)
    if arrived > answered:
        result.late_replies += 1
    question = activity.get("text") or ""
    if question not in result.samples:
        result.samples[question] = text[:160]


async def run_load(target: str, url: str, connector_url: str, replies: Replies, *,
                   seconds: float, concurrency: int, max_requests: int) -> Measurement:
    from bot.cli.teams_activities import TeamsScene

    result = Measurement(target)
    texts = QUESTIONS if target == "portfoliobot" else tuple(f"echo {q}" for q in QUESTIONS)
    scenes = [TeamsScene(service_url=connector_url, scope="personal",
                         conversation_id=f"a:bench-{target}-{n:03d}")
              for n in range(concurrency)]
    sent = 0
    timeout = ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with ClientSession(connector=TCPConnector(limit=concurrency * 2),
                             timeout=timeout) as client:
        async def warm(worker: int) -> None:
            for k in range(WARMUP_PER_WORKER):
                text = texts[(worker + k) % len(texts)]
                await one_round_trip(client, url, scenes[worker].message(text), replies, None)

        await asyncio.gather(*(warm(w) for w in range(concurrency)))

        deadline = time.perf_counter() + seconds

        async def work(worker: int) -> None:
            nonlocal sent
            k = worker
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                text = texts[k % len(texts)]
                k += 1
                await one_round_trip(client, url, scenes[worker].message(text), replies, result)

        began = time.perf_counter()
        await asyncio.gather(*(work(w) for w in range(concurrency)))
        result.seconds = time.perf_counter() - began
    return result


def server_log(path: Path) -> str:
    """What a target's server wrote to stderr (small; read once after its run)."""
    return path.read_text(errors="replace") if path.exists() else ""


async def start_target(target: str, data_dir: Path, database_url: str,
                       log_path: Path) -> tuple[asyncio.subprocess.Process, int]:
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bot_bench", "--serve", target,
            "--data-dir", str(data_dir), "--database-url", database_url,
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=log_file,
            stdin=asyncio.subprocess.DEVNULL)
    assert process.stdout is not None
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
            while line := (await process.stdout.readline()).decode():
                if line.startswith("PORT "):
                    return process, int(line.split()[1])
    except TimeoutError:
        pass
    await stop_target(process)
    raise RuntimeError(f"{target} did not start; see {log_path}:\n{server_log(log_path)[-2000:]}")


async def stop_target(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def wait_ready(base: str) -> float:
    """Poll GET /readyz until 200 (bounded); returns the seconds waited."""
    began = time.perf_counter()
    async with ClientSession(timeout=ClientTimeout(total=5)) as client:
        while time.perf_counter() - began < READY_TIMEOUT_SECONDS:
            with contextlib.suppress(OSError, TimeoutError):
                async with client.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return time.perf_counter() - began
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{base}/readyz did not answer 200 within {READY_TIMEOUT_SECONDS:g} s")


@contextlib.asynccontextmanager
async def demo_folder(prefix: str) -> AsyncIterator[tuple[Path, Path, str]]:
    """A temporary folder, its empty data folder and a SQLite file with the demo portfolio."""
    from knowledge.portfolio.database import sqlite_url
    from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio

    with tempfile.TemporaryDirectory(prefix=prefix) as temp:
        folder = Path(temp)
        data_dir = folder / "data"
        data_dir.mkdir()
        database_url = sqlite_url(folder / "portfolio.db")
        await load_portfolio(database_url, demo_portfolio())
        yield folder, data_dir, database_url


async def bench(seconds: float, concurrency: int, max_requests: int,
                targets: tuple[str, ...]) -> dict[str, Any]:
    from bot.cli.local_connector import LocalConnector

    quiet_logging()
    replies = Replies()
    measurements: list[Measurement] = []
    async with (demo_folder("bot-bench-") as (folder, data_dir, database_url),
                LocalConnector(on_activity=replies.on_activity) as connector):
        for target in targets:
            process, port = await start_target(target, data_dir, database_url,
                                               folder / f"{target}.log")
            try:
                base = f"http://{HOST}:{port}"
                ready_after = await wait_ready(base)
                print(f"{target}: ready after {ready_after:.2f} s, measuring "
                      f"{seconds:g} s with {concurrency} conversations", file=sys.stderr)
                result = await run_load(target, f"{base}/api/messages", connector.url,
                                        replies, seconds=seconds, concurrency=concurrency,
                                        max_requests=max_requests)
            finally:
                await stop_target(process)
                connector.clear()
            measurements.append(result)
            log_text = server_log(folder / f"{target}.log").strip()
            if log_text:
                lines = log_text.splitlines()
                print(f"{target}: {len(lines)} log line(s) from the server, last: "
                      f"{lines[-1][:200]}", file=sys.stderr)
    by_target = {m.target: m for m in measurements}
    ratio: dict[str, float | None] = {}
    if "portfoliobot" in by_target and "echo" in by_target:
        bot, echo = by_target["portfoliobot"], by_target["echo"]
        ratio["round_trips_per_second"] = (round(bot.per_second / echo.per_second, 3)
                                           if echo.per_second else None)
        for key, fraction in (("p50", 0.5), ("p99", 0.99)):
            mine, theirs = percentile(bot.reply_ms, fraction), percentile(echo.reply_ms, fraction)
            ratio[f"{key}_latency"] = round(mine / theirs, 3) if theirs and bot.reply_ms else None
    return {
        "benchmark": "bot_bench",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "settings": {"seconds": seconds, "concurrency": concurrency,
                     "max_requests": max_requests, "warmup_per_worker": WARMUP_PER_WORKER,
                     "latency": "POST start → reply arrival at the connector stand-in",
                     "target_process": "subprocess per target",
                     "questions": list(QUESTIONS)},
        "results": [m.summary() for m in measurements],
        "ratio_portfoliobot_over_echo": ratio,
    }


def table(report: dict[str, Any]) -> str:
    lines = ["| target | round trips/s | p50 ms | p99 ms | errors |",
             "|---|---:|---:|---:|---:|"]
    for row in report["results"]:
        reply = row["reply_latency_ms"]

        def ms(value: float | None) -> str:
            return "–" if value is None else f"{value:.1f}"
        lines.append(f"| {row['target']} | {row['round_trips_per_second']:.1f} | "
                     f"{ms(reply['p50'])} | {ms(reply['p99'])} | {row['errors']} |")
    ratio = report["ratio_portfoliobot_over_echo"]
    if ratio:
        def show(value: float | None) -> str:
            return "–" if value is None else f"{value:.2f}"
        lines.append("")
        lines.append(f"portfoliobot/echo: round trips/s × {show(ratio['round_trips_per_second'])}, "
                     f"p50 × {show(ratio['p50_latency'])}, p99 × {show(ratio['p99_latency'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="measuring time per target (default 10)")
    parser.add_argument("--concurrency", type=int, default=20,
                        help="concurrent conversations (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="upper bound on round trips per target (default 200000)")
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"comma-separated subset of {','.join(TARGETS)}")
    parser.add_argument("--output", type=Path, default=RESULTS / "bot_bench.json")
    parser.add_argument("--serve", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.data_dir, args.database_url))
        return 0
    targets = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    unknown = [t for t in targets if t not in TARGETS]
    if unknown or not targets:
        parser.error(f"--targets must name some of {', '.join(TARGETS)}")
    if not 0 < args.seconds <= 600 or not 1 <= args.concurrency <= 1000:
        parser.error("--seconds must be in (0, 600] and --concurrency in [1, 1000]")
    report = asyncio.run(bench(args.seconds, args.concurrency, args.max_requests, targets))
    print(table(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
