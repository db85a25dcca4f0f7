"""Outbound replies that do not get lost: one shared aiohttp session and bounded retries.

How the stock SDK sends (botbuilder 4.17.1, botframework-connector 4.17.1, msrest 0.7.1; read
from their sources and checked against a local stand-in connector):

- `CloudAdapter.process` → `process_activity` → `authenticate_request`, which builds a
  `_ConnectorFactoryImpl` (`create_connector_factory` builds the same one for
  `continue_conversation`). Its `create(service_url, audience)` asks the credentials factory for
  new credentials and builds a new msrest `ConnectorClient` for every turn.
  `send_activity` → `CloudAdapterBase.send_activities` → `conversations.reply_to_activity`
  (POST /v3/conversations/{id}/activities/{replyToId}) or `send_to_conversation` (POST
  .../activities); `update_activity` / `delete_activity` are PUT / DELETE .../activities/{id}.
- msrest sends with `requests` in the loop's default thread pool (`run_in_executor`), so the
  HTTP call itself does not block the event loop, but every new client has a new
  `requests.Session` (a new TCP/TLS connection per turn, left to the GC) and a freshly built
  urllib3 retry policy. The credentials policy runs on the loop, though: with an app id,
  `MicrosoftAppCredentials.signed_session` goes to MSAL through a new
  `ConfidentialClientApplication` with an empty token cache each turn, i.e. a blocking token
  request to Entra ID on the event loop for every turn.
- Retries: msrest hands urllib3 `method_whitelist`, which urllib3 2 ignores, so urllib3's
  default methods apply: a POST (every reply) is never retried; PUT/DELETE are retried on 5xx,
  and on 429/503 after sleeping whatever Retry-After says (in a pool thread, capped at 6 h).
  A 429 or 503 on a reply raises `ErrorResponseException`; `on_turn_error` takes it and
  `CloudAdapter.process` still answers 201 to the channel: the reply is lost.

What this module does instead, keeping botbuilder's public API (`send_activity`,
`send_activities`, `update_activity`, `delete_activity`, `continue_conversation`, TeamsInfo's
`connector_client.config.credentials`) unchanged:

- `OutboundAuthentication` wraps any `BotFrameworkAuthentication` and wraps the connector
  factories it returns. Their `ConnectorClient`s (cached per service URL, app id and audience,
  so credentials and their MSAL token cache live on) get an msrest pipeline whose sender is
  `bot.connector.outbound_transport.OutboundTransport`: one `aiohttp.ClientSession` for the whole bot,
  created lazily in the running loop, closed by `close()`.
- The Authorization header comes from the same msrest credentials (none in emulator mode, no
  app id), signed in a worker thread so a token fetch never blocks the loop. With an app id
  and a password the credentials are `bot.auth.outbound_token`'s: the token is fetched with
  aiohttp from the configured login authority (ToChannelFromBotLoginUrl), not by MSAL.
- Every request is retried on 412/429/502/503/504, connection errors and timeouts, per
  `bot.connector.retry_policy`: Retry-After honoured when it fits the budget, else jittered exponential
  backoff; a per-attempt timeout; a deadline per send and a budget per inbound turn shared by
  its sends. Running out raises `OutboundDeliveryError` (an msrest `ClientRequestError`) to the
  turn's `on_turn_error`. Other answers are final: 400/401/403/404 raise botbuilder's usual
  `ErrorResponseException` at once, its `.response.status_code` set.
- A retried POST whose answer timed out or whose connection broke after sending may have
  reached the service: such a reply can arrive twice. Lost is worse than twice.

Build the adapter with `create_adapter(...)` and `await adapter.close()` on shutdown.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ConnectorFactory,
    JwtTokenValidation,
)
from botframework.connector.auth._connector_factory_impl import (
    USER_AGENT,
    _ConnectorFactoryImpl,
)
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

from bot.auth.cloud_endpoints import CloudEndpoints
from bot.auth.outbound_token import (
    ClientCredentialsAppCredentials,
    ClientCredentialsFactory,
    OutboundTokenError,
)
from bot.connector.direct_send import ConnectorResponse, send_directly, sendable
from bot.connector.outbound_transport import OutboundAnswer, OutboundDeliveryError, OutboundTransport
from bot.connector.reply_serializer import use_reply_serializer
from bot.connector.retry_policy import RetryPolicy

__all__ = [
    "OutboundAnswer",
    "OutboundAuthentication",
    "OutboundCloudAdapter",
    "OutboundConnectorFactory",
    "OutboundDeliveryError",
    "OutboundTransport",
    "RetryPolicy",
    "authorization_header",
    "connector_client",
    "create_adapter",
    "outbound_sender",
]

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
CLIENT_CACHE_SIZE = 256


async def authorization_header(credentials: Any, within: float) -> str | None:
    """The Authorization header msrest `credentials` would sign a request with, or None.

    No app id (emulator mode, `MicrosoftAppCredentials.empty()`) means no header and no
    thread hop; client-credentials tokens (`bot.auth.outbound_token`) are awaited; otherwise
    `signed_session()` (MSAL, maybe a token request) runs in a worker thread so it never
    blocks the event loop.
    """
    if credentials is None:
        return None
    if isinstance(credentials, ClientCredentialsAppCredentials):
        token = await asyncio.wait_for(credentials.token_source.get(), within)
        return f"Bearer {token}"
    if isinstance(credentials, AppCredentials):
        app_id = credentials.microsoft_app_id
        if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
            return None

    def sign() -> str | None:
        session = credentials.signed_session()
        try:
            value = session.headers.get("Authorization")
            return str(value) if value else None
        finally:
            session.close()

    return await asyncio.wait_for(asyncio.to_thread(sign), within)


class _ConnectorSender(AsyncHTTPSender[ClientRequest, AsyncClientResponse]):
    """The end of a ConnectorClient's msrest pipeline: sign, then send through the transport."""

    def __init__(self, transport: OutboundTransport, credentials: Any) -> None:
        self._transport = transport
        self._credentials = credentials

    async def __aenter__(self) -> _ConnectorSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None  # the shared session outlives any one client

    async def send(self, request: Request[ClientRequest],
                   **config: Any) -> Response[ClientRequest, AsyncClientResponse]:
        http_request: ClientRequest = request.http_request
        if http_request.files:
            raise ClientRequestError("multipart bodies are not supported by the outbound sender")
        data = http_request.data
        if data is None or isinstance(data, bytes):
            body = data
        elif isinstance(data, str):
            body = data.encode("utf-8")
        else:
            raise ClientRequestError(f"unsupported request body type {type(data).__name__}")
        headers = {key: str(value) for key, value in http_request.headers.items()
                   if key.lower() != "content-length"}  # aiohttp counts the bytes itself
        answer = await self.signed_send(http_request.method, http_request.url, headers, body)
        return Response(request, ConnectorResponse(http_request, answer))

    async def signed_send(self, method: str, url: str, headers: dict[str, str],
                          body: bytes | None) -> OutboundAnswer:
        """Add the Authorization header (a token fetch never blocks the loop), then send
        through the transport with its retries, inside the send's deadline."""
        end = self._transport.send_deadline()
        loop = asyncio.get_running_loop()
        wait = max(end - loop.time(), self._transport.policy.min_attempt_timeout)
        try:
            authorization = await authorization_header(self._credentials, wait)
        except TimeoutError as error:
            raise OutboundDeliveryError(method, url, 0, wait, None,
                                        f"no access token within {wait:.1f} s", error) from error
        except OutboundTokenError as error:
            raise OutboundDeliveryError(method, url, 0, 0.0, None,
                                        f"no access token: {error}", error) from error
        if authorization:
            headers["Authorization"] = authorization
        return await self._transport.send(method, url, headers, body, end=end)


class _ConnectorPipeline(AsyncPipeline[ClientRequest, AsyncClientResponse]):
    """msrest's usual policies (user agent, deserializer, HTTP log), then `_ConnectorSender`."""

    def __init__(self, config: Any, transport: OutboundTransport) -> None:
        super().__init__([config.user_agent_policy, RawDeserializer(), config.http_logger_policy],
                         _ConnectorSender(transport, config.credentials))


def connector_client(credentials: Any, service_url: str,
                     transport: OutboundTransport) -> ConnectorClient:
    """A botbuilder `ConnectorClient` for `service_url` that sends through `transport`."""
    client = ConnectorClient(credentials, base_url=service_url,
                             pipeline_type=functools.partial(_ConnectorPipeline,
                                                             transport=transport))
    client.config.add_user_agent(USER_AGENT)
    use_reply_serializer(client)
    return client


def outbound_sender(client: Any) -> _ConnectorSender | None:
    """The signing sender of a client `connector_client` made, or None for any other client."""
    pipeline = getattr(getattr(client, "config", None), "pipeline", None)
    sender = getattr(pipeline, "_sender", None)
    return sender if isinstance(sender, _ConnectorSender) else None


class _ClientCache:
    """ConnectorClients by (service URL, app id, audience, …), least recently used dropped."""

    def __init__(self, size: int = CLIENT_CACHE_SIZE) -> None:
        self._size = size
        self._clients: OrderedDict[tuple[object, ...], Any] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> Any:
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
        return client

    def put(self, key: tuple[object, ...], client: Any) -> Any:
        self._clients[key] = client
        self._clients.move_to_end(key)
        while len(self._clients) > self._size:
            self._clients.popitem(last=False)
        return client

    def clear(self) -> None:
        self._clients.clear()


class OutboundConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """Wraps a botbuilder ConnectorFactory so its clients send through `OutboundTransport`.

    For the SDK's own factory (`_ConnectorFactoryImpl`, what every built-in authentication
    returns) it makes the credentials the same way the SDK does and caches client and
    credentials; for any other factory it lets that factory make its client and reuses the
    client's credentials.
    """

    def __init__(self, inner: ConnectorFactory, transport: OutboundTransport,
                 cache: _ClientCache | None = None) -> None:
        self._inner = inner
        self._transport = transport
        self._cache = cache if cache is not None else _ClientCache()

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        inner = self._inner
        if isinstance(inner, _ConnectorFactoryImpl):
            scope = audience or inner._to_channel_from_bot_oauth_scope
            key = (service_url, inner._app_id, scope, inner._login_endpoint,
                   inner._validate_authority, inner._credential_factory)
            client = self._cache.get(key)
            if client is None:
                credentials = await inner._credential_factory.create_credentials(
                    inner._app_id, scope, inner._login_endpoint, inner._validate_authority)
                client = self._cache.put(key, connector_client(credentials, service_url,
                                                               self._transport))
            return client
        stock = await inner.create(service_url, audience)
        return connector_client(stock.config.credentials, stock.config.base_url,
                                self._transport)


class OutboundAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """`inner` authentication, with every connector factory it hands out made outbound-safe."""

    def __init__(self, inner: BotFrameworkAuthentication, transport: OutboundTransport) -> None:
        self._inner = inner
        self._transport = transport
        self._cache = _ClientCache()
        self._user_token_clients: dict[str | None, Any] = {}

    def _wrap(self, factory: ConnectorFactory | None) -> ConnectorFactory | None:
        if factory is None or isinstance(factory, OutboundConnectorFactory):
            return factory
        return OutboundConnectorFactory(factory, self._transport, self._cache)

    def forget_clients(self) -> None:
        self._cache.clear()

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._wrap(result.connector_factory)
        return result

    async def authenticate_streaming_request(self, auth_header: str,
                                             channel_id_header: str) -> Any:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: Any) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: Any) -> Any:
        """botbuilder builds a UserTokenClient on every turn, and msrest's configuration
        behind it costs about 4 ms of CPU (a fresh requests session and retry table): the
        largest cost of a turn. It depends only on the app id the claims name, so it is
        built once per app id and reused."""
        claims = getattr(claims_identity, "claims", None) or {}
        key = JwtTokenValidation.get_app_id_from_claims(claims) if claims else None
        client = self._user_token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._user_token_clients[key] = client
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> Any:
        return await self._inner.authenticate_channel_request(auth_header)


class OutboundCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """botbuilder's aiohttp `CloudAdapter`, sending through one `OutboundTransport`.

    Inbound turns get `policy.turn_deadline` for all their sends; proactive turns
    (`continue_conversation`, `create_conversation`) only the per-send deadline.
    """

    def __init__(self, authentication: BotFrameworkAuthentication,
                 transport: OutboundTransport) -> None:
        self.transport = transport
        self.outbound_authentication = OutboundAuthentication(authentication, transport)
        super().__init__(self.outbound_authentication)

    async def process_activity(self, auth_header_or_authenticate_request_result: Any,
                               activity: Any, logic: Any) -> Any:
        with self.transport.turn_budget():
            return await super().process_activity(auth_header_or_authenticate_request_result,
                                                   activity, logic)

    async def send_activities(self, context: Any, activities: Any) -> Any:
        """botbuilder's `send_activities`, but ordinary activities skip msrest's request
        pipeline (`bot.connector.direct_send`); the request and what comes back are the same."""
        client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY) if context else None
        sender = outbound_sender(client)
        if (sender is None or not activities
                or not all(sendable(activity) for activity in activities)):
            return await super().send_activities(context, activities)
        responses = []
        for activity in activities:
            activity.id = None
            responses.append(await send_directly(client, activity, sender.signed_send))
        return responses

    async def process_proactive(self, claims_identity: Any, continuation_activity: Any,
                                audience: Any, logic: Any) -> Any:
        with self.transport.no_turn_budget():
            return await super().process_proactive(claims_identity, continuation_activity,
                                                   audience, logic)

    async def create_conversation(self, *args: Any, **kwargs: Any) -> Any:
        with self.transport.no_turn_budget():
            return await super().create_conversation(*args, **kwargs)

    async def close(self) -> None:
        """Close the shared HTTP session; call once on shutdown."""
        self.outbound_authentication.forget_clients()
        await self.transport.close()


def create_adapter(*, app_id: str = "", app_password: str = "", app_type: str = "MultiTenant",
                   tenant_id: str = "", endpoints: CloudEndpoints | None = None,
                   authentication: BotFrameworkAuthentication | None = None,
                   policy: RetryPolicy | None = None) -> OutboundCloudAdapter:
    """A CloudAdapter whose replies are retried and share one connection pool.

    Give either the Azure Bot's credentials (`app_id` empty = emulator mode, no
    authentication either way) or a ready `authentication`. With an app id, `endpoints`
    (default: the public Azure cloud) say where outbound tokens come from and for which
    scope; MultiTenant and SingleTenant get them from `bot.auth.outbound_token`, UserAssignedMSI
    from botbuilder's managed identity credentials. `policy` defaults to `RetryPolicy()`.
    Call `await adapter.close()` on shutdown.
    """
    transport = OutboundTransport(policy)
    if authentication is None:
        kinds = {kind.lower(): kind for kind in APP_TYPES}
        if app_type.lower() not in kinds:
            raise ValueError(f"app_type must be one of {', '.join(APP_TYPES)}, not {app_type!r}")
        kind = kinds[app_type.lower()]
        needed = {"MultiTenant": ("app_password",) if app_id else (),
                  "SingleTenant": ("app_id", "app_password", "tenant_id"),
                  "UserAssignedMSI": ("app_id", "tenant_id")}[kind]
        given = {"app_id": app_id, "app_password": app_password, "tenant_id": tenant_id}
        missing = [name for name in needed if not given[name]]
        if missing:
            raise ValueError(f"app_type {kind} needs {', '.join(missing)}")
        configuration = SimpleNamespace(APP_ID=app_id, APP_PASSWORD=app_password,
                                        APP_TYPE=kind,
                                        APP_TENANTID=tenant_id)
        credentials_factory = None
        if app_id:
            cloud = endpoints or CloudEndpoints()
            login_url = cloud.login_url_for(tenant_id if kind != "MultiTenant" else "")
            # Any of these makes botbuilder use exactly these endpoints (its parameterized
            # authentication) instead of its public-cloud constants.
            configuration.TO_CHANNEL_FROM_BOT_LOGIN_URL = login_url
            configuration.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = cloud.oauth_scope
            configuration.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = cloud.channel_token_issuer
            configuration.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = \
                cloud.channel_openid_metadata_url
            configuration.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = \
                cloud.emulator_openid_metadata_url
            configuration.OAUTH_URL = cloud.oauth_url
            configuration.CALLER_ID = cloud.caller_id
            if kind != "UserAssignedMSI":
                credentials_factory = ClientCredentialsFactory(
                    app_id, app_password, login_url, session=transport.session)
        authentication = ConfigurationBotFrameworkAuthentication(
            configuration, credentials_factory=credentials_factory)
    elif app_id or app_password or tenant_id or endpoints:
        raise ValueError("give either authentication or app_id/app_password/tenant_id/"
                         "endpoints, not both")
    return OutboundCloudAdapter(authentication, transport)
