"""The bot's Prometheus metrics, kept and written by `prometheus_client`.

`BotMetrics` owns one `CollectorRegistry` per application (never the library's global one: a
process may run several apps, the tests do). `render()` is the text exposition (0.0.4) served
on `GET /metrics` (see `bot.web.probes`):

- `portfoliobot_turns_total{type,outcome}` and the `portfoliobot_turn_seconds` histogram, fed
  by `bot.middleware.turn_log.TurnLog` (the activity type is one of the known Bot Framework
  types or `other`, so a client cannot grow the label set);
- `portfoliobot_answers_total{intent}` (the answer's class name, `ProjectStatus`, `NotFound`…)
  and `portfoliobot_unanswered_total` (NotFound and NotUnderstood), fed by the handler through
  `bot.observability.answer_recorder.AnswerRecorder`;
- `portfoliobot_sync_seconds` (the last successful sync's duration) and
  `portfoliobot_snapshot_age_seconds` (both absent before the first sync);
- `portfoliobot_foreign_tenant_activities_total`, fed by `bot.web.messages`;
- `portfoliobot_outbox_depth{status}` from `OutboxStore.counts()`, queried at scrape time;
- `portfoliobot_notifications_{delivered,retried,dead,withdrawn,refused_tenant}_total` from
  the `DeliveryWorker`;
- `portfoliobot_sync_leader`: 1 while this replica is the sync leader (`bot.runtime.leader`),
  else 0;
- `portfoliobot_sync_failing`: 1 while the last sync failed, else 0 (`/readyz` says only
  whether a snapshot is loaded and its age; the reason is in the log);
- `portfoliobot_retention_purged_rows_total{table}` (rows deleted by this replica's
  retention runs, by bot database table) and `portfoliobot_retention_last_run_timestamp_seconds`
  (when its last run finished, Unix time; absent on a replica that has not run one: only the
  sync leader does), fed by `bot.storage.retention.RetentionRun`.

The outbox depth, the worker's counters, the leader and the sync state are read from their
sources at scrape time by `_BoundSources`, a collector in the same registry. Collection is
synchronous in `prometheus_client`, so `render()` first awaits the outbox query and the
collector writes what it found. A source that fails is logged and its metric left out of that
scrape; the rest of the page is still served.

No label ever carries message text, a user or a conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from knowledge.answers.answers import Answer, NotFound, NotUnderstood

log = logging.getLogger("portfoliobot.metrics")

# The 0.0.4 text format has no place for creation times; the bot has never written them.
disable_created_metrics()  # type: ignore[no-untyped-call]

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
TURN_BUCKETS = (.005, .01, .025, .05, .1, .25, .5, 1.0, 2.5, 5.0, 10.0)
UNANSWERED_ANSWERS: tuple[type[Answer], ...] = (NotFound, NotUnderstood)
ACTIVITY_TYPES = frozenset({
    "message", "conversationUpdate", "invoke", "installationUpdate", "messageReaction",
    "messageUpdate", "messageDelete", "event", "typing", "endOfConversation", "contactRelationUpdate",
    "deleteUserData", "suggestion", "trace", "handoff", "command", "commandResult",
})
WORKER_COUNTERS = (("delivered", "Notifications delivered by this process."),
                   ("retried", "Notification deliveries scheduled for a retry."),
                   ("dead", "Notifications given up on."),
                   ("withdrawn", "Notifications withdrawn before they were sent (the report "
                    "was undone, the conversation unsubscribed)."),
                   ("refused_tenant", "Notifications not delivered because the conversation's "
                    "tenant is not in ALLOWED_TENANT_IDS."))


class _Syncer(Protocol):
    def age_seconds(self) -> float | None: ...

    @property
    def last_error(self) -> str | None: ...


class _Outbox(Protocol):
    async def counts(self) -> dict[str, int]: ...


class _Worker(Protocol):
    delivered: int
    retried: int
    dead: int
    withdrawn: int
    refused_tenant: int


class _Leader(Protocol):
    @property
    def is_leader(self) -> bool: ...


class _BoundSources(Collector):
    """The metrics read from other objects when Prometheus scrapes (see the module docstring)."""

    def __init__(self) -> None:
        self.syncer: _Syncer | None = None
        self.outbox: _Outbox | None = None
        self.worker: _Worker | None = None
        self.leader: _Leader | None = None
        self.last_sync_seconds: float | None = None
        self.last_retention_run: float | None = None
        self._outbox_counts: dict[str, int] | None = {}

    async def refresh(self) -> None:
        """Query the outbox for the next `collect()`; a failure leaves its metric out."""
        try:
            self._outbox_counts = {} if self.outbox is None else await self.outbox.counts()
        except Exception:
            log.exception("metric portfoliobot_outbox_depth could not be collected")
            self._outbox_counts = None

    def collect(self) -> Iterator[Metric]:
        families: list[tuple[str, Callable[[], Metric | None]]] = [
            ("portfoliobot_sync_seconds", self._sync_seconds),
            ("portfoliobot_snapshot_age_seconds", self._snapshot_age),
            ("portfoliobot_outbox_depth", self._outbox_depth),
            *((f"portfoliobot_notifications_{what}_total", self._worker_counter(what, help_text))
              for what, help_text in WORKER_COUNTERS),
            ("portfoliobot_sync_leader", self._sync_leader),
            ("portfoliobot_sync_failing", self._sync_failing),
            ("portfoliobot_retention_last_run_timestamp_seconds", self._last_retention_run),
        ]
        for name, family in families:
            try:
                metric = family()
            except Exception:
                log.exception("metric %s could not be collected", name)
                continue
            if metric is not None:
                yield metric

    def _sync_seconds(self) -> Metric:
        gauge = GaugeMetricFamily("portfoliobot_sync_seconds",
                                  "Duration of the last successful portfolio sync, in seconds.")
        if self.last_sync_seconds is not None:
            gauge.add_metric([], self.last_sync_seconds)
        return gauge

    def _snapshot_age(self) -> Metric:
        gauge = GaugeMetricFamily("portfoliobot_snapshot_age_seconds",
                                  "Seconds since the last successful portfolio sync.")
        age = self.syncer.age_seconds() if self.syncer is not None else None
        if age is not None:
            gauge.add_metric([], age)
        return gauge

    def _outbox_depth(self) -> Metric | None:
        if self._outbox_counts is None:
            return None
        gauge = GaugeMetricFamily("portfoliobot_outbox_depth", "Notification outbox rows by "
                                  "status (failed: queued rows waiting for a retry).",
                                  labels=("status",))
        for status, number in self._outbox_counts.items():
            gauge.add_metric([status], number)
        return gauge

    def _worker_counter(self, what: str, help_text: str) -> Callable[[], Metric]:
        def family() -> Metric:
            counter = CounterMetricFamily(f"portfoliobot_notifications_{what}", help_text)
            if self.worker is not None:
                counter.add_metric([], getattr(self.worker, what))
            return counter
        return family

    def _sync_leader(self) -> Metric:
        gauge = GaugeMetricFamily("portfoliobot_sync_leader", "1 while this replica is the sync "
                                  "leader (publishes changes, runs the schedules), else 0.")
        if self.leader is not None:
            gauge.add_metric([], 1.0 if self.leader.is_leader else 0.0)
        return gauge

    def _sync_failing(self) -> Metric:
        gauge = GaugeMetricFamily("portfoliobot_sync_failing", "1 while the last portfolio sync "
                                  "failed (answers come from an older snapshot; the log says "
                                  "why), else 0.")
        if self.syncer is not None:
            gauge.add_metric([], 0.0 if self.syncer.last_error is None else 1.0)
        return gauge

    def _last_retention_run(self) -> Metric:
        gauge = GaugeMetricFamily("portfoliobot_retention_last_run_timestamp_seconds",
                                  "When this replica's last retention run finished (Unix time); "
                                  "only the sync leader runs it.")
        if self.last_retention_run is not None:
            gauge.add_metric([], self.last_retention_run)
        return gauge


class BotMetrics:
    """The bot's metrics (see the module docstring). Sources are bound once they exist."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.turns = Counter("portfoliobot_turns_total", "Turns handled, by activity type and "
                             "outcome (ok or error).", ("type", "outcome"), registry=r)
        self.turn_seconds = Histogram("portfoliobot_turn_seconds", "Time to handle a turn, in "
                                      "seconds.", buckets=TURN_BUCKETS, registry=r)
        self.answers = Counter("portfoliobot_answers_total", "Answers sent, by answer class.",
                               ("intent",), registry=r)
        self.unanswered = Counter("portfoliobot_unanswered_total",
                                  "Questions answered with NotFound or NotUnderstood.", registry=r)
        self.foreign_tenant = Counter(
            "portfoliobot_foreign_tenant_activities_total",
            "Activities ignored because their tenant is not in ALLOWED_TENANT_IDS.", registry=r)
        self.retention_purged = Counter(
            "portfoliobot_retention_purged_rows_total", "Rows deleted by retention runs, by bot "
            "database table.", ("table",), registry=r)
        self._sources = _BoundSources()
        r.register(self._sources)

    def bind(self, syncer: _Syncer | None = None, outbox: _Outbox | None = None,
             worker: _Worker | None = None, leader: _Leader | None = None) -> None:
        """Use these sources for the scrape-time metrics (None keeps the current one)."""
        sources = self._sources
        sources.syncer = syncer or sources.syncer
        sources.outbox = outbox or sources.outbox
        sources.worker = worker or sources.worker
        sources.leader = leader or sources.leader

    def observe_turn(self, activity_type: str | None, outcome: str, seconds: float) -> None:
        kind = activity_type if activity_type is not None and activity_type in ACTIVITY_TYPES \
            else "other"
        self.turns.labels(type=kind, outcome=outcome).inc()
        self.turn_seconds.observe(seconds)

    def count_answer(self, answer: Answer) -> None:
        self.answers.labels(intent=type(answer).__name__).inc()
        if isinstance(answer, UNANSWERED_ANSWERS):
            self.unanswered.inc()

    def observe_sync(self, seconds: float) -> None:
        self._sources.last_sync_seconds = seconds

    def observe_retention(self, purged: Mapping[str, int], finished_at: datetime) -> None:
        """A retention run finished: rows deleted per table (every table it purges, 0s too)."""
        for table, rows in purged.items():
            self.retention_purged.labels(table=table).inc(rows)
        self._sources.last_retention_run = finished_at.timestamp()

    async def render(self) -> str:
        """The exposition text of every metric (the outbox is queried first)."""
        await self._sources.refresh()
        return generate_latest(self.registry).decode("utf-8")
