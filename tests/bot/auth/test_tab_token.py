"""Teams SSO tokens for the tab: real RSA-signed tokens, keys served over HTTP on 127.0.0.1.

`OpenIdStandIn` plays Entra ID's `common` v2.0 metadata and key set; the tokens are the v1
and v2 user tokens Entra ID issues for the app's `access_as_user` scope (`entra_user_claims`),
signed at test time. Every refusal names its reason, and those that need no key are made
without a single request to the key server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from bot.auth.openid_keys import KeySourceUnavailable
from bot.auth.tab_token import (
    ACCESS_SCOPE,
    ENTRA_OPENID_METADATA_URL,
    MAX_TOKEN_CHARS,
    TabSignInError,
    TabTokenValidator,
    TabUser,
)
from tests.bot.openid_stand_in import (
    ENTRA_ISSUER_V1_TEMPLATE,
    ENTRA_ISSUER_V2_TEMPLATE,
    OpenIdStandIn,
    StandInKey,
    entra_user_claims,
)

CLIENT_ID = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
RESOURCE = f"api://portfoliobot.sykehuspartner.example/{CLIENT_ID}"
TENANT = "9C2E4A10-7B3D-4F56-8E91-0A1B2C3D4E5F"   # upper case: the user's ids come back lower
OTHER_TENANT = "11111111-2222-3333-4444-555555555555"
OBJECT_ID = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
OTHER_APP_ID = "0f0f0f0f-1111-2222-3333-444444444444"
USERNAME = "kari.nordmann@sykehuspartner.example"


@dataclass(frozen=True)
class Keys:
    entra: StandInKey      # published in Entra ID's key set
    stranger: StandInKey   # never published


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(StandInKey.new("entra-1"), StandInKey.new("stranger-1"))


@pytest.fixture
async def stand_in(keys: Keys) -> AsyncIterator[OpenIdStandIn]:
    async with OpenIdStandIn() as service:
        service.publish_entra(keys.entra)
        yield service


@pytest.fixture
async def validator(stand_in: OpenIdStandIn) -> AsyncIterator[TabTokenValidator]:
    checker = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE,
                                metadata_url=stand_in.entra_metadata_url)
    yield checker
    await checker.close()


def _now() -> int:
    return int(time.time())


def v2(**changes: Any) -> dict[str, Any]:
    """A v2 Teams SSO token's claims (`aud` = client id); `changes` replace, None removes."""
    return entra_user_claims(CLIENT_ID, TENANT, OBJECT_ID, **changes)


def v1(**changes: Any) -> dict[str, Any]:
    """A v1 Teams SSO token's claims (`aud` = the application id URI, sts.windows.net)."""
    return entra_user_claims(CLIENT_ID, TENANT, OBJECT_ID, version="1.0", resource=RESOURCE,
                             **changes)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with_public_key(key: StandInKey, claims: dict[str, Any]) -> str:
    """The classic algorithm-confusion forgery: HMAC with the published public key as secret
    (made by hand, since PyJWT refuses to use an RSA key as an HMAC secret)."""
    pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    signing_input = ".".join(_base64url(json.dumps(part).encode()) for part in (header, claims))
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_base64url(signature)}"


# -- valid tokens -----------------------------------------------------------------------------

async def test_a_v2_token_names_the_user_in_lower_case(validator: TabTokenValidator,
                                                       keys: Keys) -> None:
    user = await validator.user(bearer(keys.entra.sign(v2())))
    assert user == TabUser(object_id=OBJECT_ID.lower(), tenant_id=TENANT.lower(),
                           name="Kari Nordmann", username=USERNAME)


async def test_a_v1_token_for_the_resource_names_the_user_by_upn(
        validator: TabTokenValidator, keys: Keys) -> None:
    claims = v1(upn="kari@sykehuspartner.example", name="Kari N.")
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/" and claims["aud"] == RESOURCE
    user = await validator.user(bearer(keys.entra.sign(claims)))
    assert user == TabUser(object_id=OBJECT_ID.lower(), tenant_id=TENANT.lower(),
                           name="Kari N.", username="kari@sykehuspartner.example")


async def test_a_v1_token_without_upn_falls_back_to_unique_name_and_may_lack_a_name(
        validator: TabTokenValidator, keys: Keys) -> None:
    token = keys.entra.sign(v1(upn=None, name=None, unique_name="live.com#kari@example.com"))
    user = await validator.user(bearer(token))
    assert (user.name, user.username) == (None, "live.com#kari@example.com")


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
async def test_every_rsa_algorithm_is_accepted(validator: TabTokenValidator, keys: Keys,
                                               algorithm: str) -> None:
    user = await validator.user(bearer(keys.entra.sign(v2(), algorithm=algorithm)))
    assert user.object_id == OBJECT_ID.lower()


async def test_the_scope_may_be_one_of_several(validator: TabTokenValidator,
                                               keys: Keys) -> None:
    token = keys.entra.sign(v2(scp="User.Read access_as_user openid"))
    assert (await validator.user(bearer(token))).tenant_id == TENANT.lower()


async def test_the_scheme_is_case_insensitive(validator: TabTokenValidator, keys: Keys) -> None:
    user = await validator.user("bearer " + keys.entra.sign(v2()))
    assert user.object_id == OBJECT_ID.lower()


async def test_a_token_expired_within_the_leeway_is_accepted_and_the_leeway_is_configurable(
        stand_in: OpenIdStandIn, validator: TabTokenValidator, keys: Keys) -> None:
    token = keys.entra.sign(v2(exp=_now() - 100, nbf=_now() - 4000, iat=_now() - 4000))
    assert (await validator.user(bearer(token))).object_id == OBJECT_ID.lower()
    strict = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE, leeway_seconds=0,
                               metadata_url=stand_in.entra_metadata_url)
    try:
        with pytest.raises(TabSignInError) as refused:
            await strict.user(bearer(token))
    finally:
        await strict.close()
    assert refused.value.reason == "the token has expired"


async def test_allowed_tenants_admit_their_own_case_insensitively_and_refuse_others(
        stand_in: OpenIdStandIn, keys: Keys) -> None:
    gated = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE,
                              allowed_tenants=[TENANT.lower()],
                              metadata_url=stand_in.entra_metadata_url)
    foreign = keys.entra.sign(entra_user_claims(CLIENT_ID, OTHER_TENANT, OBJECT_ID))
    try:
        assert (await gated.user(bearer(keys.entra.sign(v2())))).tenant_id == TENANT.lower()
        with pytest.raises(TabSignInError) as refused:
            await gated.user(bearer(foreign))
    finally:
        await gated.close()
    assert refused.value.reason == f"tenant {OTHER_TENANT} is not allowed"


async def test_the_foreign_tenants_token_would_pass_without_a_tenant_gate(
        validator: TabTokenValidator, keys: Keys) -> None:
    # The control for the test above: the same token, no allowed_tenants, is accepted.
    foreign = keys.entra.sign(entra_user_claims(CLIENT_ID, OTHER_TENANT, OBJECT_ID))
    assert (await validator.user(bearer(foreign))).tenant_id == OTHER_TENANT


# -- every bad or missing token: TabSignInError -----------------------------------------------

Forge = Callable[[Keys], "str | None"]

# case: (the Authorization header, the reason it is refused with)
BEFORE_ANY_KEY: dict[str, tuple[Forge, str]] = {
    "no Authorization header": (lambda k: None, "no Authorization header"),
    "empty Authorization header": (lambda k: "", "no Authorization header"),
    "Basic scheme": (lambda k: "Basic " + base64.b64encode(b"user:password").decode(),
                     "the Authorization scheme is not Bearer"),
    "token without a scheme": (lambda k: k.entra.sign(v2()),
                               "the Authorization scheme is not Bearer"),
    "Bearer without a token": (lambda k: "Bearer ", "the bearer token is not a JWT"),
    "garbage": (lambda k: "Bearer not-a-jwt-at-all", "the bearer token is not a JWT"),
    "three dots of garbage": (lambda k: "Bearer aaa.bbb.ccc",
                              "the bearer token is not a JWT (DecodeError)"),
    "oversized": (lambda k: bearer(k.entra.sign(v2(padding="x" * MAX_TOKEN_CHARS))),
                  f"the bearer token is longer than {MAX_TOKEN_CHARS} characters"),
    "alg none": (lambda k: bearer(jwt.encode(v2(), "", algorithm="none",
                                             headers={"kid": k.entra.kid})),
                 "the token's algorithm 'none' is not allowed"),
    "HS256 with the public key as secret": (
        lambda k: bearer(hs256_with_public_key(k.entra, v2())),
        "the token's algorithm 'HS256' is not allowed"),
    "no key id": (lambda k: bearer(jwt.encode(v2(), k.entra.private_key, algorithm="RS256")),
                  "the token names no signing key (kid)"),
    "expired beyond the leeway": (
        lambda k: bearer(k.entra.sign(v2(exp=_now() - 400, nbf=_now() - 4000,
                                         iat=_now() - 4000))),
        "the token has expired"),
    "no expiry": (lambda k: bearer(k.entra.sign(v2(exp=None))),
                  "the token has no valid exp claim"),
    "not yet valid": (lambda k: bearer(k.entra.sign(v2(nbf=_now() + 600))),
                      "the token is not valid yet (nbf)"),
    "tid not a GUID": (lambda k: bearer(k.entra.sign(v2(
        tid="common", iss=ENTRA_ISSUER_V2_TEMPLATE.format("common")))),
        "the token's tid claim is not a tenant id"),
    "no tid": (lambda k: bearer(k.entra.sign(v2(tid=None))),
               "the token's tid claim is not a tenant id"),
    "v2 issuer of another tenant than tid": (
        lambda k: bearer(k.entra.sign(v2(iss=ENTRA_ISSUER_V2_TEMPLATE.format(OTHER_TENANT)))),
        "the token's issuer is not Entra ID for its own tenant"),
    "v1 issuer of another tenant than tid": (
        lambda k: bearer(k.entra.sign(v1(iss=ENTRA_ISSUER_V1_TEMPLATE.format(OTHER_TENANT)))),
        "the token's issuer is not Entra ID for its own tenant"),
    "issuer on a non-Microsoft host": (
        lambda k: bearer(k.entra.sign(v2(
            iss=f"https://login.microsoftonline.example/{TENANT}/v2.0"))),
        "the token's issuer is not Entra ID for its own tenant"),
    "issuer with a trailing slash too many": (
        lambda k: bearer(k.entra.sign(v2(iss=ENTRA_ISSUER_V2_TEMPLATE.format(TENANT) + "/"))),
        "the token's issuer is not Entra ID for its own tenant"),
    "no issuer": (lambda k: bearer(k.entra.sign(v2(iss=None))),
                  "the token's issuer is not Entra ID for its own tenant"),
    "audience of another app": (lambda k: bearer(k.entra.sign(v2(aud=OTHER_APP_ID))),
                                "the token's audience is not this app"),
    "audience Microsoft Graph": (
        lambda k: bearer(k.entra.sign(v1(aud="https://graph.microsoft.com"))),
        "the token's audience is not this app"),
    "audience as a list": (lambda k: bearer(k.entra.sign(v2(aud=[CLIENT_ID]))),
                           "the token's audience is not this app"),
    "no audience": (lambda k: bearer(k.entra.sign(v2(aud=None))),
                    "the token's audience is not this app"),
    "no scope": (lambda k: bearer(k.entra.sign(v2(scp=None))),
                 "the token lacks the access_as_user scope"),
    "another scope": (lambda k: bearer(k.entra.sign(v2(scp="User.Read openid"))),
                      "the token lacks the access_as_user scope"),
    "a scope that only starts like ours": (
        lambda k: bearer(k.entra.sign(v2(scp="access_as_users"))),
        "the token lacks the access_as_user scope"),
    "app-only token (roles, no scp)": (
        lambda k: bearer(k.entra.sign(v2(scp=None, roles=["access_as_user"]))),
        "the token lacks the access_as_user scope"),
    "no oid": (lambda k: bearer(k.entra.sign(v2(oid=None))),
               "the token's oid claim is not an object id"),
    "oid not a GUID": (lambda k: bearer(k.entra.sign(v2(oid="kari.nordmann"))),
                       "the token's oid claim is not an object id"),
    "oid a number": (lambda k: bearer(k.entra.sign(v2(oid=12345))),
                     "the token's oid claim is not an object id"),
}

AFTER_THE_KEY: dict[str, tuple[Forge, str]] = {
    "signed by another key under the published kid": (
        lambda k: bearer(k.stranger.sign(v2(), kid=k.entra.kid)),
        "the token's signature does not verify"),
    "unknown key id": (lambda k: bearer(k.stranger.sign(v2())),
                       "no published signing key has the id 'stranger-1'"),
    "claims changed after signing": (
        lambda k: bearer(_with_claims_of(k.entra.sign(v2()), k.entra.sign(v2(
            oid="00000000-0000-0000-0000-000000000001")))),
        "the token's signature does not verify"),
}


def _with_claims_of(signed: str, other: str) -> str:
    """`signed`'s header and signature around `other`'s claims."""
    header, _, signature = signed.split(".")
    return ".".join((header, other.split(".")[1], signature))


def _assert_secret(token_header: str | None, error: TabSignInError,
                   caplog: pytest.LogCaptureFixture) -> None:
    """Neither the error nor any log line carries the token."""
    token = (token_header or "").partition(" ")[2]
    if len(token) > 20:
        assert token not in str(error) and token not in error.reason
        assert token not in caplog.text
        assert token[-20:] not in str(error) and token[-20:] not in caplog.text


@pytest.mark.parametrize("case", list(BEFORE_ANY_KEY))
async def test_a_bad_token_is_refused_before_any_key_is_fetched(
        validator: TabTokenValidator, stand_in: OpenIdStandIn, keys: Keys, case: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    forge, reason = BEFORE_ANY_KEY[case]
    header = forge(keys)
    with pytest.raises(TabSignInError) as refused:
        await validator.user(header)
    assert refused.value.reason == reason
    assert isinstance(refused.value, PermissionError)
    assert stand_in.requests == []
    _assert_secret(header, refused.value, caplog)


@pytest.mark.parametrize("case", list(AFTER_THE_KEY))
async def test_a_token_not_signed_by_a_published_key_is_refused(
        validator: TabTokenValidator, stand_in: OpenIdStandIn, keys: Keys, case: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    forge, reason = AFTER_THE_KEY[case]
    header = forge(keys)
    with pytest.raises(TabSignInError) as refused:
        await validator.user(header)
    assert refused.value.reason == reason
    assert stand_in.entra_key_fetches >= 1
    _assert_secret(header, refused.value, caplog)


def test_the_oversized_token_is_otherwise_valid(keys: Keys) -> None:
    # So the "oversized" case above fails for its size, not for anything else.
    token = keys.entra.sign(v2(padding="x" * MAX_TOKEN_CHARS))
    assert len(token) > MAX_TOKEN_CHARS
    assert jwt.decode(token, keys.entra.private_key.public_key(), algorithms=["RS256"],
                      audience=CLIENT_ID)["oid"] == OBJECT_ID


# -- keys: fetched once, and their absence is no 401 ------------------------------------------

async def test_the_keys_are_fetched_once_and_reused(
        validator: TabTokenValidator, stand_in: OpenIdStandIn, keys: Keys) -> None:
    other_person = "0a0b0c0d-1111-2222-3333-444455556666"
    users = [await validator.user(bearer(keys.entra.sign(claims))) for claims in (
        v2(), v1(), entra_user_claims(CLIENT_ID, TENANT, other_person), v2())]
    assert [user.object_id for user in users] == [OBJECT_ID.lower()] * 2 + [other_person] + [
        OBJECT_ID.lower()]
    assert stand_in.requests == [("GET", "/common/v2.0/.well-known/openid-configuration"),
                                 ("GET", "/common/discovery/v2.0/keys")]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_key_server_raises_key_source_unavailable(keys: Keys) -> None:
    down = f"http://127.0.0.1:{_closed_port()}/common/v2.0/.well-known/openid-configuration"
    checker = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE, metadata_url=down)
    try:
        with pytest.raises(KeySourceUnavailable):
            await checker.user(bearer(keys.entra.sign(v2())))
        # A token that fails without a key is still refused as such, not as unavailable.
        with pytest.raises(TabSignInError):
            await checker.user(bearer(keys.entra.sign(v2(aud=OTHER_APP_ID))))
    finally:
        await checker.close()


async def test_a_failing_key_server_raises_key_source_unavailable(
        validator: TabTokenValidator, stand_in: OpenIdStandIn, keys: Keys) -> None:
    stand_in.key_failure = 503
    with pytest.raises(KeySourceUnavailable, match="HTTP 503"):
        await validator.user(bearer(keys.entra.sign(v2())))
    assert stand_in.entra_key_fetches == 1


# -- configuration ----------------------------------------------------------------------------

async def test_the_defaults_are_entra_ids_common_keys_and_the_access_as_user_scope() -> None:
    checker = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE)
    try:
        assert checker.keys.metadata_url == ENTRA_OPENID_METADATA_URL
        assert checker.scope == ACCESS_SCOPE == "access_as_user"
        assert checker.leeway_seconds == 300.0
        assert checker.allowed_tenants == frozenset()
    finally:
        await checker.close()


async def test_another_scope_can_be_required(stand_in: OpenIdStandIn, keys: Keys) -> None:
    checker = TabTokenValidator(client_id=CLIENT_ID, resource=RESOURCE, scope="Portfolio.Read",
                                metadata_url=stand_in.entra_metadata_url)
    try:
        assert (await checker.user(bearer(keys.entra.sign(v2(scp="Portfolio.Read"))))).name
        with pytest.raises(TabSignInError) as refused:
            await checker.user(bearer(keys.entra.sign(v2())))
    finally:
        await checker.close()
    assert refused.value.reason == "the token lacks the Portfolio.Read scope"


@pytest.mark.parametrize(("changes", "message"), [
    ({"client_id": ""}, "client id"),
    ({"resource": ""}, "resource"),
    ({"allowed_tenants": ["sykehuspartner.onmicrosoft.com"]}, "GUIDs"),
    ({"scope": "a b"}, "one non-empty scope"),
    ({"leeway_seconds": -1}, "negative"),
    ({"metadata_url": "http://login.microsoftonline.com/common/v2.0/.well-known/x"}, "https"),
])
def test_unusable_settings_are_refused_at_once(changes: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"client_id": CLIENT_ID, "resource": RESOURCE} | changes
    with pytest.raises(ValueError, match=message):
        TabTokenValidator(**arguments)
