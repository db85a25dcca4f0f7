"""The sliding-window rate limiter on a fake clock: Teams' per-conversation and global limits."""

from __future__ import annotations

from bot.notifications.rate_limit import SWEEP_EVERY, RateLimiter


class FakeTime:
    """A clock that only moves when the limiter sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(fake: FakeTime) -> RateLimiter:
    return RateLimiter(clock=fake, sleep=fake.sleep)


def in_window(times: list[float], end: float, span: float) -> int:
    return sum(1 for t in times if end - span < t <= end)


async def test_seven_per_second_then_eight_per_two_seconds() -> None:
    fake = FakeTime()
    limit = limiter(fake)
    sent: list[float] = []
    for _ in range(20):
        await limit.acquire("a:1")
        sent.append(fake.now)
    assert sent[:7] == [1000.0] * 7  # seven at once
    assert sent[7] == 1001.0  # the eighth waits for the first second to pass
    for moment in sent:
        assert in_window(sent, moment, 1.0) <= 7
        assert in_window(sent, moment, 2.0) <= 8
    # 8 per 2 s is the binding limit in the long run: 20 messages take at least 4 s
    assert sent[-1] - sent[0] >= 4.0


async def test_sixty_per_thirty_seconds() -> None:
    fake = FakeTime()
    limit = limiter(fake)
    sent: list[float] = []
    for _ in range(70):
        await limit.acquire("a:1")
        sent.append(fake.now)
    for moment in sent:
        assert in_window(sent, moment, 30.0) <= 60
    assert sent[60] >= sent[0] + 30.0


async def test_conversations_are_limited_separately_and_globally_at_fifty_per_second() -> None:
    fake = FakeTime()
    limit = limiter(fake)
    sent: list[float] = []
    for index in range(150):
        await limit.acquire(f"a:{index}")  # 150 conversations, one message each
        sent.append(fake.now)
    assert sent[:50] == [1000.0] * 50
    assert sent[50] == 1001.0 and sent[100] == 1002.0 and sent[-1] == 1002.0
    for moment in sent:
        assert in_window(sent, moment, 1.0) <= 50
    assert limit.delay("a:new") > 0 and limit.delay("a:0") > 0


async def test_idle_conversations_are_forgotten() -> None:
    fake = FakeTime()
    limit = limiter(fake)
    for index in range(30):
        await limit.acquire(f"a:{index}")
    assert limit.tracked == 30
    fake.now += 3600 + SWEEP_EVERY + 1
    await limit.acquire("a:late")
    assert limit.tracked == 1
