"""Outbound replies over real HTTP: retried on 429/412/5xx, bounded, on one connection.

A stand-in for the Bot Framework connector service (aiohttp on 127.0.0.1, port 0) records
every request and answers as told: 429 with Retry-After, 503, 502, 412, 400, 404, or slowly.
A real CloudAdapter from `create_adapter` (no app id: emulator mode) processes real message
activities POSTed to a real aiohttp endpoint, with a tiny echo bot; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ErrorResponseException,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    BotFrameworkAuthenticationFactory,
    ConnectorFactory,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)
from msrest.exceptions import ClientRequestError

from bot.cli.local_connector import LocalConnector
from bot.connector.outbound import (
    OutboundCloudAdapter,
    OutboundConnectorFactory,
    OutboundDeliveryError,
    OutboundTransport,
    create_adapter,
)
from bot.connector.retry_policy import RetryPolicy, backoff_ceiling, next_delay, parse_retry_after

FAST = RetryPolicy(deadline=3.0, turn_deadline=3.0, attempt_timeout=1.0,
                   min_attempt_timeout=0.2, base_backoff=0.02, max_backoff=0.1)
CONVERSATION = "conv-1"
APP_ID = "11111111-2222-3333-4444-555555555555"


# --- the stand-in connector service ----------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    """One scripted answer: an error `status` (None = answer normally), after `delay` s."""

    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    peer_port: int
    at: float


@dataclass
class StandInConnector:
    plan: deque[Planned] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    delivered: list[Received] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    def answer(self, *planned: Planned) -> None:
        self.plan.extend(planned)

    async def start(self) -> None:
        app = web.Application()
        route = "/v3/conversations/{conversation}/activities"
        app.router.add_post(route, self._handle)
        app.router.add_post(route + "/{activity}", self._handle)
        app.router.add_put(route + "/{activity}", self._handle)
        app.router.add_delete(route + "/{activity}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        received = Received(request.method, request.path,
                            await request.json() if raw else None, dict(request.headers),
                            peer[1] if peer else -1, time.monotonic())
        self.received.append(received)
        planned = self.plan.popleft() if self.plan else Planned()
        if planned.delay:
            await asyncio.sleep(planned.delay)
        if planned.status is not None:
            headers = {"Retry-After": planned.retry_after} if planned.retry_after else {}
            error = {"error": {"code": f"Status{planned.status}", "message": "stand-in says no"}}
            return web.json_response(error, status=planned.status, headers=headers)
        self.delivered.append(received)
        if request.method == "DELETE":
            return web.Response(status=200)
        if request.method == "PUT":
            return web.json_response({"id": request.match_info["activity"]}, status=200)
        return web.json_response({"id": f"activity-{len(self.delivered)}"}, status=201)


# --- the bot and its endpoint ----------------------------------------------------------------

class EchoBot(ActivityHandler):  # type: ignore[misc]
    """Echoes; "three" sends three replies, "edit" sends, updates and deletes one."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = turn_context.activity.text
        if text == "three":
            for number in range(3):
                await turn_context.send_activity(f"echo {number}")
        elif text == "edit":
            sent = await turn_context.send_activity("draft")
            await turn_context.update_activity(
                Activity(id=sent.id, type=ActivityTypes.message, text="final"))
            await turn_context.delete_activity(sent.id)
        else:
            await turn_context.send_activity(f"echo: {text}")


@dataclass
class Harness:
    connector: StandInConnector
    adapter: OutboundCloudAdapter
    endpoint: str
    client: aiohttp.ClientSession
    turn_errors: list[Exception] = field(default_factory=list)
    apology_errors: list[Exception] = field(default_factory=list)

    async def say(self, text: str) -> tuple[int, float]:
        """POST a Teams-like message activity to the bot; its HTTP status and the seconds taken."""
        activity = {
            "type": "message", "id": f"incoming-{text}", "text": text, "channelId": "msteams",
            "serviceUrl": self.connector.url, "locale": "nb-NO",
            "conversation": {"id": CONVERSATION}, "from": {"id": "user-1", "name": "Ola"},
            "recipient": {"id": "bot-1", "name": "portfoliobot"},
        }
        started = time.monotonic()
        async with self.client.post(self.endpoint, json=activity) as response:
            await response.read()
            return response.status, time.monotonic() - started


@asynccontextmanager
async def running(policy: RetryPolicy = FAST, *, apologise: bool = False,
                  adapter: OutboundCloudAdapter | None = None) -> AsyncIterator[Harness]:
    connector = StandInConnector()
    await connector.start()
    adapter = adapter or create_adapter(policy=policy)
    bot = EchoBot()
    app = web.Application()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    async with aiohttp.ClientSession() as client:
        harness = Harness(connector, adapter, endpoint, client)

        async def on_turn_error(context: TurnContext, error: Exception) -> None:
            harness.turn_errors.append(error)
            if apologise:  # like bot.middleware.turn_errors: tell the user, which needs the connector too
                try:
                    await context.send_activity("sorry")
                except Exception as apology_error:
                    harness.apology_errors.append(apology_error)

        adapter.on_turn_error = on_turn_error
        try:
            yield harness
        finally:
            await adapter.close()
            await runner.cleanup()
            await connector.stop()


def replies(connector: StandInConnector) -> list[str]:
    return [r.body["text"] for r in connector.delivered if r.body is not None]


# --- retries through the real adapter --------------------------------------------------------

async def test_reply_after_429_waits_retry_after_and_arrives_once() -> None:
    async with running() as h:
        h.connector.answer(Planned(429, retry_after="1"))
        status, _ = await h.say("hei")
        assert status == 201
        assert h.turn_errors == []
        assert replies(h.connector) == ["echo: hei"]
        first, second = h.connector.received
        assert first.path == second.path == f"/v3/conversations/{CONVERSATION}/activities/incoming-hei"
        assert second.at - first.at >= 1.0


async def test_retry_after_longer_than_budget_falls_back_to_short_backoff() -> None:
    async with running() as h:
        h.connector.answer(Planned(429, retry_after="60"))
        status, seconds = await h.say("hei")
        assert status == 201 and h.turn_errors == []
        assert replies(h.connector) == ["echo: hei"]
        assert seconds < 1.0


@pytest.mark.parametrize("statuses", [(503, 503), (502, 412, 504)])
async def test_reply_arrives_once_after_transient_errors(statuses: tuple[int, ...]) -> None:
    async with running() as h:
        h.connector.answer(*(Planned(status) for status in statuses))
        status, _ = await h.say("hei")
        assert status == 201 and h.turn_errors == []
        assert len(h.connector.received) == len(statuses) + 1
        assert replies(h.connector) == ["echo: hei"]


@pytest.mark.parametrize("status", [400, 404])
async def test_client_errors_are_not_retried_and_reach_on_turn_error(status: int) -> None:
    async with running() as h:
        h.connector.answer(Planned(status))
        await h.say("hei")
        assert len(h.connector.received) == 1
        assert h.connector.delivered == []
        [error] = h.turn_errors
        assert isinstance(error, ErrorResponseException)
        assert error.response.status_code == status


async def test_gives_up_inside_the_deadline_and_says_so() -> None:
    policy = RetryPolicy(deadline=1.0, turn_deadline=1.0, attempt_timeout=0.5,
                         min_attempt_timeout=0.2, base_backoff=0.05, max_backoff=0.2,
                         max_attempts=100)
    async with running(policy, apologise=True) as h:
        h.connector.answer(*[Planned(503)] * 100)
        status, seconds = await h.say("hei")
        assert status == 201  # on_turn_error handled it; what it does is the host's choice
        [error] = h.turn_errors
        assert isinstance(error, OutboundDeliveryError)
        assert isinstance(error, ClientRequestError)
        assert error.status == 503 and error.attempts >= 2
        assert error.elapsed <= 1.0 + 0.1
        assert "503" in str(error) and "gave up" in str(error)
        # the apology in on_turn_error finds the turn's budget spent: one attempt, no retry
        [apology_error] = h.apology_errors
        assert isinstance(apology_error, OutboundDeliveryError)
        assert apology_error.attempts == 1
        assert h.connector.delivered == []
        assert seconds < 1.0 + 0.2 + 0.5


async def test_slow_answer_times_out_and_is_retried() -> None:
    policy = RetryPolicy(deadline=3.0, turn_deadline=3.0, attempt_timeout=0.3,
                         min_attempt_timeout=0.1, base_backoff=0.02, max_backoff=0.05)
    async with running(policy) as h:
        h.connector.answer(Planned(delay=1.0))
        status, seconds = await h.say("hei")
        assert status == 201 and h.turn_errors == []
        assert len(h.connector.received) == 2
        assert "echo: hei" in replies(h.connector)
        assert seconds < 0.9


async def test_replies_and_turns_share_one_connection() -> None:
    async with running() as h:
        h.connector.answer(Planned(), Planned(503))
        await h.say("three")
        await h.say("hei")
        await h.say("igjen")
        assert h.turn_errors == []
        assert replies(h.connector) == ["echo 0", "echo 1", "echo 2", "echo: hei", "echo: igjen"]
        assert len(h.connector.received) == 6
        assert len({r.peer_port for r in h.connector.received}) == 1
        assert all("Authorization" not in r.headers for r in h.connector.received)


async def test_update_and_delete_still_work_and_are_retried() -> None:
    async with running() as h:
        h.connector.answer(Planned(), Planned(503))  # the PUT fails once
        await h.say("edit")
        assert h.turn_errors == []
        post, put_failed, put, delete = h.connector.received
        assert post.method == "POST" and post.body is not None and post.body["text"] == "draft"
        activity_path = f"/v3/conversations/{CONVERSATION}/activities/activity-1"
        assert (put_failed.method, put_failed.path) == ("PUT", activity_path)
        assert put.method == "PUT" and put.body is not None and put.body["text"] == "final"
        assert (delete.method, delete.path) == ("DELETE", activity_path)


class StaticTokenCredentials(AppCredentials):  # type: ignore[misc]
    """App credentials with a fixed token: a stand-in for Entra ID, not for our code."""

    def __init__(self, app_id: str, oauth_scope: str, token_delay: float = 0.0) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self.token_delay = token_delay
        self.token_threads: list[str] = []

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.token_threads.append(threading.current_thread().name)
        time.sleep(self.token_delay)  # MSAL blocks like this while it asks Entra ID
        return "test-token"


class StaticCredentialFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    def __init__(self, token_delay: float = 0.0) -> None:
        super().__init__(APP_ID, "secret")
        self.token_delay = token_delay
        self.made: list[StaticTokenCredentials] = []

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> StaticTokenCredentials:
        assert app_id == APP_ID
        credentials = StaticTokenCredentials(app_id, oauth_scope, self.token_delay)
        self.made.append(credentials)
        return credentials


def reference_to(connector: StandInConnector) -> ConversationReference:
    return ConversationReference(
        channel_id="msteams", service_url=connector.url,
        conversation=ConversationAccount(id=CONVERSATION),
        bot=ChannelAccount(id="bot-1"), user=ChannelAccount(id="user-1"))


async def test_continue_conversation_signs_requests_and_reuses_the_client() -> None:
    credential_factory = StaticCredentialFactory()
    authentication = BotFrameworkAuthenticationFactory.create(
        credential_factory=credential_factory)
    adapter = create_adapter(authentication=authentication, policy=FAST)
    async with running(adapter=adapter) as h:
        h.connector.answer(Planned(429, retry_after="0"))
        reference = reference_to(h.connector)
        clients: list[object] = []

        async def proactive(context: TurnContext) -> None:
            clients.append(context.turn_state[adapter.BOT_CONNECTOR_CLIENT_KEY])
            await context.send_activity("proactive")

        await adapter.continue_conversation(reference, proactive, bot_app_id=APP_ID)
        await adapter.continue_conversation(reference, proactive, bot_app_id=APP_ID)
        assert replies(h.connector) == ["proactive", "proactive"]
        assert len(h.connector.received) == 3
        assert {r.headers.get("Authorization") for r in h.connector.received} == {
            "Bearer test-token"}
        assert clients[0] is clients[1]
        signing = clients[0].config.credentials  # type: ignore[attr-defined]
        assert signing.token_threads  # the token was asked for, never on the loop's thread
        assert threading.main_thread().name not in signing.token_threads


async def test_a_token_that_does_not_come_in_time_fails_the_send() -> None:
    authentication = BotFrameworkAuthenticationFactory.create(
        credential_factory=StaticCredentialFactory(token_delay=0.6))
    policy = RetryPolicy(deadline=0.3, turn_deadline=None, attempt_timeout=0.2,
                         min_attempt_timeout=0.1)
    adapter = create_adapter(authentication=authentication, policy=policy)
    async with running(adapter=adapter) as h:
        async def proactive(context: TurnContext) -> None:
            await context.send_activity("proactive")

        started = time.monotonic()
        await adapter.continue_conversation(reference_to(h.connector), proactive,
                                            bot_app_id=APP_ID)
        assert time.monotonic() - started < 0.8  # the loop did not wait for the token
        [error] = h.turn_errors
        assert isinstance(error, OutboundDeliveryError) and "access token" in str(error)
        assert h.connector.received == []


class PlainFactory(ConnectorFactory):  # type: ignore[misc]
    """Some other ConnectorFactory that builds the SDK's stock clients."""

    async def create(self, service_url: str, audience: str | None) -> ConnectorClient:
        return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=service_url)


async def test_any_connector_factory_is_made_to_retry() -> None:
    connector = StandInConnector()
    await connector.start()
    transport = OutboundTransport(FAST)
    try:
        connector.answer(Planned(503))
        client = await OutboundConnectorFactory(PlainFactory(), transport).create(
            connector.url, None)
        result = await client.conversations.send_to_conversation(
            CONVERSATION, Activity(type=ActivityTypes.message, text="direct"))
        assert result.id == "activity-1"
        assert [(r.method, r.path) for r in connector.received] == [
            ("POST", f"/v3/conversations/{CONVERSATION}/activities")] * 2
    finally:
        await transport.close()
        await connector.stop()


# --- the transport on its own ----------------------------------------------------------------

@pytest.mark.parametrize(("answers", "retry_after"), [
    ([(429, 7), (429, 7)], 7.0),                          # the header, read into the field
    ([(429, 7), (503, None)], None),                      # the last attempt's: none on a 503
    ([(503, None), (429, "Wed, 21 Oct 2015 07:28:00 GMT")], 0.0),   # a date in the past: now
])
async def test_giving_up_carries_the_last_attempts_retry_after(
        answers: list[tuple[int, int | str | None]], retry_after: float | None) -> None:
    """The LocalConnector answers each of the two attempts as `answers` says."""
    transport = OutboundTransport(RetryPolicy(deadline=0.6, attempt_timeout=0.2,
                                              min_attempt_timeout=0.1, base_backoff=0.02,
                                              max_backoff=0.05, max_attempts=2))
    try:
        async with LocalConnector() as connector:
            for status, header in answers:
                connector.fail_next(status, retry_after=header)
            with pytest.raises(OutboundDeliveryError) as caught:
                await transport.send("POST", f"{connector.url}/v3/conversations/c/activities",
                                     {"Content-Type": "application/json"}, b"{}")
    finally:
        await transport.close()
    assert caught.value.attempts == 2
    assert caught.value.status == answers[-1][0]
    assert caught.value.retry_after == retry_after

async def test_connection_refused_is_retried_until_the_deadline() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = OutboundTransport(RetryPolicy(deadline=0.6, attempt_timeout=0.2,
                                              min_attempt_timeout=0.1, base_backoff=0.02,
                                              max_backoff=0.05))
    try:
        started = time.monotonic()
        with pytest.raises(OutboundDeliveryError) as caught:
            await transport.send("POST", f"http://127.0.0.1:{port}/v3/conversations/c/activities",
                                 {"Content-Type": "application/json"}, b"{}")
        assert time.monotonic() - started < 0.6 + 0.3
        assert caught.value.status is None and caught.value.attempts >= 2
        assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)
    finally:
        await transport.close()
    with pytest.raises(RuntimeError, match="closed"):
        transport.session()


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """A connector URL that accepts connections and never answers."""
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.read()
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v3/conversations/c/activities"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_cancel_landing_with_the_attempts_timeout_is_not_lost(
        caplog: pytest.LogCaptureFixture) -> None:
    """The turn ending cancels a send (the typing indicator's) just as its attempt times out:
    the send must end cancelled, not as an ordinary failure a loop would retry."""
    caplog.set_level(logging.ERROR, logger="portfoliobot.outbound")
    attempt = 0.02
    transport = OutboundTransport(RetryPolicy(deadline=1.0, turn_deadline=None,
                                              attempt_timeout=attempt, min_attempt_timeout=attempt,
                                              max_attempts=1))
    outcomes: dict[str, int] = {}
    try:
        async with silent_server() as url:
            for trial in range(150):   # cancels spread over the moment the attempt times out
                send = asyncio.create_task(transport.send("POST", url, {}, b"{}"))
                await asyncio.sleep(attempt * (0.8 + 0.4 * trial / 150))
                if not send.cancel():
                    outcome = "finished first"
                else:
                    try:
                        await send
                        outcome = "returned"
                    except asyncio.CancelledError:
                        outcome = "cancelled"
                    except OutboundDeliveryError:
                        outcome = "cancel lost"
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                with contextlib.suppress(BaseException):
                    await send
    finally:
        await transport.close()
    assert outcomes.get("cancelled", 0) >= 20, outcomes   # the cancels did meet running sends
    assert "cancel lost" not in outcomes and "returned" not in outcomes, outcomes


async def test_transport_session_is_created_lazily_and_closed() -> None:
    transport = OutboundTransport()
    assert not transport.closed
    session = transport.session()
    assert transport.session() is session
    await transport.close()
    assert session.closed and transport.closed


async def test_proxy_from_the_environment_is_used_and_no_proxy_respected(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP(S)_PROXY is honoured (read once per origin, not per request); NO_PROXY bypasses it."""
    seen: list[str] = []

    async def as_proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"id": "1"}, status=200)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", as_proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "bypassed.example")
    transport = OutboundTransport(FAST)
    try:
        # connector.example does not resolve: only the proxy can have answered.
        answer = await transport.send("POST", "http://connector.example/v3/conversations/c/"
                                      "activities", {"Content-Type": "application/json"}, b"{}")
        assert answer.status_code == 200
        assert seen == ["http://connector.example/v3/conversations/c/activities"]
        assert transport._proxy_for("http://bypassed.example/v3") is None
    finally:
        await transport.close()
        await runner.cleanup()


def test_create_adapter_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="app_type"):
        create_adapter(app_type="Nope")
    with pytest.raises(ValueError, match="tenant_id"):
        create_adapter(app_id=APP_ID, app_password="x", app_type="SingleTenant")
    with pytest.raises(ValueError, match="app_password"):
        create_adapter(app_id=APP_ID)
    with pytest.raises(ValueError, match="either"):
        create_adapter(app_id=APP_ID, authentication=BotFrameworkAuthenticationFactory.create())
    assert isinstance(create_adapter(), OutboundCloudAdapter)


# --- backoff computation ---------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("header", "seconds"), [
    ("3", 3.0), (" 0 ", 0.0), ("1.5", 1.5), ("120", 120.0),
    (format_datetime(NOW + timedelta(seconds=7), usegmt=True), 7.0),
    ("Thu, 26 Nov 2026 12:00:30 GMT", 30.0),
    ("Thu, 26 Nov 2026 11:59:00 GMT", 0.0),  # in the past: go now
    ("Thursday, 26-Nov-26 12:00:05 GMT", 5.0),  # obsolete forms RFC 9110 says to accept
    ("Thu Nov 26 12:00:05 2026", 5.0),
    ("Thu, 26 Nov 2026 12:00:05 +0100", 0.0),  # an hour ago
    ("-1", None), ("1e3", None), ("0x10", None), ("\u0661", None), ("soon", None), ("", None),
    (None, None), ("nan", None), ("inf", None),
])
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_parse_retry_after_date_defaults_to_now() -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    parsed = parse_retry_after(format_datetime(later, usegmt=True))
    assert parsed is not None and 28.0 <= parsed <= 30.0


def test_backoff_ceiling_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_backoff=0.5, max_backoff=4.0)
    assert [backoff_ceiling(policy, n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert backoff_ceiling(policy, 10_000) == 4.0


def test_full_jitter_stays_within_bounds_and_varies() -> None:
    policy = RetryPolicy(base_backoff=0.5, max_backoff=4.0, max_attempts=100)
    rng = random.Random(7)
    for attempt in range(1, 8):
        ceiling = backoff_ceiling(policy, attempt)
        delays = [next_delay(policy, attempt, 100.0, rng=rng) for _ in range(300)]
        assert all(d is not None and 0.0 <= d <= ceiling for d in delays)
        assert max(d for d in delays if d is not None) > ceiling * 0.8
        assert min(d for d in delays if d is not None) < ceiling * 0.2


def test_budget_rules() -> None:
    policy = RetryPolicy(min_attempt_timeout=1.0, base_backoff=0.5, max_backoff=4.0,
                         max_attempts=4)
    rng = random.Random(1)
    assert next_delay(policy, 1, 10.0, retry_after=3.0, rng=rng) == 3.0  # fits: honoured
    assert next_delay(policy, 1, 4.0, retry_after=3.0, rng=rng) == 3.0  # exactly fits
    jittered = next_delay(policy, 3, 2.5, retry_after=30.0, rng=rng)  # too long: backoff
    assert jittered is not None and 0.0 <= jittered <= 1.5
    assert next_delay(policy, 1, 0.9, rng=rng) is None  # no room for another attempt
    assert next_delay(policy, 4, 100.0, rng=rng) is None  # attempts used up
    for _ in range(100):
        capped = next_delay(policy, 4 - 1, 1.3, rng=rng)  # room 0.3 < ceiling 2.0
        assert capped is not None and capped <= 0.3


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)
    with pytest.raises(ValueError, match="max_backoff"):
        RetryPolicy(max_backoff=-1)
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="turn_deadline"):
        RetryPolicy(turn_deadline=float("inf"))
