"""A local stand-in for the Bot Framework connector service, the way the Emulator hosts one.

A bot answers a turn by calling back the connector at the activity's `serviceUrl`
(`POST /v3/conversations/{id}/activities/{replyToId}` and friends). `LocalConnector` is an
aiohttp server on 127.0.0.1 that implements those REST endpoints without authentication
(emulator mode), records every activity the bot posts, and answers with generated ids:

    async with LocalConnector(members=[user]) as connector:
        ...post an activity with serviceUrl=connector.url to the bot's /api/messages...
        replies = await connector.wait_for(1)

It can also misbehave on purpose: `fail_next(429, retry_after=1)` answers the next request
with 429 Too Many Requests and a `Retry-After` header, `fail_next(503)` with 503, and so on;
`delay` slows every answer down. Malformed bodies get 400 with a Bot Framework
`ErrorResponse`, like the real service.

What the Bot Framework SDK for Python makes of a fault: it sends through msrest/requests,
whose retry policy is meant to retry 408, 429 and 5xx (but 501 and 505) three times,
honouring `Retry-After` (whole seconds or an HTTP date). With urllib3 2 that policy's
method list no longer applies, so only GET, PUT and DELETE are retried: a fault on a POST
(send, reply, create conversation) reaches the bot as `ErrorResponseException` carrying the
status and the error code, which is what the bot's own retry must handle. `requests` lists
every attempt with its status.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.cli.teams_activities import new_message_id

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

OnActivity = Callable[["RecordedActivity"], Awaitable[None]]
Predicate = Callable[["RecordedActivity"], bool]

_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    408: "Timeout",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """A Bot Framework `ErrorResponse` body, as the connector service sends it."""
    return {"error": {"code": code or _ERROR_CODES.get(status, "ServiceError"),
                      "message": message}}


@dataclass(frozen=True)
class RecordedActivity:
    """One activity the bot sent to the connector, with where and when it arrived.

    `operation` is "send" (POST .../activities), "reply" (POST .../activities/{id}),
    "update" (PUT), "delete" (DELETE; `activity` is then empty) or "create_conversation"
    (POST /v3/conversations; `activity` is then the ConversationParameters body).
    `activity_id` is the id the connector answered with (for update and delete: the id in
    the path); `reply_to_id` is the id in a reply's path.
    """

    operation: str
    method: str
    path: str
    conversation_id: str
    activity_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    received_at: datetime

    @property
    def type(self) -> str | None:
        value = self.activity.get("type")
        return value if isinstance(value, str) else None

    @property
    def text(self) -> str | None:
        value = self.activity.get("text")
        return value if isinstance(value, str) else None

    @property
    def shown_text(self) -> str:
        """What a person reads of this message, as plain text: its `text` when it has one (a
        plain reply); for a card-only message, its `summary` or else its first card's
        `fallbackText` (the plain-text form of what the card shows); "" for neither."""
        if self.text:
            return self.text
        summary = self.activity.get("summary")
        if isinstance(summary, str) and summary:
            return summary
        for card in self.adaptive_cards:
            fallback = card.get("fallbackText")
            if isinstance(fallback, str) and fallback:
                return fallback
        return ""

    @property
    def attachments(self) -> list[dict[str, Any]]:
        value = self.activity.get("attachments")
        return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []

    @property
    def adaptive_cards(self) -> list[dict[str, Any]]:
        """The `content` of every Adaptive Card attachment."""
        return [a["content"] for a in self.attachments
                if a.get("contentType") == ADAPTIVE_CARD and isinstance(a.get("content"), dict)]

    def summary(self) -> str:
        """One line for error messages: operation, type and the start of the text shown."""
        text = self.shown_text.replace("\n", " ")
        cards = f" +{len(self.adaptive_cards)} card(s)" if self.adaptive_cards else ""
        return (f"{self.operation} {self.type or '-'} {self.conversation_id!r}"
                f"{': ' + text[:60] if text else ''}{cards}")


@dataclass(frozen=True)
class RecordedRequest:
    """Every HTTP request the connector saw, including failed and injected-fault ones."""

    method: str
    path: str
    status: int
    received_at: datetime
    authorization: str | None = None   # the Authorization header the bot sent, if any


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int | str | None
    body: Any
    methods: frozenset[str] | None = field(default=None)

    def matches(self, method: str) -> bool:
        return self.methods is None or method in self.methods


class LocalConnector:
    """The connector REST API on 127.0.0.1 (no auth), recording what the bot posts.

    `members` are the conversation members (Teams `TeamsChannelAccount` dicts: id, name,
    aadObjectId, ...) answered by the member endpoints for every conversation; a member is
    found by its `id` or its `aadObjectId`, like the real service. `teams` maps a team id to
    its details (id, name, aadGroupId and optionally `channels`: a list of {id, name}).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        members: Iterable[Mapping[str, Any]] = (),
        teams: Mapping[str, Mapping[str, Any]] | None = None,
        delay: float = 0.0,
        on_activity: OnActivity | None = None,
        limit_per_second: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.members: list[dict[str, Any]] = [dict(m) for m in members]
        self.teams: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (teams or {}).items()}
        self.delay = delay
        self.on_activity = on_activity
        self.activities: list[RecordedActivity] = []
        self.requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        # Teams' limit for a bot's messages over all conversations: above it, 429.
        self.limit_per_second = limit_per_second
        self._accepted: deque[float] = deque()
        self.throttled = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- life cycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The service URL to put in activities' `serviceUrl` (ends with a slash, like Teams')."""
        if self._url is None:
            raise RuntimeError("LocalConnector is not started")
        return self._url

    @property
    def started(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(middlewares=[self._record_request])
        conversation = "/v3/conversations/{conversationId}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(conversation + "/activities", self._send)
        app.router.add_post(conversation + "/activities/{activityId}", self._reply)
        app.router.add_put(conversation + "/activities/{activityId}", self._update)
        app.router.add_delete(conversation + "/activities/{activityId}", self._delete)
        app.router.add_get(conversation + "/members", self._get_members)
        app.router.add_get(conversation + "/members/{memberId}", self._get_member)
        app.router.add_get(conversation + "/pagedmembers", self._get_paged_members)
        app.router.add_get("/v3/teams/{teamId}", self._get_team)
        app.router.add_get("/v3/teams/{teamId}/conversations", self._get_team_channels)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        sockets = [s for s in runner.addresses if isinstance(s, tuple)]
        port = sockets[0][1] if sockets else self.port
        self._url = f"http://{self.host}:{port}/"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()

    # -- test controls ---------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: int | str | None = None,
                  body: Any = None, *, methods: Collection[str] | None = None) -> None:
        """Answer the next `times` requests (of `methods`, default any) with `status`.

        `retry_after` becomes the `Retry-After` header: whole seconds or an HTTP date (the
        only forms HTTP and the SDK's urllib3 accept). `body` is sent as JSON; the default is
        an `ErrorResponse` with the code the real service uses for that status. Faults queue
        up in the order they were asked for.
        """
        if not 400 <= status <= 599:
            raise ValueError(f"fail_next wants an HTTP error status, not {status}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if isinstance(retry_after, int) and retry_after < 0:
            raise ValueError("retry_after must not be negative")
        upper = frozenset(m.upper() for m in methods) if methods is not None else None
        self._faults.append(_Fault(status, times, retry_after, body, upper))

    def clear(self) -> None:
        """Forget recorded activities, requests and pending faults."""
        self.activities.clear()
        self.requests.clear()
        self._faults.clear()

    async def wait_for(self, what: int | Predicate = 1,
                       timeout: float = 5.0,  # noqa: ASYNC109 - a bounded wait is the point
                       *, since: int = 0) -> list[RecordedActivity]:
        """Wait until enough activities arrived; return them.

        With a count: until at least `what` activities were recorded from index `since`
        on; returns `activities[since:]`. With a predicate: until at least one recorded
        activity from `since` on satisfies it; returns every one that does. Raises
        `TimeoutError` naming what did arrive after `timeout` seconds.
        """
        if isinstance(what, int):
            count = what

            def ready() -> list[RecordedActivity] | None:
                found = self.activities[since:]
                return found if len(found) >= count else None
            wanted = f"{count} activit{'y' if count == 1 else 'ies'}"
        else:
            predicate = what

            def ready() -> list[RecordedActivity] | None:
                found = [a for a in self.activities[since:] if predicate(a)]
                return found or None
            wanted = "an activity matching the predicate"

        result: list[RecordedActivity] | None = None
        try:
            async with asyncio.timeout(timeout), self._changed:
                while (result := ready()) is None:
                    await self._changed.wait()
        except TimeoutError:
            received = self.activities[since:]
            lines = "; ".join(a.summary() for a in received) or "nothing"
            raise TimeoutError(f"waited {timeout:g} s for {wanted}; received "
                               f"{len(received)}: {lines}") from None
        return result

    # -- HTTP ------------------------------------------------------------------------------

    @web.middleware
    async def _record_request(self, request: web.Request,
                              handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                              ) -> web.StreamResponse:
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        fault = self._take_fault(request.method)
        if fault is None and self._over_limit(request.method):
            self.throttled += 1
            fault = _Fault(429, 1, 1, None, None)
        if fault is not None:
            response: web.StreamResponse = self._fault_response(fault)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as error:
                response = web.json_response(error_body(error.status, error.reason),
                                             status=error.status)
        self.requests.append(RecordedRequest(request.method, request.path, response.status,
                                             datetime.now(UTC),
                                             request.headers.get("Authorization")))
        return response

    def _over_limit(self, method: str) -> bool:
        """With `limit_per_second`, whether a message (POST or PUT) would exceed it in the
        last second, as Teams counts; it is counted when it is not."""
        if self.limit_per_second is None or method not in ("POST", "PUT"):
            return False
        now = time.monotonic()
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= self.limit_per_second:
            return True
        self._accepted.append(now)
        return False

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_response(fault: _Fault) -> web.Response:
        body = fault.body if fault.body is not None else error_body(
            fault.status, f"injected fault: HTTP {fault.status}")
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return web.json_response(body, status=fault.status, headers=headers)

    @staticmethod
    def _next_id() -> str:
        """A Teams-like message id, from the same sequence as the inbound activities'."""
        return new_message_id()

    @staticmethod
    async def _json_object(request: web.Request) -> dict[str, Any] | web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return web.json_response(error_body(400, f"the body is not JSON: {error}",
                                                "BadSyntax"), status=400)
        if not isinstance(body, dict):
            return web.json_response(error_body(400, "the body must be a JSON object"),
                                     status=400)
        return body

    async def _activity(self, request: web.Request) -> dict[str, Any] | web.Response:
        body = await self._json_object(request)
        if isinstance(body, web.Response):
            return body
        kind = body.get("type")
        if not isinstance(kind, str) or not kind:
            return web.json_response(error_body(400, "the activity has no type"), status=400)
        for key in ("attachments", "entities"):
            if key in body and body[key] is not None and not isinstance(body[key], list):
                return web.json_response(error_body(400, f"the activity's {key} is not a list"),
                                         status=400)
        return body

    async def _record(self, operation: str, request: web.Request, conversation_id: str,
                      activity_id: str, reply_to_id: str | None,
                      activity: dict[str, Any]) -> RecordedActivity:
        record = RecordedActivity(operation, request.method, request.path, conversation_id,
                                  activity_id, reply_to_id, activity, datetime.now(UTC))
        async with self._changed:
            self.activities.append(record)
            self._changed.notify_all()
        if self.on_activity is not None:
            try:
                await self.on_activity(record)
            except Exception:  # a broken observer must not fail the bot's call
                log.exception("on_activity callback failed")
        return record

    async def _send(self, request: web.Request) -> web.Response:
        return await self._post_activity(request, "send", None)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._post_activity(request, "reply", request.match_info["activityId"])

    async def _post_activity(self, request: web.Request, operation: str,
                             reply_to_id: str | None) -> web.Response:
        activity = await self._activity(request)
        if isinstance(activity, web.Response):
            return activity
        new_id = self._next_id()
        await self._record(operation, request, request.match_info["conversationId"], new_id,
                           reply_to_id, activity)
        return web.json_response({"id": new_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        activity = await self._activity(request)
        if isinstance(activity, web.Response):
            return activity
        activity_id = request.match_info["activityId"]
        await self._record("update", request, request.match_info["conversationId"],
                           activity_id, None, activity)
        return web.json_response({"id": activity_id}, status=200)

    async def _delete(self, request: web.Request) -> web.Response:
        await self._record("delete", request, request.match_info["conversationId"],
                           request.match_info["activityId"], None, {})
        return web.Response(status=200)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await self._json_object(request)
        if isinstance(body, web.Response):
            return body
        first = body.get("activity")
        if first is not None and not (isinstance(first, dict) and first.get("type")):
            return web.json_response(error_body(400, "activity must be an object with a type"),
                                     status=400)
        members = body.get("members")
        if members is not None and not isinstance(members, list):
            return web.json_response(error_body(400, "members must be a list"), status=400)
        conversation_id = "a:" + uuid.uuid4().hex + uuid.uuid4().hex
        activity_id = self._next_id() if first is not None else ""
        await self._record("create_conversation", request, conversation_id, activity_id, None,
                           body)
        answer: dict[str, Any] = {"id": conversation_id, "serviceUrl": self.url}
        if activity_id:
            answer["activityId"] = activity_id
        return web.json_response(answer, status=201)

    def _find_member(self, member_id: str) -> dict[str, Any] | None:
        for member in self.members:
            if member_id in (member.get("id"), member.get("aadObjectId")):
                return member
        return None

    async def _get_members(self, request: web.Request) -> web.Response:
        return web.json_response(self.members)

    async def _get_member(self, request: web.Request) -> web.Response:
        member = self._find_member(request.match_info["memberId"])
        if member is None:
            return web.json_response(error_body(404, "The member was not found in the "
                                                "conversation", "MemberNotFoundInConversation"),
                                     status=404)
        return web.json_response(member)

    async def _get_paged_members(self, request: web.Request) -> web.Response:
        try:
            size = int(request.query.get("pageSize") or 200)
            start = int(request.query.get("continuationToken") or 0)
        except ValueError:
            return web.json_response(error_body(400, "pageSize and continuationToken must be "
                                                "numbers here"), status=400)
        if size < 1 or start < 0:
            return web.json_response(error_body(400, "pageSize must be positive"), status=400)
        page = self.members[start:start + size]
        answer: dict[str, Any] = {"members": page}
        if start + size < len(self.members):
            answer["continuationToken"] = str(start + size)
        return web.json_response(answer)

    async def _get_team(self, request: web.Request) -> web.Response:
        team = self.teams.get(request.match_info["teamId"])
        if team is None:
            return web.json_response(error_body(404, "The team was not found",
                                                "TeamNotFound"), status=404)
        details = {k: v for k, v in team.items() if k != "channels"}
        details.setdefault("id", request.match_info["teamId"])
        channels = team.get("channels")
        details.setdefault("channelCount", len(channels) if isinstance(channels, list) else 0)
        details.setdefault("memberCount", len(self.members))
        return web.json_response(details)

    async def _get_team_channels(self, request: web.Request) -> web.Response:
        team = self.teams.get(request.match_info["teamId"])
        if team is None:
            return web.json_response(error_body(404, "The team was not found",
                                                "TeamNotFound"), status=404)
        return web.json_response({"conversations": list(team.get("channels") or [])})
