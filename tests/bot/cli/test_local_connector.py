"""The local connector stand-in over real HTTP: recording, ids, members, faults, bounded waits.

Requests come from aiohttp and, where it matters, from the Bot Framework SDK's own
`ConnectorClient`, the client a bot uses to answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from botbuilder.schema import Activity, ActivityTypes, ErrorResponseException
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from bot.cli.local_connector import ADAPTIVE_CARD, LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene

CHANNEL_THREAD = "19:3f6a9c2e5b8d4a1f7e0c9b2d5a8f1e4c@thread.tacv2;messageid=1700000000000"


@pytest.fixture
async def connector() -> AsyncIterator[LocalConnector]:
    scene = TeamsScene()
    async with LocalConnector(members=[scene.member()],
                              teams={scene.team_id: scene.team_details()}) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


def activities_url(connector: LocalConnector, conversation_id: str,
                   activity_id: str | None = None) -> str:
    url = f"{connector.url}v3/conversations/{quote(conversation_id, safe='')}/activities"
    return url if activity_id is None else f"{url}/{quote(activity_id, safe='')}"


def reply(text: str) -> dict[str, object]:
    return {"type": "message", "text": text, "from": {"id": "28:bot", "name": "portfoliobot"}}


async def test_binds_loopback_and_gives_a_service_url(connector: LocalConnector) -> None:
    assert connector.url.startswith("http://127.0.0.1:")
    assert connector.url.endswith("/")
    assert int(connector.url.rstrip("/").rsplit(":", 1)[1]) > 0


async def test_url_needs_a_started_connector() -> None:
    connector = LocalConnector()
    with pytest.raises(RuntimeError, match="not started"):
        _ = connector.url


async def test_records_send_and_reply_with_generated_ids(
        connector: LocalConnector, http: aiohttp.ClientSession) -> None:
    async with http.post(activities_url(connector, CHANNEL_THREAD), json=reply("one")) as r:
        assert r.status == 201
        first = (await r.json())["id"]
    async with http.post(activities_url(connector, CHANNEL_THREAD, "1700000000000"),
                         json=reply("two")) as r:
        assert r.status == 201
        second = (await r.json())["id"]
    assert first != second and first.isdigit() and second.isdigit()

    sent, answered = connector.activities
    assert (sent.operation, sent.method, sent.activity_id, sent.text) == (
        "send", "POST", first, "one")
    assert sent.conversation_id == CHANNEL_THREAD  # percent-encoding undone
    assert sent.reply_to_id is None
    assert (answered.operation, answered.reply_to_id, answered.activity_id) == (
        "reply", "1700000000000", second)
    assert answered.path.endswith("/activities/1700000000000")
    assert answered.activity["from"]["name"] == "portfoliobot"
    assert answered.received_at.tzinfo is not None


async def test_update_delete_and_create_conversation(
        connector: LocalConnector, http: aiohttp.ClientSession) -> None:
    async with http.put(activities_url(connector, "a:1", "42"), json=reply("edited")) as r:
        assert (r.status, await r.json()) == (200, {"id": "42"})
    async with http.delete(activities_url(connector, "a:1", "42")) as r:
        assert r.status == 200
    parameters = {"isGroup": False, "bot": {"id": "28:bot"}, "members": [{"id": "29:u"}],
                  "tenantId": "t", "activity": reply("proactive")}
    async with http.post(f"{connector.url}v3/conversations", json=parameters) as r:
        assert r.status == 201
        created = await r.json()
    assert created["id"].startswith("a:") and created["activityId"]
    assert created["serviceUrl"] == connector.url

    update, delete, create = connector.activities
    assert (update.operation, update.activity_id, update.text) == ("update", "42", "edited")
    assert (delete.operation, delete.method, delete.activity) == ("delete", "DELETE", {})
    assert create.operation == "create_conversation"
    assert create.conversation_id == created["id"]
    assert create.activity["activity"]["text"] == "proactive"


async def test_the_sdk_client_talks_to_it(connector: LocalConnector) -> None:
    """The Bot Framework SDK's own ConnectorClient: reply, update, members, team details."""
    client = ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.url)
    user = TeamsScene().member()
    answer = await client.conversations.reply_to_activity(
        CHANNEL_THREAD, "1700000000000",
        Activity(type=ActivityTypes.message, text="hei", reply_to_id="1700000000000"))
    assert answer.id == connector.activities[0].activity_id
    members = await client.conversations.get_conversation_members(CHANNEL_THREAD)
    assert [m.id for m in members] == [user["id"]]
    by_aad = await client.conversations.get_conversation_member(CHANNEL_THREAD,
                                                                user["aadObjectId"])
    assert by_aad.name == user["name"]
    paged = await client.conversations.get_conversation_paged_members(CHANNEL_THREAD, 1)
    assert [m.id for m in paged.members] == [user["id"]]
    assert connector.activities[0].text == "hei"


async def test_members_pages_and_teams(connector: LocalConnector,
                                       http: aiohttp.ClientSession) -> None:
    scene = TeamsScene()
    connector.members.append({"id": "29:second", "name": "Ola Hansen"})
    base = f"{connector.url}v3/conversations/{quote(CHANNEL_THREAD, safe='')}"
    async with http.get(f"{base}/pagedmembers", params={"pageSize": "1"}) as r:
        page = await r.json()
    assert [m["id"] for m in page["members"]] == [scene.user_account_id]
    async with http.get(f"{base}/pagedmembers",
                        params={"pageSize": "1",
                                "continuationToken": page["continuationToken"]}) as r:
        rest = await r.json()
    assert [m["id"] for m in rest["members"]] == ["29:second"]
    assert "continuationToken" not in rest
    async with http.get(f"{base}/members/29:nobody") as r:
        assert r.status == 404
        assert (await r.json())["error"]["code"] == "MemberNotFoundInConversation"
    async with http.get(f"{connector.url}v3/teams/{quote(scene.team_id, safe='')}") as r:
        team = await r.json()
    assert (team["id"], team["name"], team["aadGroupId"]) == (
        scene.team_id, scene.team_name, "0d7e3c9b-5a1f-4b8e-a2c6-9f4d1e7b3a58")
    async with http.get(f"{connector.url}v3/teams/19%3Aunknown%40thread.tacv2") as r:
        assert r.status == 404
    async with http.get(
            f"{connector.url}v3/teams/{quote(scene.team_id, safe='')}/conversations") as r:
        assert (await r.json())["conversations"] == [
            {"id": scene.channel_id, "name": scene.channel_name}]


async def test_429_with_retry_after_then_success(connector: LocalConnector,
                                                 http: aiohttp.ClientSession) -> None:
    connector.fail_next(429, retry_after=2)
    url = activities_url(connector, "a:1")
    async with http.post(url, json=reply("first try")) as r:
        assert r.status == 429
        assert r.headers["Retry-After"] == "2"
        assert (await r.json())["error"]["code"] == "Throttled"
    assert connector.activities == []
    async with http.post(url, json=reply("second try")) as r:
        assert r.status == 201
    assert [a.text for a in connector.activities] == ["second try"]
    assert [r.status for r in connector.requests] == [429, 201]


async def test_503_several_times_with_a_custom_body_and_method_filter(
        connector: LocalConnector, http: aiohttp.ClientSession) -> None:
    connector.fail_next(503, times=2, body={"error": {"code": "Busy", "message": "later"}},
                        methods={"post"})
    url = activities_url(connector, "a:1")
    async with http.get(f"{connector.url}v3/conversations/a%3A1/members") as r:
        assert r.status == 200  # GET is not in the fault's methods
    statuses = []
    for text in ("a", "b", "c"):
        async with http.post(url, json=reply(text)) as r:
            statuses.append(r.status)
            if r.status == 503:
                assert (await r.json())["error"]["code"] == "Busy"
                assert "Retry-After" not in r.headers
    assert statuses == [503, 503, 201]
    assert [a.text for a in connector.activities] == ["c"]


@pytest.mark.parametrize(("status", "code"), [(403, "BotNotInConversationRoster"),
                                              (404, "ConversationNotFound")])
async def test_client_error_faults(connector: LocalConnector, http: aiohttp.ClientSession,
                                   status: int, code: str) -> None:
    connector.fail_next(status)
    async with http.post(activities_url(connector, "a:1"), json=reply("x")) as r:
        assert r.status == status
        assert (await r.json())["error"]["code"] == code


async def test_what_the_sdk_makes_of_injected_faults(connector: LocalConnector) -> None:
    """What a bot sees through msrest/urllib3 2: a POST (send, reply) is not retried, the
    429 reaches the bot as ErrorResponseException; a GET waits out Retry-After and retries."""
    client = ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.url)
    connector.fail_next(429, retry_after=1)
    with pytest.raises(ErrorResponseException) as raised:
        await client.conversations.send_to_conversation(
            "a:1", Activity(type=ActivityTypes.message, text="throttled"))
    assert raised.value.error.error.code == "Throttled"
    assert connector.activities == []

    connector.fail_next(429, retry_after=1)
    started = time.monotonic()
    members = await client.conversations.get_conversation_members("a:1")
    assert time.monotonic() - started >= 0.9
    assert len(members) == 1
    assert [r.status for r in connector.requests] == [429, 429, 200]


def test_fail_next_refuses_nonsense() -> None:
    connector = LocalConnector()
    with pytest.raises(ValueError, match="error status"):
        connector.fail_next(200)
    with pytest.raises(ValueError, match="times"):
        connector.fail_next(503, times=0)


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (b'{"text": "no type"}', "no type"),
    (b'{"type": "message", "attachments": {"a": 1}}', "attachments"),
    (b"\xff\xfe", "not JSON"),
])
async def test_malformed_bodies_get_400(connector: LocalConnector, http: aiohttp.ClientSession,
                                        body: bytes, message: str) -> None:
    for url in (activities_url(connector, "a:1"), activities_url(connector, "a:1", "7")):
        async with http.post(url, data=body,
                             headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400
            assert message in (await r.json())["error"]["message"]
    async with http.post(f"{connector.url}v3/conversations", data=b"nope",
                         headers={"Content-Type": "application/json"}) as r:
        assert r.status == 400
    assert connector.activities == []
    assert [r.status for r in connector.requests] == [400, 400, 400]


async def test_unknown_route_is_a_json_404(connector: LocalConnector,
                                           http: aiohttp.ClientSession) -> None:
    async with http.get(f"{connector.url}v3/nothing") as r:
        assert r.status == 404
        assert "error" in await r.json()


async def test_wait_for_count_predicate_and_since(connector: LocalConnector,
                                                  http: aiohttp.ClientSession) -> None:
    async def post_later(text: str) -> None:
        await asyncio.sleep(0.05)
        async with http.post(activities_url(connector, "a:1"), json=reply(text)) as r:
            assert r.status == 201

    task = asyncio.create_task(post_later("one"))
    assert [a.text for a in await connector.wait_for(1, timeout=2)] == ["one"]
    await task
    mark = len(connector.activities)
    task = asyncio.create_task(post_later("two"))
    found = await connector.wait_for(lambda a: a.text == "two", timeout=2, since=mark)
    assert [a.text for a in found] == ["two"]
    await task
    assert len(await connector.wait_for(2, timeout=0.1)) == 2  # already there: no waiting


async def test_wait_for_times_out_naming_what_arrived(connector: LocalConnector,
                                                      http: aiohttp.ClientSession) -> None:
    async with http.post(activities_url(connector, "a:1"), json=reply("only this")) as r:
        assert r.status == 201
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"2 activities; received 1: .*only this"):
        await connector.wait_for(2, timeout=0.2)
    assert time.monotonic() - started < 1.5


async def test_on_activity_sees_each_record_and_a_failing_one_is_harmless(
        connector: LocalConnector, http: aiohttp.ClientSession) -> None:
    seen: list[RecordedActivity] = []

    async def observe(record: RecordedActivity) -> None:
        seen.append(record)
        raise RuntimeError("observer bug")

    connector.on_activity = observe
    async with http.post(activities_url(connector, "a:1"), json=reply("watched")) as r:
        assert r.status == 201
    assert [a.text for a in seen] == ["watched"]


async def test_delay_slows_every_answer(connector: LocalConnector,
                                        http: aiohttp.ClientSession) -> None:
    connector.delay = 0.2
    started = time.monotonic()
    async with http.post(activities_url(connector, "a:1"), json=reply("slow")) as r:
        assert r.status == 201
    assert time.monotonic() - started >= 0.19


async def test_record_helpers(connector: LocalConnector, http: aiohttp.ClientSession) -> None:
    card = {"type": "AdaptiveCard", "version": "1.4", "body": []}
    body = reply("with card") | {"attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card},
        {"contentType": "text/html", "content": "<p>x</p>"}]}
    async with http.post(activities_url(connector, "a:1"), json=body) as r:
        assert r.status == 201
    record = connector.activities[0]
    assert record.type == "message"
    assert len(record.attachments) == 2
    assert record.adaptive_cards == [card]
    assert "with card" in record.summary() and "1 card" in record.summary()
    connector.clear()
    assert connector.activities == [] and connector.requests == []


async def test_stop_is_idempotent_and_restart_gets_a_port() -> None:
    connector = LocalConnector()
    await connector.start()
    await connector.stop()
    await connector.stop()
    async with connector:
        assert connector.started
    assert not connector.started


def test_shown_text_is_the_text_or_else_what_the_card_shows_in_plain_text() -> None:
    def recorded(activity: dict[str, Any]) -> RecordedActivity:
        return RecordedActivity("send", "POST", "/v3/conversations/c/activities", "c", "1",
                                None, activity, datetime.now(UTC))

    card = {"contentType": ADAPTIVE_CARD, "content": {"type": "AdaptiveCard",
                                                      "fallbackText": "from the card"}}
    assert recorded({"type": "message", "text": "plain"}).shown_text == "plain"
    assert recorded({"type": "message", "summary": "summed up",
                     "attachments": [card]}).shown_text == "summed up"
    assert recorded({"type": "message", "attachments": [card]}).shown_text == "from the card"
    assert recorded({"type": "typing"}).shown_text == ""


async def test_above_its_messages_per_second_it_answers_429_as_teams_does() -> None:
    async with LocalConnector(limit_per_second=5) as limited, aiohttp.ClientSession() as http:
        url = f"{limited.url}v3/conversations/{quote('19:c@thread.tacv2')}/activities"
        statuses = []
        for _ in range(8):
            async with http.post(url, json={"type": "message", "text": "x"}) as response:
                statuses.append((response.status, response.headers.get("Retry-After")))
        assert [s for s, _ in statuses] == [201] * 5 + [429] * 3
        assert {after for s, after in statuses if s == 429} == {"1"}
        assert limited.throttled == 3
        async with http.get(f"{limited.url}v3/conversations/x/members") as response:
            assert response.status != 429, "reading is not limited"
        await asyncio.sleep(1.05)
        async with http.post(url, json={"type": "message", "text": "x"}) as response:
            assert response.status == 201, "a second later it takes messages again"
