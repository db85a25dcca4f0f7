"""Sending a turn's activities straight through the outbound transport, without msrest.

`CloudAdapterBase.send_activities` posts each reply with the generated
`ConversationsOperations.reply_to_activity` / `send_to_conversation`, whose msrest request
pipeline (request object, policies, response deserializer) was about 15 % of a turn in the
profile, more than the HTTP call itself. `send_directly` makes the same request those
operations make (same URL through the client's `format_url`, same quoting, headers, JSON body
and Authorization) and reads the answer the way they do: 200/201/202 give the
`ResourceResponse`, anything else raises botbuilder's `ErrorResponseException` with
`.response.status_code`, so callers see no difference. The retries, deadlines and the shared
connection pool are `OutboundTransport`'s, as before.

`sendable(activity)` says which activities take this path: ordinary ones whose body
`bot.connector.reply_serializer` writes; delays, invoke responses and traces, and anything the serializer
leaves to msrest, go the stock way.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector.models import ErrorResponseException
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse
from multidict import CIMultiDict

from bot.connector.outbound_transport import OutboundAnswer
from bot.connector.reply_serializer import to_wire

REPLY_URL = "/v3/conversations/{conversationId}/activities/{activityId}"
SEND_URL = "/v3/conversations/{conversationId}/activities"
_STOCK_TYPES = frozenset({"delay", ActivityTypes.invoke_response, ActivityTypes.trace})
_ACCEPTED = (200, 201, 202)


class ConnectorResponse(AsyncClientResponse):
    """An `OutboundAnswer` as the msrest response the generated operations read."""

    def __init__(self, request: ClientRequest, answer: OutboundAnswer) -> None:
        super().__init__(request, answer)
        self.status_code = answer.status_code
        self.headers = CIMultiDict(answer.headers)
        self.reason = answer.reason
        self._content = answer.content

    def body(self) -> bytes:
        return self._content

    def stream_download(self, chunk_size: int | None = None,
                        callback: Callable[..., Any] | None = None) -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:
            if self._content:
                yield self._content
        return chunks()


def sendable(activity: Any) -> bool:
    """Whether `activity` may be sent by `send_directly` rather than botbuilder's own path."""
    return (isinstance(activity, Activity) and activity.type not in _STOCK_TYPES
            and isinstance(getattr(activity.conversation, "id", None), str))


async def send_directly(client: Any, activity: Activity, post: Any) -> ResourceResponse:
    """POST `activity` as `client.conversations` would; `post(method, url, headers, body)` is
    the connector sender's signed send, answering an `OutboundAnswer`."""
    operations = client.conversations
    conversation_id = activity.conversation.id
    path = {"conversationId": operations._serialize.url("conversation_id", conversation_id,
                                                        "str")}
    headers = {"Accept": "application/json",
               "Content-Type": "application/json; charset=utf-8",
               "User-Agent": client.config.user_agent}
    if activity.reply_to_id:
        path["activityId"] = operations._serialize.url("activity_id", activity.reply_to_id,
                                                       "str")
        url = operations._client.format_url(REPLY_URL, **path)
        headers["x-ms-conversation-id"] = conversation_id
    else:
        url = operations._client.format_url(SEND_URL, **path)
    wire = to_wire(activity)
    if wire is None:
        wire = operations._serialize.body(activity, "Activity")
    answer = await post("POST", url, headers, json.dumps(wire).encode("utf-8"))
    if answer.status_code not in _ACCEPTED:
        raise ErrorResponseException(operations._deserialize,
                                     ConnectorResponse(ClientRequest("POST", url), answer))
    try:
        data = json.loads(answer.content) if answer.content else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("id"), str | type(None)):
        return ResourceResponse(id=data.get("id"))
    return ResourceResponse(id=activity.id or "")
