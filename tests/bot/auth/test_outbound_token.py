"""The bot's outbound access token: asked of a local token endpoint, cached, one fetch at a time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import aiohttp
import pytest
from botframework.connector.auth import ClaimsIdentity, ManagedIdentityAppCredentials

from bot.auth.cloud_endpoints import CloudEndpoints
from bot.auth.outbound_token import (
    ClientCredentialsAppCredentials,
    ClientCredentialsFactory,
    ClientCredentialsToken,
    OutboundTokenError,
    scope_for,
    token_url_for,
)
from bot.connector.outbound import authorization_header, create_adapter
from tests.bot.openid_stand_in import OpenIdStandIn

APP_ID = "5c1f8e0a-7d2b-4c39-9a4e-2f6b8d0c1e7a"
TENANT = "66666666-7777-8888-9999-000000000000"
SECRET = "client-secret-never-logged"
SCOPE = "https://api.botframework.com"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def stand_in() -> AsyncIterator[OpenIdStandIn]:
    async with OpenIdStandIn() as service:
        yield service


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def source_for(stand_in: OpenIdStandIn, session: aiohttp.ClientSession,
               clock: Clock | None = None, **options: float) -> ClientCredentialsToken:
    return ClientCredentialsToken(token_url_for(stand_in.login_url), APP_ID, SECRET, SCOPE,
                                  session=lambda: session, clock=clock or Clock(), **options)


def test_urls_and_scopes() -> None:
    assert token_url_for("https://login.microsoftonline.com/botframework.com/") == \
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert scope_for("https://api.botframework.com") == "https://api.botframework.com/.default"
    assert scope_for("api://x/.default") == "api://x/.default"
    with pytest.raises(ValueError, match="https"):
        ClientCredentialsToken("http://login.example.com/t/oauth2/v2.0/token", APP_ID, SECRET,
                               SCOPE, session=aiohttp.ClientSession)


async def test_the_token_is_cached_until_shortly_before_it_expires(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    clock = Clock()
    source = source_for(stand_in, session, clock)
    assert await source.get() == stand_in.access_token
    [asked] = stand_in.token_requests
    assert asked == {"grant_type": "client_credentials", "client_id": APP_ID,
                     "client_secret": SECRET, "scope": f"{SCOPE}/.default",
                     "tenant": "botframework.com"}
    clock.now = 3299   # an hour's token is renewed five minutes early
    await source.get()
    assert len(stand_in.token_requests) == 1
    clock.now = 3301
    await source.get()
    assert len(stand_in.token_requests) == 2


async def test_a_short_lived_token_is_renewed_at_half_its_life(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    stand_in.expires_in = 60
    clock = Clock()
    source = source_for(stand_in, session, clock)
    await source.get()
    clock.now = 29
    await source.get()
    clock.now = 31
    await source.get()
    assert len(stand_in.token_requests) == 2


async def test_concurrent_callers_share_one_request(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    source = source_for(stand_in, session)
    tokens = await asyncio.gather(*(source.get() for _ in range(10)))
    assert set(tokens) == {stand_in.access_token}
    assert len(stand_in.token_requests) == 1


async def test_a_refused_secret_is_an_error_that_names_the_reason_not_the_secret(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    stand_in.token_error = (401, {"error": "invalid_client",
                                  "error_description": "AADSTS7000215: Invalid client secret"})
    with pytest.raises(OutboundTokenError) as caught:
        await source_for(stand_in, session).get()
    assert "invalid_client" in str(caught.value) and SECRET not in str(caught.value)


async def test_an_unreachable_token_endpoint_is_an_error(session: aiohttp.ClientSession) -> None:
    source = ClientCredentialsToken("http://127.0.0.1:9/t/oauth2/v2.0/token", APP_ID, SECRET,
                                    SCOPE, session=lambda: session, timeout=2)
    with pytest.raises(OutboundTokenError, match="cannot be reached"):
        await source.get()


async def test_the_sdks_own_clients_get_the_token_synchronously(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    source = source_for(stand_in, session)
    credentials = ClientCredentialsAppCredentials(APP_ID, source)
    signed = await asyncio.to_thread(credentials.signed_session)
    assert signed.headers["Authorization"] == f"Bearer {stand_in.access_token}"
    signed.close()
    assert await source.get() == stand_in.access_token
    assert len(stand_in.token_requests) == 1, "the blocking fetch filled the same cache"


async def test_the_outbound_header_is_awaited_on_the_loop(
        stand_in: OpenIdStandIn, session: aiohttp.ClientSession) -> None:
    factory = ClientCredentialsFactory(APP_ID, SECRET, stand_in.login_url,
                                       session=lambda: session)
    credentials = await factory.create_credentials(APP_ID, SCOPE, "ignored", True)
    assert isinstance(credentials, ClientCredentialsAppCredentials)
    again = await factory.create_credentials(APP_ID, SCOPE, "ignored", True)
    assert again.token_source is credentials.token_source, "one token per scope"
    threads: list[str] = []
    source: ClientCredentialsToken = credentials.token_source
    original = source.get

    async def watched() -> str:
        threads.append(threading.current_thread().name)
        return await original()

    source.get = watched  # type: ignore[method-assign]
    assert await authorization_header(credentials, 5) == f"Bearer {stand_in.access_token}"
    assert threads == [threading.current_thread().name]
    with pytest.raises(PermissionError):
        await factory.create_credentials("someone-else", SCOPE, "ignored", True)


@pytest.mark.parametrize(("app_type", "tenant", "expected"), [
    ("MultiTenant", "", "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"),
    ("SingleTenant", TENANT, f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"),
    ("UserAssignedMSI", TENANT, None),
])
async def test_the_adapter_gets_its_tokens_per_app_type(
        app_type: str, tenant: str, expected: str | None) -> None:
    adapter = create_adapter(app_id=APP_ID, app_password="" if expected is None else SECRET,
                             app_type=app_type, tenant_id=tenant, endpoints=CloudEndpoints())
    try:
        factory = adapter.outbound_authentication.create_connector_factory(
            ClaimsIdentity({"aud": APP_ID}, True))
        client = await factory.create("https://smba.trafficmanager.net/emea/", None)
        credentials = client.config.credentials
        if expected is None:
            assert isinstance(credentials, ManagedIdentityAppCredentials)
        else:
            assert isinstance(credentials, ClientCredentialsAppCredentials)
            assert credentials.token_source.token_url == expected
            assert credentials.token_source.scope == f"{SCOPE}/.default"
    finally:
        await adapter.close()


async def test_a_configured_login_url_and_scope_are_used(stand_in: OpenIdStandIn) -> None:
    endpoints = CloudEndpoints(login_url=stand_in.login_url, oauth_scope="https://api.botframework.us")
    adapter = create_adapter(app_id=APP_ID, app_password=SECRET, endpoints=endpoints)
    try:
        factory = adapter.outbound_authentication.create_connector_factory(
            ClaimsIdentity({"aud": APP_ID}, True))
        client = await factory.create("https://smba.infra.gov.teams.microsoft.us/", None)
        source = client.config.credentials.token_source
        assert source.token_url == f"{stand_in.login_url}/oauth2/v2.0/token"
        assert source.scope == "https://api.botframework.us/.default"
        assert adapter.outbound_authentication.get_originating_audience() == \
            "https://api.botframework.us"
    finally:
        await adapter.close()
