"""Start-up and shut-down wiring: what `on_startup` opens and `on_cleanup` closes.

Start-up builds everything from the settings: the portfolio syncer, the adapter with its
middleware, the bot database, the bot with its stores, the outbox delivery worker, the sync
leader's duties (the retention run, which purges every bot database table by its setting at
once and then daily, `bot.web.retention_duty`; the digest and reminder schedule) and the sync loop
(`bot.runtime.sync_loop`) as a kept background task. Clean-up cancels the loop and closes
every resource that was opened, in reverse order.

Several replicas may share one PostgreSQL bot database (`bot.runtime.leader`): each syncs its
own snapshot, but only the sync leader queues the changes a sync finds, runs the digest and
reminder schedule and the retention run; every sync pass lets a follower take over from a
leader that is gone. Likewise only the replica holding the delivery lock sends notifications
(`DeliveryWorker(leads=…)`), re-checking each row's subscription (`StillWanted`) and tenant
(`ALLOWED_TENANT_IDS`) right before it goes. `/readyz` and the `portfoliobot_sync_leader` metric say which one leads.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiohttp import web
from botbuilder.core import PrivateConversationState
from botbuilder.schema import Activity

from bot.cards.answer_cards import reply_activity
from bot.cards.project_links import ProjectLinks
from bot.connector.adapter import create_adapter
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
from bot.notifications.wanted import StillWanted
from bot.observability.answer_recorder import AnswerRecorder
from bot.observability.unanswered_store import UnansweredStore
from bot.runtime.heap import HeapFreezer
from bot.runtime.leader import DELIVERY_LOCK_KEY, SyncLeader
from bot.runtime.sync_loop import sync_forever
from bot.storage.bot_database import open_bot_database
from bot.storage.conversation_memory import ConversationMemories
from bot.storage.sql_storage import SqlStorage
from bot.tasks import stop_task
from bot.web.keys import (
    ADAPTER,
    BOT,
    BOT_DATABASE,
    DELIVERY_LEASE,
    LEADER,
    MEMORIES,
    METRICS,
    NOTIFY,
    SETTINGS,
    SYNC_TASK,
    SYNCER,
    TAB,
    WORKER,
)
from bot.web.retention_duty import retention_run
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Intent, Language
from knowledge.portfolio.sync import Syncer, SyncResult

log = logging.getLogger("portfoliobot.http")

# Every rate-limit window is widened by this much: a send reaches Teams a little after the
# limiter counted it, and not always equally late.
RATE_MARGIN_SECONDS = 0.25


async def start(app: web.Application) -> None:
    """`on_startup`: open every resource and start the background work."""
    settings = app[SETTINGS]
    syncer = Syncer(settings.portfolio_database_url)
    app[SYNCER] = syncer
    app[TAB].syncer = syncer
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
    # A half-finished dialog not touched for the dialog state's retention is forgotten.
    dialog_state = SqlStorage(bot_database, ttl=settings.retention.dialog_state)
    conversation_state = PrivateConversationState(dialog_state)
    subscriptions = SubscriptionStore(bot_database)
    outbox = OutboxStore(bot_database)
    delivery_lease = SyncLeader(bot_database.engine, lock_key=DELIVERY_LOCK_KEY,
                                role="notification sender")
    app[DELIVERY_LEASE] = delivery_lease
    worker = DeliveryWorker(outbox, bundle.adapter, settings.app_id,
                            RateLimiter(margin=RATE_MARGIN_SECONDS),
                            wanted=StillWanted(subscriptions, lambda: syncer.snapshot),
                            allowed_tenants=settings.allowed_tenant_ids,
                            leads=delivery_lease.try_lead,
                            current_card=lambda project_id: current_project_card(
                                answerer, project_id, settings.project_links))
    app[WORKER] = worker
    leader = SyncLeader(bot_database.engine)
    app[LEADER] = leader
    metrics.bind(syncer, outbox, worker, leader)
    unanswered = UnansweredStore(bot_database)
    memories = ConversationMemories(bot_database)
    app[MEMORIES] = memories
    notifier = Notifier(bot_database, subscriptions, outbox, lambda: syncer.snapshot, worker)
    app[BOT] = PortfolioBot(answerer, lambda: syncer.snapshot,
                            StatusDesk(bot_database, syncer, answerer, publish=notifier.publish),
                            conversation_state, subscriptions, outbox,
                            on_answer=AnswerRecorder(
                                metrics, unanswered, per_asker_per_day=(
                                    settings.retention.unanswered_per_asker_per_day)),
                            memories=memories, links=settings.project_links)
    if settings.notify_api_token:
        app[NOTIFY].token = settings.notify_api_token
        app[NOTIFY].queue = notifier.notice
    worker.start()
    leader.duty("retention", retention_run(bot_database, dialog_state, outbox, unanswered,
                                           settings.retention, metrics,
                                           memories=memories).run_forever)
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


def current_project_card(answerer: Answerer, project_id: int,
                         links: ProjectLinks | None) -> Activity | None:
    """A notification thread's first message as it should be now: the project's status card
    (in bokmål, the channels' language), or None when the project is gone."""
    answer = answerer.about_project(project_id, Intent.STATUS, Language.NB)
    return reply_activity(answer, links) if answer is not None else None


async def stop(app: web.Application) -> None:
    """`on_cleanup`: cancel the sync loop and close whatever start-up opened."""
    await stop_task(app.get(SYNC_TASK))
    if LEADER in app:
        await app[LEADER].close()   # stops its duties; another replica takes over now
    if WORKER in app:
        await app[WORKER].stop()
    await app[TAB].close()
    if DELIVERY_LEASE in app:
        await app[DELIVERY_LEASE].close()   # after the worker: another replica sends now
    if MEMORIES in app:
        await app[MEMORIES].close()   # the conversation memories still waiting to be written
    if ADAPTER in app:
        await app[ADAPTER].close()
    if SYNCER in app:
        await app[SYNCER].close()
    if BOT_DATABASE in app:
        await app[BOT_DATABASE].close()
