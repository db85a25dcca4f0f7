"""The aiohttp application: `/api/messages` for Bot Framework, health and readiness probes.

`create_app(settings)` wires nothing at import time. Start-up opens the portfolio syncer and
starts the sync loop as a kept background task; clean-up cancels it and closes every
resource. The messages endpoint only checks that the request is a well-formed activity
(415/413/400 otherwise, never 500 for the client's mistake), parses it once and hands it to
the CloudAdapter's `process_activity`, as `CloudAdapter.process` would. With an app id it
first checks the token (`bot.auth.inbound_auth`): 401 for a missing or bad one, 503 when the
signing keys cannot be fetched (the token could not be judged; the channel retries).

`GET /metrics` serves Prometheus metrics (`bot.observability.metrics`), unauthenticated like the probes:
counts and timings only, never message text, users or conversations. Start-up also purges
unanswered questions older than 90 days (`bot.observability.unanswered`).

Several replicas may share one PostgreSQL bot database (`bot.runtime.leader`): each syncs its own
snapshot, but only the sync leader queues the changes a sync finds, runs the digest and
reminder schedule and the daily purge; every sync pass lets a follower take over from a
leader that is gone. `/readyz` and the `portfoliobot_sync_leader` metric say which one leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from botbuilder.core import PrivateConversationState, serializer_helper
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult

from bot.auth.inbound_auth import InboundAuthError, KeySourceUnavailable
from bot.connector.activity_reader import read_activity_model
from bot.connector.adapter import AdapterBundle, create_adapter
from bot.handlers.activity_handler import PortfolioBot
from bot.handlers.status_desk import StatusDesk
from bot.middleware.turn_errors import on_turn_error
from bot.middleware.turn_log import TurnLog
from bot.middleware.typing_indicator import TypingIndicator
from bot.notifications.delivery import DeliveryWorker
from bot.notifications.digest import Digests, Schedule, run_schedule
from bot.notifications.notifier import Notifier
from bot.notifications.outbox import OutboxStore
from bot.notifications.rate_limit import RateLimiter
from bot.notifications.subscriptions import SubscriptionStore
from bot.observability.metrics import CONTENT_TYPE, BotMetrics
from bot.observability.unanswered import AnswerRecorder, UnansweredStore, purge_forever
from bot.runtime.heap import HeapFreezer
from bot.runtime.leader import SyncLeader
from bot.settings import Settings
from bot.storage.bot_database import BotDatabase, open_bot_database
from bot.storage.sql_storage import SqlStorage
from bot.web.notify_api import NotifyRoute
from bot.web.tenants import TenantGate
from knowledge.answers.answering import Answerer
from knowledge.errors import SyncError
from knowledge.portfolio.events import PortfolioEvent
from knowledge.portfolio.sync import Syncer, SyncResult

log = logging.getLogger("portfoliobot.http")
sync_log = logging.getLogger("portfoliobot.sync")
auth_log = logging.getLogger("portfoliobot.auth")

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SYNC_RETRY_SECONDS = 10.0
DIALOG_STATE_TTL = timedelta(hours=24)   # a half-finished dialog older than this is forgotten

SETTINGS = web.AppKey("settings", Settings)
SYNCER = web.AppKey("syncer", Syncer)
BOT = web.AppKey("bot", PortfolioBot)
ADAPTER = web.AppKey("adapter", AdapterBundle)
SYNC_TASK = web.AppKey("sync_task", asyncio.Task[None])
BOT_DATABASE = web.AppKey("bot_database", BotDatabase)
WORKER = web.AppKey("delivery_worker", DeliveryWorker)
NOTIFY = web.AppKey("notify", NotifyRoute)
METRICS = web.AppKey("metrics", BotMetrics)
TENANTS = web.AppKey("tenants", TenantGate)
LEADER = web.AppKey("sync_leader", SyncLeader)


def problem(status: int, reason: str) -> web.Response:
    """A JSON error body the client can read; used for every 4xx we answer ourselves."""
    return web.json_response({"error": reason}, status=status)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counting no further than `limit` + 1."""
    depth, level = 0, [value]
    while level and depth <= limit:
        depth += 1
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, dict | list)]
    return depth


def activity_problem(body: Any) -> str | None:
    """Why `body` is not an activity the bot can answer, or None when it is one."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    if _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return f"the activity is nested deeper than {MAX_JSON_DEPTH} levels"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("http://", "https://")):
        return "the activity has no http(s) serviceUrl"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "the activity has no conversation.id"
    for key in ("text", "id", "locale", "channelId"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"the activity's {key} must be a string"
    # These go into the reply's URL: a control character there could only be an attack.
    for name, value in (("serviceUrl", service_url), ("conversation.id", conversation["id"]),
                        ("id", body.get("id"))):
        if isinstance(value, str) and _CONTROL.search(value):
            return f"the activity's {name} contains control characters"
    for key in ("from", "recipient"):
        if key in body and body[key] is not None and not isinstance(body[key], dict):
            return f"the activity's {key} must be an object"
    if "entities" in body and body["entities"] is not None and not isinstance(
            body["entities"], list):
        return "the activity's entities must be a list"
    return None


def read_activity(body: Any) -> Activity | str:
    """The activity in `body`, or why it is not one. Deserialised once, here, for the adapter."""
    reason = activity_problem(body)
    if reason is not None:
        return reason
    try:
        activity = read_activity_model(body)
    except Exception as error:  # msrest raises several types for malformed input
        return f"the activity cannot be read: {type(error).__name__}"
    return activity


def unauthorized() -> web.Response:
    response = problem(401, "the request carries no valid Bot Framework token")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def authenticate(request: web.Request,
                       activity: Activity) -> AuthenticateRequestResult | str | web.Response:
    """With an app id, the checked token (`bot.auth.inbound_auth`), else 401 or 503; without one,
    the raw header for botbuilder (which then admits the request anonymously)."""
    header = request.headers.get("Authorization", "")
    inbound = request.app[ADAPTER].inbound
    if inbound is None:
        return header
    try:
        return await inbound.authenticate(header, activity)
    except InboundAuthError as error:
        auth_log.info("401 for %s: %s", request.remote, error.reason)
        return unauthorized()
    except KeySourceUnavailable as error:
        auth_log.warning("503: the token cannot be checked, no signing keys: %s", error)
        response = problem(503, "the Bot Framework signing keys cannot be fetched right now")
        response.headers["Retry-After"] = "10"
        return response


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages: check the request is an activity, then hand it to the adapter."""
    if request.content_type != "application/json":
        return problem(415, "Content-Type must be application/json")
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError):
        return problem(400, "the body is not valid JSON")
    activity = read_activity(body)
    if isinstance(activity, str):
        return problem(400, activity)
    authenticated = await authenticate(request, activity)
    if isinstance(authenticated, web.Response):
        return authenticated
    if not request.app[TENANTS].admits(body):
        request.app[METRICS].foreign_tenant.inc()
        return web.Response(status=202)   # accepted, deliberately unanswered
    # What CloudAdapter.process does, minus a second parse of the body we already checked.
    adapter, bot = request.app[ADAPTER].adapter, request.app[BOT]
    try:
        invoke_response = await adapter.process_activity(authenticated, activity, bot.on_turn)
    except PermissionError:
        return unauthorized()
    if invoke_response is not None:
        return web.json_response(serializer_helper(invoke_response.body),
                                 status=invoke_response.status)
    return web.Response(status=201)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    syncer = request.app[SYNCER]
    snapshot = syncer.snapshot
    body: dict[str, Any] = {
        "ready": snapshot is not None,
        "snapshot_age_seconds": syncer.age_seconds(),
        "projects": len(snapshot.projects) if snapshot else 0,
        "last_sync_error": syncer.last_error,
        "sync_leader": LEADER in request.app and request.app[LEADER].is_leader,
    }
    return web.json_response(body, status=200 if snapshot is not None else 503)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """GET /metrics: the Prometheus text exposition."""
    text = await request.app[METRICS].render()
    return web.Response(body=text.encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})


async def sync_forever(syncer: Syncer, interval: float,
                       publish: Callable[[list[PortfolioEvent]], Awaitable[int]] | None = None,
                       on_result: Callable[[SyncResult], None] | None = None,
                       leads: Callable[[], Awaitable[bool]] | None = None) -> None:
    """Sync now and then every `interval` seconds; a failure retries sooner, never stops it.
    The changes a sync finds go to `publish` (subscribers' notifications); every successful
    pass goes to `on_result` (the sync duration metric). With `leads` (`SyncLeader.try_lead`,
    asked on every pass) only the sync leader publishes; the others just keep their
    snapshot fresh. A follower holds on to its last pass's changes: if it takes over on the
    next pass, it publishes them too, in case the old leader died before it did (the dedupe
    keys make a change the old leader did queue a no-op)."""
    held: list[PortfolioEvent] = []
    while True:
        try:
            leading = leads is None or await leads()
            result = await syncer.sync()
            if on_result is not None:
                on_result(result)
            events, held = ([*held, *result.events], []) if leading else ([], result.events)
            if publish is not None and events:
                try:
                    await publish(events)
                except Exception:
                    sync_log.exception("%d change(s) found, but their notifications could not "
                                       "be queued", len(events))
            delay = interval
        except SyncError:
            delay = min(interval, SYNC_RETRY_SECONDS)
        except Exception:  # an unforeseen failure must not end the loop
            sync_log.exception("sync failed unexpectedly")
            delay = min(interval, SYNC_RETRY_SECONDS)
        await asyncio.sleep(delay)


async def _start(app: web.Application) -> None:
    settings = app[SETTINGS]
    syncer = Syncer(settings.portfolio_database_url)
    app[SYNCER] = syncer
    bundle = create_adapter(settings)
    bundle.adapter.on_turn_error = on_turn_error
    metrics = app[METRICS]
    bundle.adapter.use(TurnLog(metrics))
    bundle.adapter.use(TypingIndicator())
    app[ADAPTER] = bundle
    bot_database = await open_bot_database(settings.bot_database_url)
    app[BOT_DATABASE] = bot_database
    answerer = Answerer(lambda: syncer.snapshot)
    # Per user within a conversation: in a group chat or channel, one lead's half-finished
    # status dialog must not take another person's messages as its answers.
    conversation_state = PrivateConversationState(
        SqlStorage(bot_database, ttl=DIALOG_STATE_TTL))
    subscriptions = SubscriptionStore(bot_database)
    outbox = OutboxStore(bot_database)
    worker = DeliveryWorker(outbox, bundle.adapter, settings.app_id, RateLimiter())
    app[WORKER] = worker
    leader = SyncLeader(bot_database.engine)
    app[LEADER] = leader
    metrics.bind(syncer, outbox, worker, leader)
    unanswered = UnansweredStore(bot_database)
    notifier = Notifier(bot_database, subscriptions, outbox, lambda: syncer.snapshot, worker)
    app[BOT] = PortfolioBot(answerer, lambda: syncer.snapshot,
                            StatusDesk(bot_database, syncer, answerer, publish=notifier.publish),
                            conversation_state, subscriptions, outbox,
                            on_answer=AnswerRecorder(metrics, unanswered))
    if settings.notify_api_token:
        app[NOTIFY].token = settings.notify_api_token
        app[NOTIFY].queue = notifier.notice
    worker.start()
    await unanswered.purge_unanswered()   # once now, so a failing database shows at start-up
    leader.duty("purge-unanswered", lambda: purge_forever(unanswered))
    if settings.digest_weekday is not None or settings.reminder_weekday is not None:
        digests = Digests(notifier)
        leader.duty("digests-and-reminders", lambda: run_schedule(
            digests, Schedule(settings.digest_weekday, settings.digest_hour),
            Schedule(settings.reminder_weekday, settings.reminder_hour),
            lambda: datetime.now(UTC)))
    freezer = HeapFreezer() if settings.freeze_heap else None

    def after_sync(result: SyncResult) -> None:
        metrics.observe_sync(result.seconds)
        if freezer is not None:
            freezer.after_sync(result)

    app[SYNC_TASK] = asyncio.create_task(
        sync_forever(syncer, settings.sync_interval_seconds, notifier.publish,
                     after_sync, leader.try_lead),
        name="portfolio-sync")
    if not settings.authenticates:
        log.warning("MicrosoftAppId is not set: accepting unauthenticated requests on "
                    "/api/messages (local use only, like the Bot Framework Emulator)")


async def _stop(app: web.Application) -> None:
    task = app.get(SYNC_TASK)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if LEADER in app:
        await app[LEADER].close()   # stops its duties; another replica takes over now
    if WORKER in app:
        await app[WORKER].stop()
    if ADAPTER in app:
        await app[ADAPTER].close()
    if SYNCER in app:
        await app[SYNCER].close()
    if BOT_DATABASE in app:
        await app[BOT_DATABASE].close()


def create_app(settings: Settings) -> web.Application:
    """The bot's aiohttp application for `settings`; resources open on start-up."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app[METRICS] = BotMetrics()
    app[TENANTS] = TenantGate(settings.allowed_tenant_ids)
    app.router.add_get("/metrics", metrics_endpoint)
    app[NOTIFY] = NotifyRoute()
    app.router.add_post("/api/notify", app[NOTIFY].handle)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app
