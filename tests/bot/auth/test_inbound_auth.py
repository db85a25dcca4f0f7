"""Inbound authentication end to end: the bot with `MicrosoftAppId` set, over real HTTP.

Keys, metadata and the outbound token endpoint come from `OpenIdStandIn` on 127.0.0.1; the
replies go to a local connector stand-in that also records their Authorization headers.
Every bad or missing token gets 401 with a JSON error and nothing is posted; a correctly
signed Teams token gets 201 and its answer. Runs on SQLite only: the database is not what
is under test here.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import ClientSession, ClientTimeout
from botbuilder.schema import Activity

from bot.auth.cloud_endpoints import CloudEndpoints
from bot.auth.inbound_auth import InboundAuthenticator, InboundAuthError
from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import DEFAULT_BOT_APP_ID, TeamsScene
from bot.connector.outbound import OutboundConnectorFactory, create_adapter
from bot.settings import Settings
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import running_bot, settings_for
from tests.bot.openid_stand_in import (
    EMULATOR_ISSUER_V1,
    OpenIdStandIn,
    StandInKey,
    channel_claims,
    emulator_claims,
)

APP_ID = DEFAULT_BOT_APP_ID
OTHER_APP_ID = "0f0f0f0f-1111-2222-3333-444444444444"
SECRET = "test-client-secret-value"
TENANT = "66666666-7777-8888-9999-000000000000"
QUESTION = "status DHO"


@dataclass(frozen=True)
class Keys:
    channel: StandInKey       # published, endorsed for msteams
    rotated: StandInKey       # published only after a rotation
    foreign: StandInKey       # never published
    webchat_only: StandInKey  # published, endorsed for webchat only
    unendorsed: StandInKey    # published without endorsements
    emulator: StandInKey      # published in the Emulator's (Entra ID's) key set


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(*(StandInKey.new(kid) for kid in (
        "channel-1", "channel-2", "foreign-1", "webchat-1", "bare-1", "entra-1")))


@pytest.fixture
async def stand_in(keys: Keys) -> AsyncIterator[OpenIdStandIn]:
    async with OpenIdStandIn() as service:
        service.publish(keys.channel)
        service.publish(keys.webchat_only, ("webchat",))
        service.publish(keys.unendorsed, None)
        service.publish(keys.emulator, None, emulator=True)
        yield service


@pytest.fixture
async def teams() -> AsyncIterator[LocalConnector]:
    async with LocalConnector() as connector:
        yield connector


async def secured_settings(tmp_path: Path, stand_in: OpenIdStandIn, **changes: Any) -> Settings:
    portfolio = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(portfolio, demo_portfolio())
    settings = replace(settings_for(portfolio, tmp_path), app_id=APP_ID, app_password=SECRET,
                       endpoints=stand_in.endpoints())
    settings = replace(settings, **changes)
    settings.check()
    return settings


@pytest.fixture
async def bot(tmp_path: Path, stand_in: OpenIdStandIn) -> AsyncIterator[str]:
    async with running_bot(await secured_settings(tmp_path, stand_in)) as url:
        yield url


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


async def send(url: str, activity: dict[str, Any], authorization: str | None) -> Answer:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    async with ClientSession() as client, client.post(
            url, data=json.dumps(activity), headers=headers) as response:
        text = await response.text()
        body = json.loads(text) if response.content_type == "application/json" else text
        return Answer(response.status, body, dict(response.headers))


def bearer(token: str) -> str:
    return f"Bearer {token}"


def message(connector: LocalConnector) -> dict[str, Any]:
    return TeamsScene(service_url=connector.url, scope="personal").message(QUESTION)


def assert_refused(answer: Answer, connector: LocalConnector) -> None:
    assert answer.status == 401, answer
    assert isinstance(answer.body, dict) and "Bot Framework token" in answer.body["error"]
    assert answer.headers.get("WWW-Authenticate") == "Bearer"
    assert connector.activities == [] and connector.requests == [], "nothing was posted"


# -- the good case ----------------------------------------------------------------------------

async def test_a_signed_teams_token_gets_its_answer_signed_with_the_bots_own_token(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn,
        keys: Keys) -> None:
    activity = message(teams)
    token = keys.channel.sign(channel_claims(APP_ID, teams.url))
    answer = await send(bot, activity, bearer(token))
    assert answer.status == 201
    [reply] = await teams.wait_for(lambda a: a.type == "message")
    assert "Prosessplattform" in reply.shown_text
    assert teams.requests and {r.authorization for r in teams.requests} == {
        f"Bearer {stand_in.access_token}"}
    [asked] = stand_in.token_requests
    assert asked == {"grant_type": "client_credentials", "client_id": APP_ID,
                     "client_secret": SECRET, "scope": "https://api.botframework.com/.default",
                     "tenant": "botframework.com"}
    # A second turn: keys and the outbound token come from the caches.
    seen = len(teams.activities)
    again = await send(bot, message(teams), bearer(token))
    assert again.status == 201
    await teams.wait_for(lambda a: a.type == "message", since=seen)
    assert len(stand_in.token_requests) == 1
    assert stand_in.channel_key_fetches == 1


async def test_a_token_expired_within_the_five_minute_leeway_is_accepted(
        bot: str, teams: LocalConnector, keys: Keys) -> None:
    now = int(time.time())
    token = keys.channel.sign(channel_claims(APP_ID, teams.url, exp=now - 120, nbf=now - 3600))
    assert (await send(bot, message(teams), bearer(token))).status == 201
    await teams.wait_for(lambda a: a.type == "message")


@pytest.mark.parametrize("version", ["1.0", "2.0"])
async def test_an_emulator_token_for_this_app_is_accepted(
        bot: str, teams: LocalConnector, keys: Keys, version: str) -> None:
    token = keys.emulator.sign(emulator_claims(APP_ID, version))
    assert (await send(bot, message(teams), bearer(token))).status == 201
    await teams.wait_for(lambda a: a.type == "message")


# -- every bad token: 401 ---------------------------------------------------------------------

def _now() -> int:
    return int(time.time())


Forge = Callable[[Keys, str], "str | None"]

BAD_REQUESTS: dict[str, Forge] = {
    "no Authorization header": lambda k, url: None,
    "Basic scheme": lambda k, url: "Basic " + base64.b64encode(
        f"{APP_ID}:{SECRET}".encode()).decode(),
    "Bearer without a token": lambda k, url: "Bearer ",
    "garbage token": lambda k, url: "Bearer not-a-jwt-at-all",
    "three dots of garbage": lambda k, url: "Bearer aaa.bbb.ccc",
    "unsigned (alg none)": lambda k, url: bearer(jwt.encode(
        channel_claims(APP_ID, url), "", algorithm="none", headers={"kid": k.channel.kid})),
    "symmetric HS256": lambda k, url: bearer(jwt.encode(
        channel_claims(APP_ID, url), "a-shared-secret-of-32-bytes-or-more",
        algorithm="HS256", headers={"kid": k.channel.kid})),
    "expired beyond the leeway": lambda k, url: bearer(k.channel.sign(channel_claims(
        APP_ID, url, exp=_now() - 400, nbf=_now() - 4000))),
    "not yet valid": lambda k, url: bearer(k.channel.sign(channel_claims(
        APP_ID, url, nbf=_now() + 600, exp=_now() + 4000))),
    "no expiry": lambda k, url: bearer(k.channel.sign(channel_claims(APP_ID, url, exp=None))),
    "wrong issuer": lambda k, url: bearer(k.channel.sign(channel_claims(
        APP_ID, url, iss="https://api.botframework.example"))),
    "wrong audience": lambda k, url: bearer(k.channel.sign(channel_claims(OTHER_APP_ID, url))),
    "foreign signature under a published kid": lambda k, url: bearer(k.foreign.sign(
        channel_claims(APP_ID, url), kid=k.channel.kid)),
    "unknown key id": lambda k, url: bearer(k.foreign.sign(channel_claims(APP_ID, url))),
    "channel not endorsed": lambda k, url: bearer(k.webchat_only.sign(
        channel_claims(APP_ID, url))),
    "key without endorsements": lambda k, url: bearer(k.unendorsed.sign(
        channel_claims(APP_ID, url))),
    "serviceurl claim differs": lambda k, url: bearer(k.channel.sign(channel_claims(
        APP_ID, "https://smba.trafficmanager.net/emea/"))),
    "no serviceurl claim": lambda k, url: bearer(k.channel.sign(channel_claims(
        APP_ID, url, serviceurl=None))),
    "Emulator token for another app": lambda k, url: bearer(k.emulator.sign(
        emulator_claims(OTHER_APP_ID))),
    "Emulator token issued to another app (skill)": lambda k, url: bearer(k.emulator.sign(
        emulator_claims(APP_ID, azp=OTHER_APP_ID))),
    "Emulator token for another audience": lambda k, url: bearer(k.emulator.sign(
        emulator_claims(APP_ID, aud="https://graph.microsoft.com"))),
    "Emulator token without ver": lambda k, url: bearer(k.emulator.sign(
        emulator_claims(APP_ID, "1.0", ver=None))),
    "Emulator claims signed with a channel key": lambda k, url: bearer(k.channel.sign(
        emulator_claims(APP_ID))),
    "channel claims signed with the Emulator's key": lambda k, url: bearer(k.emulator.sign(
        channel_claims(APP_ID, url))),
    "untrusted Entra ID tenant": lambda k, url: bearer(k.emulator.sign(emulator_claims(
        APP_ID, "1.0", iss=EMULATOR_ISSUER_V1.replace("d6d49420", "aaaaaaaa")))),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
async def test_every_bad_or_missing_token_gets_401_and_no_answer(
        bot: str, teams: LocalConnector, keys: Keys, case: str) -> None:
    answer = await send(bot, message(teams), BAD_REQUESTS[case](keys, teams.url))
    assert_refused(answer, teams)


async def test_a_token_is_checked_before_the_tenant_gate(
        tmp_path: Path, stand_in: OpenIdStandIn, teams: LocalConnector) -> None:
    settings = await secured_settings(tmp_path, stand_in,
                                      allowed_tenant_ids=("11111111-2222-3333-4444-555555555555",))
    async with running_bot(settings) as url:
        assert_refused(await send(url, message(teams), None), teams)


async def test_junk_tokens_never_make_the_bot_fetch_keys(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn, keys: Keys) -> None:
    for case in ("no Authorization header", "garbage token", "unsigned (alg none)",
                 "wrong issuer", "wrong audience", "expired beyond the leeway"):
        assert_refused(await send(bot, message(teams), BAD_REQUESTS[case](keys, teams.url)),
                       teams)
    assert stand_in.requests == []


# -- key rotation and unknown key ids ---------------------------------------------------------

async def test_a_rotated_key_is_fetched_once_and_accepted(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn, keys: Keys) -> None:
    first = keys.channel.sign(channel_claims(APP_ID, teams.url))
    assert (await send(bot, message(teams), bearer(first))).status == 201
    assert stand_in.channel_key_fetches == 1
    stand_in.publish(keys.rotated)
    rotated = keys.rotated.sign(channel_claims(APP_ID, teams.url))
    assert (await send(bot, message(teams), bearer(rotated))).status == 201
    assert stand_in.channel_key_fetches == 2
    await teams.wait_for(lambda a: a.type == "message", timeout=10)
    # A key id that never appears: refused, without another fetch (one forced reload per 5 min).
    teams.activities.clear()
    teams.requests.clear()
    for _ in range(5):
        assert_refused(await send(bot, message(teams), BAD_REQUESTS["unknown key id"](
            keys, teams.url)), teams)
    assert stand_in.channel_key_fetches == 2


async def test_unknown_key_ids_do_not_hammer_the_key_server(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn, keys: Keys) -> None:
    unknown = BAD_REQUESTS["unknown key id"](keys, teams.url)
    answers = await asyncio.gather(*(send(bot, message(teams), unknown) for _ in range(10)))
    for answer in answers:
        assert_refused(answer, teams)
    for _ in range(5):
        assert_refused(await send(bot, message(teams), unknown), teams)
    # The first load, then at most one reload for unknown key ids.
    assert stand_in.channel_key_fetches <= 2
    assert stand_in.count("/channel/.well-known/openidconfiguration") <= 2


# -- the key server down: 503, never 500, never a blocked loop ---------------------------------

async def test_a_stuck_key_server_does_not_block_the_loop_and_ends_in_503(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn, keys: Keys) -> None:
    stand_in.hold()
    token = keys.channel.sign(channel_claims(APP_ID, teams.url))
    pending = asyncio.create_task(send(bot, message(teams), bearer(token)))
    await asyncio.wait_for(stand_in.holding(), 5)
    started = time.monotonic()
    async with ClientSession(timeout=ClientTimeout(total=2)) as client, client.get(
            bot.replace("/api/messages", "/healthz")) as health:
        assert health.status == 200
    assert time.monotonic() - started < 1.0, "the event loop answered while keys were fetched"
    # A request without a token is refused at once, even now.
    assert_refused(await send(bot, message(teams), None), teams)
    assert not pending.done()
    stand_in.key_failure = 503
    stand_in.release()
    answer = await asyncio.wait_for(pending, 5)
    assert answer.status == 503
    assert isinstance(answer.body, dict) and "signing keys" in answer.body["error"]
    assert answer.headers.get("Retry-After")
    assert teams.activities == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_key_server_gives_503_for_a_signed_token_and_401_without_one(
        tmp_path: Path, stand_in: OpenIdStandIn, teams: LocalConnector,
        keys: Keys) -> None:
    down = f"http://127.0.0.1:{_closed_port()}/v1/.well-known/openidconfiguration"
    settings = await secured_settings(tmp_path, stand_in)
    settings = replace(settings, endpoints=replace(settings.endpoints,
                                                   channel_openid_metadata_url=down))
    async with running_bot(settings) as url:
        token = keys.channel.sign(channel_claims(APP_ID, teams.url))
        answer = await send(url, message(teams), bearer(token))
        assert answer.status == 503
        assert_refused(await send(url, message(teams), None), teams)
        assert_refused(await send(url, message(teams), BAD_REQUESTS["wrong audience"](
            keys, teams.url)), teams)


async def test_a_failing_token_endpoint_loses_the_reply_but_not_the_request(
        bot: str, teams: LocalConnector, stand_in: OpenIdStandIn, keys: Keys,
        caplog: pytest.LogCaptureFixture) -> None:
    stand_in.token_error = (401, {"error": "invalid_client",
                                  "error_description": "AADSTS7000215: Invalid client secret"})
    token = keys.channel.sign(channel_claims(APP_ID, teams.url))
    answer = await send(bot, message(teams), bearer(token))
    assert answer.status == 201, "the inbound request itself was fine"
    assert teams.activities == [], "nothing reaches the connector without a token"
    assert stand_in.token_requests, "the bot asked for a token"
    assert "invalid_client" in caplog.text, "the turn error says why"
    assert SECRET not in caplog.text


# -- the authenticator alone ------------------------------------------------------------------

@contextlib.asynccontextmanager
async def authenticator_for(stand_in: OpenIdStandIn, app_type: str = "MultiTenant",
                            tenant_id: str = "", endpoints: CloudEndpoints | None = None
                            ) -> AsyncIterator[InboundAuthenticator]:
    adapter = create_adapter(app_id=APP_ID, app_password=SECRET, endpoints=stand_in.endpoints())
    authenticator = InboundAuthenticator(
        app_id=APP_ID, app_type=app_type, tenant_id=tenant_id,
        endpoints=endpoints or stand_in.endpoints(),
        authentication=adapter.outbound_authentication)
    try:
        yield authenticator
    finally:
        await authenticator.close()
        await adapter.close()


def activity_from(service_url: str, channel_id: str | None = "msteams") -> Activity:
    return Activity(type="message", channel_id=channel_id, service_url=service_url)


async def test_the_result_is_what_botbuilder_would_build(
        stand_in: OpenIdStandIn, keys: Keys) -> None:
    url = "https://smba.trafficmanager.net/emea/"
    async with authenticator_for(stand_in) as authenticator:
        result = await authenticator.authenticate(
            bearer(keys.channel.sign(channel_claims(APP_ID, url))), activity_from(url))
    assert result.claims_identity.is_authenticated
    assert result.claims_identity.claims["aud"] == APP_ID
    assert result.audience == "https://api.botframework.com"
    assert result.caller_id == "urn:botframework:azure"
    assert isinstance(result.connector_factory, OutboundConnectorFactory)


@pytest.mark.parametrize(("seconds_ago", "accepted"), [(290, True), (310, False)])
async def test_the_leeway_is_five_minutes(stand_in: OpenIdStandIn, keys: Keys,
                                          seconds_ago: int, accepted: bool) -> None:
    url = "https://smba.trafficmanager.net/emea/"
    token = keys.channel.sign(channel_claims(APP_ID, url, exp=_now() - seconds_ago))
    async with authenticator_for(stand_in) as authenticator:
        if accepted:
            await authenticator.claims(bearer(token), activity_from(url))
        else:
            with pytest.raises(InboundAuthError, match="Expired"):
                await authenticator.claims(bearer(token), activity_from(url))


@pytest.mark.parametrize(("app_type", "issuer", "accepted"), [
    ("SingleTenant", f"https://sts.windows.net/{TENANT}/", True),
    ("SingleTenant", f"https://login.microsoftonline.com/{TENANT}/v2.0", True),
    ("UserAssignedMSI", f"https://login.microsoftonline.com/{TENANT}/v2.0", True),
    ("MultiTenant", f"https://login.microsoftonline.com/{TENANT}/v2.0", False),
    ("SingleTenant", "https://login.microsoftonline.com/aaaaaaaa-0000-0000-0000-000000000000/v2.0",
     False),
])
async def test_single_tenant_apps_also_trust_emulator_tokens_from_their_tenant(
        stand_in: OpenIdStandIn, keys: Keys, app_type: str, issuer: str, accepted: bool) -> None:
    token = bearer(keys.emulator.sign(emulator_claims(APP_ID, iss=issuer)))
    async with authenticator_for(stand_in, app_type, TENANT) as authenticator:
        if accepted:
            await authenticator.claims(token, activity_from("http://127.0.0.1:1/", "emulator"))
        else:
            with pytest.raises(InboundAuthError, match="not trusted"):
                await authenticator.claims(token, activity_from("http://127.0.0.1:1/"))


async def test_audience_forms(stand_in: OpenIdStandIn, keys: Keys) -> None:
    url = "https://smba.trafficmanager.net/emea/"
    async with authenticator_for(stand_in) as authenticator:
        await authenticator.claims(bearer(keys.channel.sign(
            channel_claims(APP_ID, url, aud=[APP_ID]))), activity_from(url))
        await authenticator.claims(bearer(keys.emulator.sign(
            emulator_claims(APP_ID, aud=f"api://{APP_ID}"))), activity_from(url))
        with pytest.raises(InboundAuthError, match="Audience"):
            await authenticator.claims(bearer(keys.channel.sign(
                channel_claims(APP_ID, url, aud=f"api://{APP_ID}"))), activity_from(url))


async def test_a_channel_token_needs_an_activity_with_a_channel(
        stand_in: OpenIdStandIn, keys: Keys) -> None:
    url = "https://smba.trafficmanager.net/emea/"
    async with authenticator_for(stand_in) as authenticator:
        with pytest.raises(InboundAuthError, match="endorsed"):
            await authenticator.claims(bearer(keys.channel.sign(channel_claims(APP_ID, url))),
                                       activity_from(url, None))


async def test_a_configured_issuer_replaces_the_public_one(
        stand_in: OpenIdStandIn, keys: Keys) -> None:
    url = "https://smba.infra.gov.teams.microsoft.us/"
    gov = replace(stand_in.endpoints(), channel_token_issuer="https://api.botframework.us")
    async with authenticator_for(stand_in, endpoints=gov) as authenticator:
        result = await authenticator.authenticate(bearer(keys.channel.sign(
            channel_claims(APP_ID, url, iss="https://api.botframework.us"))), activity_from(url))
        assert result.caller_id == "urn:botframework:azureusgov"
        with pytest.raises(InboundAuthError, match="not trusted"):
            await authenticator.claims(bearer(keys.channel.sign(channel_claims(APP_ID, url))),
                                       activity_from(url))
