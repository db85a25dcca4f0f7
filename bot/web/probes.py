"""The unauthenticated GET endpoints: `/healthz` (alive), `/readyz` (a snapshot is loaded, who
leads the sync) and `/metrics` (Prometheus text: counts and timings only, never message text,
users or conversations; `bot.observability.metrics`)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.observability.metrics import CONTENT_TYPE
from bot.web.keys import LEADER, METRICS, SYNCER


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
