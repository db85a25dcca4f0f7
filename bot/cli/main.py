"""The `portfoliobot` command line: serve, chat, ask, sync, migrate and the operators' tools.

The commands: demo-db, serve, chat, sync, ask, eval, outbox, unanswered, migrate and
teams-package.

Every command turns a known failure into one line on stderr and exit status 2; nothing prints
a traceback unless `--debug` asks for it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.cli.chat import add_chat_command, run_chat
from bot.observability.log_format import TEXT_FORMAT, use_log_format
from bot.settings import Settings, SettingsError
from bot.teams_app.package import add_teams_package_command, run_teams_package
from knowledge.answers.answering import Answerer
from knowledge.answers.evaluation import (
    CONCRETE,
    REQUIRED_ACCURACY,
    REQUIRED_KIND_ACCURACY,
    evaluate,
    is_demo_portfolio,
    load_cases,
    meets_bar,
    report,
)
from knowledge.answers.plain_text import render
from knowledge.answers.question_templates import KINDS, template_cases
from knowledge.errors import KnowledgeError
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from knowledge.portfolio.sync import Syncer

log = logging.getLogger("portfoliobot")
EVALUATION_DAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portfoliobot", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="log details and tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo-db", help="create the portfolio schema and load demo data")
    demo.add_argument("url", nargs="?", help="SQLAlchemy URL (default: PORTFOLIO_DATABASE_URL "
                      "or data/portfolio.db)")
    demo.add_argument("--force", action="store_true", help="replace existing portfolio tables")
    serve = commands.add_parser("serve", help="run the bot: /api/messages, /healthz, /readyz")
    serve.add_argument("--host", help="address to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default PORT or 3978)")
    commands.add_parser("sync", help="run one sync pass; print counts and changes since last run")
    ask = commands.add_parser("ask", help="answer a question (or each line of standard input)")
    ask.add_argument("question", nargs="*", help="the question; none reads standard input")
    add_chat_command(commands)
    add_teams_package_command(commands)
    outbox = commands.add_parser("outbox", help="show the notification outbox: counts and rows")
    outbox.add_argument("--status", choices=("queued", "failed", "sending", "delivered", "dead"),
                        help="list only rows in this state (failed: queued for a retry)")
    outbox.add_argument("--limit", type=int, default=50, help="rows to list (default 50)")
    outbox_commands = outbox.add_subparsers(dest="outbox_command")
    retry = outbox_commands.add_parser("retry", help="requeue a dead outbox row")
    retry.add_argument("id", type=int, help="the row's id")
    unanswered = commands.add_parser(
        "unanswered", help="the most frequent questions the bot could not answer")
    unanswered.add_argument("--days", type=int, default=90,
                            help="look this many days back (default 90)")
    unanswered.add_argument("--top", type=int, default=20, help="questions to list (default 20)")
    migrate = commands.add_parser(
        "migrate", help="upgrade the bot database (BOT_DATABASE_URL) to this release's schema")
    migrate.add_argument("--sql", action="store_true", help="print the SQL that creates the "
                         "schema on an empty database of that kind instead; connect to nothing")
    evaluation = commands.add_parser(
        "eval", help="run the evaluation sets and report per kind; exit 1 below the bar "
        f"({REQUIRED_ACCURACY:.0%} overall, {REQUIRED_KIND_ACCURACY:.0%} in every kind)")
    evaluation.add_argument("--verbose", action="store_true", help="show every answer")
    evaluation.add_argument("--url", help="portfolio database to ask about (default: a fresh "
                            "SQLite file with the demo data); the templated questions are "
                            "filled from it, the concrete set runs only on the demo data")
    evaluation.add_argument("--kind", action="append", choices=(CONCRETE, *KINDS),
                            help="only this kind of question (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format=TEXT_FORMAT, stream=sys.stderr)
    if not args.debug and args.command in ("sync", "ask", "eval"):
        # These one-shot commands report a failed sync (one line) and skipped rows themselves;
        # the sync log would repeat both on stderr. (`serve` and `chat` keep it.)
        logging.getLogger("portfoliobot.sync").setLevel(logging.CRITICAL)
    try:
        settings = Settings.from_environment()
        return asyncio.run(_run(args, settings))
    except (KnowledgeError, SettingsError) as error:
        print(f"portfoliobot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one line, no traceback
        if args.debug:
            raise
        print(f"portfoliobot: unexpected {type(error).__name__}: {error} (run with --debug "
              "for details)", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo-db":
        url = args.url or settings.portfolio_database_url
        counts = await load_portfolio(url, demo_portfolio(), force=args.force)
        print(f"loaded demo portfolio into {_safe(url)}: "
              + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return 0
    if args.command == "serve":
        return await _serve(settings, args.host, args.port)
    if args.command == "sync":
        return await _sync(settings)
    if args.command == "ask":
        return await _ask(settings, " ".join(args.question))
    if args.command == "chat":
        return await run_chat(args)
    if args.command == "teams-package":
        return run_teams_package(args, settings)
    if args.command == "eval":
        return await _eval(settings, args.url, args.verbose, args.kind or ())
    if args.command == "outbox":
        return await _outbox(settings, args)
    if args.command == "unanswered":
        return await _unanswered(settings, args.days, args.top)
    if args.command == "migrate":
        return await _migrate(settings, args.sql)
    raise AssertionError(args.command)


async def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import dataclasses
    import signal

    from aiohttp import web

    from bot.web.app import create_app

    logging.getLogger("portfoliobot").setLevel(logging.INFO)
    use_log_format(settings.log_format)
    settings = dataclasses.replace(settings, host=host or settings.host,
                                   port=port or settings.port)
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as error:
            print(f"portfoliobot: cannot listen on {settings.host}:{settings.port}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return 2
        print(f"portfoliobot listening on http://{settings.host}:{settings.port}/api/messages "
              "(Ctrl-C stops)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        await stop.wait()
        return 0
    finally:
        await runner.cleanup()


def _safe(url: str) -> str:
    from knowledge.portfolio.database import describe
    return describe(url)


def _state_file(settings: Settings) -> Path:
    return settings.data_dir / "last-sync.json"


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


async def _sync(settings: Settings) -> int:
    syncer = Syncer(settings.portfolio_database_url)
    state = _state_file(settings)
    try:
        if state.exists():
            try:
                syncer.restore(json.loads(state.read_text("utf-8")))
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                print(f"ignoring unreadable {state}: {error}", file=sys.stderr)
        result = await syncer.sync()
    finally:
        await syncer.close()
    print(f"synced {_safe(settings.portfolio_database_url)} in {result.seconds:.2f} s: "
          + ", ".join(f"{n} {t}" for t, n in result.counts.items()))
    for skipped in result.skipped:
        print(f"skipped {skipped.table} {skipped.key}: {skipped.reason}")
    print(f"{len(result.events)} change(s) since the last sync")
    for event in result.events:
        if event.before is not None:
            change = f"{event.before} → {event.after if event.after is not None else '–'}"
        else:
            change = event.after or ""
        print(f"- {event.kind.value}: {event.project_code} {event.project_name} {change}".rstrip())
    if syncer.last_raw is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(syncer.last_raw, default=_json_default), "utf-8")
    return 0


async def _ask(settings: Settings, question: str) -> int:
    syncer = Syncer(settings.portfolio_database_url)
    try:
        await syncer.sync()
        answerer = Answerer(lambda: syncer.snapshot)
        if question.strip():
            print(render(answerer.answer(question)))
            return 0
        _answer_lines(answerer, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
        return 0
    finally:
        await syncer.close()


def _answer_lines(answerer: Answerer, source: TextIO, sink: TextIO, interactive: bool) -> None:
    if interactive:
        sink.write("Spør om porteføljen (tom linje eller Ctrl-D avslutter) / "
                   "Ask about the portfolio (empty line or Ctrl-D ends)\n")
    while True:
        if interactive:
            sink.write("> ")
            sink.flush()
        line = source.readline()
        if not line or (interactive and not line.strip()):
            return
        if not line.strip():
            continue
        sink.write(render(answerer.answer(line.strip())) + "\n\n")
        sink.flush()


async def _eval(settings: Settings, url: str | None, verbose: bool,
                kinds: Sequence[str] = ()) -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = url or f"sqlite:///{Path(folder) / 'evaluation.db'}"
        if url is None:
            await load_portfolio(target, demo_portfolio())
        syncer = Syncer(target)
        try:
            await syncer.sync()
            snapshot = syncer.snapshot
            assert snapshot is not None, "a sync that did not raise leaves a snapshot"
            run = template_cases(snapshot.records, EVALUATION_DAY.date())
            cases = (load_cases() if is_demo_portfolio(snapshot.records) else []) + run.cases
            if kinds:
                cases = [case for case in cases if case.kind in kinds]
            outcomes = evaluate(Answerer(lambda: snapshot, clock=lambda: EVALUATION_DAY), cases)
        finally:
            await syncer.close()
    print(report(outcomes, verbose, run.skipped))
    return 0 if meets_bar(outcomes) else 1


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    from bot.notifications.outbox import OutboxStore
    from bot.storage.bot_database import open_bot_database

    database = await open_bot_database(settings.bot_database_url)
    try:
        store = OutboxStore(database)
        if args.outbox_command == "retry":
            if not await store.requeue(args.id):
                row = await store.row(args.id)
                why = "no such row" if row is None else f"it is {row.status}, not dead"
                print(f"portfoliobot: cannot requeue outbox row {args.id}: {why}", file=sys.stderr)
                return 2
            print(f"requeued outbox row {args.id}")
            return 0
        counts = await store.counts()
        print(f"outbox: {counts['queued']} queued ({counts['failed']} failed, waiting to retry), "
              f"{counts['sending']} sending, {counts['delivered']} delivered, "
              f"{counts['dead']} dead")
        for row in await store.rows(args.status, max(args.limit, 0)):
            status = "failed" if row.status == "queued" and row.last_error else row.status
            when = (row.delivered_at or row.next_attempt_at).isoformat(timespec="seconds")
            line = (f"{row.id:>6} {status:<9} {row.attempts:>2} {when} {row.conversation_id} "
                    f"{row.dedupe_key} {row.notification.title!r}")
            if row.last_error and row.status != "delivered":
                line += f" — {row.last_error[:120]}"
            print(line)
        return 0
    finally:
        await database.close()


async def _unanswered(settings: Settings, days: int, top: int) -> int:
    from bot.observability.unanswered_store import UnansweredStore
    from bot.storage.bot_database import open_bot_database

    database = await open_bot_database(settings.bot_database_url)
    try:
        questions = await UnansweredStore(database).frequent(days, top)
    finally:
        await database.close()
    if not questions:
        print(f"no unanswered questions in the last {days} days")
        return 0
    print(f"most frequent unanswered questions in the last {days} days:")
    for question in questions:
        text = " ".join(question.text.split())
        print(f"{question.count:>6}  [{question.language}] {text}")
    return 0


async def _migrate(settings: Settings, sql: bool) -> int:
    from bot.storage.migrations import MigrationError, upgrade_sql, upgrade_to_head
    from knowledge.portfolio.database import create_engine

    if sql:
        upgrade_sql(settings.bot_database_url, sys.stdout)
        return 0
    engine = create_engine(settings.bot_database_url)
    try:
        upgrade = await upgrade_to_head(engine)
    except MigrationError as error:
        print(f"portfoliobot: {error}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    where = f"bot database {_safe(settings.bot_database_url)}"
    if upgrade.adopted:
        print(f"{where}: made before migrations, adopted; now at revision {upgrade.after} (head)")
    elif upgrade.changed:
        print(f"{where}: upgraded from {upgrade.before or 'an empty database'} to revision "
              f"{upgrade.after} (head)")
    else:
        print(f"{where}: already at revision {upgrade.after} (head), nothing to do")
    return 0
