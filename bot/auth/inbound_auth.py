"""Inbound authentication: is this request to `/api/messages` from the Bot Framework, for us?

`InboundAuthenticator.authenticate(header, activity)` checks the `Authorization` header the
way botframework-connector's `JwtTokenValidation` does (ChannelValidation and
EmulatorValidation, 4.17), with keys from `bot.auth.openid_keys` (fetched with aiohttp, never
blocking the loop), and returns the `AuthenticateRequestResult` botbuilder's built-in
authentication would, for `CloudAdapter.process_activity`. Every bad or missing token raises
`InboundAuthError` (the caller answers 401); `KeySourceUnavailable` means the keys could
not be fetched, so the token could not be judged (the caller answers 503).

A token must be `Bearer`, RS256/384/512 with a key id, and carry `exp`; `nbf`/`exp` get
botbuilder's five minutes of leeway. Then, by issuer:

- Channel tokens (`iss` = ToBotFromChannelTokenIssuer, `https://api.botframework.com`):
  `aud` = the app id, signed by a key from ToBotFromChannelOpenIdMetadataUrl whose
  `endorsements` contain the activity's `channelId`, and a `serviceurl` claim equal to the
  activity's `serviceUrl`.
- Emulator tokens (Entra ID issuers EmulatorValidation lists, plus for SingleTenant and
  UserAssignedMSI the app's own tenant, v1 and v2): signed by a key from
  ToBotFromEmulatorOpenIdMetadataUrl (endorsements checked when the key lists any), `ver`
  1.0 with `appid`, or 2.0 with `azp`, equal to the app id. Stricter than botbuilder, `aud`
  must be the app id too (the Emulator asks for `{app id}/.default`), so a token the app got
  for some other API cannot be replayed here.
- Anything else, skill tokens included (portfoliobot is no skill host), is refused.

Tokens that fail the checks that need no key (scheme, algorithm, issuer, audience, expiry)
are refused before any key is fetched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import jwt
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    EmulatorValidation,
)

from bot.auth.bearer import TokenRefused, bearer_token, unverified_parts
from bot.auth.cloud_endpoints import CloudEndpoints
from bot.auth.openid_keys import KeySourceUnavailable, OpenIdKeys, SigningKey

__all__ = ["InboundAuthError", "InboundAuthenticator", "KeySourceUnavailable",
           "emulator_issuers"]

log = logging.getLogger("portfoliobot.auth")

LEEWAY_SECONDS = 5 * 60
ALGORITHMS = tuple(AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS)
# Bot Framework tokens as RFC 6750's token68 (the shape the SDK accepts).
_TOKEN68 = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
V1_ISSUER = AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V1
V2_ISSUER = AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V2


class InboundAuthError(TokenRefused):
    """The request carries no valid Bot Framework token; `reason` is for the log only."""


def emulator_issuers(app_type: str, tenant_id: str) -> frozenset[str]:
    """Issuers of Emulator tokens: EmulatorValidation's list, plus the app's own tenant for
    SingleTenant and UserAssignedMSI (the Emulator then gets its token from that tenant)."""
    issuers = set(EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS.issuer)
    if app_type in ("SingleTenant", "UserAssignedMSI") and tenant_id:
        issuers |= {V1_ISSUER.format(tenant_id), V2_ISSUER.format(tenant_id)}
    return frozenset(issuers)


def _shown(value: object) -> str:
    """A claim from an unverified token, safe for one log line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InboundAuthenticator:
    """Checks inbound tokens for one app id; owns the two key caches (close it on shutdown)."""

    def __init__(self, *, app_id: str, app_type: str, tenant_id: str,
                 endpoints: CloudEndpoints, authentication: BotFrameworkAuthentication,
                 channel_keys: OpenIdKeys | None = None,
                 emulator_keys: OpenIdKeys | None = None) -> None:
        if not app_id:
            raise ValueError("inbound authentication needs the app id")
        self.app_id = app_id
        self.endpoints = endpoints
        self._authentication = authentication
        self.channel_keys = channel_keys or OpenIdKeys(endpoints.channel_openid_metadata_url)
        self.emulator_keys = emulator_keys or OpenIdKeys(
            endpoints.emulator_openid_metadata_url)
        self._emulator_issuers = emulator_issuers(app_type, tenant_id)
        self._emulator_audiences = frozenset({app_id, f"api://{app_id}"})

    async def close(self) -> None:
        await self.channel_keys.close()
        await self.emulator_keys.close()

    async def authenticate(self, auth_header: str, activity: Activity) -> AuthenticateRequestResult:
        """The authenticated request, or InboundAuthError (401) / KeySourceUnavailable (503)."""
        claims = await self.claims(auth_header, activity)
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self.endpoints.oauth_scope
        result.caller_id = self.endpoints.caller_id
        result.connector_factory = self._authentication.create_connector_factory(identity)
        return result

    async def claims(self, auth_header: str, activity: Activity) -> dict[str, Any]:
        """The verified claims of the request's token."""
        token = bearer_token(auth_header, InboundAuthError, _TOKEN68)
        header, unverified = unverified_parts(token, InboundAuthError)
        algorithm, kid = header.get("alg"), header.get("kid")
        if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
            raise InboundAuthError(f"the token's algorithm {_shown(algorithm)} is not allowed")
        if not isinstance(kid, str) or not kid:
            raise InboundAuthError("the token names no signing key (kid)")
        issuer = unverified.get("iss")
        if issuer == self.endpoints.channel_token_issuer:
            audiences: Iterable[str] = (self.app_id,)
            keys = self.channel_keys
        elif isinstance(issuer, str) and issuer in self._emulator_issuers:
            audiences = self._emulator_audiences
            keys = self.emulator_keys
        else:
            raise InboundAuthError(f"the token's issuer {_shown(issuer)} is not trusted")
        # Everything that needs no key first, so junk never makes the bot fetch keys.
        self._verify(token, None, algorithm, issuer, audiences)
        key = await keys.key(kid)
        if key is None:
            raise InboundAuthError(f"no published signing key has the id {_shown(kid)}")
        claims = self._verify(token, key, algorithm, issuer, audiences)
        channel_id = activity.channel_id or ""
        if keys is self.channel_keys:
            self._check_channel_token(claims, key, channel_id, activity.service_url)
        else:
            self._check_emulator_token(claims, key, channel_id)
        return claims

    @staticmethod
    def _verify(token: str, key: SigningKey | None, algorithm: str, issuer: str,
                audiences: Iterable[str]) -> dict[str, Any]:
        """PyJWT's checks of issuer, audience, exp and nbf; the signature too when `key` is given."""
        try:
            return dict(jwt.decode(
                token, key.public_key if key is not None else "", algorithms=[algorithm],
                audience=list(audiences), issuer=issuer, leeway=LEEWAY_SECONDS,
                options={"verify_signature": key is not None, "verify_exp": True,
                         "verify_nbf": True, "verify_iat": True, "verify_aud": True,
                         "verify_iss": True, "require": ["exp", "iss", "aud"]}))
        except jwt.InvalidSignatureError as error:
            raise InboundAuthError("the token's signature does not verify") from error
        except jwt.PyJWTError as error:
            raise InboundAuthError(f"the token is not valid: {type(error).__name__}: "
                                   f"{error}") from error

    @staticmethod
    def _check_channel_token(claims: dict[str, Any], key: SigningKey, channel_id: str,
                             service_url: str | None) -> None:
        if not channel_id or not key.endorses(channel_id):
            raise InboundAuthError(f"the signing key is not endorsed for channel {_shown(channel_id)}")
        service_url_claim = claims.get(AuthenticationConstants.SERVICE_URL_CLAIM)
        if not service_url_claim:
            raise InboundAuthError("the token has no serviceurl claim")
        if service_url_claim != service_url:
            raise InboundAuthError("the token's serviceurl claim is not the activity's serviceUrl")

    def _check_emulator_token(self, claims: dict[str, Any], key: SigningKey,
                              channel_id: str) -> None:
        if key.endorsements and channel_id and not key.endorses(channel_id):
            raise InboundAuthError(f"the signing key is not endorsed for channel {_shown(channel_id)}")
        version = claims.get(AuthenticationConstants.VERSION_CLAIM)
        if version in (None, ""):
            raise InboundAuthError("an Emulator token needs a ver claim")
        if version == "1.0":
            app_id = claims.get(AuthenticationConstants.APP_ID_CLAIM)
        elif version == "2.0":
            app_id = claims.get(AuthenticationConstants.AUTHORIZED_PARTY)
        else:
            raise InboundAuthError(f"unknown Emulator token version {_shown(version)}")
        if app_id != self.app_id:
            raise InboundAuthError("the Emulator token was issued to another app")
