"""The syncer: reads the portfolio, builds a snapshot when something changed, swaps it in.

One pass: read every table, fingerprint each, and stop there when nothing changed. Otherwise
validate, build the snapshot (reusing the fuzzy indexes when no name-bearing table changed),
compute the difference from the previous snapshot as events, and replace the current
snapshot in one assignment. A failed pass keeps the last good snapshot and raises `SyncError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from knowledge.database import create_engine
from knowledge.errors import SyncError
from knowledge.events import PortfolioEvent, diff
from knowledge.faq_index import FaqIndex
from knowledge.name_index import NameIndex
from knowledge.reader import RawRows, read_tables
from knowledge.snapshot import Snapshot, build_indexes, build_snapshot
from knowledge.validation import SkippedRow, validate

log = logging.getLogger("portfoliobot.sync")

NAME_TABLES = ("organization", "person", "programme", "project", "faq")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fingerprint(raw: RawRows) -> dict[str, int]:
    """A cheap per-table fingerprint of the raw rows, order-independent."""
    return {
        table: hash(frozenset(tuple(row.values()) for row in rows)) ^ len(rows)
        for table, rows in raw.items()
    }


@dataclass(frozen=True)
class SyncResult:
    """What one pass did."""

    snapshot: Snapshot
    changed: bool
    events: list[PortfolioEvent]
    counts: dict[str, int]
    skipped: list[SkippedRow]
    seconds: float
    reused_indexes: bool = False
    timings: dict[str, float] = field(default_factory=dict)


class Syncer:
    """Holds the current snapshot of one portfolio database and refreshes it."""

    def __init__(self, url: str | None = None, *, engine: AsyncEngine | None = None,
                 clock: Clock = utc_now) -> None:
        if engine is None:
            if url is None:
                raise ValueError("Syncer needs a URL or an engine")
            engine = create_engine(url)
        self.engine = engine
        self._clock = clock
        self._lock = asyncio.Lock()
        self._snapshot: Snapshot | None = None
        self._fingerprint: dict[str, int] = {}
        self._skipped: list[SkippedRow] = []
        self._raw: RawRows | None = None
        self.last_success: datetime | None = None
        self.last_error: str | None = None

    @property
    def snapshot(self) -> Snapshot | None:
        """The current snapshot, or None before the first successful sync."""
        return self._snapshot

    def age_seconds(self) -> float | None:
        """Seconds since the last successful sync."""
        if self.last_success is None:
            return None
        return (self._clock() - self.last_success).total_seconds()

    async def sync(self) -> SyncResult:
        """One pass; raises SyncError (keeping the current snapshot) when it fails."""
        async with self._lock:
            started = time.perf_counter()
            try:
                raw = await read_tables(self.engine)
            except SyncError as error:
                self.last_error = str(error)
                log.error("sync failed, keeping the last snapshot: %s", error)
                raise
            read_seconds = time.perf_counter() - started
            prints = fingerprint(raw)
            counts = {table: len(rows) for table, rows in raw.items()}
            previous = self._snapshot
            if previous is not None and prints == self._fingerprint:
                self.last_success, self.last_error = self._clock(), None
                return SyncResult(previous, False, [], counts, list(self._skipped),
                                  time.perf_counter() - started,
                                  timings={"read": read_seconds})
            reuse = previous is not None and all(
                prints.get(t) == self._fingerprint.get(t) for t in NAME_TABLES
            )
            indexes = (previous.names, previous.faq_index) if reuse and previous else None
            snapshot, skipped, events = await asyncio.to_thread(
                self._build, raw, previous, indexes
            )
            self._snapshot, self._fingerprint, self._skipped = snapshot, prints, skipped
            self._raw = raw
            self.last_success, self.last_error = self._clock(), None
            seconds = time.perf_counter() - started
            log.info("sync: %d projects, %d skipped rows, %d events in %.2f s",
                     len(snapshot.projects), len(skipped), len(events), seconds)
            return SyncResult(snapshot, True, events, counts, skipped, seconds, reuse,
                              {"read": read_seconds, "build": seconds - read_seconds})

    def _build(self, raw: dict[str, list[dict[str, Any]]], previous: Snapshot | None,
               indexes: tuple[NameIndex, FaqIndex] | None,
               ) -> tuple[Snapshot, list[SkippedRow], list[PortfolioEvent]]:
        records, skipped = validate(raw)
        snapshot = build_snapshot(records, self._clock(), indexes or build_indexes(records))
        return snapshot, skipped, diff(previous, snapshot)

    @property
    def last_raw(self) -> RawRows | None:
        """The rows behind the current snapshot, to persist as the next run's baseline."""
        return self._raw

    def restore(self, raw: RawRows) -> None:
        """Take `raw` (rows saved by an earlier run) as the previous snapshot, without events.

        The next `sync` then reports what changed since that run.
        """
        self._snapshot, self._skipped, _ = self._build(raw, None, None)
        self._fingerprint, self._raw = fingerprint(raw), raw

    async def close(self) -> None:
        await self.engine.dispose()
