"""bot.connector.direct_send makes the very request botbuilder's msrest operations make, and reads the
answer the same way: checked side by side against a recording server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.models import ErrorResponseException

from bot.connector.direct_send import send_directly, sendable
from bot.connector.outbound import OutboundTransport, connector_client, outbound_sender


class Recorder:
    """Answers every request with `status` and `body`, keeping what it received."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.status = 200
        self.body: Any = {"id": "reply-1"}

    async def handle(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "content-length", "accept-encoding")}
        self.seen.append({"method": request.method, "path": request.raw_path,
                          "headers": headers, "body": json.loads(await request.read())})
        return web.json_response(self.body, status=self.status)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    try:
        yield recorder, f"http://127.0.0.1:{port}/amer/"
    finally:
        await runner.cleanup()


def _signed_send(client: Any) -> Any:
    sender = outbound_sender(client)
    assert sender is not None
    return sender.signed_send


def _activity(reply_to: str | None) -> Activity:
    return Activity(type="message", text="Hei **du** æøå", reply_to_id=reply_to,
                    conversation=ConversationAccount(id="19:abc/def?x=1#y@thread.tacv2"),
                    from_property=ChannelAccount(id="28:bot"),
                    recipient=ChannelAccount(id="29:user"), input_hint="acceptingInput")


@pytest.mark.parametrize("reply_to", ["1712345678901", None])
async def test_the_same_request_and_answer_as_msrest(recorder: tuple[Recorder, str],
                                                    reply_to: str | None) -> None:
    server, service_url = recorder
    transport = OutboundTransport()
    client = connector_client(MicrosoftAppCredentials.empty(), service_url, transport)
    try:
        activity = _activity(reply_to)
        assert sendable(activity)
        operations = client.conversations
        stock = await (operations.reply_to_activity(activity.conversation.id, reply_to, activity)
                       if reply_to else
                       operations.send_to_conversation(activity.conversation.id, activity))
        direct = await send_directly(client, activity, _signed_send(client))
    finally:
        await transport.close()
    by_msrest, by_us = server.seen
    assert by_us == by_msrest
    expected = "/amer/v3/conversations/19:abc%2Fdef%3Fx=1%23y@thread.tacv2/activities"
    assert by_us["path"] == (f"{expected}/{reply_to}" if reply_to else expected)
    assert by_us["body"]["text"] == "Hei **du** æøå"
    assert (stock.id, direct.id) == ("reply-1", "reply-1")


@pytest.mark.parametrize(("status", "body"), [(404, {"error": {"code": "NotFound",
                                                                "message": "gone"}}),
                                               (400, "not json at all")])
async def test_an_error_answer_raises_as_msrest_does(recorder: tuple[Recorder, str],
                                                    status: int, body: Any) -> None:
    server, service_url = recorder
    server.status, server.body = status, body
    transport = OutboundTransport()
    client = connector_client(MicrosoftAppCredentials.empty(), service_url, transport)
    activity = _activity("1")
    try:
        with pytest.raises(ErrorResponseException) as stock:
            await client.conversations.reply_to_activity(activity.conversation.id, "1", activity)
        with pytest.raises(ErrorResponseException) as direct:
            await send_directly(client, activity, _signed_send(client))
    finally:
        await transport.close()
    assert direct.value.response.status_code == stock.value.response.status_code == status
    assert str(direct.value) == str(stock.value)


async def test_an_answer_without_an_id_gives_an_empty_resource_response(
        recorder: tuple[Recorder, str]) -> None:
    server, service_url = recorder
    server.body = {}
    transport = OutboundTransport()
    client = connector_client(MicrosoftAppCredentials.empty(), service_url, transport)
    try:
        response = await send_directly(client, _activity("1"),
                                       _signed_send(client))
    finally:
        await transport.close()
    assert response.id is None


def test_delays_traces_and_invoke_responses_go_the_stock_way() -> None:
    for kind in ("delay", "trace", "invokeResponse"):
        assert not sendable(Activity(type=kind, conversation=ConversationAccount(id="c")))
    assert not sendable(Activity(type="message"))   # no conversation: botbuilder says why
    assert sendable(Activity(type="typing", conversation=ConversationAccount(id="c")))
