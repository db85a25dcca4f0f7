"""The syncer: reads the portfolio, builds a snapshot when something changed, swaps it in.

One pass: read every table, fingerprint each, and stop there when nothing changed. Otherwise
validate, build the snapshot (reusing the fuzzy indexes when no name-bearing table changed),
compute the difference from the previous snapshot as events, and replace the current
snapshot in one assignment. A failed pass keeps the last good snapshot and raises `SyncError`.

Tables are read in chunks of about 1,000 rows cut by content (`knowledge.portfolio.reader`). A chunk
read exactly as last time costs only its read: its rows are dropped at once and its
validated records are taken over, and a table whose chunks all read as before keeps its
records tuple, so the snapshot's look-ups built from it are taken over too. The rows behind
the snapshot are kept pickled and compressed per chunk, for `last_raw` (and to validate a
chunk again when ids it refers to changed), not as millions of Python objects.

The cyclic garbage collector is paused during a pass and run once at its end: a pass at
100,000 projects makes millions of objects, and collecting as they appear would walk the
growing heap again and again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import pickle
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from knowledge.errors import SyncError
from knowledge.language.faq_index import FaqIndex
from knowledge.language.name_index import NameIndex
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.events import PortfolioEvent, diff
from knowledge.portfolio.model import StatusReport
from knowledge.portfolio.reader import RawRows, Row, TableRead, as_dicts, read_rows, rows_print
from knowledge.portfolio.snapshot import PortfolioRecords, Snapshot, build_indexes, build_snapshot
from knowledge.portfolio.validation import RowChunk, SkippedRow, Validation, validate, validate_rows

log = logging.getLogger("portfoliobot.sync")

NAME_TABLES = ("organization", "person", "programme", "project", "faq")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fingerprint(raw: RawRows) -> dict[str, int]:
    """A cheap per-table fingerprint of the raw rows, order-independent.

    The same as `knowledge.portfolio.reader` computes while reading (`TableRead.fingerprint`).
    """
    return {
        table: rows_print(hash(tuple(row.values())) for row in rows)
        for table, rows in raw.items()
    }


class _CollectorPause:
    """Pauses the cyclic garbage collector while any sync pass runs (re-entrant, threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()


_collector_paused = _CollectorPause()


@dataclass(frozen=True)
class _KeptChunk:
    """The rows of one chunk behind the current snapshot, pickled and compressed."""

    key: int
    packed: bytes | list[Row]

    @classmethod
    def of(cls, key: int, rows: list[Row]) -> _KeptChunk:
        try:
            packed: bytes | list[Row] = zlib.compress(
                pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), 1)
        except Exception:   # a value pickle cannot take: keep the rows as they are
            packed = rows
        return cls(key, packed)

    def rows(self) -> list[Row]:
        if isinstance(self.packed, list):
            return self.packed
        rows: list[Row] = pickle.loads(zlib.decompress(self.packed))   # bytes we made
        return rows


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
        self._kept: dict[str, tuple[_KeptChunk, ...]] = {}   # the rows behind the snapshot
        self._given: RawRows | None = None      # … or as given to `restore`
        self._validation: Validation | None = None
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
            with _collector_paused():
                return await self._sync()

    async def _sync(self) -> SyncResult:
        started = time.perf_counter()
        known = {table: {chunk.key for chunk in chunks} for table, chunks in self._kept.items()}
        try:
            reads = await read_rows(self.engine, known)
        except SyncError as error:
            self.last_error = str(error)
            log.error("sync failed, keeping the last snapshot: %s", error)
            raise
        read_seconds = time.perf_counter() - started
        prints = {table: read.fingerprint for table, read in reads.items()}
        counts = {table: read.count for table, read in reads.items()}
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
        snapshot, skipped, events, validation, kept = await asyncio.to_thread(
            self._build_rows, reads, previous, indexes
        )
        self._snapshot, self._fingerprint, self._skipped = snapshot, prints, skipped
        self._kept, self._given, self._validation = kept, None, validation
        self.last_success, self.last_error = self._clock(), None
        seconds = time.perf_counter() - started
        log.info("sync: %d projects, %d skipped rows, %d events in %.2f s",
                 len(snapshot.projects), len(skipped), len(events), seconds)
        return SyncResult(snapshot, True, events, counts, skipped, seconds, reuse,
                          {"read": read_seconds, "build": seconds - read_seconds})

    async def apply_report(self, report: StatusReport) -> list[PortfolioEvent]:
        """Put `report` (just written by this process) into the snapshot at once; its events.

        Builds a new snapshot from the current records with the report added (or replacing
        the report with the same id) and swaps it in, under the sync lock: a pass in flight
        finishes first and the report goes on top of its snapshot. The indexes and every
        other table's look-ups are taken over (names do not change). The status_report
        fingerprint is forgotten, so the next `sync` rebuilds from the database whatever it
        finds; that pass sees the row as already known, so the report's events (returned
        here: STATUS_REPORTED, HEALTH_CHANGED) come from this call, not from that pass.
        Other processes get them from their next sync. Nothing happens (no events) before
        the first sync or when the report's project is not in the snapshot.
        """
        async with self._lock:
            previous = self._snapshot
            self._fingerprint.pop("status_report", None)
            if previous is None or report.project_id not in previous.projects:
                return []
            reports = tuple(r for r in previous.records.reports if r.id != report.id)
            snapshot, events = await asyncio.to_thread(
                self._with_reports, previous, (*reports, report))
            self._snapshot = snapshot
            return events

    async def forget_report(self, report_id: int) -> bool:
        """Take report `report_id` out of the snapshot (after a withdraw); False if absent.

        The same discipline as `apply_report`: under the sync lock, indexes taken over, and
        the status_report fingerprint forgotten so the next `sync` rebuilds from the database.
        """
        async with self._lock:
            previous = self._snapshot
            self._fingerprint.pop("status_report", None)
            if previous is None:
                return False
            reports = tuple(r for r in previous.records.reports if r.id != report_id)
            if len(reports) == len(previous.records.reports):
                return False
            self._snapshot, _ = await asyncio.to_thread(self._with_reports, previous, reports)
            return True

    def _with_reports(self, previous: Snapshot, reports: tuple[StatusReport, ...],
                      ) -> tuple[Snapshot, list[PortfolioEvent]]:
        """`previous` with its reports replaced by `reports`, and the events of that change."""
        records = dataclasses.replace(previous.records, reports=reports)
        return self._snapshot_of(records, previous, (previous.names, previous.faq_index))

    def _build_rows(
        self, reads: dict[str, TableRead], previous: Snapshot | None,
        indexes: tuple[NameIndex, FaqIndex] | None,
    ) -> tuple[Snapshot, list[SkippedRow], list[PortfolioEvent], Validation,
               dict[str, tuple[_KeptChunk, ...]]]:
        """Validate, keep the rows packed, build the snapshot. Empties `reads` on the way."""
        old = {table: {chunk.key: chunk for chunk in chunks}
               for table, chunks in self._kept.items()}

        def source(table: str, key: int, rows: list[Row] | None) -> RowChunk:
            if rows is None:
                return RowChunk(key, old[table][key].rows)
            return RowChunk(key, lambda: rows)

        with _collector_paused():
            tables = {
                table: [source(table, chunk.key, chunk.rows) for chunk in read.chunks]
                for table, read in reads.items()
            }
            records, skipped, validation = validate_rows(tables, self._validation)
            del tables
            kept = {
                table: tuple(
                    _KeptChunk.of(chunk.key, chunk.rows) if chunk.rows is not None
                    else old[table][chunk.key]
                    for chunk in read.chunks
                )
                for table, read in reads.items()
            }
            reads.clear()   # the rows live on packed in `kept` only
            snapshot, events = self._snapshot_of(records, previous, indexes)
            gc.collect()   # once, now that the new objects are made
        return snapshot, skipped, events, validation, kept

    def _snapshot_of(self, records: PortfolioRecords, previous: Snapshot | None,
                     indexes: tuple[NameIndex, FaqIndex] | None,
                     ) -> tuple[Snapshot, list[PortfolioEvent]]:
        snapshot = build_snapshot(records, self._clock(), indexes or build_indexes(records),
                                  previous)
        return snapshot, diff(previous, snapshot)

    def _build(self, raw: dict[str, list[dict[str, Any]]], previous: Snapshot | None,
               indexes: tuple[NameIndex, FaqIndex] | None,
               ) -> tuple[Snapshot, list[SkippedRow], list[PortfolioEvent]]:
        records, skipped = validate(raw)
        snapshot, events = self._snapshot_of(records, previous, indexes)
        return snapshot, skipped, events

    @property
    def last_raw(self) -> RawRows | None:
        """The rows behind the current snapshot, to persist as the next run's baseline."""
        if self._given is not None:
            return self._given
        if not self._kept:
            return None
        return as_dicts({
            table: [row for chunk in chunks for row in chunk.rows()]
            for table, chunks in self._kept.items()
        })

    def restore(self, raw: RawRows) -> None:
        """Take `raw` (rows saved by an earlier run) as the previous snapshot, without events.

        The next `sync` then reports what changed since that run.
        """
        self._snapshot, self._skipped, _ = self._build(raw, None, None)
        self._fingerprint, self._given = fingerprint(raw), raw
        self._kept, self._validation = {}, None

    async def close(self) -> None:
        await self.engine.dispose()
