"""The signing key cache: fetched with aiohttp from a local stand-in, cached, reloaded sparingly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.auth.openid_keys import KeySourceUnavailable, OpenIdKeys, parse_key_set
from tests.bot.openid_stand_in import OpenIdStandIn, StandInKey


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def key() -> StandInKey:
    return StandInKey.new("k-1")


@pytest.fixture(scope="module")
def other_key() -> StandInKey:
    return StandInKey.new("k-2")


@pytest.fixture
async def stand_in(key: StandInKey) -> AsyncIterator[OpenIdStandIn]:
    async with OpenIdStandIn() as service:
        service.publish(key)
        yield service


@pytest.fixture
async def cache(stand_in: OpenIdStandIn) -> AsyncIterator[tuple[OpenIdKeys, Clock]]:
    clock = Clock()
    keys = OpenIdKeys(stand_in.channel_metadata_url, clock=clock)
    yield keys, clock
    await keys.close()


async def test_keys_are_fetched_once_and_carry_their_endorsements(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn, key: StandInKey) -> None:
    keys, _ = cache
    found = await keys.key("k-1")
    assert found is not None and found.endorses("msteams") and not found.endorses("slack")
    assert await keys.key("k-1") is found
    assert stand_in.requests == [("GET", "/channel/.well-known/openidconfiguration"),
                                 ("GET", "/channel/keys")]


async def test_keys_older_than_a_day_are_reloaded(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn) -> None:
    keys, clock = cache
    await keys.key("k-1")
    clock.now += 23 * 3600
    await keys.key("k-1")
    assert stand_in.channel_key_fetches == 1
    clock.now += 2 * 3600
    await keys.key("k-1")
    assert stand_in.channel_key_fetches == 2


async def test_an_unknown_key_id_forces_one_reload_per_interval(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn, other_key: StandInKey) -> None:
    keys, clock = cache
    assert await keys.key("nope") is None          # the first load: no second try at once
    assert stand_in.channel_key_fetches == 1
    stand_in.publish(other_key)
    assert await keys.key("k-2") is not None       # a rotation: one forced reload finds it
    assert stand_in.channel_key_fetches == 2
    for _ in range(5):
        assert await keys.key("nope") is None      # within five minutes: no more reloads
    assert stand_in.channel_key_fetches == 2
    clock.now += 301
    assert await keys.key("nope") is None
    assert stand_in.channel_key_fetches == 3


async def test_callers_arriving_during_a_fetch_share_it(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn) -> None:
    keys, _ = cache
    stand_in.hold()
    waiting = [asyncio.create_task(keys.key("k-1")) for _ in range(8)]
    await asyncio.wait_for(stand_in.holding(), 5)
    stand_in.release()
    found = await asyncio.gather(*waiting)
    assert all(item is not None for item in found)
    assert stand_in.channel_key_fetches == 1


async def test_a_failed_fetch_raises_and_is_not_retried_at_once(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn) -> None:
    keys, clock = cache
    stand_in.key_failure = 500
    with pytest.raises(KeySourceUnavailable, match="HTTP 500"):
        await keys.key("k-1")
    with pytest.raises(KeySourceUnavailable):
        await keys.key("k-1")
    assert stand_in.channel_key_fetches == 1, "backing off"
    stand_in.key_failure = None
    clock.now += 11
    assert await keys.key("k-1") is not None
    assert stand_in.channel_key_fetches == 2


async def test_stale_keys_keep_working_while_the_server_is_down(
        cache: tuple[OpenIdKeys, Clock], stand_in: OpenIdStandIn) -> None:
    keys, clock = cache
    await keys.key("k-1")
    stand_in.key_failure = 503
    clock.now += 25 * 3600
    assert await keys.key("k-1") is not None
    clock.now += 400
    with pytest.raises(KeySourceUnavailable):
        await keys.key("rotated-while-down")    # cannot tell: 503 for the caller, not 401


async def test_a_slow_key_server_times_out(stand_in: OpenIdStandIn) -> None:
    keys = OpenIdKeys(stand_in.channel_metadata_url, timeout=0.2)
    stand_in.hold()
    started = time.monotonic()
    try:
        with pytest.raises(KeySourceUnavailable, match="no answer in time"):
            await keys.key("k-1")
    finally:
        stand_in.release()
        await keys.close()
    assert time.monotonic() - started < 2


async def _serve(metadata: dict[str, Any] | bytes) -> TestServer:
    async def answer(request: web.Request) -> web.Response:
        if isinstance(metadata, bytes):
            return web.Response(body=metadata, content_type="application/json")
        return web.json_response(metadata)

    app = web.Application()
    app.router.add_get("/meta", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.mark.parametrize(("metadata", "reason"), [
    ({"jwks_uri": "http://keys.example.com/keys"}, "must be an https URL"),
    ({"issuer": "x"}, "no jwks_uri"),
    (b"<html>not json</html>", "no JSON"),
    (b"{" + b" " * (1024 * 1024 + 10) + b"}", "more than"),
])
async def test_a_bad_metadata_document_is_refused_without_following_it(
        metadata: dict[str, Any] | bytes, reason: str) -> None:
    server = await _serve(metadata)
    keys = OpenIdKeys(str(server.make_url("/meta")))
    try:
        with pytest.raises(KeySourceUnavailable, match=reason):
            await keys.key("k-1")
    finally:
        await keys.close()
        await server.close()


def test_only_https_or_loopback_metadata_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="https"):
        OpenIdKeys("http://login.botframework.com/v1/.well-known/openidconfiguration")
    OpenIdKeys("https://login.botframework.com/v1/.well-known/openidconfiguration")
    OpenIdKeys("http://localhost:8080/.well-known/openid-configuration")


def test_unusable_entries_of_a_key_set_are_skipped(key: StandInKey) -> None:
    good = key.jwk()
    broken_modulus = dict(good, kid="broken", n="!!")
    entries = [
        good,
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "x", "y": "y"},
        dict(good, kid=""),
        dict(good, kid="encryption", use="enc"),
        dict(good, kid="odd-endorsements", endorsements="msteams"),
        broken_modulus,
        "not a key",
    ]
    assert set(parse_key_set({"keys": entries})) == {"k-1"}
    no_endorsements = {k: v for k, v in good.items() if k != "endorsements"}
    assert parse_key_set({"keys": [no_endorsements]})["k-1"].endorsements is None
    with pytest.raises(ValueError, match="keys"):
        parse_key_set({"items": []})
