"""When to retry a call to the Bot Framework connector, and how long to wait: pure, no I/O.

`RetryPolicy` holds the numbers; `parse_retry_after` reads a `Retry-After` header (delay in
seconds or an HTTP date); `next_delay` decides, after a failed attempt, how long to wait
before the next one or that it is time to give up. `bot.connector.outbound_transport` loops on it.

Rules: a `Retry-After` the server sends is honoured exactly when the wait plus a minimal next
attempt fits in what is left of the budget; otherwise (no header, or one too long for the
budget) the wait is exponential backoff with full jitter, `uniform(0, min(max_backoff,
base_backoff * 2 ** (attempt - 1)))`, cut to what is left. No wait that would leave less
than `min_attempt_timeout` for the next attempt is ever started, and there are at most
`max_attempts` attempts, so every send ends inside its deadline.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: 412 Precondition Failed, 429 Too Many Requests, 502 Bad Gateway, 503 Service Unavailable,
#: 504 Gateway Timeout: the answers the connector service gives when trying again later works.
RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})

_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # RFC 9110: 1*DIGIT; a fraction is tolerated


@dataclass(frozen=True)
class RetryPolicy:
    """The numbers behind outbound retries; the defaults keep a send inside Teams' 15 s window.

    deadline: seconds one send may take in all, every attempt and every wait included.
    turn_deadline: seconds from the start of an inbound turn within which all of that turn's
        sends must end (they share it); None for no turn budget. A send always gets its first
        attempt, even when the turn's budget is spent, but then no retry.
    attempt_timeout: the longest one attempt (connect, send, read the answer) may take.
    min_attempt_timeout: no retry is started with less than this left of the budget; also the
        shortest first attempt.
    base_backoff, max_backoff: exponential backoff (full jitter) when there is no usable
        Retry-After: attempt n waits uniform(0, min(max_backoff, base_backoff * 2**(n-1))).
    max_attempts: attempts in all, the first included.
    retry_statuses: HTTP answers that are retried; every other answer is final.
    """

    deadline: float = 12.0
    turn_deadline: float | None = 12.0
    attempt_timeout: float = 5.0
    min_attempt_timeout: float = 1.0
    base_backoff: float = 0.5
    max_backoff: float = 4.0
    max_attempts: int = 6
    retry_statuses: frozenset[int] = field(default=RETRYABLE_STATUSES)

    def __post_init__(self) -> None:
        numbers = {"deadline": self.deadline, "attempt_timeout": self.attempt_timeout,
                   "min_attempt_timeout": self.min_attempt_timeout,
                   "base_backoff": self.base_backoff, "max_backoff": self.max_backoff}
        if self.turn_deadline is not None:
            numbers["turn_deadline"] = self.turn_deadline
        for name, value in numbers.items():
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a finite number >= 0, not {value!r}")
        if self.deadline <= 0 or self.attempt_timeout <= 0 or self.min_attempt_timeout <= 0:
            raise ValueError("RetryPolicy deadline and attempt timeouts must be > 0")
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be >= 1, not {self.max_attempts}")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a `Retry-After` header value, or None if it has none.

    Accepts delay-seconds (`"3"`; a decimal like `"1.5"` is tolerated) and an HTTP date
    (`"Wed, 21 Oct 2015 07:28:00 GMT"`, also the obsolete RFC 850 and asctime forms, compared
    with `now`, default the current UTC time; a date in the past means 0). Anything else is
    ignored (None).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; parsedate gives naive for "-0000"
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    return max(0.0, (when - reference).total_seconds())


def backoff_ceiling(policy: RetryPolicy, attempt: int) -> float:
    """The upper bound of the jittered wait after failed attempt number `attempt` (1-based)."""
    exponent = min(max(attempt - 1, 0), 62)  # 2**62 is plenty; avoids float overflow
    return min(policy.max_backoff, policy.base_backoff * 2.0 ** exponent)


def next_delay(policy: RetryPolicy, attempt: int, remaining: float,
               retry_after: float | None = None, rng: random.Random | None = None) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None to give up now.

    `attempt` is the number of attempts made so far (1 after the first), `remaining` the
    seconds left of the budget, `retry_after` the server's parsed `Retry-After` if any.
    """
    if attempt >= policy.max_attempts:
        return None
    room = remaining - policy.min_attempt_timeout
    if room < 0:
        return None
    if retry_after is not None and retry_after <= room:
        return retry_after
    ceiling = min(backoff_ceiling(policy, attempt), room)
    return (rng or _random).uniform(0.0, ceiling)


_random = random.Random()
