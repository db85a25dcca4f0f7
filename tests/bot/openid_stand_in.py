"""A local stand-in for Bot Framework's and Entra ID's key and token services, on 127.0.0.1.

`OpenIdStandIn` serves two OpenID metadata documents with their key sets (the channel's,
like `login.botframework.com`, and the Emulator's, like Entra ID's `common` endpoint) and a
client-credentials token endpoint (`/{tenant}/oauth2/v2.0/token`, like
`login.microsoftonline.com`). It records every request, can publish and withdraw keys (a
rotation), and can hold the key set endpoint until the test releases it (a stuck key
server). `StandInKey` is an RSA key made with `cryptography` at test time; `channel_claims` /
`emulator_claims` are the claims Teams and the Emulator put in their tokens.

For Teams single sign-on it also serves Entra ID's `common` v2.0 metadata and key set
(`entra_metadata_url`, keys added with `publish_entra`), and `entra_user_claims` builds the
v1 or v2 user token Entra ID issues to a Teams tab for the app's `access_as_user` scope.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.auth.cloud_endpoints import CloudEndpoints

CHANNEL_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER_V1 = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
EMULATOR_ISSUER_V2 = "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"
TEAMS_ENDORSEMENTS = ("msteams", "webchat", "directline")
ENTRA_ISSUER_V1_TEMPLATE = "https://sts.windows.net/{}/"
ENTRA_ISSUER_V2_TEMPLATE = "https://login.microsoftonline.com/{}/v2.0"
TEAMS_DESKTOP_CLIENT_ID = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"   # asks for the SSO token


@dataclass(frozen=True)
class StandInKey:
    """An RSA signing key with its id."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def new(cls, kid: str | None = None) -> StandInKey:
        return cls(kid or f"kid-{uuid.uuid4().hex[:8]}",
                   rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self, endorsements: tuple[str, ...] | None = TEAMS_ENDORSEMENTS) -> dict[str, Any]:
        """The public key as a JWKS entry, the way login.botframework.com publishes it."""
        entry: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        entry.update(kid=self.kid, use="sig", kty="RSA")
        if endorsements is not None:
            entry["endorsements"] = list(endorsements)
        return entry

    def sign(self, claims: dict[str, Any], *, algorithm: str = "RS256",
             kid: str | None = None) -> str:
        return jwt.encode(claims, self.private_key, algorithm=algorithm,
                          headers={"kid": kid or self.kid})


def channel_claims(app_id: str, service_url: str, **changes: Any) -> dict[str, Any]:
    """What a Teams channel token carries; `changes` replace claims (None removes one)."""
    now = int(time.time())
    claims: dict[str, Any] = {"serviceurl": service_url, "nbf": now - 60, "exp": now + 3600,
                              "iss": CHANNEL_ISSUER, "aud": app_id}
    return _changed(claims, changes)


def emulator_claims(app_id: str, version: str = "2.0", **changes: Any) -> dict[str, Any]:
    """What an Emulator token (Entra ID, scope `{app id}/.default`) carries."""
    now = int(time.time())
    claims: dict[str, Any] = {"aud": app_id, "iat": now - 60, "nbf": now - 60,
                              "exp": now + 3600, "ver": version, "tid": "f8cdef31"}
    if version == "1.0":
        claims.update(iss=EMULATOR_ISSUER_V1, appid=app_id)
    else:
        claims.update(iss=EMULATOR_ISSUER_V2, azp=app_id)
    return _changed(claims, changes)


def entra_user_claims(client_id: str, tenant_id: str, object_id: str, *, version: str = "2.0",
                      resource: str | None = None, **changes: Any) -> dict[str, Any]:
    """What the token Teams gets for a tab (`getAuthToken`) carries: a delegated Entra ID
    token for the app's `access_as_user` scope. Version 2.0 has `aud` = the client id and
    `preferred_username`; version 1.0 has `aud` = `resource` (the app id URI, default
    `api://{client id}`), the sts.windows.net issuer and `upn` / `unique_name`."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "ver": version,
        "tid": tenant_id, "oid": object_id, "sub": f"sub-{object_id[:8]}",
        "scp": "access_as_user", "name": "Kari Nordmann", "uti": uuid.uuid4().hex[:22],
    }
    if version == "1.0":
        claims.update(aud=resource or f"api://{client_id}",
                      iss=ENTRA_ISSUER_V1_TEMPLATE.format(tenant_id),
                      appid=TEAMS_DESKTOP_CLIENT_ID, appidacr="0",
                      upn="kari.nordmann@sykehuspartner.example",
                      unique_name="kari.nordmann@sykehuspartner.example")
    else:
        claims.update(aud=client_id, iss=ENTRA_ISSUER_V2_TEMPLATE.format(tenant_id),
                      azp=TEAMS_DESKTOP_CLIENT_ID, azpacr="0",
                      preferred_username="kari.nordmann@sykehuspartner.example")
    return _changed(claims, changes)


def _changed(claims: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


class OpenIdStandIn:
    """Key and token endpoints on 127.0.0.1 that record what they were asked."""

    def __init__(self) -> None:
        self.channel_keys: list[dict[str, Any]] = []
        self.emulator_keys: list[dict[str, Any]] = []
        self.entra_keys: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.access_token = f"outbound-{uuid.uuid4().hex}"
        self.expires_in = 3600
        self.token_error: tuple[int, dict[str, Any]] | None = None
        self.key_failure: int | None = None   # answer the key set requests with this status
        self._held: asyncio.Event | None = None
        self._holding = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base = ""

    # -- life cycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/channel/.well-known/openidconfiguration", self._channel_metadata)
        app.router.add_get("/channel/keys", self._channel_key_set)
        app.router.add_get("/emulator/v2.0/.well-known/openid-configuration",
                           self._emulator_metadata)
        app.router.add_get("/emulator/keys", self._emulator_key_set)
        app.router.add_get("/common/v2.0/.well-known/openid-configuration",
                           self._entra_metadata)
        app.router.add_get("/common/discovery/v2.0/keys", self._entra_key_set)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = next(a for a in self._runner.addresses if isinstance(a, tuple))[1]
        self._base = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the bot is configured with ---------------------------------------------------

    @property
    def channel_metadata_url(self) -> str:
        return f"{self._base}/channel/.well-known/openidconfiguration"

    @property
    def emulator_metadata_url(self) -> str:
        return f"{self._base}/emulator/v2.0/.well-known/openid-configuration"

    @property
    def entra_metadata_url(self) -> str:
        """Like ENTRA_OPENID_METADATA_URL (Entra ID's `common` v2.0 metadata), locally."""
        return f"{self._base}/common/v2.0/.well-known/openid-configuration"

    @property
    def login_url(self) -> str:
        return f"{self._base}/botframework.com"

    def endpoints(self) -> CloudEndpoints:
        return CloudEndpoints(channel_openid_metadata_url=self.channel_metadata_url,
                              emulator_openid_metadata_url=self.emulator_metadata_url,
                              login_url=self.login_url)

    # -- test controls ---------------------------------------------------------------------

    def publish(self, key: StandInKey, endorsements: tuple[str, ...] | None = TEAMS_ENDORSEMENTS,
                *, emulator: bool = False) -> None:
        (self.emulator_keys if emulator else self.channel_keys).append(key.jwk(endorsements))

    def publish_entra(self, key: StandInKey) -> None:
        """Add `key` to Entra ID's key set, without endorsements, as Entra ID lists keys."""
        entry = key.jwk(None)
        entry["issuer"] = "https://login.microsoftonline.com/{tenantid}/v2.0"
        self.entra_keys.append(entry)

    def count(self, path: str) -> int:
        return sum(1 for _, seen in self.requests if seen == path)

    @property
    def channel_key_fetches(self) -> int:
        return self.count("/channel/keys")

    @property
    def entra_metadata_fetches(self) -> int:
        return self.count("/common/v2.0/.well-known/openid-configuration")

    @property
    def entra_key_fetches(self) -> int:
        return self.count("/common/discovery/v2.0/keys")

    def hold(self) -> None:
        """Key set requests wait from now on, until `release()`."""
        self._held = asyncio.Event()
        self._holding.clear()

    async def holding(self) -> None:
        """Returns once a key set request is waiting."""
        await self._holding.wait()

    def release(self) -> None:
        if self._held is not None:
            self._held.set()

    # -- HTTP ------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        response: web.StreamResponse = await handler(request)
        return response

    async def _channel_metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": CHANNEL_ISSUER,
                                  "jwks_uri": f"{self._base}/channel/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _emulator_metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
                                  "jwks_uri": f"{self._base}/emulator/keys"})

    async def _entra_metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
                                  "jwks_uri": f"{self._base}/common/discovery/v2.0/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _key_set(self, keys: list[dict[str, Any]]) -> web.Response:
        if self._held is not None:
            self._holding.set()
            await self._held.wait()
        if self.key_failure is not None:
            return web.json_response({"error": "unavailable"}, status=self.key_failure)
        return web.json_response({"keys": keys})

    async def _channel_key_set(self, request: web.Request) -> web.Response:
        return await self._key_set(self.channel_keys)

    async def _emulator_key_set(self, request: web.Request) -> web.Response:
        return await self._key_set(self.emulator_keys)

    async def _entra_key_set(self, request: web.Request) -> web.Response:
        return await self._key_set(self.entra_keys)

    async def _token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form | {"tenant": request.match_info["tenant"]})
        if self.token_error is not None:
            status, body = self.token_error
            return web.json_response(body, status=status)
        return web.json_response({"token_type": "Bearer", "expires_in": self.expires_in,
                                  "ext_expires_in": self.expires_in,
                                  "access_token": self.access_token})
