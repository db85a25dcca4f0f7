"""Teams single sign-on for the bot's tab: who is the person behind this request?

A tab page asks Teams for the signed-in person's token
(`microsoftTeams.authentication.getAuthToken()`) and sends it to the bot's server as
`Authorization: Bearer <token>`. The token is a delegated Microsoft Entra ID access token
issued for the bot's own app registration, so `TabTokenValidator.user(header)` can accept it
only when all of these hold, checked in this order:

- the header is `Bearer <jwt>`, the token at most `MAX_TOKEN_CHARS` long;
- the JWT header names RS256/RS384/RS512 and a key id (`kid`): never `none` or an HMAC
  algorithm, whose "key" an attacker could pick (such as our public key);
- `exp` is present and not past, `nbf` (if any) not in the future, with `leeway_seconds`;
- `tid` is a GUID and, when `allowed_tenants` is given, one of those tenants;
- `iss` is Entra ID's issuer for that very tenant: `https://login.microsoftonline.com/{tid}/v2.0`
  (v2 token) or `https://sts.windows.net/{tid}/` (v1 token). The `common` key set signs for
  every tenant, so the issuer and `tid` must agree, or one tenant's token could pass as
  another's;
- `aud` is the app's client id (v2 tokens) or its application id URI, `resource` (v1
  tokens): a token the person's Teams got for some other API is no ticket here;
- `scp` contains `scope` (`access_as_user`): a delegated token for this app's exposed scope,
  not an app-only token (those carry `roles`, no `scp`);
- `oid`, the person's Entra object id, is a GUID;
- and last the signature, with the key of that `kid` from Entra ID's published key set
  (`bot.auth.openid_keys`), verified by PyJWT together with audience, issuer and expiry.

Everything that needs no key is checked before any key is fetched, so junk never makes the
bot call Entra ID. Every bad or missing token raises `TabSignInError` (the caller answers
401); its `reason` is short and safe to log and never contains the token, which is neither
logged nor put into any message. `KeySourceUnavailable` means the keys could not be fetched,
so the token could not be judged (the caller answers 503).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

import jwt

from bot.auth.bearer import MAX_TOKEN_CHARS, TokenRefused, bearer_token, unverified_parts
from bot.auth.openid_keys import KeySourceUnavailable, OpenIdKeys, SigningKey

__all__ = ["ACCESS_SCOPE", "ENTRA_OPENID_METADATA_URL", "MAX_TOKEN_CHARS",
           "KeySourceUnavailable", "TabSignInError", "TabTokenValidator", "TabUser"]

ENTRA_OPENID_METADATA_URL = (
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration")
ACCESS_SCOPE = "access_as_user"

V1_ISSUER_TEMPLATE = "https://sts.windows.net/{}/"
V2_ISSUER_TEMPLATE = "https://login.microsoftonline.com/{}/v2.0"
ALGORITHMS = ("RS256", "RS384", "RS512")
_GUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class TabSignInError(TokenRefused):
    """The request carries no valid Teams SSO token; `reason` is safe to log, never the token."""


@dataclass(frozen=True)
class TabUser:
    """The person a valid tab token names."""

    object_id: str        # `oid`, lower case: the person's Entra ID object id
    tenant_id: str        # `tid`, lower case
    name: str | None      # `name`
    username: str | None  # `preferred_username` (v2) or `upn` / `unique_name` (v1)


def _is_guid(value: object) -> bool:
    return isinstance(value, str) and _GUID.match(value) is not None


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: object) -> str:
    """A value from an unverified token header, short enough for one log line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class TabTokenValidator:
    """Checks Teams SSO tokens for one app; owns its key cache (close it on shutdown).

    `client_id` is the app registration's id, `resource` its application id URI
    (`api://{host}/{client id}` for a Teams tab). `keys`, when given, replaces the cache of
    `metadata_url`'s keys (and is closed with the validator).
    """

    def __init__(self, *, client_id: str, resource: str, allowed_tenants: Iterable[str] = (),
                 metadata_url: str = ENTRA_OPENID_METADATA_URL, keys: OpenIdKeys | None = None,
                 leeway_seconds: float = 300.0, scope: str = ACCESS_SCOPE) -> None:
        if not client_id or not resource:
            raise ValueError("Teams SSO checks need the app's client id and resource")
        if not scope or " " in scope:
            raise ValueError("the scope must be one non-empty scope name")
        if leeway_seconds < 0:
            raise ValueError("the leeway must not be negative")
        tenants = frozenset(tenant.strip().lower() for tenant in allowed_tenants)
        not_guids = sorted(tenant for tenant in tenants if not _is_guid(tenant))
        if not_guids:
            raise ValueError(f"allowed tenants must be tenant ids (GUIDs), not {not_guids}")
        self.client_id = client_id
        self.resource = resource
        self.allowed_tenants = tenants
        self.scope = scope
        self.leeway_seconds = leeway_seconds
        self.keys = keys or OpenIdKeys(metadata_url)
        self._audiences = (client_id, resource)

    async def close(self) -> None:
        await self.keys.close()

    async def user(self, authorization_header: str | None) -> TabUser:
        """The person the request's token names; TabSignInError (401) for any bad or missing
        token, KeySourceUnavailable (503) when the signing keys cannot be fetched."""
        token = bearer_token(authorization_header, TabSignInError)
        header, unverified = unverified_parts(token, TabSignInError)
        algorithm, kid = self._algorithm_and_kid(header)
        issuer = self._check_claims(unverified)
        # Everything above needed no key, so junk never makes the bot fetch keys.
        key = await self.keys.key(kid)
        if key is None:
            raise TabSignInError(f"no published signing key has the id {_shown(kid)}")
        claims = self._verified(token, key, algorithm, issuer)
        return TabUser(
            object_id=str(claims["oid"]).lower(), tenant_id=str(claims["tid"]).lower(),
            name=_text(claims.get("name")),
            username=_text(claims.get("preferred_username")) or _text(claims.get("upn"))
            or _text(claims.get("unique_name")))

    @staticmethod
    def _algorithm_and_kid(header: dict[str, Any]) -> tuple[str, str]:
        algorithm, kid = header.get("alg"), header.get("kid")
        if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
            raise TabSignInError(f"the token's algorithm {_shown(algorithm)} is not allowed")
        if not isinstance(kid, str) or not kid:
            raise TabSignInError("the token names no signing key (kid)")
        return algorithm, kid

    def _check_claims(self, claims: dict[str, Any]) -> str:
        """The claim checks that need no key; answers the issuer the token must have."""
        now = time.time()
        expires, not_before = claims.get("exp"), claims.get("nbf")
        if not _is_number(expires):
            raise TabSignInError("the token has no valid exp claim")
        if expires <= now - self.leeway_seconds:
            raise TabSignInError("the token has expired")
        if not_before is not None:
            if not _is_number(not_before):
                raise TabSignInError("the token's nbf claim is not a time")
            if not_before > now + self.leeway_seconds:
                raise TabSignInError("the token is not valid yet (nbf)")
        tenant = claims.get("tid")
        if not isinstance(tenant, str) or not _is_guid(tenant):
            raise TabSignInError("the token's tid claim is not a tenant id")
        if self.allowed_tenants and tenant.lower() not in self.allowed_tenants:
            raise TabSignInError(f"tenant {tenant.lower()} is not allowed")
        issuer = claims.get("iss")
        if issuer not in (V2_ISSUER_TEMPLATE.format(tenant), V1_ISSUER_TEMPLATE.format(tenant)):
            raise TabSignInError("the token's issuer is not Entra ID for its own tenant")
        if not isinstance(claims.get("aud"), str) or claims["aud"] not in self._audiences:
            raise TabSignInError("the token's audience is not this app")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or self.scope not in scopes.split(" "):
            raise TabSignInError(f"the token lacks the {self.scope} scope")
        if not _is_guid(claims.get("oid")):
            raise TabSignInError("the token's oid claim is not an object id")
        return str(issuer)

    def _verified(self, token: str, key: SigningKey, algorithm: str,
                  issuer: str) -> dict[str, Any]:
        """PyJWT's checks of the signature, issuer, audience, exp, nbf and iat."""
        try:
            return dict(jwt.decode(
                token, key.public_key, algorithms=[algorithm], audience=list(self._audiences),
                issuer=issuer, leeway=self.leeway_seconds,
                options={"verify_signature": True, "verify_exp": True, "verify_nbf": True,
                         "verify_iat": True, "verify_aud": True, "verify_iss": True,
                         "require": ["exp", "iss", "aud"]}))
        except jwt.InvalidSignatureError as error:
            raise TabSignInError("the token's signature does not verify") from error
        except jwt.PyJWTError as error:
            raise TabSignInError(f"the token is not valid: {type(error).__name__}: "
                                 f"{error}") from error
