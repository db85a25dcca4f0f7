"""Sliding-window rate limits for proactive messages, within Microsoft Teams' limits.

Teams throttles a bot per conversation at 7 messages per second, 8 per 2 s, 60 per 30 s and
1,800 per hour, and all of a bot's conversations together at 50 per second
(learn.microsoft.com, "Optimize your bot with rate limiting and best practices").
`RateLimiter.acquire(conversation_id)` waits the shortest time after which one more message
fits every window of that conversation and the global one, then counts it.

Each window is exact (a log of send times, not a token bucket): a send is in a window of
`span` seconds while `sent_at > now - span`. Memory is bounded: a conversation's log is cut to
its longest window, and conversations idle for longer than that are forgotten. The clock and
the sleep are injectable, so tests run on a fake clock. `margin` widens every window by that
many seconds: a send counted here reaches Teams a little later, by a latency that varies, and
the margin keeps two sends that left a window apart from arriving inside one.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

#: (messages, seconds): Teams' per-bot, per-conversation limits.
CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0),
                                                      (1800, 3600.0))
#: (messages, seconds): all conversations together.
GLOBAL_LIMITS: tuple[tuple[int, float], ...] = ((50, 1.0),)
SWEEP_EVERY = 60.0  # seconds between sweeps for idle conversations


@dataclass(frozen=True)
class Window:
    limit: int
    span: float


class SlidingLog:
    """The send times one set of windows needs; `wait` and `add` are O(log n)."""

    def __init__(self, windows: Sequence[Window]) -> None:
        self.windows = tuple(windows)
        self.longest = max(w.span for w in self.windows)
        self.capacity = max(w.limit for w in self.windows)
        self.times: deque[float] = deque()

    def prune(self, now: float) -> None:
        times = self.times
        while times and (times[0] <= now - self.longest or len(times) > self.capacity):
            times.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits every window (0 when it fits now)."""
        self.prune(now)
        times = self.times
        longest_wait = 0.0
        for window in self.windows:
            inside = len(times) - bisect_right(times, now - window.span)
            if inside >= window.limit:
                # the send `limit` places back must leave the window first
                longest_wait = max(longest_wait, times[-window.limit] + window.span - now)
        return longest_wait

    def add(self, now: float) -> None:
        self.times.append(now)

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] <= now - self.longest


class RateLimiter:
    """Per-conversation and global sliding windows; `acquire` waits until a send may go."""

    def __init__(self, *,
                 conversation_limits: Sequence[tuple[int, float]] = CONVERSATION_LIMITS,
                 global_limits: Sequence[tuple[int, float]] = GLOBAL_LIMITS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 margin: float = 0.0) -> None:
        self._conversation_windows = tuple(Window(n, s + margin) for n, s in conversation_limits)
        self._global = SlidingLog([Window(n, s + margin) for n, s in global_limits])
        self._conversations: dict[str, SlidingLog] = {}
        self._clock = clock
        self._sleep = sleep
        self._last_sweep = clock()

    @property
    def tracked(self) -> int:
        """How many conversations the limiter currently remembers."""
        return len(self._conversations)

    def delay(self, conversation_id: str) -> float:
        """Seconds `acquire(conversation_id)` would wait now."""
        now = self._clock()
        log = self._conversations.get(conversation_id)
        own = log.wait(now) if log is not None else 0.0
        return max(own, self._global.wait(now))

    def record(self, conversation_id: str, seconds_ago: float) -> None:
        """Count a send made `seconds_ago` seconds ago: how a worker that takes over learns
        what the previous one sent."""
        at = self._clock() - max(seconds_ago, 0.0)
        log = self._conversations.get(conversation_id)
        if log is None:
            log = self._conversations[conversation_id] = SlidingLog(self._conversation_windows)
        for sent in (log, self._global):
            if not sent.times or sent.times[-1] <= at:
                sent.add(at)
            else:
                sent.times.insert(bisect_right(sent.times, at), at)

    def try_acquire(self, conversation_id: str) -> float:
        """Count one more message to `conversation_id` if it fits now and return 0; else count
        nothing and return the seconds to wait before asking again."""
        now = self._clock()
        self._sweep(now)
        log = self._conversations.get(conversation_id)
        if log is None:
            log = self._conversations[conversation_id] = SlidingLog(self._conversation_windows)
        wait = max(log.wait(now), self._global.wait(now))
        if wait <= 0:
            log.add(now)
            self._global.add(now)
            return 0.0
        return wait

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    async def acquire(self, conversation_id: str) -> float:
        """Wait until one more message to `conversation_id` fits; count it. Returns the wait."""
        waited = 0.0
        while True:
            now = self._clock()
            self._sweep(now)
            log = self._conversations.get(conversation_id)
            if log is None:
                log = self._conversations[conversation_id] = SlidingLog(
                    self._conversation_windows)
            wait = max(log.wait(now), self._global.wait(now))
            if wait <= 0:
                log.add(now)
                self._global.add(now)
                return waited
            waited += wait
            await self._sleep(wait)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < SWEEP_EVERY:
            return
        self._last_sweep = now
        for conversation_id in [c for c, log in self._conversations.items() if log.idle(now)]:
            del self._conversations[conversation_id]
