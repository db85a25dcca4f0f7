"""The bot's own access token for calls to the connector service (OAuth client credentials).

With `MicrosoftAppType` MultiTenant or SingleTenant the bot proves itself to the connector
with a token from Entra ID's token endpoint, `{ToChannelFromBotLoginUrl}/oauth2/v2.0/token`
(by default `https://login.microsoftonline.com/botframework.com`, or `/{tenant id}` for
SingleTenant), for the scope `{ToChannelFromBotOAuthScope}/.default`. botbuilder asks MSAL
for it, which blocks and only speaks to https authorities; `ClientCredentialsToken` asks
with aiohttp instead: one request at a time, the token cached until shortly before it
expires. `ClientCredentialsAppCredentials` hands it to botbuilder as msrest credentials and
`ClientCredentialsFactory` makes those for botbuilder's connector factories.

UserAssignedMSI stays on botbuilder's ManagedIdentity credentials (MSAL against the Azure
instance metadata service, signed in a worker thread by `bot.connector.outbound`); it cannot be
exercised outside Azure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import requests
from botframework.connector.auth import AppCredentials, PasswordServiceClientCredentialFactory

from bot.auth.cloud_endpoints import url_problem

log = logging.getLogger("portfoliobot.outbound")

TOKEN_PATH = "/oauth2/v2.0/token"
MAX_REFRESH_MARGIN = 300.0   # renew this long before expiry (at most half the lifetime)


class OutboundTokenError(Exception):
    """No access token could be had from the token endpoint."""


def token_url_for(login_url: str) -> str:
    """The v2.0 token endpoint of a login authority such as `https://login.microsoftonline.com/x`."""
    return login_url.rstrip("/") + TOKEN_PATH


def scope_for(oauth_scope: str) -> str:
    return oauth_scope if oauth_scope.endswith("/.default") else oauth_scope.rstrip("/") + "/.default"


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float


def _read_token(status: int, body: bytes, now: float) -> _Token:
    try:
        answer: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, dict):
        raise OutboundTokenError(f"the token endpoint answered HTTP {status} without JSON")
    if status != 200 or not isinstance(answer.get("access_token"), str):
        error = answer.get("error", "no access_token")
        description = str(answer.get("error_description", ""))[:200]
        raise OutboundTokenError(f"the token endpoint answered HTTP {status}: {error} "
                                 f"{description}".rstrip())
    if str(answer.get("token_type", "Bearer")).lower() != "bearer":
        raise OutboundTokenError(f"unexpected token_type {answer.get('token_type')!r}")
    try:
        lifetime = float(answer.get("expires_in", 0))
    except (TypeError, ValueError):
        lifetime = 0.0
    margin = min(MAX_REFRESH_MARGIN, lifetime / 2)
    return _Token(answer["access_token"], now + max(lifetime - margin, 0.0))


class ClientCredentialsToken:
    """An access token for `client_id` from `token_url`, fetched when needed, cached till near expiry."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, scope: str, *,
                 session: Callable[[], aiohttp.ClientSession], timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        problem = url_problem(token_url)
        if problem is not None:
            raise ValueError(f"token endpoint {token_url!r} {problem}")
        self.token_url = token_url
        self.client_id = client_id
        self.scope = scope_for(scope)
        self._secret = client_secret
        self._session = session
        self._timeout = timeout
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    def _form(self) -> dict[str, str]:
        return {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._secret, "scope": self.scope}

    def cached(self) -> str | None:
        token = self._token
        return token.value if token is not None and self._clock() < token.renew_at else None

    async def get(self) -> str:
        """The current token; fetches one (one request at a time) when none is fresh."""
        token = self.cached()
        if token is not None:
            return token
        async with self._lock:
            token = self.cached()   # fetched while this caller waited
            if token is not None:
                return token
            try:
                async with self._session().post(
                        self.token_url, data=self._form(), allow_redirects=False,
                        timeout=aiohttp.ClientTimeout(total=self._timeout)) as response:
                    body = await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise OutboundTokenError(f"the token endpoint {self.token_url} cannot be "
                                         f"reached: {type(error).__name__}") from error
            self._token = _read_token(response.status, body, self._clock())
            log.info("got an access token for %s from %s", self.scope, self.token_url)
            return self._token.value

    def get_blocking(self) -> str:
        """For the SDK's own msrest clients, which sign synchronously: the cached token, or a
        blocking request (what MSAL would do there)."""
        token = self.cached()
        if token is not None:
            return token
        try:
            response = requests.post(self.token_url, data=self._form(), timeout=self._timeout,
                                     allow_redirects=False)
        except requests.RequestException as error:
            raise OutboundTokenError(f"the token endpoint {self.token_url} cannot be "
                                     f"reached: {type(error).__name__}") from error
        self._token = _read_token(response.status_code, response.content, self._clock())
        return self._token.value


class ClientCredentialsAppCredentials(AppCredentials):  # type: ignore[misc]
    """msrest credentials whose token comes from a `ClientCredentialsToken`.

    `bot.connector.outbound` awaits `token_source.get()`; msrest's own pipelines call
    `signed_session()`, which ends in `get_access_token()`.
    """

    def __init__(self, app_id: str, token_source: ClientCredentialsToken) -> None:
        super().__init__(app_id=app_id, oauth_scope=token_source.scope)
        self.token_source = token_source

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self.token_source.get_blocking()


class ClientCredentialsFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    """botbuilder's credentials factory for an app id and secret, with tokens from `login_url`.

    One token source per scope, shared by every connector client. The login endpoint
    botbuilder passes in is ignored: `login_url` (the configured authority) decides.
    """

    def __init__(self, app_id: str, password: str, login_url: str, *,
                 session: Callable[[], aiohttp.ClientSession]) -> None:
        super().__init__(app_id, password)
        self.token_url = token_url_for(login_url)
        problem = url_problem(self.token_url)
        if problem is not None:
            raise ValueError(f"token endpoint {self.token_url!r} {problem}")
        self._session = session
        self._sources: dict[str, ClientCredentialsToken] = {}

    def source(self, oauth_scope: str) -> ClientCredentialsToken:
        source = self._sources.get(oauth_scope)
        if source is None:
            source = ClientCredentialsToken(self.token_url, self.app_id, self.password,
                                            oauth_scope, session=self._session)
            self._sources[oauth_scope] = source
        return source

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> Any:
        if await self.is_authentication_disabled():
            return await super().create_credentials(app_id, oauth_scope, login_endpoint,
                                                    validate_authority)
        if not await self.is_valid_app_id(app_id):
            raise PermissionError(f"no credentials for app id {app_id!r}")
        return ClientCredentialsAppCredentials(app_id, self.source(oauth_scope))
