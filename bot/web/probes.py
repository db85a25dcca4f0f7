"""The unauthenticated GET endpoints: `/healthz` (alive), `/readyz` (a snapshot is loaded, and
how old it is) and `/metrics` (Prometheus text: counts and timings only, never message text,
users or conversations; `bot.observability.metrics`)."""

from __future__ import annotations

from aiohttp import web

from bot.observability.metrics import CONTENT_TYPE
from bot.web.keys import METRICS, SYNCER


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready (200) once a snapshot is loaded, else 503, and the snapshot's age. Anyone who can
    reach the bot may ask, so nothing else: which database failed and why goes to the log
    (`portfoliobot.sync`) and `/metrics` (`portfoliobot_sync_failing`, `portfoliobot_sync_leader`)."""
    syncer = request.app[SYNCER]
    ready = syncer.snapshot is not None
    body = {"ready": ready, "snapshot_age_seconds": syncer.age_seconds()}
    return web.json_response(body, status=200 if ready else 503)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """GET /metrics: the Prometheus text exposition."""
    text = await request.app[METRICS].render()
    return web.Response(body=text.encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})
