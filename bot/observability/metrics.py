"""Prometheus metrics in the text exposition format (0.0.4), without a client library.

`Registry` holds counters (with labels), histograms (fixed buckets, cumulative `_bucket{le}`
samples plus `_sum` and `_count`) and collected metrics whose samples a callback computes at
scrape time, synchronously or asynchronously (outbox depth is a database query). A collector
that raises is logged and left out of that scrape; the rest of the page is still served.

`BotMetrics` is the bot's own set, exposed on `GET /metrics` (see `bot.web.app`):

- `portfoliobot_turns_total{type,outcome}` and the `portfoliobot_turn_seconds` histogram, fed
  by `bot.middleware.turn_log.TurnLog` (the activity type is one of the known Bot Framework types or
  `other`, so a client cannot grow the label set);
- `portfoliobot_answers_total{intent}` (the answer's class name, `ProjectStatus`, `NotFound`…)
  and `portfoliobot_unanswered_total` (NotFound and NotUnderstood), fed by the handler;
- `portfoliobot_sync_seconds` (the last successful sync's duration) and
  `portfoliobot_snapshot_age_seconds` (absent before the first sync);
- `portfoliobot_outbox_depth{status}` from `OutboxStore.counts()`, queried at scrape time;
- `portfoliobot_notifications_{delivered,retried,dead}_total` from the `DeliveryWorker`;
- `portfoliobot_sync_leader`: 1 while this replica is the sync leader (`bot.runtime.leader`), else 0.

No label ever carries message text, a user or a conversation.
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

log = logging.getLogger("portfoliobot.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TURN_BUCKETS = (.005, .01, .025, .05, .1, .25, .5, 1.0, 2.5, 5.0, 10.0)
UNANSWERED_ANSWERS = frozenset({"NotFound", "NotUnderstood"})
ACTIVITY_TYPES = frozenset({
    "message", "conversationUpdate", "invoke", "installationUpdate", "messageReaction",
    "messageUpdate", "messageDelete", "event", "typing", "endOfConversation", "contactRelationUpdate",
    "deleteUserData", "suggestion", "trace", "handoff", "command", "commandResult",
})

Labels = tuple[tuple[str, str], ...]
Sample = tuple[Mapping[str, str], float]
Collected = Iterable[Sample] | Awaitable[Iterable[Sample]]


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it: `+Inf`, `-Inf`, `NaN`, else Python's repr."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def escape_label_value(value: str) -> str:
    """Backslash, double quote and newline escaped, as the text format requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _label_text(labels: Iterable[tuple[str, str]]) -> str:
    pairs = [f'{name}="{escape_label_value(value)}"' for name, value in labels]
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _line(name: str, labels: Iterable[tuple[str, str]], value: float) -> str:
    return f"{name}{_label_text(labels)} {format_value(value)}"


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, label_names: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(label_names)
        self._lock = threading.Lock()

    def _key(self, labels: Mapping[str, str]) -> Labels:
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, not {tuple(labels)}")
        return tuple((name, str(labels[name])) for name in self.label_names)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    async def lines(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, label_names: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, label_names)
        self._values: dict[Labels, float] = {}
        if not self.label_names:
            self._values[()] = 0.0

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    async def lines(self) -> list[str]:
        with self._lock:
            values = sorted(self._values.items())
        return [_line(self.name, key, value) for key, value in values]


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, name: str, help_text: str, label_names: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, label_names)
        self._values: dict[Labels, float] = {}

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = value

    async def lines(self) -> list[str]:
        with self._lock:
            values = sorted(self._values.items())
        return [_line(self.name, key, value) for key, value in values]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: Sequence[float],
                 label_names: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, label_names)
        bounds = sorted(float(b) for b in buckets if not math.isinf(b))
        if not bounds or len(set(bounds)) != len(bounds):
            raise ValueError("a histogram needs distinct finite bucket bounds")
        self.buckets = (*bounds, math.inf)
        # per label set: count in each bucket (not cumulative), sum, count
        self._series: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            counts, total = self._series.setdefault(key, ([0] * len(self.buckets), [0.0]))
            for position, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[position] += 1
                    break
            total[0] += value

    async def lines(self) -> list[str]:
        with self._lock:
            series = sorted((key, (list(c), s[0])) for key, (c, s) in self._series.items())
        out: list[str] = []
        for key, (counts, total) in series:
            running = 0
            for bound, count in zip(self.buckets, counts, strict=True):
                running += count
                out.append(_line(f"{self.name}_bucket", (*key, ("le", format_le(bound))),
                                 running))
            out.append(_line(f"{self.name}_sum", key, total))
            out.append(_line(f"{self.name}_count", key, running))
        return out


def format_le(bound: float) -> str:
    """A bucket bound as the `le` label: `0.005`, `1.0`, `+Inf` (like the official clients)."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


class CollectedMetric(_Metric):
    """A counter or gauge whose samples `collect` computes at scrape time (sync or async)."""

    def __init__(self, name: str, help_text: str, kind: str,
                 collect: Callable[[], Collected]) -> None:
        super().__init__(name, help_text)
        if kind not in ("counter", "gauge"):
            raise ValueError(f"kind must be counter or gauge, not {kind!r}")
        self.kind = kind
        self.collect = collect

    async def lines(self) -> list[str]:
        found = self.collect()
        if inspect.isawaitable(found):
            found = await found
        return [_line(self.name, sorted(labels.items()), value) for labels, value in found]


M = TypeVar("M", bound=_Metric)


class Registry:
    """Metrics by name, rendered in registration order."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def _add(self, metric: M) -> M:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} is already registered")
        self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        return self._add(Counter(name, help_text, labels))

    def gauge(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Gauge:
        return self._add(Gauge(name, help_text, labels))

    def histogram(self, name: str, help_text: str, buckets: Sequence[float],
                  labels: Sequence[str] = ()) -> Histogram:
        return self._add(Histogram(name, help_text, buckets, labels))

    def collected(self, name: str, help_text: str, collect: Callable[[], Collected],
                  kind: str = "gauge") -> CollectedMetric:
        """A metric computed at scrape time: `collect()` returns (or awaits to)
        `(labels, value)` pairs."""
        return self._add(CollectedMetric(name, help_text, kind, collect))

    async def render(self) -> str:
        """The exposition text of every metric; a collector that fails is left out."""
        out: list[str] = []
        for metric in self._metrics.values():
            try:
                lines = await metric.lines()
            except Exception:
                log.exception("metric %s could not be collected", metric.name)
                continue
            out.extend(metric.header())
            out.extend(lines)
        return "\n".join(out) + "\n"


class _Syncer(Protocol):
    def age_seconds(self) -> float | None: ...


class _Outbox(Protocol):
    async def counts(self) -> dict[str, int]: ...


class _Worker(Protocol):
    delivered: int
    retried: int
    dead: int


class _Leader(Protocol):
    @property
    def is_leader(self) -> bool: ...


class BotMetrics:
    """The bot's metrics (see the module docstring). Sources are bound once they exist."""

    def __init__(self) -> None:
        self.registry = Registry()
        r = self.registry
        self.turns = r.counter("portfoliobot_turns_total", "Turns handled, by activity type "
                               "and outcome (ok or error).", ("type", "outcome"))
        self.turn_seconds = r.histogram("portfoliobot_turn_seconds", "Time to handle a turn, "
                                        "in seconds.", TURN_BUCKETS)
        self.answers = r.counter("portfoliobot_answers_total", "Answers sent, by answer class.",
                                 ("intent",))
        self.unanswered = r.counter("portfoliobot_unanswered_total",
                                    "Questions answered with NotFound or NotUnderstood.")
        self.sync_seconds = r.gauge("portfoliobot_sync_seconds",
                                    "Duration of the last successful portfolio sync, in seconds.")
        self.foreign_tenant = r.counter(
            "portfoliobot_foreign_tenant_activities_total",
            "Activities ignored because their tenant is not in ALLOWED_TENANT_IDS.")
        self._syncer: _Syncer | None = None
        self._outbox: _Outbox | None = None
        self._worker: _Worker | None = None
        self._leader: _Leader | None = None
        r.collected("portfoliobot_snapshot_age_seconds", "Seconds since the last successful "
                    "portfolio sync.", self._snapshot_age)
        r.collected("portfoliobot_outbox_depth", "Notification outbox rows by status (failed: "
                    "queued rows waiting for a retry).", self._outbox_depth)
        for what, help_text in (("delivered", "Notifications delivered by this process."),
                                ("retried", "Notification deliveries scheduled for a retry."),
                                ("dead", "Notifications given up on.")):
            r.collected(f"portfoliobot_notifications_{what}_total", help_text,
                        self._worker_counter(what), kind="counter")
        r.collected("portfoliobot_sync_leader", "1 while this replica is the sync leader "
                    "(publishes changes, runs the schedules), else 0.", self._sync_leader)

    def bind(self, syncer: _Syncer | None = None, outbox: _Outbox | None = None,
             worker: _Worker | None = None, leader: _Leader | None = None) -> None:
        """Use these sources for the scrape-time metrics (None keeps the current one)."""
        self._syncer = syncer or self._syncer
        self._outbox = outbox or self._outbox
        self._worker = worker or self._worker
        self._leader = leader or self._leader

    def observe_turn(self, activity_type: str | None, outcome: str, seconds: float) -> None:
        kind = activity_type if activity_type in ACTIVITY_TYPES else "other"
        assert kind is not None
        self.turns.inc(type=kind, outcome=outcome)
        self.turn_seconds.observe(seconds)

    def count_answer(self, intent: str) -> None:
        self.answers.inc(intent=intent)
        if intent in UNANSWERED_ANSWERS:
            self.unanswered.inc()

    def observe_sync(self, seconds: float) -> None:
        self.sync_seconds.set(seconds)

    def _snapshot_age(self) -> list[Sample]:
        age = self._syncer.age_seconds() if self._syncer is not None else None
        return [] if age is None else [({}, age)]

    async def _outbox_depth(self) -> list[Sample]:
        if self._outbox is None:
            return []
        return [({"status": status}, number)
                for status, number in (await self._outbox.counts()).items()]

    def _sync_leader(self) -> list[Sample]:
        return [] if self._leader is None else [({}, 1.0 if self._leader.is_leader else 0.0)]

    def _worker_counter(self, what: str) -> Callable[[], list[Sample]]:
        def collect() -> list[Sample]:
            return [] if self._worker is None else [({}, getattr(self._worker, what))]
        return collect

    async def render(self) -> str:
        return await self.registry.render()
