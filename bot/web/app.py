"""The aiohttp application factory: `create_app(settings)` returns the bot's application.

Nothing is wired at import time. The factory only adds the routes and the start-up and
clean-up hooks; the hooks (`bot.web.lifecycle`) open and close every resource.

- `POST /api/messages`: Bot Framework activities (`bot.web.messages`).
- `POST /api/notify`: notices from systems outside Teams (`bot.web.notify_api`).
- `GET /healthz`, `/readyz`, `/metrics`: probes and Prometheus metrics (`bot.web.probes`).
- `GET /tab…`: the portfolio tab for Teams (`bot.web.tab_routes`).
"""

from __future__ import annotations

from aiohttp import web

from bot.observability.metrics import BotMetrics
from bot.settings import Settings
from bot.web.keys import METRICS, NOTIFY, SETTINGS, TAB, TENANTS
from bot.web.lifecycle import start, stop
from bot.web.messages import messages
from bot.web.notify_api import NotifyRoute
from bot.web.probes import healthz, metrics_endpoint, readyz
from bot.web.request_body import MAX_BODY_BYTES
from bot.web.tab_routes import TabRoutes
from bot.web.tenants import TenantGate


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
    app[TAB] = TabRoutes(settings)
    app[TAB].add_to(app)
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app
