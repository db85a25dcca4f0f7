"""`POST /api/messages`: the Bot Framework endpoint, a thin adapter in front of the CloudAdapter.

It only checks that the request is a well-formed activity (415/413/400 otherwise, never 500
for the client's mistake; `bot.web.activity_check`), parses it once and hands it to the
CloudAdapter's `process_activity`, as `CloudAdapter.process` would. With an app id it first
checks the token (`bot.auth.inbound_auth`): 401 for a missing or bad one, 503 when the
signing keys cannot be fetched (the token could not be judged; the channel retries). A
request from a tenant the bot does not serve is accepted and left unanswered (202).
"""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult
from msrest.serialization import Model

from bot.auth.inbound_auth import InboundAuthError, KeySourceUnavailable
from bot.web.activity_check import read_activity
from bot.web.keys import ADAPTER, BOT, METRICS, TENANTS
from bot.web.request_body import problem, read_json_body

auth_log = logging.getLogger("portfoliobot.auth")


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
    body = await read_json_body(request)
    if isinstance(body, web.Response):
        return body
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
        body = invoke_response.body
        # botbuilder's Teams handlers return bodies already serialized; our own return models.
        return web.json_response(serializer_helper(body) if isinstance(body, Model) else body,
                                 status=invoke_response.status)
    return web.Response(status=201)
