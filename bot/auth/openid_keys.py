"""The signing keys behind an OpenID metadata document, fetched without blocking the loop.

`OpenIdKeys(metadata_url)` reads the metadata document (its `jwks_uri`), then the key set,
with one aiohttp session, and caches the RSA keys by key id, each with its Bot Framework
`endorsements` (the channels the key may sign for). `await keys.key(kid)` answers from the
cache; the cache is reloaded when it is older than `max_age` (a day, like botbuilder), and
once more when a key id is unknown (a rotation), but such forced reloads happen at most once
per `min_refresh_interval`, so tokens with made-up key ids cannot make the bot hammer the
metadata endpoint. One fetch runs at a time; callers that arrive meanwhile share its result.

When the keys cannot be had (the endpoint is down, slow past `timeout`, or answers
nonsense) and none are cached, `KeySourceUnavailable` is raised; a failed fetch is not
retried for `failure_backoff` seconds. Stale keys keep working while a reload fails.
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
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from bot.auth.cloud_endpoints import url_problem

log = logging.getLogger("portfoliobot.auth")

MAX_DOCUMENT_BYTES = 1024 * 1024


class KeySourceUnavailable(Exception):
    """The signing keys could not be fetched; a token cannot be checked right now."""


@dataclass(frozen=True)
class SigningKey:
    """One published public key; `endorsements` is None when the key lists none."""

    kid: str
    public_key: Any
    endorsements: frozenset[str] | None

    def endorses(self, channel_id: str) -> bool:
        return self.endorsements is not None and channel_id in self.endorsements


def parse_key_set(document: Any) -> dict[str, SigningKey]:
    """The usable RSA signing keys of a JWKS document, by key id; others are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the key set has no 'keys' list")
    keys: dict[str, SigningKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        endorsements = entry.get("endorsements")
        if endorsements is not None and not (isinstance(endorsements, list) and all(
                isinstance(item, str) for item in endorsements)):
            log.warning("signing key %s has malformed endorsements; skipped", kid)
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (InvalidKeyError, ValueError, TypeError, KeyError) as error:
            log.warning("signing key %s cannot be read (%s); skipped", kid, error)
            continue
        keys[kid] = SigningKey(kid, public_key,
                               None if endorsements is None else frozenset(endorsements))
    return keys


class OpenIdKeys:
    """A cache of the signing keys an OpenID metadata document points to."""

    def __init__(self, metadata_url: str, *, max_age: float = 24 * 3600.0,
                 min_refresh_interval: float = 300.0, failure_backoff: float = 10.0,
                 timeout: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        problem = url_problem(metadata_url)
        if problem is not None:
            raise ValueError(f"OpenID metadata URL {metadata_url!r} {problem}")
        self.metadata_url = metadata_url
        self._max_age = max_age
        self._min_refresh_interval = min_refresh_interval
        self._failure_backoff = failure_backoff
        self._timeout = timeout
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._loaded_at: float | None = None
        self._forced_at: float | None = None
        self._failed_at: float | None = None
        self._last_error = ""
        self._fetches = 0   # fetches ended, successful or not
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    async def key(self, kid: str) -> SigningKey | None:
        """The key with id `kid`, or None when the publisher does not list it.

        Raises KeySourceUnavailable when the keys cannot be fetched and none are cached (or
        `kid` is unknown and the reload that might have found it failed).
        """
        now = self._clock()
        loaded = self._loaded_at
        if loaded is None or now - loaded > self._max_age:
            await self._reload(tolerate_failure=bool(self._keys))
        found = self._keys.get(kid)
        if found is not None or self._loaded_at != loaded:   # just fetched: no second try
            return found
        if self._forced_at is not None and now - self._forced_at < self._min_refresh_interval:
            return None
        previous, self._forced_at = self._forced_at, now
        log.info("unknown signing key id %r: reloading %s", kid, self.metadata_url)
        try:
            await self._reload(tolerate_failure=False)
        except KeySourceUnavailable:
            self._forced_at = previous   # the failure backoff limits retries instead
            raise
        return self._keys.get(kid)

    async def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _reload(self, *, tolerate_failure: bool) -> None:
        """Fetch the keys once, shared by every caller waiting meanwhile."""
        seen = self._fetches
        async with self._lock:
            if self._fetches == seen:   # no fetch ended while this caller waited
                in_backoff = self._failed_at is not None and \
                    self._clock() - self._failed_at < self._failure_backoff
                if not in_backoff:
                    await self._fetch_and_store()   # cancelled: the next waiter fetches
                    self._fetches += 1
        if self._failed_at is not None and self._failed_at >= (self._loaded_at or -1.0):
            if tolerate_failure:
                log.debug("keeping stale signing keys: %s", self._last_error)
                return
            raise KeySourceUnavailable(self._last_error)

    async def _fetch_and_store(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                keys = await self._fetch()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            self._failed_at = self._clock()
            detail = "no answer in time" if isinstance(error, TimeoutError) else str(error)
            self._last_error = f"{self.metadata_url}: {type(error).__name__}: {detail}"
            log.warning("signing keys could not be fetched: %s", self._last_error)
            return
        self._keys, self._loaded_at, self._failed_at = keys, self._clock(), None
        log.info("loaded %d signing key(s) from %s", len(keys), self.metadata_url)

    async def _fetch(self) -> dict[str, SigningKey]:
        metadata = await self._get_json(self.metadata_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str):
            raise ValueError("the metadata document has no jwks_uri")
        problem = url_problem(jwks_uri)
        if problem is not None:
            raise ValueError(f"jwks_uri {jwks_uri!r} {problem}")
        return parse_key_set(await self._get_json(jwks_uri))

    async def _get_json(self, url: str) -> Any:
        async with self._client().get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise ValueError(f"GET {url} answered HTTP {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ValueError(f"GET {url} answered more than {MAX_DOCUMENT_BYTES} bytes")
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"GET {url} answered no JSON") from error

    def _client(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the key cache is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                                  trust_env=True)
        return self._session
