"""The HTTP side of outbound calls: one shared aiohttp session and the retry loop.

`OutboundTransport` sends one request to the Bot Framework connector service and retries it
on 412/429/502/503/504, connection errors and timeouts as `bot.connector.retry_policy` says, inside a
deadline per send and a budget per inbound turn (`turn_budget()`, a context variable that all
sends of the turn read). When the budget runs out it raises `OutboundDeliveryError`; any other
answer comes back as an `OutboundAnswer`. The session is created lazily in the running loop
and closed by `close()`. `bot.connector.outbound` plugs this into botbuilder's ConnectorClient.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from msrest.exceptions import ClientRequestError
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.connector.retry_policy import RetryPolicy, next_delay, parse_retry_after

log = logging.getLogger("portfoliobot.outbound")

#: Loop time by which the current inbound turn's sends must be over (None outside a turn).
_turn_end: ContextVar[float | None] = ContextVar("portfoliobot_outbound_turn_end", default=None)


async def _attempt(session: aiohttp.ClientSession, method: str, url: str,
                   headers: Mapping[str, str], body: bytes | None, proxy: URL | None,
                   auth: aiohttp.BasicAuth | None,
                   seconds: float) -> tuple[aiohttp.ClientResponse, bytes]:
    """One request and its whole answer, within `seconds`."""
    async with session.request(method, url, headers=dict(headers), data=body,
                               allow_redirects=False, proxy=proxy, proxy_auth=auth,
                               timeout=aiohttp.ClientTimeout(total=seconds)) as reply:
        return reply, await reply.read()


def _raise_if_cancelled(failure: BaseException) -> None:
    """Re-raise as CancelledError a failed attempt whose sender is being cancelled.

    When an attempt's timeout and a cancellation from outside (the turn ending, shut-down)
    land together, aiohttp reports the attempt as timed out and takes the cancellation back
    as its own; taken for an ordinary failure, the cancellation would be lost and whoever
    awaits the sender (the typing indicator's turn, a stopping notifier) would wait for
    ever. The sender's own count of cancellations still says so.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from failure


class OutboundDeliveryError(ClientRequestError):
    """A call to the connector service that still failed when its retry budget ran out.

    `status` is the last attempt's HTTP status (None: no answer) and `retry_after` the seconds
    its `Retry-After` header asked for (None: no header, or no answer).
    """

    def __init__(self, method: str, url: str, attempts: int, elapsed: float,
                 status: int | None, detail: str,
                 cause: BaseException | None = None, *, retry_after: float | None = None) -> None:
        self.method = method
        self.url = url
        self.attempts = attempts
        self.elapsed = elapsed
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"{method} {url} not delivered: gave up after {attempts} attempt(s) "
                         f"in {elapsed:.1f} s; last: {detail}", cause)


@dataclass(frozen=True)
class OutboundAnswer:
    """The connector's final HTTP answer, shaped like a `requests.Response` where it counts.

    It is what `ErrorResponseException.response` holds when an answer is an error, so callers
    that check `error.response.status_code` keep working.
    """

    url: str
    status_code: int
    reason: str
    headers: CIMultiDictProxy[str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8-sig", errors="replace")


class OutboundTransport:
    """One aiohttp session for every call to the connector service, with the retry loop."""

    def __init__(self, policy: RetryPolicy | None = None, *, connection_limit: int = 100,
                 keepalive_timeout: float = 30.0) -> None:
        self.policy = policy or RetryPolicy()
        self._connection_limit = connection_limit
        self._keepalive_timeout = keepalive_timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._proxies: dict[str, tuple[URL, aiohttp.BasicAuth | None] | None] = {}

    def _proxy_for(self, url: str) -> tuple[URL, aiohttp.BasicAuth | None] | None:
        """The proxy HTTP(S)_PROXY/NO_PROXY give for `url`'s origin, like requests honoured."""
        target = URL(url)
        origin = f"{target.scheme}://{target.host}:{target.port}"
        if origin not in self._proxies:
            try:
                self._proxies[origin] = get_env_proxy_for_url(target)
            except LookupError:
                self._proxies[origin] = None
        return self._proxies[origin]

    @property
    def closed(self) -> bool:
        return self._closed

    def session(self) -> aiohttp.ClientSession:
        """The shared session, created on first use inside the running event loop."""
        if self._closed:
            raise RuntimeError("the outbound transport is closed")
        loop = asyncio.get_running_loop()
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._connection_limit,
                                             keepalive_timeout=self._keepalive_timeout,
                                             ttl_dns_cache=300)
            # trust_env=False: aiohttp would look the proxy and ~/.netrc up in a worker thread
            # on every request; `_proxy_for` reads the proxy variables once per origin instead.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("the outbound transport belongs to another event loop")
        return self._session

    async def close(self) -> None:
        """Close the shared session and its connections; later sends raise RuntimeError."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def send_deadline(self) -> float:
        """Loop time by which a send starting now must be over (its own and its turn's limit)."""
        now = asyncio.get_running_loop().time()
        end = now + self.policy.deadline
        turn_end = _turn_end.get()
        return end if turn_end is None else min(end, turn_end)

    @contextlib.contextmanager
    def turn_budget(self) -> Iterator[None]:
        """Within this block (one inbound turn) sends share `policy.turn_deadline`."""
        seconds = self.policy.turn_deadline
        end = None if seconds is None else asyncio.get_running_loop().time() + seconds
        token = _turn_end.set(end)
        try:
            yield
        finally:
            _turn_end.reset(token)

    @contextlib.contextmanager
    def no_turn_budget(self) -> Iterator[None]:
        """Within this block (proactive work) only the per-send deadline applies."""
        token = _turn_end.set(None)
        try:
            yield
        finally:
            _turn_end.reset(token)

    async def send(self, method: str, url: str, headers: Mapping[str, str],
                   body: bytes | None, *, end: float | None = None) -> OutboundAnswer:
        """Send until an answer that is not retryable comes, or raise OutboundDeliveryError.

        `end` is the loop time the whole send must be over by (default `send_deadline()`).
        """
        session = self.session()
        policy = self.policy
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = self.send_deadline() if end is None else end
        proxy, auth = self._proxy_for(url) or (None, None)
        attempt = 0
        while True:
            attempt += 1
            left = end - loop.time()
            timeout = min(policy.attempt_timeout, max(left, policy.min_attempt_timeout))
            retry_after: float | None = None
            status: int | None = None
            failure: BaseException | None = None
            try:
                # The attempt runs as a task of its own: aiohttp takes back the cancellations
                # it counts as its timeout's, and in a task of its own it cannot take this
                # task's (`_raise_if_cancelled`).
                reply, content = await asyncio.ensure_future(_attempt(
                    session, method, url, headers, body, proxy, auth, timeout))
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as error:
                _raise_if_cancelled(error)
                failure, detail = error, f"{type(error).__name__}: {error}"
            except TimeoutError as error:
                _raise_if_cancelled(error)
                failure, detail = error, f"no answer within {timeout:.2f} s"
            else:
                answer = OutboundAnswer(url=url, status_code=reply.status,
                                        reason=reply.reason or "",
                                        headers=CIMultiDictProxy(CIMultiDict(reply.headers)),
                                        content=content)
                if reply.status not in policy.retry_statuses:
                    return answer
                status = reply.status
                header = reply.headers.get("Retry-After")
                retry_after = parse_retry_after(header)
                detail = f"HTTP {reply.status} {answer.reason}".rstrip()
                if header is not None:
                    detail += f" (Retry-After: {header})"
            delay = next_delay(policy, attempt, end - loop.time(), retry_after)
            if delay is None:
                gave_up = OutboundDeliveryError(method, url, attempt, loop.time() - start,
                                                status, detail, failure, retry_after=retry_after)
                log.warning("%s", gave_up)  # the caller gets the exception and logs it too
                raise gave_up from failure
            log.warning("%s %s attempt %d failed (%s); retrying in %.2f s", method, url, attempt,
                        detail, delay)
            await asyncio.sleep(delay)
