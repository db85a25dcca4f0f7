"""The aiohttp application's keys: what `create_app` and start-up store on the app for the routes.

`SETTINGS`, `METRICS`, `TENANTS`, `NOTIFY` and `TAB` are set by `create_app`; the rest by start-up
(`bot.web.lifecycle`), whose clean-up closes whichever of them were set.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.connector.adapter import AdapterBundle
from bot.handlers.activity_handler import PortfolioBot
from bot.notifications.delivery import DeliveryWorker
from bot.observability.metrics import BotMetrics
from bot.runtime.leader import SyncLeader
from bot.settings import Settings
from bot.storage.bot_database import BotDatabase
from bot.storage.conversation_memory import ConversationMemories
from bot.web.notify_api import NotifyRoute
from bot.web.tab_routes import TabRoutes
from bot.web.tenants import TenantGate
from knowledge.portfolio.sync import Syncer

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
DELIVERY_LEASE = web.AppKey("delivery_lease", SyncLeader)
MEMORIES = web.AppKey("conversation_memories", ConversationMemories)
TAB = web.AppKey("tab", TabRoutes)
